"""A researcher imports a partner's spreadsheet in a real browser: upload, check the
proposed mapping, preview, import; the events then appear in the list."""

import pytest
from playwright.sync_api import Page, expect

from tests import factories
from tests.browser.session import log_in
from tracker.extensions import db

pytestmark = pytest.mark.browser

PARTNER_FILE = (
    "Incident,When,Route,People,Source\n"
    "P1,9 Oct 2023,Onsong,300+,Witness A\n"
    "P2,October 2023,Dandong,about 180,Witness B\n"
    "P3,someday,Onsong,5,Witness A\n"
)


@pytest.fixture
def researcher(app):
    factories.make_user("researcher", "importer@example.org")
    db.session.commit()


def test_upload_map_preview_import(page: Page, researcher, tmp_path):
    path = tmp_path / "partner.csv"
    path.write_text(PARTNER_FILE, encoding="utf-8")
    log_in(page, "importer@example.org")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Import").click()
    page.get_by_label("The file holds").select_option("events")
    page.get_by_label("File", exact=True).set_input_files(str(path))
    page.get_by_role("button", name="Upload and map columns").click()

    expect(page.get_by_role("heading", name="Map the columns of partner.csv")).to_be_visible()
    expect(page.get_by_label("Crossing point", exact=True)).to_have_value("Route")  # proposed
    page.get_by_label("External id", exact=True).select_option("Incident")
    page.get_by_label("Date", exact=True).select_option("When")
    page.get_by_label("People reported", exact=True).select_option("People")
    page.get_by_label("What each source says", exact=True).select_option("Source")
    page.get_by_label("Create facilities, crossings and sources").check()
    page.get_by_role("button", name="Preview").click()

    expect(page.locator('[data-count="created"]')).to_have_text("2")
    expect(page.locator('[data-count="rejected"]')).to_have_text("1")
    expect(page.locator("#problems")).to_contain_text("someday")
    page.get_by_role("button", name="Import 2 rows").click()

    expect(page.get_by_text("Imported: 2 created")).to_be_visible()
    expect(page.locator('[data-count="created"]')).to_have_text("2")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Events").click()
    expect(page.locator("table").get_by_text("Onsong").first).to_be_visible()
    expect(page.locator("table").get_by_text("Dandong").first).to_be_visible()
