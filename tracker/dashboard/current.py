"""The unfiltered dashboard's sums carried from one version of the data to the next by each
write, so that no view after a write waits for a million persons to be counted again.

A write changes what a few events and persons bring to the sums. The first time a unit of
work touches an event or a person, what it brought is counted (the same queries as the full
summary, over those records alone); at the commit, what the touched records bring now is
counted, and the sums of the version before, less the one, plus the other, are kept as the
sums of the version the commit makes. Touching an event touches its persons too (their
crossing and month are the event's). When that cannot be done exactly it is not done, and the
next view counts everything afresh: the sums of the version before were not kept, another
commit came between, the unit of work wrote around the session (a bulk import) or touched
more than TOUCHED_AT_MOST records.
"""

from dataclasses import dataclass, field
from itertools import chain
from typing import Any

from sqlalchemy import event, select
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Session

from tracker.caching.services import (
    Version,
    current_version,
    forget,
    is_kept,
    keep,
    kept,
    on_new_version,
)
from tracker.dashboard.filters import Filters
from tracker.dashboard.tallies import Tallies, tally
from tracker.events.models import RepatriationEvent
from tracker.persons.models import Detention, Person

STATE = "dashboard_touched"
OUTDATED = "dashboard_sums_outdated"
NAME = "tallies"  # as tracker.dashboard.services.cached_summary keeps them
UNFILTERED = (Filters().as_query(),)
TOUCHED_AT_MOST = 2000


@dataclass
class Touched:
    """The events and persons one unit of work touched, and what they brought before."""

    seen: Version | None  # the version the unit of work started from
    given_up: bool = False
    persons: set[int] = field(default_factory=set)
    events: set[int] = field(default_factory=set)
    new: list[Any] = field(default_factory=list)  # new persons and events: ids at the flush
    before: Tallies = field(default_factory=Tallies)


def _started(session: Session) -> Touched:
    touched: Touched | None = session.info.get(STATE)
    if touched is None:
        seen = current_version(session.connection())
        touched = Touched(seen)
        # Nothing to carry unless the sums of this version are kept.
        touched.given_up = seen is None or not is_kept(NAME, seen, UNFILTERED)
        session.info[STATE] = touched
    return touched


@event.listens_for(Session, "before_flush")
def note_touched(session: Session, context: Any, instances: Any) -> None:
    """Count what the records this flush changes brought before it, the first time they are
    touched."""
    persons: set[int] = set()
    events: set[int] = set()
    new: list[Any] = []
    for obj in chain(session.new, session.dirty, session.deleted):
        if isinstance(obj, Person | RepatriationEvent):
            if obj.id is None:
                new.append(obj)
            else:
                (persons if isinstance(obj, Person) else events).add(obj.id)
        elif isinstance(obj, Detention):
            persons.update(_people_of(obj))
    if not (persons or events or new):
        return
    touched = _started(session)
    if touched.given_up:
        return
    for born in touched.new:  # records this unit of work made brought nothing before it
        if born.id is not None:
            (touched.persons if isinstance(born, Person) else touched.events).add(born.id)
    touched.new.extend(new)
    fresh_events = events - touched.events
    if fresh_events:  # their persons' crossing and month are theirs
        on_events = select(Person.id).where(Person.event_id.in_(sorted(fresh_events)))
        persons.update(session.connection().execute(on_events).scalars())
    fresh_persons = persons - touched.persons
    touched.events |= fresh_events
    touched.persons |= fresh_persons
    if len(touched.events) + len(touched.persons) + len(touched.new) > TOUCHED_AT_MOST:
        touched.given_up = True
        return
    if fresh_events or fresh_persons:
        touched.before = touched.before + tally(
            Filters(), persons=fresh_persons, events=fresh_events
        )


def _people_of(detention: Detention) -> set[int]:
    """The person a detention belongs to, and the one it belonged to before this flush."""
    history = sa_inspect(detention).attrs.person_id.history
    ids = {detention.person_id, *history.deleted}
    return {person_id for person_id in ids if person_id is not None}


@on_new_version
def carry_the_sums(session: Session, previous: Version | None, now: Version, blind: bool) -> None:
    """Keep the unfiltered sums of the version this commit makes, from those of the version
    before it and what the commit changed."""
    touched: Touched | None = session.info.pop(STATE, None)
    if previous is None or blind or (touched is not None and touched.given_up):
        return
    base = kept(NAME, previous, UNFILTERED)
    if base is None:
        return
    if touched is not None:
        if touched.seen != previous:  # another commit came between: not in these sums
            return
        for obj in touched.new:
            (touched.persons if isinstance(obj, Person) else touched.events).add(obj.id)
        after = tally(Filters(), persons=touched.persons, events=touched.events)
        base = base - touched.before + after
    keep(NAME, now, UNFILTERED, base)
    session.info[OUTDATED] = previous


@event.listens_for(Session, "after_commit")
def forget_the_sums_before(session: Session) -> None:
    """Once the commit has landed, the sums of the version before it are never read again."""
    previous = session.info.pop(OUTDATED, None)
    if previous is not None:
        forget(NAME, previous, UNFILTERED)


@event.listens_for(Session, "after_rollback")
def forget_touched(session: Session) -> None:
    """A rolled-back unit of work changed nothing."""
    session.info.pop(STATE, None)
    session.info.pop(OUTDATED, None)
