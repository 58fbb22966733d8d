"""The shared record pattern, without HTTP: versions, conflicts, history, revert, trash."""

from datetime import date

import pytest
from sqlalchemy import select

from tests import factories
from tests.workspace.records import GIVEN_NAME, OLD_GIVEN_NAME, october_case
from tracker.audit.models import AuditEntry
from tracker.events.services import events
from tracker.exceptions import Conflict, PermissionDenied, ValidationFailed
from tracker.extensions import db
from tracker.persons.services import persons, status_timeline
from tracker.places.services import crossings, facilities


@pytest.fixture
def researcher(app):
    return factories.make_user("researcher")


def test_create_audits_every_value(researcher):
    facility = facilities.create(researcher, {"name": "Tumen Border Post", "kind": "border_post"})
    entry = db.session.execute(
        select(AuditEntry).where(AuditEntry.entity_type == "facilities")
    ).scalar_one()
    assert entry.action == "create"
    assert entry.actor_id == researcher.id
    assert entry.changes["new"]["name"] == "Tumen Border Post"
    assert facility.version == 1


def test_update_with_a_stale_version_is_a_conflict_and_changes_nothing(researcher):
    facility = facilities.create(researcher, {"name": "Tumen", "kind": "prison"})
    read_version = facility.version
    facilities.update(researcher, facility, read_version, {"name": "Tumen Detention Centre"})
    with pytest.raises(Conflict):
        facilities.update(researcher, facility, read_version, {"name": "Tumen Prison"})
    assert facility.name == "Tumen Detention Centre"


def test_changing_only_a_relation_still_moves_the_version(researcher):
    case = october_case(researcher)
    event = case["event"]
    version = event.version
    other = facilities.create(researcher, {"name": "Changchun Tiebei Prison", "kind": "prison"})
    events.update(researcher, event, version, {"facility_ids": [case["facility"].id, other.id]})
    assert event.version == version + 1
    with pytest.raises(Conflict):
        events.update(researcher, event, version, {"facility_ids": [other.id]})


def test_analyst_cannot_change_records(app):
    analyst = factories.make_user("analyst")
    with pytest.raises(PermissionDenied):
        facilities.create(analyst, {"name": "Tumen", "kind": "prison"})


def test_revert_puts_back_the_values_of_an_earlier_version_and_is_audited(researcher):
    case = october_case(researcher)
    person = case["person"]
    versions = persons.history(person)
    created = versions[-1]
    assert created.entry.action == "create"
    assert created.values["given_name"] == OLD_GIVEN_NAME
    persons.revert(researcher, person, created.entry.id, person.version)
    assert person.given_name == OLD_GIVEN_NAME
    assert person.status == "vanished"  # derived from the status history, not reverted
    latest = persons.history(person)[0]
    assert latest.entry.action == "revert"
    assert latest.entry.changes["given_name"] == {"old": GIVEN_NAME, "new": OLD_GIVEN_NAME}


def test_revert_restores_relations_too(researcher):
    case = october_case(researcher)
    event = case["event"]
    first = events.history(event)[-1].entry.id
    events.update(researcher, event, event.version, {"facility_ids": [], "claims": []})
    assert event.claims == []
    events.revert(researcher, event, first, event.version)
    assert [f.id for f in event.facilities] == [case["facility"].id]
    assert sorted(c.source_id for c in event.claims) == sorted(
        [case["public"].id, case["secret"].id]
    )


def test_delete_and_restore_are_audited_and_reversible(researcher):
    crossing = crossings.create(researcher, {"name": "Dandong"})
    crossings.delete(researcher, crossing)
    assert crossing.is_deleted
    crossings.restore(researcher, crossing)
    assert not crossing.is_deleted
    actions = [v.entry.action for v in crossings.history(crossing)]
    assert actions == ["restore", "delete", "create"]


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"date_end": None}, "date_start", "An event needs a date."),
        ({"date_start": "2023-10-09"}, "crossing_id", "An event needs a crossing point."),
        ({"date_start": "2999-01-01"}, "date_start", "This date is in the future."),
        (
            {"date_precision": "range", "date_start": "2023-10-09", "date_end": "2023-10-01"},
            "date_end",
            "The end is before the start.",
        ),
        ({"people_min": 300, "people_max": 200}, "people_max", "The maximum is below the minimum."),
        ({"facility_ids": [999999]}, "facility_ids", "Unknown facility: choose from the list."),
        ({"transport": "x" * 201}, "transport", "Use at most 200 characters (this has 201)."),
    ],
)
def test_event_rules_name_the_field(researcher, values, field, message):
    with pytest.raises(ValidationFailed) as caught:
        events.create(researcher, values)
    assert caught.value.fields[field] == message


def test_month_precision_spans_the_month(researcher):
    crossing = crossings.create(researcher, {"name": "Dandong"})
    event = events.create(
        researcher,
        {"date_precision": "month", "date_start": "2023-10-09", "crossing_id": crossing.id},
    )
    assert (event.date_start, event.date_end) == (date(2023, 10, 1), date(2023, 10, 31))


@pytest.mark.parametrize("year", [1850, date.today().year + 1])
def test_impossible_birth_years_are_refused(researcher, year):
    with pytest.raises(ValidationFailed) as caught:
        persons.create(researcher, {"birth_year": year, "gender": "female"})
    assert "birth_year" in caught.value.fields


def test_case_codes_are_stable_and_never_reused(researcher):
    first = persons.create(researcher, {"gender": "unknown"})
    second = persons.create(researcher, {"gender": "unknown"})
    year = date.today().year
    assert (first.case_code, second.case_code) == (f"RT-{year}-0001", f"RT-{year}-0002")
    persons.delete(researcher, second)
    third = persons.create(researcher, {"gender": "unknown"})
    assert third.case_code == f"RT-{year}-0003"
    persons.update(researcher, first, first.version, {"given_name": "Changed", "case_code": "X"})
    assert first.case_code == f"RT-{year}-0001"


def test_status_is_the_latest_by_as_of_date_not_the_latest_added(researcher):
    case = october_case(researcher)
    person, source = case["person"], case["public"]
    persons.add_status(
        researcher, person, {"status": "repatriated", "as_of": "2023-10-09", "source_id": source.id}
    )
    assert (person.status, person.status_as_of) == ("vanished", date(2023, 12, 1))
    persons.add_status(
        researcher,
        person,
        {"status": "detained_in_nk", "as_of": "2024-02-01", "source_id": source.id},
    )
    assert (person.status, person.status_as_of) == ("detained_in_nk", date(2024, 2, 1))
    assert [s.status for s in status_timeline(person)] == [
        "repatriated",
        "vanished",
        "detained_in_nk",
    ]
