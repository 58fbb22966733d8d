"""Figures for the dashboard."""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from tracker.events.models import RepatriationEvent
from tracker.extensions import db
from tracker.persons.models import Person
from tracker.places.models import CrossingPoint, Facility
from tracker.sources.models import Source


@dataclass(frozen=True)
class RecordTotals:
    events: int
    crossings: int
    facilities: int
    sources: int
    persons: int


def record_totals() -> RecordTotals:
    """How many live (not deleted) records of each kind exist."""

    def live(model: Any) -> int:
        query = select(func.count()).select_from(model).where(model.deleted_at.is_(None))
        return db.session.execute(query).scalar_one()

    return RecordTotals(
        events=live(RepatriationEvent),
        crossings=live(CrossingPoint),
        facilities=live(Facility),
        sources=live(Source),
        persons=live(Person),
    )
