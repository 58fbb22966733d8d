"""Repatriation event pages: the shared record views, described for events."""

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import String, cast, or_, select
from sqlalchemy.orm import joinedload, selectinload

from tracker.accounts.permissions import can_view_identity
from tracker.dashboard.filters import event_conditions
from tracker.events.forms import EventForm
from tracker.events.models import RepatriationEvent, event_facilities
from tracker.events.services import PRECISION_LABELS, describe_dates, events
from tracker.i18n import format_day
from tracker.persons.models import Person
from tracker.places.models import CrossingPoint
from tracker.records import live_records
from tracker.sources.services import source_label
from tracker.workspace.masking import masked
from tracker.workspace.views import Column, Filter, RecordKind, RecordViews, picker_choices


def people_range(low: int | None, high: int | None) -> str:
    """A reported range as people read it: "300–?", "180", "?–600", "" when nothing."""
    if low is None and high is None:
        return ""
    if low == high:
        return str(low)
    return f"{'?' if low is None else low}–{'?' if high is None else high}"


def event_label(event: RepatriationEvent, can_see: bool = True) -> str:
    """An event's name: its crossing and date ("Onsong, 9 October 2023")."""
    crossing = event.crossing.name if event.crossing else _("unknown crossing")
    return f"{crossing}, {describe_dates(event)}"


def _search(q: str, can_see: bool) -> Any:
    pattern = f"%{q}%"
    crossing_names = select(CrossingPoint.id).where(
        or_(CrossingPoint.name.ilike(pattern), cast(CrossingPoint.aliases, String).ilike(pattern))
    )
    return or_(
        RepatriationEvent.crossing_id.in_(crossing_names),
        RepatriationEvent.description.ilike(pattern),
        RepatriationEvent.transport.ilike(pattern),
        cast(RepatriationEvent.date_start, String).like(f"{q}%"),
    )


def _claims(event: RepatriationEvent, user: Any) -> dict[str, Any]:
    can_see = can_view_identity(user)
    claims = [
        {
            "source": claim.source,
            "label": source_label(claim.source, can_see),
            "people": people_range(claim.people_min, claim.people_max) or _l("not stated"),
            # What a confidential source said can identify it.
            "quote": masked(claim.quote, can_see or not claim.source.confidential),
            "page_ref": masked(claim.page_ref, can_see or not claim.source.confidential),
        }
        for claim in sorted(event.claims, key=lambda c: c.source_id)
    ]
    persons = live_records(Person, Person.event_id == event.id, order_by=Person.case_code)
    return {"claims": claims, "event_persons": persons}


event_kind = RecordKind(
    name="events",
    singular=_l("event"),
    title=_l("Events"),
    service=events,
    form=EventForm,
    columns=[
        Column("date_start", _l("When"), describe_dates, RepatriationEvent.date_start),
        Column(
            "crossing",
            _l("Crossing point"),
            lambda r: r.crossing.name if r.crossing else "",
            select(CrossingPoint.name)
            .where(CrossingPoint.id == RepatriationEvent.crossing_id)
            .scalar_subquery(),
        ),
        Column(
            "facilities", _l("Origin facilities"), lambda r: ", ".join(f.name for f in r.facilities)
        ),
        Column(
            "people",
            _l("People reported"),
            lambda r: people_range(r.people_min, r.people_max),
            RepatriationEvent.people_min,
        ),
        Column("sources", _l("Sources"), lambda r: len(r.claims)),
    ],
    scope=event_conditions,
    eager=[
        joinedload(RepatriationEvent.crossing),
        selectinload(RepatriationEvent.claims),
        selectinload(RepatriationEvent.facilities),
    ],
    filters=[
        Filter(
            "crossing_id",
            _l("Crossing point"),
            lambda q, v: q.where(RepatriationEvent.crossing_id == int(v)),
            lambda can_see: picker_choices("crossings", can_see),
            is_id=True,
        ),
        Filter(
            "facility_id",
            _l("Origin facility"),
            lambda q, v: q.where(
                RepatriationEvent.id.in_(
                    select(event_facilities.c.event_id).where(
                        event_facilities.c.facility_id == int(v)
                    )
                )
            ),
            lambda can_see: picker_choices("facilities", can_see),
            is_id=True,
        ),
        Filter(
            "from",
            _l("From"),
            lambda q, v: q.where(RepatriationEvent.date_start >= v),
            is_date=True,
        ),
        Filter(
            "to", _l("To"), lambda q, v: q.where(RepatriationEvent.date_start <= v), is_date=True
        ),
    ],
    label=event_label,
    details=lambda r, can_see: [
        (_l("When"), describe_dates(r)),
        (_l("Date precision"), PRECISION_LABELS.get(r.date_precision, r.date_precision)),
        (_l("First day"), format_day(r.date_start)),
        (_l("Last day"), format_day(r.date_end)),
        (_l("Crossing point"), r.crossing.name if r.crossing else ""),
        (_l("Origin facilities"), ", ".join(f.name for f in r.facilities)),
        (_l("Transport"), r.transport),
        (_l("People reported"), people_range(r.people_min, r.people_max)),
        (_l("Handed over by"), r.handed_over_by),
        (_l("Received by"), r.received_by),
        (_l("Description"), r.description),
    ],
    search=_search,
    default_sort="date_start",
    picker_order=RepatriationEvent.date_start,
    identifying_fields=frozenset({"claims"}),
    references={"crossing_id": "crossings", "facility_ids": "facilities", "source_id": "sources"},
    extra_template="events/extra.html",
    extra_context=_claims,
)

event_views = RecordViews(event_kind)
