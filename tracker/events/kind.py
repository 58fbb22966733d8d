"""Repatriation events as a kind of record: their list, filters, name and search. Their fields
are declared on the model's columns."""

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import String, and_, cast, or_, select
from sqlalchemy.orm import joinedload, selectinload

from tracker.dashboard.filters import event_conditions
from tracker.events.models import RepatriationEvent, event_facilities
from tracker.kinds.kind import Column, Filter, Kind
from tracker.kinds.listing import picker_choices
from tracker.kinds.registry import field_named, register
from tracker.kinds.values import FuzzyDate, ValueProblem, parse_date, show_count, show_span
from tracker.places.models import CrossingPoint


def describe_dates(event: RepatriationEvent) -> str:
    """The event's date as a researcher would say it, in the page's language: "9 October
    2023", "around October 2023", "2023년 10월 9일", "2023년 10월경"."""
    return show_span(field_named(RepatriationEvent, "date_start").read(event))


def people_reported(event: Any) -> str:
    """The reported number of people as reported: "300–?", "about 180", "150–200"."""
    return show_count(field_named(RepatriationEvent, "people").read(event))


def event_label(event: RepatriationEvent, can_see: bool = True) -> str:
    """An event's name: its crossing and date ("Onsong, 9 October 2023")."""
    crossing = event.crossing.shown_name if event.crossing else _("unknown crossing")
    return f"{crossing}, {describe_dates(event)}"


def _search(q: str, can_see: bool) -> Any:
    """Events by their crossing's name (any language, or alias), description, transport, or by
    a date written as researchers write it ("Oct 2023", "2023년 10월", "9 October 2023"): an
    event whose span overlaps that day, month or year."""
    pattern = f"%{q}%"
    crossing_names = select(CrossingPoint.id).where(
        or_(
            CrossingPoint.name.ilike(pattern),
            CrossingPoint.name_ko.ilike(pattern),
            cast(CrossingPoint.aliases, String).ilike(pattern),
        )
    )
    matches: list[Any] = [
        RepatriationEvent.crossing_id.in_(crossing_names),
        RepatriationEvent.description.ilike(pattern),
        RepatriationEvent.transport.ilike(pattern),
        cast(RepatriationEvent.date_start, String).like(f"{q}%"),
    ]
    when = _date_in(q)
    if when is not None:
        matches.append(
            and_(RepatriationEvent.date_start <= when.end, RepatriationEvent.date_end >= when.start)
        )
    return or_(*matches)


def _date_in(q: str) -> FuzzyDate | None:
    """The date a search text spells, if it is one (the forms' own parser); else None."""
    try:
        return parse_date(q)
    except ValueProblem:
        return None


def _from_facility(query: Any, facility_id: int) -> Any:
    origins = select(event_facilities.c.event_id).where(
        event_facilities.c.facility_id == facility_id
    )
    return query.where(RepatriationEvent.id.in_(origins))


EVENTS = register(
    Kind(
        name="events",
        model=RepatriationEvent,
        singular=_l("event"),
        plural=_l("Events"),
        description="Repatriation events: a transfer across a border on a date span, with the "
        "reported number of people (people_max null when unknown).",
        label=event_label,
        columns=[
            Column("date_start", _l("When"), describe_dates, RepatriationEvent.date_start),
            Column(
                "crossing",
                _l("Crossing point"),
                lambda r: r.crossing.shown_name if r.crossing else "",
                select(CrossingPoint.name)
                .where(CrossingPoint.id == RepatriationEvent.crossing_id)
                .scalar_subquery(),
            ),
            Column(
                "facilities",
                _l("Origin facilities"),
                lambda r: ", ".join(f.shown_name for f in r.facilities),
            ),
            Column("people", _l("People reported"), people_reported, RepatriationEvent.people_min),
            Column("sources", _l("Sources"), lambda r: len(r.claims)),
        ],
        scope=event_conditions,
        eager=lambda: [
            joinedload(RepatriationEvent.crossing),
            selectinload(RepatriationEvent.claims),
            selectinload(RepatriationEvent.facilities),
        ],
        filters=[
            Filter(
                "crossing_id",
                _l("Crossing point"),
                lambda q, v: q.where(RepatriationEvent.crossing_id == v),
                lambda can_see: picker_choices(_kind("crossings"), can_see),
                is_id=True,
            ),
            Filter(
                "facility_id",
                _l("Origin facility"),
                _from_facility,
                lambda can_see: picker_choices(_kind("facilities"), can_see),
                is_id=True,
            ),
            # A span overlapping the period: from its last day on, up to its first day.
            Filter(
                "from",
                _l("From"),
                lambda q, v: q.where(RepatriationEvent.date_end >= v),
                is_date=True,
            ),
            Filter(
                "to",
                _l("To"),
                lambda q, v: q.where(RepatriationEvent.date_start <= v),
                is_date=True,
            ),
        ],
        search=_search,
        default_sort="date_start",
        picker_order=RepatriationEvent.date_start,
    )
)


def _kind(name: str) -> Kind:
    from tracker.kinds.registry import kind

    return kind(name)


from tracker.events import services as _services  # noqa: E402,F401
