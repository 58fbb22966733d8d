"""An analyst filters the dashboard to vanished persons, defines three lists and reads the
estimate of the undocumented, apart from the documented and reported figures (issue #19)."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.estimates.conftest import THREE_LISTS, build_lists
from tracker.extensions import db
from tracker.sample.services import load_october_2023

pytestmark = pytest.mark.browser
SCREENSHOTS = Path(__file__).resolve().parent.parent / "screenshots"


def test_an_analyst_estimates_the_undocumented_vanished(page, app):
    load_october_2023()
    build_lists(["Interviews", "Relatives", "Media"], THREE_LISTS, status="vanished")
    # Others who are not vanished: the filter leaves them out of the lists' counts.
    build_lists(["Other A", "Other B", "Other C"], [((1, 1, 1), 7)], status="released")
    analyst = factories.make_user("analyst")
    db.session.commit()

    page.goto("/login")
    page.get_by_label("Email").fill(analyst.email)
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_label("Status", exact=True).select_option(value="vanished")
    page.get_by_role("button", name="Apply filters").click()

    documented = page.locator('[data-figure="persons"]')
    reported = page.locator('[data-figure="reported"]')
    expect(documented).to_have_text("200")
    reported_before = reported.inner_text()

    panel = page.locator("#estimate")
    expect(panel.get_by_role("heading")).to_have_text("Estimated total, including the undocumented")
    for number, name in enumerate(["Interviews", "Relatives", "Media"], start=1):
        panel.get_by_role("group", name=f"List {number}").get_by_label("Name of the list").fill(
            name
        )
        panel.get_by_role("group", name=f"List {number}").get_by_label(
            "Sources in it"
        ).select_option(label=f"List {name}")
    panel.get_by_role("button", name="Estimate").click()

    expect(page.locator('[data-figure="estimate"]')).to_have_text("360")
    lower = int(page.locator('[data-figure="estimate-lower"]').inner_text().replace(",", ""))
    upper = int(page.locator('[data-figure="estimate-upper"]').inner_text().replace(",", ""))
    assert 200 <= lower < 360 < upper
    expect(panel).to_contain_text("95% interval")
    expect(panel).to_contain_text("closed population")
    expect(panel).to_contain_text("Stepwise")
    # The documented and reported figures are unchanged, and the filter still holds.
    expect(documented).to_have_text("200")
    expect(reported).to_have_text(reported_before)
    assert "status=vanished" in page.url

    # The printable report carries the same estimate, in its own section after the counts.
    page.get_by_role("link", name="Printable report with this estimate").click()
    section = page.locator("section.report-estimate")
    expect(section.locator('[data-figure="estimate"]')).to_have_text("360")
    expect(section).to_contain_text("closed population")
    expect(page.locator('[data-figure="persons"]')).to_have_text("200")
    SCREENSHOTS.mkdir(exist_ok=True)
    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 900})
        section.scroll_into_view_if_needed()
        page.screenshot(path=str(SCREENSHOTS / f"report-estimate-{width}.png"))
