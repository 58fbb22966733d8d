"""Figures for the dashboard and the summary API: reported ranges beside documented persons.

Every number comes from one grouped SQL query per table. Reported counts (sums of the
events' people_min / people_max) and documented counts (Person records) are kept apart:
they are never added together.
"""

import calendar
import functools
from dataclasses import dataclass, field
from datetime import date
from typing import Any, NamedTuple

from sqlalchemy import Integer, case, extract, func, literal, select

from tracker.dashboard.filters import Filters, all_of, event_conditions, person_conditions
from tracker.events.models import RepatriationEvent, ReportedFigure, event_facilities
from tracker.extensions import db
from tracker.persons.models import Detention, Person
from tracker.places.models import CrossingPoint, Facility
from tracker.sources.models import Source

VANISHED = "vanished"


def _whole(value: Any) -> int | None:
    """A count as a plain int: PostgreSQL's SUM of a bigint is a numeric (Decimal)."""
    return None if value is None else int(value)


@dataclass
class Reported:
    """A reported range: the sum of minimums and of maximums (None when any maximum is unknown)."""

    events: int = 0
    people_min: int | None = None
    people_max: int | None = None

    @classmethod
    def from_sums(
        cls, events: int, known_min: int | None, sum_max: int | None, open_max: int
    ) -> "Reported":
        if not events:
            return cls()
        return cls(
            events=int(events),
            people_min=_whole(known_min),
            people_max=None if open_max else _whole(sum_max),
        )

    @property
    def label(self) -> str:
        """'300–?', '180', '150–200', or '–' when nothing is reported."""
        if not self.events or (self.people_min is None and self.people_max is None):
            return "–" if not self.events else "?"
        low = f"{self.people_min:,}" if self.people_min is not None else "?"
        if self.people_max is None:
            return f"{low}–?"
        if self.people_max == self.people_min:
            return low
        return f"{low}–{self.people_max:,}"


@dataclass
class Row:
    """One line of a summary table."""

    key: Any
    name: str
    reported: Reported = field(default_factory=Reported)
    persons: int = 0
    vanished: int = 0
    precision: str | None = None  # for months: "month" (a calendar month) or "year" (month unknown)
    imprecise_events: int = 0  # for months: events dated only to the month (or year)
    period: tuple[date, date] | None = None  # for months: the first and last day it covers

    def as_dict(self, key_name: str) -> dict[str, Any]:
        data = {key_name: self.key}
        if key_name == "id":
            data["name"] = self.name
        data.update(
            events=self.reported.events,
            people_min=self.reported.people_min,
            people_max=self.reported.people_max,
            persons=self.persons,
            vanished=self.vanished,
        )
        return data


class Place(NamedTuple):
    """A live crossing point or facility: what the filters offer and the map places."""

    id: int
    name: str
    province: str | None
    latitude: float | None
    longitude: float | None


def live_places(model: Any) -> list[Place]:
    """Every live crossing point (or facility), by name, in one query."""
    query = (
        select(model.id, model.name, model.province, model.latitude, model.longitude)
        .where(model.deleted_at.is_(None))
        .order_by(model.name, model.id)
    )
    return list(map(Place._make, _run(query)))


@dataclass
class Summary:
    """Everything the dashboard shows for one set of filters."""

    filters: Filters
    total: Row
    by_crossing: list[Row]
    by_facility: list[Row]
    by_status: list[Row]
    by_month: list[Row]
    by_gender: list[Row]
    crossings_involved: int
    facilities_involved: int
    figures: list[ReportedFigure]
    # Every live place, whatever the filters: the page's filter form and map read them too.
    crossings: list[Place]
    facilities: list[Place]

    def as_api(self) -> dict[str, Any]:
        """The shape of GET /api/v1/summary (DESIGN.md)."""
        return {
            "total": self.total.as_dict("scope") | {"scope": "all"},
            "by_crossing": [row.as_dict("id") for row in self.by_crossing],
            "by_facility": [row.as_dict("id") for row in self.by_facility],
            "by_status": [row.as_dict("status") for row in self.by_status],
            "by_month": [
                row.as_dict("month") | {"precision": row.precision} for row in self.by_month
            ],
            "by_gender": [row.as_dict("gender") for row in self.by_gender],
        }


def _reported_columns(event: Any = RepatriationEvent) -> list[Any]:
    return [
        func.count(event.id),
        func.sum(event.people_min),
        func.sum(event.people_max),
        func.sum(case((event.people_max.is_(None), 1), else_=0)),
    ]


