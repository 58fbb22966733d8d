"""The unfiltered sums carried by each write equal the sums counted afresh, whatever the
writes: a seeded run of creations, edits, moves between events, status changes, detentions,
deletions and restorations of persons and events, one commit each."""

import random

import pytest
from sqlalchemy import select

from tests import factories
from tracker.caching.services import current_version, kept
from tracker.dashboard import current
from tracker.dashboard.current import NAME, STATE, UNFILTERED
from tracker.dashboard.filters import Filters
from tracker.dashboard.services import cached_summary
from tracker.dashboard.tallies import tally
from tracker.events.models import RepatriationEvent
from tracker.events.services import events
from tracker.extensions import db
from tracker.persons.models import Person
from tracker.persons.services import persons
from tracker.places.services import crossings, facilities
from tracker.search.merge import merge
from tracker.sources.services import sources

STATUSES = ["vanished", "detained", "repatriated", "released"]
GENDERS = ["female", "male", "unknown"]
DATES = ["2023-10-09", "October 2023", "2022", "2019-03-01", "2023-11-15"]


@pytest.fixture
def places(app):
    actor = factories.make_user("researcher")
    made = {
        "actor": actor,
        "crossings": [crossings.create(actor, {"name": f"Crossing {n}"}).id for n in range(3)],
        "facilities": [facilities.create(actor, {"name": f"Prison {n}"}).id for n in range(4)],
        "source": sources.create(actor, {"title": "Witness", "kind": "interview"}).id,
    }
    db.session.commit()
    return made


def _an_event(rng, places) -> dict:
    low = rng.choice([None, 5, 40, 300])
    return {
        "date_start": rng.choice(DATES),
        "crossing_id": rng.choice(places["crossings"]),
        "people_min": low,
        "people_max": rng.choice([None, (low or 0) + 20]),
        "facility_ids": rng.sample(places["facilities"], rng.randint(0, 2)),
    }


def _write(rng: random.Random, places: dict) -> str:
    """One random write through the services; returns what it was."""
    actor = places["actor"]
    every_event = db.session.execute(select(RepatriationEvent)).scalars().all()
    live_events = [e for e in every_event if e.deleted_at is None]
    everyone = db.session.execute(select(Person)).scalars().all()
    roll = rng.random()
    if roll < 0.15 or not live_events:
        events.create(actor, _an_event(rng, places))
        return "a new event"
    event = rng.choice(live_events)
    if roll < 0.3 or not everyone:
        persons.create(
            actor,
            {
                "family_name": "Ri",
                "given_name": f"Case {rng.randint(1, 10**6)}",
                "gender": rng.choice(GENDERS),
                "event_id": rng.choice([event.id, None]),
                "detentions": [
                    {"facility_id": f} for f in rng.sample(places["facilities"], rng.randint(0, 2))
                ],
            },
        )
        return "a new person"
    person = rng.choice(everyone)
    if roll < 0.4:
        persons.add_status(
            actor,
            person,
            {"status": rng.choice(STATUSES), "as_of": "2024-01-01", "source_id": places["source"]},
        )
        return "a status"
    if roll < 0.5:
        persons.update(actor, person, person.version, {"event_id": rng.choice([event.id, None])})
        return "a person moved to another event"
    if roll < 0.6:
        stays = [{"facility_id": f} for f in rng.sample(places["facilities"], rng.randint(0, 3))]
        persons.update(
            actor, person, person.version, {"detentions": stays, "gender": rng.choice(GENDERS)}
        )
        return "detentions and gender"
    if roll < 0.7:
        events.update(actor, event, event.version, _an_event(rng, places))
        return "an event changed (its persons' crossing and month too)"
    if roll < 0.8:
        if person.deleted_at is None or person.merged_into_id is not None:
            persons.delete(actor, person)
            return "a person deleted"
        persons.restore(actor, person)
        return "a person restored"
    living = [p for p in everyone if p.deleted_at is None]
    if roll < 0.87 and len(living) >= 2:
        first, second = rng.sample(living, 2)
        merge(actor, first, second, set())  # the second's detentions and statuses move
        return "two persons merged"
    gone = [e for e in every_event if e.deleted_at is not None]
    if gone and rng.random() < 0.5:
        events.restore(actor, rng.choice(gone))
        return "an event restored"
    events.delete(actor, event)
    return "an event deleted"


@pytest.mark.parametrize("seed", [1, 2])
def test_the_carried_sums_are_the_fresh_sums_after_every_write(places, seed):
    rng = random.Random(seed)
    cached_summary(Filters(), False)  # the sums of this version are kept from now on
    for step in range(50):
        what = _write(rng, places)
        db.session.commit()
        carried = kept(NAME, current_version(), UNFILTERED)
        assert carried is not None, f"step {step}: {what} did not carry the sums"
        assert carried == tally(Filters()), f"step {step}: {what}"


def test_sums_are_not_carried_over_a_commit_they_do_not_include(places):
    """A unit of work that began at another version than the one its commit follows (another
    commit came between, as can happen on PostgreSQL): its change is not added to sums that
    would miss the other one; the next view counts afresh."""
    cached_summary(Filters(), False)
    events.create(places["actor"], _an_event(random.Random(3), places))
    db.session.flush()
    db.session.info[STATE].seen = (0, "another version")
    db.session.commit()
    assert kept(NAME, current_version(), UNFILTERED) is None
    assert cached_summary(Filters(), False).total.reported.events == 1


def test_a_unit_of_work_touching_too_much_is_counted_afresh(places, monkeypatch):
    monkeypatch.setattr(current, "TOUCHED_AT_MOST", 3)
    cached_summary(Filters(), False)
    for n in range(4):
        persons.create(places["actor"], {"family_name": "Ri", "given_name": f"Case {n}"})
    db.session.commit()
    assert kept(NAME, current_version(), UNFILTERED) is None
    assert cached_summary(Filters(), False).total.persons == 4
