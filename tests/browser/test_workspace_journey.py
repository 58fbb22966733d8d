"""The researcher's day in a real browser: record a facility, a crossing, a source, an event
citing it and a named case with a status; then an analyst sees the case without its name."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests import factories
from tests.browser.session import log_in, search_box
from tracker.extensions import db

pytestmark = pytest.mark.browser

FAMILY_NAME = "Ryomhwa"
GIVEN_NAME = "Kyongok"
HANGUL = "렴경옥"


def pick(page: Page, label: str, typed: str, option: str) -> None:
    """Use a search-as-you-type picker: type, then choose the suggestion."""
    search_box(page, label).fill(typed)
    page.get_by_role("option", name=option).click()


@pytest.fixture
def accounts(app):
    researcher = factories.make_user("researcher", "researcher@example.org")
    analyst = factories.make_user("analyst", "analyst@example.org")
    db.session.commit()
    return researcher, analyst


def test_a_researcher_records_a_case_end_to_end_and_an_analyst_sees_it_masked(page, accounts):
    log_in(page, "researcher@example.org")

    nav = page.get_by_role("navigation", name="Main")
    nav.get_by_role("link", name="Facilities").click()
    expect(page.get_by_text("No facilities yet.")).to_be_visible()
    page.get_by_role("link", name="New facility").click()
    page.get_by_label("Name", exact=True).fill("Shenyang Prison")
    page.get_by_label("Kind").select_option(label="Prison")
    page.get_by_label("Province").fill("Liaoning")
    page.get_by_label("Country").fill("CN")
    page.get_by_role("button", name="Save facility").click()
    expect(page.get_by_text("The facility was saved.")).to_be_visible()

    nav.get_by_role("link", name="Crossings").click()
    page.get_by_role("link", name="New crossing point").click()
    page.get_by_label("Name", exact=True).fill("Onsong")
    page.get_by_label("Chinese side").fill("Tumen")
    page.get_by_label("North Korean side").fill("Onsong")
    page.get_by_role("button", name="Save crossing point").click()
    expect(page.get_by_text("The crossing point was saved.")).to_be_visible()

    nav.get_by_role("link", name="Sources").click()
    page.get_by_role("link", name="New source").click()
    page.get_by_label("Title").fill("China is sending escapers back to North Korea")
    page.get_by_label("Kind").select_option(label="Media")
    page.get_by_label("Organisation").fill("The Economist")
    page.get_by_label("Reliability of the source").select_option(label="B – Usually reliable")
    page.get_by_label("Credibility of the information").select_option(label="2 – Probably true")
    page.get_by_role("button", name="Save source").click()
    expect(page.get_by_text("The source was saved.")).to_be_visible()
    expect(page.get_by_role("article").get_by_text("B – Usually reliable")).to_be_visible()
    expect(page.get_by_role("article").get_by_text("2 – Probably true")).to_be_visible()

    nav.get_by_role("link", name="Events").click()
    page.get_by_role("link", name="New event").click()
    page.get_by_label("Date", exact=True).fill("9 Oct 2023")  # as a researcher writes it
    # The picker works from the keyboard: type, wait for the suggestion, Enter.
    crossing = search_box(page, "Crossing point")
    crossing.fill("Ons")
    expect(page.get_by_role("option", name="Onsong")).to_have_attribute("aria-selected", "true")
    crossing.press("Enter")
    expect(crossing).to_have_value("Onsong")
    pick(page, "Origin facilities", "Shen", "Shenyang Prison")
    page.get_by_label("People reported").fill("over 300")
    pick(page, "Source", "escapers", "China is sending escapers back to North Korea")
    page.get_by_label("People it reports").fill("300+")
    page.get_by_label("Quote").fill("TJWG estimate for the Tumen–Onsong crossing: 300 people.")
    page.get_by_role("button", name="Save event").click()
    expect(page.get_by_text("The event was saved.")).to_be_visible()
    expect(page.get_by_role("heading", name="Onsong, 9 October 2023")).to_be_visible()
    expect(page.get_by_role("article").get_by_role("cell", name="300–?")).to_be_visible()

    nav.get_by_role("link", name="Persons").click()
    page.get_by_role("link", name="New person").click()
    page.get_by_label("Family name").fill(FAMILY_NAME)
    page.get_by_label("Given name").fill(GIVEN_NAME)
    page.get_by_label("Name in Hangul").fill(HANGUL)
    page.get_by_label("Gender").select_option(label="Female")
    page.get_by_label("Birth year", exact=True).fill("1991")
    pick(page, "Repatriation event", "Onsong", "Onsong, 9 October 2023")
    page.get_by_role("button", name="Save person").click()
    expect(page.get_by_text("The person was saved.")).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile("RT-2023-0001"))).to_be_visible()

    page.get_by_label("Status", exact=True).select_option(label="Vanished")
    page.get_by_label("As of").fill("December 2023")
    pick(page, "Source", "escapers", "China is sending escapers back to North Korea")
    page.get_by_role("button", name="Add status").click()
    expect(page.get_by_text("The status was added to the timeline.")).to_be_visible()
    timeline = page.get_by_role("region", name="Status timeline")
    expect(timeline.get_by_role("listitem").filter(has_text="Vanished")).to_be_visible()

    page.get_by_role("button", name="Log out").click()
    page.set_viewport_size({"width": 768, "height": 1024})  # a tablet
    log_in(page, "analyst@example.org")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Persons").click()
    expect(page.get_by_role("link", name="RT-2023-0001")).to_be_visible()
    expect(page.get_by_text(FAMILY_NAME)).to_have_count(0)
    page.get_by_role("link", name="RT-2023-0001").click()
    expect(page.get_by_role("heading", name="RT-2023-0001", exact=True)).to_be_visible()
    expect(page.get_by_text("Vanished").first).to_be_visible()
    content = page.content()
    assert FAMILY_NAME not in content and GIVEN_NAME not in content and HANGUL not in content
