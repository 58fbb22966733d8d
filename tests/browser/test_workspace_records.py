"""Records in a real browser: two tabs saving the same facility, the Trash, and restoring an
earlier version from the history (the confirmation dialogs come from the static script)."""

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.browser.session import log_in
from tracker.extensions import db
from tracker.places.services import facilities

pytestmark = pytest.mark.browser


@pytest.fixture
def facility(app):
    researcher = factories.make_user("researcher", "researcher@example.org")
    record = facilities.create(researcher, {"name": "Shenyang Prison", "kind": "prison"})
    db.session.commit()
    return record


def test_two_tabs_editing_one_record_then_trash_restore_and_revert(page, facility):
    log_in(page, "researcher@example.org")
    page.on("dialog", lambda dialog: dialog.accept())
    other = page.context.new_page()
    other.on("dialog", lambda dialog: dialog.accept())
    edit = f"/facilities/{facility.id}/edit"
    page.goto(edit)
    other.goto(edit)

    page.get_by_label("Province").fill("Liaoning")
    page.get_by_role("button", name="Save facility").click()
    expect(page.get_by_text("The facility was saved.")).to_be_visible()

    other.get_by_label("Province").fill("Jilin")
    other.get_by_role("button", name="Save facility").click()
    expect(other.get_by_role("heading", name="Someone else changed this facility")).to_be_visible()
    row = other.get_by_role("row", name="Province")
    expect(row.get_by_role("cell", name="Jilin")).to_be_visible()
    expect(row.get_by_role("cell", name="Liaoning")).to_be_visible()
    other.get_by_role("button", name="Save my values over the current ones").click()
    expect(other.get_by_text("The facility was saved.")).to_be_visible()
    expect(other.get_by_text("Jilin").first).to_be_visible()

    other.get_by_role("button", name="Restore this version").last.click()
    expect(other.get_by_text("The earlier version was restored")).to_be_visible()
    details = other.locator("dl.details")
    expect(details.get_by_text("Jilin")).to_have_count(0)

    other.get_by_role("button", name="Move to Trash").click()
    expect(other.get_by_text("was moved to the Trash")).to_be_visible()
    expect(other.get_by_text("No facilities yet.")).to_be_visible()
    other.get_by_role("navigation", name="Main").get_by_role("link", name="Trash").click()
    other.get_by_role("row", name="Shenyang Prison").get_by_role("button", name="Restore").click()
    expect(other.get_by_text("The facility was restored.")).to_be_visible()
    expect(other.get_by_role("heading", name="History")).to_be_visible()
