"""A researcher imports a Seoul NGO's persons sheet (CP949, Korean headers) through the Korean
interface, as she would: upload, check the proposals, translate two values on the page (no
JSON), preview, download the rejected rows, fix them, import them. The persons, statuses and
facilities created are then checked against the file."""

import csv
import io
import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from tests import factories
from tests.imports.test_korean_sheet import GENDERS, SHEET, STATUSES, sheet_rows
from tracker.extensions import db
from tracker.persons.models import Detention, Person, StatusRecord
from tracker.places.models import Facility
from tracker.sample.services import load_october_2023

pytestmark = pytest.mark.browser


@pytest.fixture
def korean_page(browser, live_server):  # type: ignore[no-untyped-def]
    context = browser.new_context(base_url=live_server, locale="ko-KR", accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def log_in(page: Page, email: str) -> None:
    page.goto("/login")
    page.get_by_label("이메일").fill(email)
    page.get_by_label("비밀번호").fill(factories.PASSWORD)
    page.get_by_role("button", name="로그인").click()
    expect(page.get_by_role("heading", name="대시보드")).to_be_visible()


def upload(page: Page, path: str) -> None:
    page.get_by_role("navigation", name="주 메뉴").get_by_role("link", name="가져오기").click()
    page.get_by_label("파일의 내용").select_option("persons")
    page.get_by_label("파일", exact=True).set_input_files(path)
    page.get_by_role("button", name="업로드하고 열 매핑하기").click()


def test_a_korean_sheet_through_the_korean_pages(app, korean_page, tmp_path):
    factories.make_user("researcher", "seoul@example.org")
    load_october_2023()
    db.session.commit()
    page = korean_page
    log_in(page, "seoul@example.org")

    upload(page, str(SHEET))
    expect(page.get_by_role("heading", name=re.compile("persons-ko-cp949.csv"))).to_be_visible()
    # Every field by its Korean label, each Korean header proposed.
    for label, header in {
        "한글 이름": "이름",
        "성별": "성별",
        "출생 연도": "생년",
        "송환일": "송환일",
        "송환 경로(국경 통과 지점)": "송환 경로",
        "구금 이력": "수용시설",
        "상태": "상태",
        "외부 식별자": "관리번호",
    }.items():
        expect(page.get_by_label(label, exact=True)).to_have_value(header)
    expect(page.get_by_label("여", exact=True)).to_have_value("female")  # matched
    # The two values no term matches, translated on the page.
    page.get_by_label("여(추정)", exact=True).select_option("female")
    page.get_by_label("송환됨", exact=True).select_option("repatriated")
    page.get_by_label("파일에 나오지만 데이터베이스에 없는").check()
    page.get_by_label("이 매핑을 다음 이름으로 저장(선택)").fill("서울 NGO")
    page.get_by_role("button", name="미리 보기").click()

    expect(page.locator('[data-count="created"]')).to_have_text("28")
    expect(page.locator('[data-count="rejected"]')).to_have_text("2")
    expect(page.locator("#problems")).to_contain_text("2023.13.5")
    with page.expect_download() as downloaded:
        page.get_by_role("link", name="거부된 행 내려받기").click()
    rejects = downloaded.value.path().read_bytes().decode("utf-8-sig")
    page.get_by_role("button", name="28행 가져오기").click()
    # the import's page, whatever number the database gave it (PostgreSQL keeps counting)
    expect(page.get_by_role("heading", name=re.compile(r"^가져오기 #\d+$"))).to_be_visible()
    expect(page.locator('[data-count="created"]')).to_have_text("28")

    # The rejected rows, fixed, imported with the saved mapping.
    fixed = tmp_path / "fixed.csv"
    fixed.write_text(rejects.replace("2023.13.5", "2023.3.5"), encoding="utf-8-sig")
    upload(page, str(fixed))
    page.get_by_label("저장된 매핑").select_option(label="서울 NGO")
    page.get_by_role("button", name="적용").click()
    expect(page.get_by_label("여(추정)", exact=True)).to_have_value("female")
    page.get_by_label("파일에 나오지만 데이터베이스에 없는").check()
    page.get_by_role("button", name="미리 보기").click()
    expect(page.locator('[data-count="created"]')).to_have_text("2")
    expect(page.locator('[data-count="rejected"]')).to_have_text("0")
    page.get_by_role("button", name="2행 가져오기").click()
    expect(page.locator('[data-count="created"]')).to_have_text("2")

    db.session.expire_all()
    found = {p.external_id: p for p in db.session.execute(select(Person)).scalars()}
    assert len(found) == len(sheet_rows()) == 30
    for row in csv.DictReader(io.StringIO(SHEET.read_bytes().decode("cp949"))):
        person = found[row["관리번호"]]
        assert person.name_hangul == row["이름"] and person.gender == GENDERS[row["성별"]]
        statuses = db.session.execute(
            select(StatusRecord.status).where(StatusRecord.person_id == person.id)
        ).scalars()
        assert list(statuses) == [STATUSES[row["상태"]]]
        held = db.session.execute(
            select(Facility.name)
            .join(Detention, Detention.facility_id == Facility.id)
            .where(Detention.person_id == person.id)
        ).scalars()
        assert set(held) == {part.strip() for part in re.split("[;,]", row["수용시설"])}


@pytest.mark.parametrize("width", [1366, 390])
def test_the_mapping_page_fits_a_laptop_and_a_phone(app, korean_page, width):
    """Every field's column, sample values and value translations in view without scrolling
    sideways; its check boxes beside their words, not 44-pixel-tall input boxes."""
    factories.make_user("researcher", "seoul@example.org")
    db.session.commit()
    page = korean_page
    log_in(page, "seoul@example.org")
    upload(page, str(SHEET))
    page.set_viewport_size({"width": width, "height": 900})
    table = page.locator("#mapping-fields")
    hidden = table.evaluate("t => t.parentElement.scrollWidth - t.parentElement.clientWidth")
    assert hidden <= 1, f"{hidden} px of the mapping hidden to the right at {width} px"
    assert table.locator("select").first.bounding_box()["width"] <= width  # type: ignore[index]
    create = page.get_by_label("파일에 나오지만 데이터베이스에 없는")
    box = create.bounding_box()
    words = page.locator('label[for="create_missing"]').bounding_box()
    assert box and words and box["height"] <= 30
    assert words["y"] < box["y"] + box["height"]  # on the line of the box, not under it
