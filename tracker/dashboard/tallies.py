"""What every dashboard table adds up, as sums that can be added and taken apart.

A summary is a sum over events (the reported ranges) and over persons (the documented
counts): every table's rows are sums of what each event and each person brings. `tally`
runs the grouped queries for a set of filters; given the ids of a few events and persons,
it runs the same queries over those alone, which is what one write changes
(tracker/dashboard/current.py keeps the unfiltered tallies current that way). Filters that
select a few hundred events (a month in a province) find them first, then group those events
and their persons once each, and add the groups up into every table.
"""

import functools
import math
import operator
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field, fields, replace
from datetime import date, timedelta
from typing import Any

from sqlalchemy import (
    ARRAY,
    BindParameter,
    ColumnElement,
    Integer,
    any_,
    bindparam,
    case,
    extract,
    func,
    literal,
    select,
)

from tracker.caching.services import cached
from tracker.dashboard.filters import (
    Filters,
    ProvincePlaces,
    all_of,
    event_conditions,
    person_conditions,
)
from tracker.events.models import RepatriationEvent, event_facilities
from tracker.extensions import db
from tracker.persons.models import Detention, Person
from tracker.places.models import CrossingPoint, Facility

VANISHED = "vanished"
# A summary filtered to a period or a place first reads the ids of the matching events, then
# counts the persons of those events through the index of persons.event_id. Given the events
# as a subquery, PostgreSQL reads every person instead (it cannot know that a month in one
# province is a few hundred events: 0.8 s a query at a million persons). Up to this many ids
# are bound into the queries; beyond, a subquery it is (and a large part of the data anyway).
MATCHING_EVENTS_AT_MOST = 2000
EVENT_IDS = "matching_event_ids"


@dataclass
class Reported:
    """A reported range: the sum of minimums and of maximums (None when any maximum is unknown)."""

    events: int = 0
    people_min: int | None = None
    people_max: int | None = None
    approximate: bool = False  # some event's count is approximate ("about 180")

    @property
    def label(self) -> str:
        """'300–?', '180', '150–200', '~180' when a count in it is approximate, or '–' when
        nothing is reported."""
        if not self.events or (self.people_min is None and self.people_max is None):
            return "–" if not self.events else "?"
        about = "~" if self.approximate else ""
        low = f"{about}{self.people_min:,}" if self.people_min is not None else "?"
        if self.people_max is None:
            return f"{low}–?"
        if self.people_max == self.people_min:
            return low
        return f"{low}–{self.people_max:,}"


@dataclass
class Sums:
    """What one row of a table adds up. Kept as plain sums (with how many events report a
    minimum, and how many no maximum) so that sums can be added and subtracted exactly."""

    events: int = 0
    min_known: int = 0  # events that report a minimum
    sum_min: int = 0
    sum_max: int = 0
    open_max: int = 0  # events that report no maximum
    imprecise: int = 0  # events dated only to the month (or the year)
    persons: int = 0
    vanished: int = 0
    # Events whose count is approximate. Last, with a default: sums kept in the shared cache
    # before it existed read it as 0.
    approximate: int = 0

    def __add__(self, other: "Sums") -> "Sums":
        return Sums(*map(operator.add, self.values(), other.values()))

    def __sub__(self, other: "Sums") -> "Sums":
        return Sums(*map(operator.sub, self.values(), other.values()))

    def values(self) -> tuple[int, ...]:
        return _sum_values(self)  # type: ignore[no-any-return]

    def __bool__(self) -> bool:
        return any(self.values())

    @property
    def reported(self) -> Reported:
        """The reported range these sums make: no minimum when none is reported, no maximum
        when any event reports none."""
        if not self.events:
            return Reported()
        return Reported(
            self.events,
            self.sum_min if self.min_known else None,
            None if self.open_max else self.sum_max,
            self.approximate > 0,
        )


# Every field of Sums in order, read at once (sums are added hundreds of times a summary).
_sum_values = operator.attrgetter(*(f.name for f in fields(Sums)))

Key = Any


