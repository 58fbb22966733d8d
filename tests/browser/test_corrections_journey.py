"""Correcting what was entered, in a real browser and from the keyboard where it matters: a
researcher corrects a status's date and withdraws a wrong detention row from the person page,
each with a reason; both show in the history, and both are undone from there. The event picker
finds an event by its date as researchers write it, in English and in Korean."""

from datetime import date

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from tests import factories
from tests.browser.session import log_in, search_box
from tracker.events.models import RepatriationEvent
from tracker.extensions import db
from tracker.persons.models import Person
from tracker.persons.services import persons
from tracker.places.models import Facility
from tracker.sample.services import load_october_2023
from tracker.sources.models import Source

pytestmark = pytest.mark.browser


@pytest.fixture
def person(app) -> Person:
    researcher = factories.make_user("researcher", "researcher@example.org")
    load_october_2023(researcher)
    facility = db.session.execute(select(Facility).order_by(Facility.name)).scalars().first()
    source = db.session.execute(select(Source)).scalars().first()
    assert facility and source
    case = persons.create(
        researcher,
        {
            "family_name": "Ri",
            "given_name": "Sun Hui",
            "gender": "female",
            "detentions": [
                {"facility_id": facility.id, "date_from": "2023-06-01", "date_to": "2023-10-08"}
            ],
        },
    )
    persons.add_status(
        researcher, case, {"status": "vanished", "as_of": date(2023, 12, 1), "source_id": source.id}
    )
    db.session.commit()
    return case


def test_a_status_date_is_corrected_and_a_detention_withdrawn_then_both_undone(
    page: Page, person: Person
):
    page.on("dialog", lambda dialog: dialog.accept())
    log_in(page, "researcher@example.org")
    page.goto(f"/persons/{person.id}")
    timeline = page.locator(".timeline")
    expect(timeline).to_contain_text("1 December 2023")

    # The status: its date was entered wrong. Opened and filled from the keyboard.
    summary = page.get_by_text("Correct or withdraw this status")
    summary.focus()
    page.keyboard.press("Enter")
    form = page.locator("details.correction[open] form")
    form.get_by_label("As of").fill("2 Dec 2023")
    form.get_by_label("Reason for the change").fill("The source gave 2 December")
    form.get_by_role("button", name="Save the correction").click()
    expect(page.get_by_text("The correction was saved")).to_be_visible()
    expect(timeline).to_contain_text("2 December 2023")
    history = page.locator("aside.history")
    corrected = history.locator("section.step").filter(has_text="Status corrected")
    expect(corrected).to_contain_text("Reason: The source gave 2 December")
    expect(corrected).to_contain_text("1 December 2023")  # before
    expect(corrected).to_contain_text("2 December 2023")  # after

    # The detention row was entered on the wrong person: withdrawn, with a reason.
    page.get_by_text("Correct or withdraw: Changchun Tiebei Prison").click()
    form = page.locator("details.correction[open] form")
    form.get_by_label("Reason for the change").fill("Entered on the wrong case")
    form.get_by_role("button", name="Withdraw this entry").click()
    expect(page.get_by_text("The entry was withdrawn")).to_be_visible()
    expect(page.get_by_text("No detention recorded.")).to_be_visible()
    withdrawn = history.locator("section.step").first
    expect(withdrawn).to_contain_text("Edited")
    expect(withdrawn).to_contain_text("Reason: Entered on the wrong case")
    expect(withdrawn).to_contain_text("Changchun Tiebei Prison")

    # Both are undone from the history: the person's earlier version brings the row back,
    # and the status correction is undone on its own.
    history.get_by_role("button", name="Restore this version").last.click()
    expect(page.get_by_text("The earlier version was restored")).to_be_visible()
    detentions = page.locator("section.related").filter(has_text="Detention history")
    expect(detentions.get_by_role("link", name="Changchun Tiebei Prison")).to_be_visible()
    history.locator("section.step").filter(has_text="Status corrected").get_by_role(
        "button", name="Undo this change"
    ).click()
    expect(page.get_by_text("The change was undone")).to_be_visible()
    expect(timeline).to_contain_text("1 December 2023")
    expect(timeline).not_to_contain_text("2 December 2023")
    db.session.expire_all()
    assert db.session.get(Person, person.id).status_as_of == date(2023, 12, 1)


def test_the_event_picker_finds_onsong_by_its_date_in_english_and_korean(
    page: Page, person: Person
):
    onsong = db.session.execute(
        select(RepatriationEvent).where(RepatriationEvent.date_precision == "day")
    ).scalar_one()
    log_in(page, "researcher@example.org")
    page.goto("/persons/new")
    picker = search_box(page, "Repatriation event")
    picker.fill("Oct 2023")
    expect(page.get_by_role("option", name="Onsong, 9 October 2023")).to_be_visible()
    expect(page.get_by_role("option", name="Dandong, October 2023")).to_be_visible()
    # From the keyboard: the suggestions come in date order, Dandong's month first.
    expect(page.locator("#event_id-options [role=option]").first).to_have_text(
        "Dandong, October 2023"
    )
    picker.press("ArrowDown")
    expect(page.get_by_role("option", name="Onsong, 9 October 2023")).to_have_attribute(
        "aria-selected", "true"
    )
    picker.press("Enter")
    expect(picker).to_have_value("Onsong, 9 October 2023")
    assert page.locator("select#event_id").input_value() == str(onsong.id)

    page.get_by_role("button", name="한국어").first.click()
    expect(page.locator("html")).to_have_attribute("lang", "ko")
    picker = search_box(page, "송환 사건")
    expect(picker).to_have_attribute("placeholder", "입력하여 검색…")
    picker.fill("2023년 10월")
    expect(page.get_by_role("option", name="온성, 2023년 10월 9일")).to_be_visible()
    picker.fill("온성")
    expect(page.get_by_role("option", name="온성, 2023년 10월 9일")).to_be_visible()
    picker.fill("1999년 10월")
    expect(page.get_by_text("일치하는 것이 없습니다.")).to_be_visible()


def test_a_status_is_added_from_the_keyboard_alone_on_a_phone(page: Page, person: Person):
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, "researcher@example.org")
    page.goto(f"/persons/{person.id}")
    form = page.locator("form").filter(has_text="Add a status")
    form.get_by_label("Status", exact=True).focus()
    page.keyboard.type("Rel")  # a select jumps to the option typed
    page.keyboard.press("Tab")
    expect(form.get_by_label("As of")).to_be_focused()
    page.keyboard.type("May 2024")
    page.keyboard.press("Tab")
    source = form.get_by_label("Source", exact=True)
    expect(source).to_be_focused()
    page.keyboard.type("escapers")
    expect(
        page.get_by_role("option", name="China is sending escapers back to North Korea")
    ).to_be_visible()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    expect(form.get_by_label("Note")).to_be_focused()
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.get_by_text("The status was added to the timeline.")).to_be_visible()
    expect(page.locator(".timeline li.current")).to_contain_text("Released")
    expect(page.locator(".timeline li.current")).to_contain_text("May 2024")

    # The history's headings stay on one line on a phone ("Before", not "Be/fo/re").
    for heading in page.locator("table.changes thead th").all():
        height = heading.evaluate("h => h.getBoundingClientRect().height")
        line = heading.evaluate("h => parseFloat(getComputedStyle(h).lineHeight)")
        assert height < 2 * line, heading.inner_text()
