"""Facility and crossing point pages: the shared record views, with the events at each place."""

from typing import Any

from sqlalchemy import select

from tracker.events.models import RepatriationEvent, event_facilities
from tracker.places.kind import CROSSINGS, FACILITIES
from tracker.records.service import live_records
from tracker.workspace.views import RecordViews, WebKind


def _events_here(where: Any) -> list[RepatriationEvent]:
    return live_records(RepatriationEvent, where, order_by=RepatriationEvent.date_start)


facility_views = RecordViews(
    WebKind(
        FACILITIES,
        extra_template="places/events_here.html",
        extra_context=lambda r, user: {
            "events_here": _events_here(
                RepatriationEvent.id.in_(
                    select(event_facilities.c.event_id).where(
                        event_facilities.c.facility_id == r.id
                    )
                )
            )
        },
    )
)

crossing_views = RecordViews(
    WebKind(
        CROSSINGS,
        extra_template="places/events_here.html",
        extra_context=lambda r, user: {
            "events_here": _events_here(RepatriationEvent.crossing_id == r.id)
        },
    )
)