@dataclass
class Tallies:
    """Every table of one summary as sums by row: per crossing point, facility, month (year
    and month; month 0 for events dated only to the year), and persons per (status, gender)."""

    total: Sums = field(default_factory=Sums)
    crossing: dict[Key, Sums] = field(default_factory=dict)
    facility: dict[Key, Sums] = field(default_factory=dict)
    month: dict[tuple[int, int], Sums] = field(default_factory=dict)
    people: dict[tuple[str | None, str | None], int] = field(default_factory=dict)

    def __add__(self, other: "Tallies") -> "Tallies":
        return self._combine(other, 1)

    def __sub__(self, other: "Tallies") -> "Tallies":
        return self._combine(other, -1)

    def _combine(self, other: "Tallies", sign: int) -> "Tallies":
        def merged(mine: dict, theirs: dict) -> dict:
            out = dict(mine)
            for key, value in theirs.items():
                start = out.get(key, type(value)())
                out[key] = start + value if sign > 0 else start - value
            return {key: value for key, value in out.items() if value}  # as a query has them

        return Tallies(
            total=self.total + other.total if sign > 0 else self.total - other.total,
            crossing=merged(self.crossing, other.crossing),
            facility=merged(self.facility, other.facility),
            month=merged(self.month, other.month),
            people=merged(self.people, other.people),
        )


