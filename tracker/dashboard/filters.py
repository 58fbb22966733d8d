"""The dashboard's filters: parsed from the query string, applied to events and persons alike."""

from collections.abc import Sequence
from dataclasses import asdict, dataclass, fields
from datetime import date
from typing import Any, NamedTuple

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, and_, exists, or_, select
from sqlalchemy.orm import aliased

from tracker.events.models import EventSource, RepatriationEvent, event_facilities
from tracker.kinds.values import ValueProblem, parse_date
from tracker.persons.models import Detention, Person
from tracker.places.models import CrossingPoint, Facility
from tracker.security.converters import parse_id
from tracker.sources.models import RELIABILITY_GRADES, Source


class FilterError(ValueError):
    """Some filter values could not be understood; `fields` says which and why."""

    def __init__(self, fields: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in fields.items()))
        self.fields = fields


@dataclass(frozen=True)
class Filters:
    """What the analyst asked to see. Date filters select events whose span overlaps the
    period; persons follow their event. Status and gender describe persons only: reported
    counts have neither."""

    date_from: date | None = None
    date_to: date | None = None
    province: str | None = None
    crossing_id: int | None = None
    facility_id: int | None = None
    status: str | None = None
    gender: str | None = None
    min_reliability: str | None = None

    @property
    def filters_events(self) -> bool:
        return any(
            (
                self.date_from,
                self.date_to,
                self.province,
                self.crossing_id,
                self.facility_id,
                self.min_reliability,
            )
        )

    @property
    def active(self) -> bool:
        return any(value is not None for value in asdict(self).values())

    def as_query(self, **overrides: Any) -> dict[str, str]:
        """The filters as query-string parameters (names as in the API: from, to, ...)."""
        values = asdict(self) | overrides
        query = {}
        for field in fields(self):
            value = values[field.name]
            if value is not None:
                query[QUERY_NAMES.get(field.name, field.name)] = (
                    value.isoformat() if isinstance(value, date) else str(value)
                )
        return query


QUERY_NAMES = {"date_from": "from", "date_to": "to"}
# The filters' names in a query string, and how a page names them to a person.
QUERY_LABELS = {
    "from": _l("From"),
    "to": _l("To"),
    "province": _l("Province"),
    "crossing_id": _l("Crossing point"),
    "facility_id": _l("Facility"),
    "status": _l("Status"),
    "gender": _l("Gender"),
    "min_reliability": _l("Source reliability at least"),
}


def parse_filters(args: Any) -> Filters:
    """Read filters from a MultiDict (request.args); raise FilterError listing every bad value."""
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}

    def text(name: str, field: str, limit: int = 100) -> None:
        raw = (args.get(name) or "").strip()
        if raw:
            if len(raw) > limit:
                errors[name] = _("Use at most %(max)d characters.", max=limit)
            else:
                values[field] = raw

    def day(name: str, field: str) -> None:
        raw = str(args.get(name) or "").strip()
        if raw:
            try:
                parsed = parse_date(raw)
            except ValueProblem as problem:
                errors[name] = str(problem)
            else:
                # "from October 2023" starts on its first day, "to October 2023" ends on its last.
                assert parsed is not None
                values[field] = parsed.start if field == "date_from" else parsed.end

    def identifier(name: str, field: str) -> None:
        raw = (args.get(name) or "").strip()
        if raw:
            number = parse_id(raw)
            if number is not None:
                values[field] = number
            else:
                errors[name] = _("Not a valid record number.")

    day("from", "date_from")
    day("to", "date_to")
    text("province", "province")
    identifier("crossing_id", "crossing_id")
    identifier("facility_id", "facility_id")
    text("status", "status", 40)
    text("gender", "gender", 20)
    text("min_reliability", "min_reliability", 1)
    if values.get("min_reliability") and values["min_reliability"] not in RELIABILITY_GRADES:
        errors["min_reliability"] = _("Choose a grade from A to F.")
    if (
        values.get("date_from")
        and values.get("date_to")
        and values["date_to"] < values["date_from"]
    ):
        errors["to"] = _("The end of the range is before its start.")
    if errors:
        raise FilterError(errors)
    return Filters(**values)