def _documented_per_event(persons_where: Any) -> Any:
    """Persons and vanished per event, counted once over the persons' own (indexed) columns;
    the per-crossing and per-month tables then join 100,000 events, not a million persons."""
    return (
        select(
            Person.event_id.label("event_id"),
            func.count(Person.id).label("persons"),
            func.sum(case((Person.status == VANISHED, 1), else_=0)).label("vanished"),
        )
        .where(persons_where, Person.event_id.is_not(None))
        .group_by(Person.event_id)
        .subquery()
    )


@dataclass(frozen=True)
class _Queries:
    """Every grouped query of one summary. Building them costs about as much as a filtered
    summary's SQL itself, so they are built once per set of filters and reused."""

    total: Any
    status_gender: Any
    crossing_reported: Any
    crossing_documented: Any
    facility_reported: Any
    facility_documented: Any
    month_reported: Any
    month_documented: Any
    figures: Any


@functools.lru_cache(maxsize=256)
def _queries(filters: Filters) -> _Queries:
    """The summary's queries for these filters (statements are immutable and safe to share)."""
    events_where = all_of(event_conditions(filters))
    persons_where = all_of(person_conditions(filters))
    per_event = _documented_per_event(persons_where)

    # Documented persons of a facility: those whose detention history records them there.
    vanished_id = case((Person.status == VANISHED, Detention.person_id))

    year = extract("year", RepatriationEvent.date_start).cast(Integer)
    is_year = RepatriationEvent.date_precision == "year"
    month = case(
        (is_year, literal(0)), else_=extract("month", RepatriationEvent.date_start).cast(Integer)
    )
    imprecise = func.sum(case((RepatriationEvent.date_precision != "day", 1), else_=0))

    figures = (
        select(ReportedFigure)
        .join(Source, ReportedFigure.source_id == Source.id)
        .where(ReportedFigure.deleted_at.is_(None))
        .order_by(ReportedFigure.as_of)
    )
    if filters.status:
        figures = figures.where(ReportedFigure.status == filters.status)
    if filters.min_reliability:
        figures = figures.where(Source.reliability <= filters.min_reliability)

    return _Queries(
        total=select(*_reported_columns()).where(events_where),
        status_gender=select(Person.status, Person.gender, func.count(Person.id))
        .where(persons_where)
        .group_by(Person.status, Person.gender),
        crossing_reported=_reported_per_crossing_query(events_where),
        crossing_documented=select(
            RepatriationEvent.crossing_id,
            func.sum(per_event.c.persons),
            func.sum(per_event.c.vanished),
        )
        .join(per_event, per_event.c.event_id == RepatriationEvent.id)
        .where(RepatriationEvent.deleted_at.is_(None))
        .group_by(RepatriationEvent.crossing_id),
        facility_reported=select(event_facilities.c.facility_id, *_reported_columns())
        .join(RepatriationEvent, RepatriationEvent.id == event_facilities.c.event_id)
        .where(events_where)
        .group_by(event_facilities.c.facility_id),
        facility_documented=select(
            Detention.facility_id,
            func.count(Detention.person_id.distinct()),
            func.count(vanished_id.distinct()),
        )
        .join(Person, Person.id == Detention.person_id)
        .where(Detention.deleted_at.is_(None), persons_where)
        .group_by(Detention.facility_id),
        month_reported=select(year, month, *_reported_columns(), imprecise)
        .where(events_where)
        .group_by(year, month),
        month_documented=select(
            year, month, func.sum(per_event.c.persons), func.sum(per_event.c.vanished)
        )
        .select_from(per_event)
        .join(RepatriationEvent, per_event.c.event_id == RepatriationEvent.id)
        .where(RepatriationEvent.deleted_at.is_(None))
        .group_by(year, month),
        figures=figures,
    )


def _rows_by_id(rows: list[Row]) -> dict[Any, Row]:
    return {row.key: row for row in rows}


def _run(statement: Any) -> Any:
    """Execute a grouped query as plain rows (no ORM entities to load)."""
    return db.session.connection().execute(statement)


def summarise(filters: Filters) -> Summary:
    """Compute every dashboard table for these filters."""
    queries = _queries(filters)
    total = Row("all", "All")
    events, known_min, sum_max, open_max = _run(queries.total).one()
    total.reported = Reported.from_sums(events, known_min, sum_max, open_max)
    by_status, by_gender = _status_and_gender_rows(_run(queries.status_gender).all())
    total.persons = sum(row.persons for row in by_status)
    total.vanished = sum(row.vanished for row in by_status)

    crossings, facilities = live_places(CrossingPoint), live_places(Facility)
    by_crossing = _by_crossing(filters, queries, crossings)
    by_facility = _by_facility(filters, queries, facilities)
    return Summary(
        filters=filters,
        total=total,
        by_crossing=by_crossing,
        by_facility=by_facility,
        by_status=by_status,
        by_month=_by_month(queries),
        by_gender=by_gender,
        crossings_involved=sum(1 for row in by_crossing if row.reported.events or row.persons),
        facilities_involved=sum(1 for row in by_facility if row.reported.events or row.persons),
        figures=list(db.session.execute(queries.figures).scalars()),
        crossings=crossings,
        facilities=facilities,
    )