def _reported_columns(event: Any = RepatriationEvent) -> list[Any]:
    return [
        func.count(event.id),
        func.count(event.people_min),
        func.coalesce(func.sum(event.people_min), 0),
        func.coalesce(func.sum(event.people_max), 0),
        func.sum(case((event.people_max.is_(None), 1), else_=0)),
        func.sum(case((event.people_approximate.is_(True), 1), else_=0)),
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


@functools.lru_cache(maxsize=256)
def queries(filters: Filters, starts_from: date | None = None) -> _Queries:
    """The summary's queries for these filters (statements are immutable and safe to share);
    `starts_from` as for `event_conditions`."""
    return _build(filters, None, None, starts_from)


@dataclass(frozen=True)
class _OfEvents:
    """The queries of a summary whose events are given by their ids (the bound list
    EVENT_IDS, found by `matching_events`): a few hundred events and their persons, each read
    once. The events are grouped by crossing point and month at once, the persons by crossing
    point, month, status and gender: every table's row is a sum of those groups. A filtered
    view so runs four queries where it ran eight, and reads the matching persons once where
    it read them three times."""

    events: Any
    facility_reported: Any
    persons: Any
    facility_documented: Any


@functools.lru_cache(maxsize=64)
def queries_of_events(own: Filters, dialect: str) -> _OfEvents:
    """The queries over the events EVENT_IDS and their persons that match `own` (the persons'
    own filters, `persons_own`): the same statements for every period and place."""
    of_matching = _among(RepatriationEvent.id, dialect)
    persons_where = all_of([*person_conditions(own), _among(Person.event_id, dialect)])
    year, month, imprecise = _month_columns()
    return _OfEvents(
        events=select(RepatriationEvent.crossing_id, year, month, *_reported_columns(), imprecise)
        .where(of_matching)
        .group_by(RepatriationEvent.crossing_id, year, month),
        facility_reported=_facility_reported(of_matching),
        persons=select(
            RepatriationEvent.crossing_id, year, month, Person.status, Person.gender, func.count()
        )
        .select_from(Person)
        .join(RepatriationEvent, RepatriationEvent.id == Person.event_id)
        .where(persons_where, of_matching)
        .group_by(RepatriationEvent.crossing_id, year, month, Person.status, Person.gender),
        facility_documented=_facility_documented(persons_where),
    )


def _among(column: Any, dialect: str) -> ColumnElement[bool]:
    """`column` is one of the ids EVENT_IDS. On PostgreSQL they are bound as one array: the
    statement's text is the same whatever the ids, where a list bound as hundreds of
    parameters was rendered, and parsed by the driver, afresh for every view (as long as the
    queries themselves at a million persons)."""
    if dialect == "postgresql":
        return column == any_(bindparam(EVENT_IDS, type_=ARRAY(Integer)))
    matching: BindParameter[list[int]] = bindparam(EVENT_IDS, expanding=True)
    return column.in_(matching)


def persons_own(filters: Filters) -> Filters:
    """The filters that describe persons themselves (status, gender), without those that
    select their events: given the ids of the matching events, the counts depend on these
    alone."""
    return replace(
        filters,
        date_from=None,
        date_to=None,
        province=None,
        crossing_id=None,
        min_reliability=None,
    )


def matching_events(filters: Filters, starts_from: date | None) -> list[int] | None:
    """The ids of the events these filters select, when they filter events to a few (None
    when they don't filter events, select more than MATCHING_EVENTS_AT_MOST, or filter by
    facility: persons are at a facility by their detentions, events by their origins)."""
    if not filters.filters_events or filters.facility_id is not None:
        return None
    places = province_places(filters.province) if filters.province else None
    found = select(RepatriationEvent.id).where(
        *event_conditions(filters, starts_from=starts_from, places=places)
    )
    ids = list(run(found.limit(MATCHING_EVENTS_AT_MOST + 1)).scalars())
    return None if len(ids) > MATCHING_EVENTS_AT_MOST else ids


def province_places(province: str) -> ProvincePlaces:
    """The ids of the crossing points and facilities in `province` (deleted ones too, as the
    province filter counts them), in one query."""
    crossings = select(literal("crossing"), CrossingPoint.id).where(
        CrossingPoint.province == province
    )
    facilities = select(literal("facility"), Facility.id).where(Facility.province == province)
    found: dict[str, list[int]] = {"crossing": [], "facility": []}
    for kind, place_id in run(crossings.union_all(facilities)):
        found[kind].append(place_id)
    return ProvincePlaces(found["crossing"], found["facility"])


def earliest_start(filters: Filters) -> date | None:
    """The earliest day an event overlapping the filters' period can start: the period's first
    day less the longest span of any event (read once per version of the data)."""
    if filters.date_from is None:
        return None
    longest = cached("longest-span", (), _longest_span)
    return None if longest is None else filters.date_from - timedelta(days=longest)


def _longest_span() -> int | None:
    """The most days any event's span covers (None when there is no event)."""
    start, end = RepatriationEvent.date_start, RepatriationEvent.date_end
    if db.session.get_bind().dialect.name == "sqlite":
        days: Any = func.julianday(end) - func.julianday(start)
    else:
        days = end - start
    found = db.session.execute(select(func.max(days))).scalar()
    return None if found is None else math.ceil(found)


def _month_columns() -> tuple[Any, Any, Any]:
    """The year and month of an event's start (month 0 for an event dated only to the year),
    and how many events are dated only to the month or the year."""
    year = extract("year", RepatriationEvent.date_start).cast(Integer)
    is_year = RepatriationEvent.date_precision == "year"
    month = case(
        (is_year, literal(0)), else_=extract("month", RepatriationEvent.date_start).cast(Integer)
    )
    imprecise = func.sum(case((RepatriationEvent.date_precision != "day", 1), else_=0))
    return year, month, imprecise


def _facility_reported(events_where: Any) -> Any:
    """Events and their reported ranges per facility of origin."""
    return (
        select(event_facilities.c.facility_id, *_reported_columns())
        .join(RepatriationEvent, RepatriationEvent.id == event_facilities.c.event_id)
        .where(events_where)
        .group_by(event_facilities.c.facility_id)
    )


def _facility_documented(persons_where: Any) -> Any:
    """Documented persons (and vanished) per facility: those whose detention history records
    them there."""
    vanished_id = case((Person.status == VANISHED, Detention.person_id))
    return (
        select(
            Detention.facility_id,
            func.count(Detention.person_id.distinct()),
            func.count(vanished_id.distinct()),
        )
        .join(Person, Person.id == Detention.person_id)
        .where(Detention.deleted_at.is_(None), persons_where)
        .group_by(Detention.facility_id)
    )


def _build(
    filters: Filters,
    persons: Collection[int] | None,
    events: Collection[int] | None,
    starts_from: date | None = None,
) -> _Queries:
    """The queries, over every matching record, or over the given persons and events only."""
    event_where = event_conditions(filters, starts_from=starts_from)
    person_where = person_conditions(filters, starts_from)
    if events is not None:
        event_where.append(RepatriationEvent.id.in_(sorted(events)))
    if persons is not None:
        person_where.append(Person.id.in_(sorted(persons)))
    events_where, persons_where = all_of(event_where), all_of(person_where)
    per_event = _documented_per_event(persons_where)
    year, month, imprecise = _month_columns()

    return _Queries(
        total=select(*_reported_columns()).where(events_where),
        # count(*), not count(id): the index of live persons' status and gender answers alone
        status_gender=select(Person.status, Person.gender, func.count())
        .where(persons_where)
        .group_by(Person.status, Person.gender),
        crossing_reported=select(RepatriationEvent.crossing_id, *_reported_columns())
        .where(events_where)
        .group_by(RepatriationEvent.crossing_id),
        crossing_documented=select(
            RepatriationEvent.crossing_id,
            func.sum(per_event.c.persons),
            func.sum(per_event.c.vanished),
        )
        .join(per_event, per_event.c.event_id == RepatriationEvent.id)
        .where(RepatriationEvent.deleted_at.is_(None))
        .group_by(RepatriationEvent.crossing_id),
        facility_reported=_facility_reported(events_where),
        facility_documented=_facility_documented(persons_where),
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
    )


def run(statement: Any, parameters: dict[str, Any] | None = None) -> Any:
    """Execute a grouped query as plain rows (no ORM entities to load)."""
    return db.session.connection().execute(statement, parameters)


def _whole(value: Any) -> int:
    """A sum as a plain int: PostgreSQL's SUM of a bigint is a numeric (Decimal)."""
    return 0 if value is None else int(value)


def reported_sums(row: Iterable[Any], imprecise: Any = 0) -> Sums:
    """The sums of a row of `_reported_columns` (and how many events are imprecise)."""
    events, min_known, sum_min, sum_max, open_max, approximate = map(_whole, row)
    return Sums(
        events, min_known, sum_min, sum_max, open_max, _whole(imprecise), approximate=approximate
    )


def _documented(persons: Any, vanished: Any) -> Sums:
    return Sums(persons=_whole(persons), vanished=_whole(vanished))


def tally(
    filters: Filters,
    persons: Collection[int] | None = None,
    events: Collection[int] | None = None,
) -> Tallies:
    """Every table's sums for these filters: over all matching records, or (given ids) over
    those persons and events alone."""
    if persons is None and events is None:
        starts_from = earliest_start(filters)
        matching = matching_events(filters, starts_from)
        if matching is not None:
            return _tally_of_events(persons_own(filters), matching)
        found = queries(filters, starts_from)
        reported = documented = True
    else:
        found = _build(filters, persons or (), events or ())
        reported, documented = bool(events), bool(persons)
    tallies = Tallies()
    if reported:
        tallies.total = reported_sums(run(found.total).one())
        for crossing_id, *sums in run(found.crossing_reported):
            _add(tallies.crossing, crossing_id, reported_sums(sums))
        for facility_id, *sums in run(found.facility_reported):
            _add(tallies.facility, facility_id, reported_sums(sums))
        for y, m, *sums, not_daily in run(found.month_reported):
            _add(tallies.month, (y, m), reported_sums(sums, not_daily))
    if documented:
        for status, gender, count in run(found.status_gender):
            tallies.people[(status, gender)] = tallies.people.get((status, gender), 0) + count
        for crossing_id, persons_there, vanished in run(found.crossing_documented):
            _add(tallies.crossing, crossing_id, _documented(persons_there, vanished))
        for facility_id, persons_there, vanished in run(found.facility_documented):
            _add(tallies.facility, facility_id, _documented(persons_there, vanished))
        for y, m, persons_then, vanished in run(found.month_documented):
            _add(tallies.month, (y, m), _documented(persons_then, vanished))
    return tallies


def _tally_of_events(own: Filters, matching: list[int]) -> Tallies:
    """Every table's sums over the events `matching` and their persons that match `own`,
    each table's rows summed from the groups of `queries_of_events`."""
    dialect = db.session.get_bind().dialect.name
    found, given = queries_of_events(own, dialect), {EVENT_IDS: matching}
    tallies = Tallies()
    for crossing_id, y, m, *sums, not_daily in run(found.events, given):
        reported = reported_sums(sums)
        tallies.total += reported
        _add(tallies.crossing, crossing_id, reported)
        _add(tallies.month, (y, m), reported_sums(sums, not_daily))
    for facility_id, *sums in run(found.facility_reported, given):
        _add(tallies.facility, facility_id, reported_sums(sums))
    # Hundreds of groups: counted as plain numbers (persons, vanished), made into sums once
    # per row of a table.
    per_crossing: dict[Any, list[int]] = {}
    per_month: dict[Any, list[int]] = {}
    for crossing_id, y, m, status, gender, count in run(found.persons, given):
        tallies.people[(status, gender)] = tallies.people.get((status, gender), 0) + count
        vanished = count if status == VANISHED else 0
        for counts in (
            per_crossing.setdefault(crossing_id, [0, 0]),
            per_month.setdefault((y, m), [0, 0]),
        ):
            counts[0] += count
            counts[1] += vanished
    for table, counted in ((tallies.crossing, per_crossing), (tallies.month, per_month)):
        for key, (persons_there, vanished_there) in counted.items():
            _add(table, key, Sums(persons=persons_there, vanished=vanished_there))
    for facility_id, persons_there, vanished in run(found.facility_documented, given):
        _add(tallies.facility, facility_id, _documented(persons_there, vanished))
    return tallies


def _add(table: dict[Any, Sums], key: Any, sums: Sums) -> None:
    # Sums are never changed in place: a row's first sums are kept as they are.
    found = table.get(key)
    table[key] = sums if found is None else found + sums
