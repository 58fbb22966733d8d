"""The readiness check for the UN Working Group, through the persons service: ready, each gap
named alone, urgency, and the SQL filters agreeing with the check."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from tests import factories
from tests.un import cases
from tracker.extensions import db
from tracker.kinds.listing import list_query
from tracker.kinds.registry import kind
from tracker.persons.models import Person
from tracker.persons.services import persons
from tracker.un import readiness as un
from tracker.un.services import set_submitter

# What clearing each element's fields does, and the gap the checklist must then name.
REMOVALS = {
    "name": {"family_name": None, "given_name": None, "name_hangul": None},
    "date": {"arrest_date": None, "event_id": None},
    "place": {"arrest_place": None},
    "responsible": {"responsible_parties": None},
    "steps": {"relatives_actions": None},
    "consent": {
        "consent_given_by": None,
        "consent_date": None,
        "consent_note": None,
        "consent_source_id": None,
    },
}


@pytest.fixture
def researcher(app):
    user = factories.make_user("researcher")
    admin = factories.make_user("admin")
    cases.submitter(admin)
    db.session.commit()
    return user


def filtered(params: dict[str, str]) -> set[int]:
    listing = list_query(kind("persons"), params, True, post_search=False)
    assert listing.problems == {}
    return {p.id for p in db.session.execute(listing.query).scalars()}


def test_a_person_with_every_element_is_ready(researcher):
    person = cases.ready_case(researcher)
    check = persons.un_readiness(person)
    assert check.ready
    assert check.missing == []
    assert [e.state for e in check.elements] == ["present"] * 7
    assert check.element("name").value == f"{cases.FAMILY} {cases.GIVEN} ({cases.HANGUL})"
    assert check.element("place").value == cases.ARREST_PLACE
    assert filtered({"un_ready": "yes"}) == {person.id}
    assert filtered({"un_ready": "no"}) == set()


@pytest.mark.parametrize("element", list(REMOVALS))
def test_each_element_removed_names_exactly_that_gap(researcher, element):
    person = cases.ready_case(researcher)
    persons.update(researcher, person, person.version, REMOVALS[element])
    check = persons.un_readiness(person)
    assert not check.ready
    assert check.missing == [element]
    gap = check.element(element)
    assert gap.state in ("missing", "partial")  # the event may give part of it
    assert gap.problem
    # The list's filters say the same as the check.
    assert filtered({"un_ready": "yes"}) == set()
    assert filtered({"un_missing": element}) == {person.id}
    others = [code for code in un.ELEMENTS if code != element]
    for code in others:
        assert filtered({"un_missing": code}) == set(), code


def test_the_submitter_removed_is_the_only_gap(researcher):
    person = cases.ready_case(researcher)
    admin = factories.make_user("admin")
    set_submitter(admin, {"organisation": "", "contact_name": "", "email": ""})
    check = persons.un_readiness(person)
    assert check.missing == ["submitter"]
    assert "admin" in check.element("submitter").problem
    assert filtered({"un_missing": "submitter"}) == {person.id}


def test_partial_elements_say_what_is_missing_in_plain_words(researcher):
    person = cases.ready_case(researcher)
    persons.update(
        researcher,
        person,
        person.version,
        {"arrest_date": "2023", "given_name": None, "name_hangul": None, "consent_note": None,
         "consent_source_id": None, "arrest_place": None},
    )  # fmt: skip
    check = persons.un_readiness(person)
    assert check.element("date").state == "partial"
    assert check.element("date").problem == (
        "Date of disappearance known only to the year: the Working Group needs at least the month."
    )
    assert check.element("name").state == "partial"
    assert "full name" in check.element("name").problem
    assert check.element("consent").problem == (
        "The consent lacks how it was recorded (a note or a source)."
    )
    assert check.element("place").state == "partial"
    assert "Namyang" in check.element("place").problem
    assert check.missing == ["name", "date", "place", "consent"]


def test_the_date_falls_back_to_last_seen_then_to_the_event(researcher):
    person = cases.ready_case(researcher, arrested=date(2023, 10, 1))
    persons.update(
        researcher, person, person.version, {"arrest_date": None, "last_seen_date": "2023-11"}
    )
    assert persons.un_readiness(person).disappearance.source == "last_seen_date"
    persons.update(researcher, person, person.version, {"last_seen_date": None})
    found = persons.un_readiness(person).disappearance
    assert (found.source, found.start) == ("event", date(2023, 10, 6))
    assert persons.un_readiness(person).ready


def test_a_disappearance_within_three_months_is_urgent_and_four_months_is_not(researcher):
    recent = cases.ready_case(researcher, arrested=date.today() - timedelta(days=40))
    old = cases.ready_case(
        researcher, arrested=un.add_months(date.today(), -4), family_name="Older"
    )
    recent_check, old_check = persons.un_readiness(recent), persons.un_readiness(old)
    assert recent_check.urgent
    assert (
        recent_check.days_left
        == (date.today() - timedelta(days=40) - un.urgent_cutoff(date.today())).days
    )
    assert 0 < recent_check.days_left < 92
    assert not old_check.urgent
    assert old_check.days_left is None
    assert filtered({"un_urgent": "yes"}) == {recent.id}
    assert filtered({"un_urgent": "no"}) == {old.id}


def test_a_submitted_case_is_no_longer_urgent(researcher):
    person = cases.ready_case(researcher)
    assert persons.un_readiness(person).urgent
    persons.update(
        researcher,
        person,
        person.version,
        {"un_submitted_on": date.today().isoformat(), "un_reference": "WGEID-10.0001"},
    )
    check = persons.un_readiness(person)
    assert not check.urgent
    assert check.status == "submitted"
    assert filtered({"un_urgent": "yes"}) == set()
    assert filtered({"un_submitted": "yes"}) == {person.id}


def test_only_a_vanished_person_is_urgent(researcher):
    person = cases.ready_case(researcher)
    persons.add_status(
        researcher, person, {"status": "released", "as_of": date.today().isoformat(),
                             "source_id": person.statuses[0].source_id},
    )  # fmt: skip
    assert not persons.un_readiness(person).urgent
    assert filtered({"un_urgent": "yes"}) == set()


def test_month_precision_is_urgent_until_its_last_day_is_three_months_old(researcher):
    today = date(2026, 12, 6)
    person = cases.ready_case(researcher, arrested=date(2026, 9, 1))
    persons.update(researcher, person, person.version, {"arrest_date": "2026-09"})
    check = un.check(person, today=today)
    assert check.urgent  # 30 September is within three months of 6 December
    assert check.days_left == (date(2026, 9, 30) - date(2026, 9, 6)).days
    assert not un.check(person, today=date(2027, 1, 1)).urgent
    listing = select(Person.id).where(un.urgent_condition(today))
    assert list(db.session.execute(listing).scalars()) == [person.id]
    assert (
        list(
            db.session.execute(
                select(Person.id).where(un.urgent_condition(date(2027, 1, 1)))
            ).scalars()
        )
        == []
    )  # noqa: E501
