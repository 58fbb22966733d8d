"""Repatriation event pages: the shared record views, with what each source claims and the
persons documented on the event."""

from typing import Any

from flask_babel import lazy_gettext as _l

from tracker.accounts.permissions import can_view_identity
from tracker.events.kind import EVENTS, event_label
from tracker.events.models import RepatriationEvent
from tracker.kinds.registry import field_named
from tracker.kinds.values import show_count
from tracker.persons.models import Person
from tracker.records.service import live_records
from tracker.sources.kind import source_label
from tracker.workspace.masking import masked
from tracker.workspace.views import RecordViews, WebKind


def _claims(event: RepatriationEvent, user: Any) -> dict[str, Any]:
    can_see = can_view_identity(user)
    people = field_named(type(event.claims[0]), "people") if event.claims else None
    claims = [
        {
            "source": claim.source,
            "label": source_label(claim.source, can_see),
            "people": (show_count(people.read(claim)) if people else "") or _l("not stated"),
            # What a confidential source said can identify it.
            "quote": masked(claim.quote, can_see or not claim.source.confidential),
            "page_ref": masked(claim.page_ref, can_see or not claim.source.confidential),
        }
        for claim in sorted(event.claims, key=lambda c: c.source_id)
    ]
    persons = live_records(Person, Person.event_id == event.id, order_by=Person.case_code)
    return {"claims": claims, "event_persons": persons}


event_views = RecordViews(
    WebKind(EVENTS, extra_template="events/extra.html", extra_context=_claims)
)
# "Onsong, 9 October 2023", "Dandong, October 2023": an event named with its date as precise
# as it is known, wherever a page lists events.
event_views.blueprint.app_template_filter("event_name")(event_label)
