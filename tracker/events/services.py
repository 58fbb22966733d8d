"""Repatriation events: a date span with its precision, reported figures, and what each source
claimed about them. Their fields state every rule; this service stores them."""

from tracker.events.kind import EVENTS
from tracker.events.models import RepatriationEvent
from tracker.records.service import RecordService


class EventService(RecordService[RepatriationEvent]):
    """One transfer across a border, with the sources that report it."""

    kind = EVENTS


events = EventService()
