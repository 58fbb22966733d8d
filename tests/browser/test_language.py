"""Switching to Korean in a real browser: the switcher on the login page and on every page
after it, the choice remembered across logout and login, and a layout that still fits."""

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.browser.session import log_in
from tracker.extensions import db
from tracker.sample.services import load_october_2023

pytestmark = pytest.mark.browser


def _fits(page) -> bool:  # type: ignore[no-untyped-def]
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"))


def test_korean_from_the_switcher_is_remembered_and_fits_the_page(app, page):
    user = factories.make_user("researcher", "switcher@example.org")
    load_october_2023(user)
    db.session.commit()
    page.set_viewport_size({"width": 1280, "height": 900})

    log_in(page, user.email)
    page.get_by_role("button", name="한국어").click()
    expect(page.get_by_role("heading", name="대시보드")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "ko")
    expect(page.get_by_role("heading", name="국경 통과 지점별")).to_be_visible()
    expect(page.get_by_role("rowheader", name="2023년 10월")).to_be_visible()  # by month
    font = page.evaluate("getComputedStyle(document.body).fontFamily")
    assert "Malgun Gothic" in font and "Noto Sans CJK KR" in font
    assert _fits(page)

    page.get_by_role("link", name="송환 사건", exact=True).click()
    expect(page.get_by_role("heading", name="송환 사건")).to_be_visible()
    expect(page.get_by_role("link", name="2023년 10월 9일")).to_be_visible()
    assert _fits(page)

    page.get_by_role("button", name="로그아웃").click()
    expect(page.get_by_role("heading", name="로그인")).to_be_visible()
    page.get_by_label("이메일").fill(user.email)
    page.get_by_label("비밀번호").fill(factories.PASSWORD)
    page.get_by_role("button", name="로그인").click()
    expect(page.get_by_role("heading", name="대시보드")).to_be_visible()

    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    db.session.expire_all()
    assert user.locale == "en"
