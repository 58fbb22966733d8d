"""In a real browser: a new admin requires 2FA for everyone, enrols, and sees who has enrolled;
and nothing on the way breaks the Content-Security-Policy."""

import re

import pyotp
import pytest
from playwright.sync_api import expect

from tests import factories
from tracker.extensions import db

pytestmark = pytest.mark.browser


def test_v4_3_1_admin_requires_2fa_for_everyone_enrols_and_sees_who_enrolled(page):
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    factories.make_user("admin", "founder@example.org")
    factories.make_user("analyst", "ana@example.org")
    db.session.commit()

    page.goto("/login")
    page.get_by_label("Email").fill("founder@example.org")
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="Accounts").click()
    for role in ("Admins", "Researchers", "Analysts"):
        page.get_by_label(role).check()
    page.get_by_role("button", name="Save").click()

    expect(page).to_have_url(re.compile(r"/account/two-factor$"))
    expect(page.get_by_text("Your role requires two-factor login").first).to_be_visible()
    page.get_by_role("button", name="Set up two-factor login").click()
    expect(page.locator("figure.qr svg")).to_be_visible()
    secret = factories.sensitive(page.locator("code.secret").inner_text())
    page.get_by_label("Code").fill(factories.sensitive(pyotp.TOTP(secret).now()))
    page.get_by_role("button", name="Turn on two-factor login").click()
    expect(page.get_by_role("heading", name="Your recovery codes")).to_be_visible()
    for code in page.locator("ul.codes code").all_inner_texts():
        factories.sensitive(code)
    expect(page.locator("ul.codes code")).to_have_count(10)

    page.get_by_role("link", name="I have saved them").click()
    page.get_by_role("link", name="Accounts").click()
    founder = page.get_by_role("row").filter(has_text="founder@example.org")
    analyst = page.get_by_role("row").filter(has_text="ana@example.org")
    expect(founder).to_contain_text("enrolled")
    expect(analyst).to_contain_text("not enrolled (required)")
    assert violations == []
