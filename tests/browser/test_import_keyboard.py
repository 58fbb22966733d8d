"""The import mapping from the keyboard alone, on a phone: each column chosen by typing its
header into the select, the tick box by Space, the preview by Enter."""

import pytest
from playwright.sync_api import Page, expect

from tests import factories
from tests.browser.session import log_in
from tracker.extensions import db

pytestmark = pytest.mark.browser

PARTNER_FILE = "Incident,When,Route,People,Source\nP1,9 Oct 2023,Onsong,300+,Witness A\n"


def test_the_mapping_is_chosen_and_previewed_from_the_keyboard(page: Page, app, tmp_path):
    factories.make_user("researcher", "importer@example.org")
    db.session.commit()
    path = tmp_path / "partner.csv"
    path.write_text(PARTNER_FILE, encoding="utf-8")
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, "importer@example.org")
    page.goto("/imports")
    page.get_by_label("The file holds").select_option("events")
    page.get_by_label("File", exact=True).set_input_files(str(path))  # a file chooser: no keys
    page.get_by_role("button", name="Upload and map columns").press("Enter")
    expect(page.get_by_role("heading", name="Map the columns of partner.csv")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    for field, header in (
        ("External id", "Incident"),  # the fields by their labels, as the page names them
        ("Date", "When"),
        ("People reported", "People"),
        ("What each source says", "Source"),
    ):
        select = page.get_by_label(field, exact=True)
        select.focus()
        page.keyboard.type(header)  # a select jumps to the option typed
        expect(select).to_have_value(header)
    tick = page.get_by_label("Create facilities, crossings and sources")
    tick.focus()
    page.keyboard.press("Space")
    expect(tick).to_be_checked()
    page.get_by_role("button", name="Preview").focus()
    page.keyboard.press("Enter")
    expect(page.locator('[data-count="created"]')).to_have_text("1")
