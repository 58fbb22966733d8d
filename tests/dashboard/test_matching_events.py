"""A filtered summary counts the persons of the matching events found first by their ids; it
equals the summary counted with the events as a subquery, whatever the filters, and falls back
to the subquery when the filters select more events than it binds."""

import random
from datetime import date, timedelta

import pytest
from sqlalchemy import event as sa_event
from sqlalchemy import update

from tests.dashboard.test_summary import crossing, event, facility, person
from tracker.dashboard import tallies
from tracker.dashboard.filters import Filters
from tracker.db import utcnow
from tracker.events.models import EventSource
from tracker.extensions import db
from tracker.places.models import CrossingPoint, Facility
from tracker.sources.models import Source

FILTERS = [
    Filters(date_from=date(2023, 10, 1), date_to=date(2023, 10, 31), province="Jilin"),
    Filters(date_from=date(2023, 10, 1), date_to=date(2023, 10, 31), province="Liaoning"),
    Filters(date_from=date(2022, 1, 1), date_to=date(2022, 12, 31)),
    Filters(date_from=date(2023, 10, 15)),
    Filters(date_to=date(2022, 6, 30), status="vanished"),
    Filters(province="Jilin", gender="female"),
    Filters(min_reliability="B", status="detained"),
    Filters(date_from=date(2023, 1, 1), min_reliability="C", gender="male"),
]


@pytest.fixture
def seeded(app):
    rng = random.Random(7)
    places = [crossing("Onsong", "Jilin"), crossing("Dandong", "Liaoning")]
    prisons = [facility("Tumen", "Jilin"), facility("Shenyang", "Liaoning")]
    graded = [
        Source(title=f"Source {grade}", kind="interview", reliability=grade, credibility=2)
        for grade in "ABCE"
    ]
    db.session.add_all(graded)
    for n in range(40):
        day = date(2022, 1, 1) + timedelta(days=rng.randint(0, 700))
        span = timedelta(days=rng.choice([0, 0, 30, 200]))
        happened = event(
            rng.choice(places),
            rng.choice([None, 10, 50]),
            rng.choice([None, 60]),
            day=day,
            end=day + span,
            precision="day" if not span else "month",
            facilities=rng.sample(prisons, rng.randint(0, 2)),
        )
        db.session.add(EventSource(event=happened, source=rng.choice(graded)))
        for _ in range(rng.randint(0, 4)):
            someone = person(
                happened,
                status=rng.choice(["vanished", "detained", None]),
                gender=rng.choice(["female", "male"]),
                detained_at=rng.choice([None, *prisons]),
            )
            if rng.random() < 0.1:
                someone.deleted_at = utcnow()
        if n % 9 == 0:
            happened.deleted_at = utcnow()
    person(None, status="vanished")  # a person of no event: never in an event-filtered summary
    db.session.flush()


@pytest.mark.parametrize("filters", FILTERS, ids=str)
def test_the_persons_of_the_matching_events_are_counted_as_by_a_subquery(
    seeded, monkeypatch, filters
):
    found = tallies.matching_events(filters, tallies.earliest_start(filters))
    assert found is not None, "these filters should select the events by their ids"
    by_ids = tallies.tally(filters)
    monkeypatch.setattr(tallies, "MATCHING_EVENTS_AT_MOST", -1)  # the subquery, always
    by_subquery = tallies.tally(filters)
    assert by_ids == by_subquery
    assert sum(by_subquery.people.values()) > 0 or filters.status == "detained"


def test_more_matching_events_than_it_binds_are_counted_by_a_subquery(seeded, monkeypatch):
    filters = Filters(date_from=date(2022, 1, 1))
    everything = tallies.tally(filters)
    monkeypatch.setattr(tallies, "MATCHING_EVENTS_AT_MOST", 3)
    assert tallies.matching_events(filters, tallies.earliest_start(filters)) is None
    assert tallies.tally(filters) == everything


def test_a_facility_filter_counts_persons_by_their_detentions_not_by_event_ids(seeded):
    shenyang = Filters(facility_id=2, date_from=date(2022, 1, 1))
    assert tallies.matching_events(shenyang, None) is None


def test_a_deleted_place_still_brings_its_events_into_its_province(seeded, monkeypatch):
    """The province's places are read first, deleted ones too, as the subquery has them."""
    for model in (Facility, CrossingPoint):
        db.session.execute(
            update(model).where(model.province == "Jilin").values(deleted_at=utcnow())
        )
    filters = FILTERS[0]  # October 2023 in Jilin
    assert tallies.province_places("Jilin").facilities
    by_ids = tallies.tally(filters)
    monkeypatch.setattr(tallies, "MATCHING_EVENTS_AT_MOST", -1)
    assert by_ids == tallies.tally(filters)
    assert by_ids.total.events > 0


def test_a_month_and_a_province_read_the_matching_persons_twice_in_all(seeded):
    """Once grouped for the status, gender, crossing and month tables, once joined to their
    detentions for the facility table: not once per table."""
    statements: list[str] = []

    def note(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        statements.append(" ".join(statement.lower().split()))

    sa_event.listen(db.engine, "before_cursor_execute", note)
    try:
        found = tallies.tally(FILTERS[0])
    finally:
        sa_event.remove(db.engine, "before_cursor_execute", note)
    assert sum(found.people.values()) > 0
    assert sum(" from persons" in sql or " join persons" in sql for sql in statements) == 2
    grouped = [sql for sql in statements if "group by" in sql]
    assert len(grouped) == 4  # events, their facilities, persons, their detentions


def test_postgresql_is_sent_the_same_statements_for_any_month_and_province(seeded):
    """The matching events' ids are bound as one array, not rendered as hundreds of
    parameters, so the driver parses (and PostgreSQL may prepare) each statement once."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite binds the ids as a list")
    sent: list[list[str]] = []

    def note(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        if "group by" in statement.lower():
            sent[-1].append(statement)

    sa_event.listen(db.engine, "before_cursor_execute", note)
    try:
        for filters in FILTERS[:2]:  # October 2023 in Jilin, then in Liaoning
            sent.append([])
            tallies.tally(filters)
    finally:
        sa_event.remove(db.engine, "before_cursor_execute", note)
    assert len(sent[0]) == 4
    assert sent[0] == sent[1]
