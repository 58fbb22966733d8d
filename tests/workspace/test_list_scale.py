"""Pages stay cheap as records grow: no query per row on a list, a record page or the
dashboard (no N+1), and no select listing every event."""

from contextlib import contextmanager

import pytest
from sqlalchemy import event

from tests import factories
from tests.dashboard.test_summary import crossing, person
from tests.dashboard.test_summary import event as an_event
from tracker.events.services import events
from tracker.extensions import db
from tracker.persons.services import contacts, persons
from tracker.places.services import crossings, facilities
from tracker.sources.services import sources

# Every page computes afresh: a kept summary would make the second count smaller.
pytestmark = pytest.mark.parametrize("app_settings", [{"CACHE_URL": "null"}], indirect=True)


@contextmanager
def counted():
    """Count the SQL statements sent while the block runs."""
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def add_cases(actor, how_many: int) -> dict[str, int]:
    """`how_many` events, each with its crossing, facility, source and a documented case with
    a status, a detention and a contact: every kind of row a page may show."""
    made: dict[str, int] = {}
    for n in range(how_many):
        crossing = crossings.create(
            actor, {"name": f"Crossing {n} {actor.id}", "province": "Jilin"}
        )
        prison = facilities.create(actor, {"name": f"Prison {n} {actor.id}", "province": "Jilin"})
        source = sources.create(
            actor, {"title": f"Witness {n}", "kind": "interview", "reliability": "B"}
        )
        happened = events.create(
            actor,
            {
                "date_start": f"2023-10-{n + 1:02d}",
                "crossing_id": crossing.id,
                "people_min": 10 + n,
                "facility_ids": [prison.id],
                "claims": [{"source_id": source.id}],
            },
        )
        person = persons.create(
            actor,
            {
                "family_name": "Ri",
                "given_name": f"Case {n}",
                "event_id": happened.id,
                "detentions": [{"facility_id": prison.id}],
            },
        )
        persons.add_status(
            actor, person, {"status": "vanished", "as_of": "2023-10-20", "source_id": source.id}
        )
        contacts.create(actor, {"person_id": person.id, "name": f"Sister {n}"})
        made = {
            "persons": person.id,
            "events": happened.id,
            "sources": source.id,
            "facilities": prison.id,
            "crossings": crossing.id,
        }
    db.session.commit()
    return made


def queries_for(client, path: str) -> int:
    with counted() as statements:
        reply = client.get(path)
    assert reply.status_code == 200, path
    return len(statements)


KINDS = ["persons", "events", "sources", "facilities", "crossings", "contacts"]


@pytest.mark.parametrize("role", ["researcher", "analyst"])
def test_a_list_runs_as_many_queries_for_twelve_rows_as_for_two(client, login_as, role):
    writer = factories.make_user("researcher")
    login_as(role)
    add_cases(writer, 2)
    pages = [f"/{kind}" for kind in KINDS if role == "researcher" or kind != "contacts"]
    pages += ["/", "/persons?status=vanished"]
    few = {path: queries_for(client, path) for path in pages}
    add_cases(writer, 10)
    many = {path: queries_for(client, path) for path in pages}
    assert many == few


@pytest.mark.parametrize("role", ["researcher", "analyst"])
def test_a_record_page_runs_as_many_queries_with_a_long_history(client, login_as, role):
    researcher = factories.make_user("researcher")
    login_as(role)
    made = add_cases(researcher, 1)
    paths = [f"/{kind}/{record_id}" for kind, record_id in made.items()]
    few = {path: queries_for(client, path) for path in paths}
    person = persons.get(made["persons"])
    source = sources.get(made["sources"])
    for n in range(6):
        persons.add_status(
            researcher,
            person,
            {"status": "detained", "as_of": f"2023-11-{n + 1:02d}", "source_id": source.id},
        )
        contacts.create(researcher, {"person_id": person.id, "name": f"Brother {n}"})
    db.session.commit()
    many = {path: queries_for(client, path) for path in paths}
    assert many == few


def _record(how_many):
    from datetime import date

    for number in range(how_many):
        place = crossing(f"Crossing {number}")
        transfer = an_event(place, 10, 20, day=date(2023, 10, 1 + number % 28))
        person(transfer, "vanished")
    db.session.commit()


def test_too_many_events_to_list_become_a_record_number_field(client, login_as, monkeypatch):
    from tracker.kinds import listing

    monkeypatch.setattr(listing, "PICKER_LIMIT", 2)
    _record(3)
    login_as("analyst")
    page = client.get("/persons").get_data(as_text=True)
    assert 'id="filter-event_id" name="event_id" type="number"' in page
    narrowed = client.get("/persons?event_id=1").get_data(as_text=True)
    assert "1 person match" in narrowed
    refused = client.get("/persons?event_id=²").get_data(as_text=True)
    assert "Event: enter a record number." in refused