class ProvincePlaces(NamedTuple):
    """The ids of the crossing points and facilities of the province a filter names."""

    crossings: Sequence[int]
    facilities: Sequence[int]


def event_conditions(
    filters: Filters,
    event: Any = RepatriationEvent,
    starts_from: date | None = None,
    places: ProvincePlaces | None = None,
) -> list[ColumnElement]:
    """WHERE clauses selecting the live events that match the filters. `starts_from`, the
    earliest start an event overlapping the period can have (`earliest_start`), lets the
    index of date_start narrow the overlap to the events near the period; `places`, the
    province's places read beforehand, lets each event near the period be looked up by its
    own facilities."""
    conditions: list[ColumnElement] = [event.deleted_at.is_(None)]
    # An event is in the period when its span overlaps it: "October 2023" is in a period
    # from 15 October, and a period to 5 October.
    if filters.date_from:
        conditions.append(event.date_end >= filters.date_from)
        if starts_from is not None:
            conditions.append(event.date_start >= starts_from)
    if filters.date_to:
        conditions.append(event.date_start <= filters.date_to)
    if filters.crossing_id:
        conditions.append(event.crossing_id == filters.crossing_id)
    # Aliases, so that these subqueries never correlate with an outer query that itself
    # reads event_facilities (the per-facility table does).
    if filters.facility_id:
        origin = event_facilities.alias()
        conditions.append(
            exists().where(
                origin.c.event_id == event.id, origin.c.facility_id == filters.facility_id
            )
        )
    if filters.province and places is not None:
        # Correlated, so that PostgreSQL probes the few events near the period by the primary
        # key of event_facilities: as an EXISTS it hashes every link of the province's
        # facilities first (40,000 at a million persons, 15 ms a filtered view).
        origin = event_facilities.alias()
        from_facility_in = event.id.in_(
            select(origin.c.event_id).where(
                origin.c.event_id == event.id, origin.c.facility_id.in_(places.facilities)
            )
        )
        conditions.append(or_(event.crossing_id.in_(places.crossings), from_facility_in))
    elif filters.province:
        in_crossing = select(CrossingPoint.id).where(CrossingPoint.province == filters.province)
        origin = event_facilities.alias()
        from_facility = exists().where(
            origin.c.event_id == event.id,
            origin.c.facility_id == Facility.id,
            Facility.province == filters.province,
        )
        conditions.append(or_(event.crossing_id.in_(in_crossing), from_facility))
    if filters.min_reliability:
        conditions.append(
            exists().where(
                EventSource.event_id == event.id,
                EventSource.source_id == Source.id,
                Source.deleted_at.is_(None),
                Source.reliability <= filters.min_reliability,  # A is the best grade
            )
        )
    return conditions


def person_conditions(filters: Filters, starts_from: date | None = None) -> list[ColumnElement]:
    """WHERE clauses selecting the live persons that match the filters (via their event)."""
    # A record merged into another is the same person, counted once on the survivor: merging
    # soft-deletes the merged-away record (tracker/search/merge.py) and it comes back only by
    # undoing the merge, so `deleted_at IS NULL` alone excludes it. Testing merged_into_id too
    # would defeat the partial covering indexes (live rows only) and read every person row.
    conditions: list[ColumnElement] = [Person.deleted_at.is_(None)]
    if filters.status:
        conditions.append(Person.status == filters.status)
    if filters.gender:
        conditions.append(Person.gender == filters.gender)
    event_only = Filters(
        date_from=filters.date_from,
        date_to=filters.date_to,
        province=filters.province,
        crossing_id=filters.crossing_id,
        min_reliability=filters.min_reliability,
    )
    if event_only.filters_events:
        matching_events = select(RepatriationEvent.id).where(
            *event_conditions(event_only, starts_from=starts_from)
        )
        conditions.append(Person.event_id.in_(matching_events))
    if filters.facility_id:
        # Documented at a facility = recorded in the person's detention history there.
        stay = aliased(Detention)  # never correlate with an outer query over detentions
        conditions.append(
            exists().where(
                stay.person_id == Person.id,
                stay.facility_id == filters.facility_id,
                stay.deleted_at.is_(None),
            )
        )
    return conditions


def all_of(conditions: list[ColumnElement]) -> ColumnElement:
    """Combine WHERE clauses."""
    return and_(*conditions)