def _by_crossing(filters: Filters, queries: _Queries, places: list[Place]) -> list[Row]:
    rows = [
        Row(p.id, p.name) for p in places if not filters.crossing_id or p.id == filters.crossing_id
    ]
    by_id = _rows_by_id(rows)
    for crossing_id, *sums in _run(queries.crossing_reported):
        if crossing_id in by_id:
            by_id[crossing_id].reported = Reported.from_sums(*sums)
    for crossing_id, persons, vanished in _run(queries.crossing_documented):
        if crossing_id in by_id:
            by_id[crossing_id].persons, by_id[crossing_id].vanished = int(persons), int(vanished)
    return _keep_relevant(rows, filters)


def _reported_per_crossing_query(events_where: Any) -> Any:
    return (
        select(RepatriationEvent.crossing_id, *_reported_columns())
        .where(events_where)
        .group_by(RepatriationEvent.crossing_id)
    )


def reported_per_crossing(filters: Filters) -> dict[int | None, Reported]:
    """Events and the reported range per crossing point."""
    return {
        crossing_id: Reported.from_sums(*sums)
        for crossing_id, *sums in _run(_queries(filters).crossing_reported)
    }


def _by_facility(filters: Filters, queries: _Queries, places: list[Place]) -> list[Row]:
    rows = [
        Row(p.id, p.name)
        for p in places
        if (not filters.facility_id or p.id == filters.facility_id)
        and (not filters.province or p.province == filters.province)
    ]
    by_id = _rows_by_id(rows)
    for facility_id, *sums in _run(queries.facility_reported):
        if facility_id in by_id:
            by_id[facility_id].reported = Reported.from_sums(*sums)
    for facility_id, persons, vanished in _run(queries.facility_documented):
        if facility_id in by_id:
            by_id[facility_id].persons, by_id[facility_id].vanished = int(persons), int(vanished)
    return _keep_relevant(rows, filters)


def _keep_relevant(rows: list[Row], filters: Filters) -> list[Row]:
    """With no filter every place is listed (zeros say 'nothing recorded'); filtered, only hits."""
    if not filters.active:
        return rows
    return [row for row in rows if row.reported.events or row.persons]


def status_and_gender(filters: Filters) -> tuple[list[Row], list[Row]]:
    """Documented persons by current status and by gender, from one scan of the persons."""
    return _status_and_gender_rows(_run(_queries(filters).status_gender).all())


def _status_and_gender_rows(counts: Any) -> tuple[list[Row], list[Row]]:
    by_status: dict[Any, Row] = {}
    by_gender: dict[Any, Row] = {}
    for status, gender, count in counts:
        for rows, key in ((by_status, status), (by_gender, gender)):
            row = rows.setdefault(key, Row(key, key or ""))
            row.persons += int(count)
            row.vanished += int(count) if status == VANISHED else 0

    def largest_first(rows: dict[Any, Row]) -> list[Row]:
        return sorted(rows.values(), key=lambda row: (-row.persons, row.key or ""))

    return largest_first(by_status), largest_first(by_gender)


def _by_month(queries: _Queries) -> list[Row]:
    """Events and reported people by the month of date_start; year-precision events by year."""
    rows: dict[tuple[int, int], Row] = {}
    for y, m, events, known_min, sum_max, open_max, not_daily in _run(queries.month_reported):
        row = rows.setdefault((y, m), _month_row(y, m))
        row.reported = Reported.from_sums(events, known_min, sum_max, open_max)
        row.imprecise_events = int(not_daily)
    for y, m, persons, vanished in _run(queries.month_documented):
        row = rows.setdefault((y, m), _month_row(y, m))
        row.persons, row.vanished = int(persons), int(vanished)
    return [rows[key] for key in sorted(rows)]


def _month_row(year: int, month: int) -> Row:
    if month == 0:
        # English, as in the exported summary (a file reads the same whoever downloads it);
        # the pages name the row in their own language.
        row = Row(f"{year:04d}", f"{year} (month unknown)", precision="year")
        row.period = (date(year, 1, 1), date(year, 12, 31))
        return row
    row = Row(f"{year:04d}-{month:02d}", f"{year:04d}-{month:02d}", precision="month")
    row.period = (date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1]))
    return row
