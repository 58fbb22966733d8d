"""Name search over persons (an indexed key lookup, then ranked by the score) and places
(few enough to score every live one), and the upkeep of the persons' stored keys."""

import functools
from collections.abc import Iterable
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, false, or_, select

from tracker.extensions import db
from tracker.persons.models import Person, PersonNameKey
from tracker.records.bulk import new_child
from tracker.search.names import (
    Match,
    Reading,
    best_match,
    iter_keys,
    person_readings,
    place_match,
    query_keys,
)

# At most this many persons are scored for one search: a term as short as "Kim" finds a
# tenth of all cases, and reading further adds nothing a researcher would page through.
CANDIDATES = 500
Ranked = list[tuple[Any, Match]]


def person_forms(person: Person) -> list[tuple[str, Reading]]:
    """Every written form of a person's name (romanised, Hangul, aliases) with its reading."""
    return name_forms(person.family_name, person.given_name, person.name_hangul, person.aliases)


def name_forms(
    family: str | None, given: str | None, hangul: str | None, aliases: list[str] | None
) -> list[tuple[str, Reading]]:
    """`person_forms` of a person's name values (an import row's, before it is a record)."""
    return list(_name_forms(family, given, (hangul, *(aliases or ()))))


@functools.lru_cache(maxsize=4096)
def _name_forms(
    family: str | None, given: str | None, others: tuple[str | None, ...]
) -> tuple[tuple[str, Reading], ...]:
    # An import reads each row's name three times (the look-alike check, the row's keys,
    # the stored keys) and a file repeats common names: the readings are worked out once.
    return tuple(person_readings(family, given, others))


def refresh_name_keys(person: Person) -> None:
    """Make the person's stored search keys those of the name as it now is."""
    wanted = list(iter_keys(person_forms(person)))
    if sorted(k.name_key for k in person.name_keys) != sorted(wanted):
        person.name_keys = [new_child(person, PersonNameKey, name_key=key) for key in wanted]


def key_prefix(column: Any, prefix: str) -> ColumnElement[bool]:
    """Keys starting with `prefix` as a range an index answers (keys are letters a–y only,
    so every key with the prefix sorts before the prefix with its last letter raised)."""
    upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
    return and_(column >= prefix, column < upper)


def name_sounds_like(q: str) -> ColumnElement[bool]:
    """A WHERE clause: persons with a name key starting with the term's (unranked; for
    callers that filter in SQL, such as the API's `q`)."""
    keys = query_keys(q)
    if not keys:
        return false()
    return Person.id.in_(
        select(PersonNameKey.person_id).where(
            or_(*(key_prefix(PersonNameKey.name_key, key) for key in keys))
        )
    )


def place_named(model: Any, q: str) -> ColumnElement[bool]:
    """A WHERE clause: facilities or crossing points whose name or an alias matches `q`."""
    return model.id.in_([place.id for place, _ in search_places(model, q)])


def search_persons(q: str, within: Select[Any] | None = None, limit: int = CANDIDATES) -> Ranked:
    """Live persons whose name sounds like `q` (or whose case code holds it), best first,
    each with the score and the written form that matched; `within` narrows (list filters)."""
    conditions: list[ColumnElement[Any]] = [Person.deleted_at.is_(None)]
    if within is not None and within.whereclause is not None:
        conditions.append(within.whereclause)
    ids: list[int] = []
    keys = query_keys(q)
    if keys:
        found = (
            select(PersonNameKey.person_id)
            .join(Person, Person.id == PersonNameKey.person_id)
            .where(or_(*(key_prefix(PersonNameKey.name_key, key) for key in keys)), *conditions)
            .distinct()
            .limit(limit)
        )
        ids = list(db.session.execute(found).scalars())
    by_code: list[Person] = []
    if any(c.isdigit() for c in q):  # names hold no digits; case codes do (RT-2023-0001)
        code = select(Person).where(Person.case_code.ilike(f"%{q.strip()}%"), *conditions)
        by_code = list(db.session.execute(code.limit(limit)).scalars())
        # A merged-away case's code still finds the person, on the record that survived.
        merged = select(Person.merged_into_id).where(
            Person.case_code.ilike(q.strip()), Person.merged_into_id.is_not(None)
        )
        by_code += db.session.execute(
            select(Person).where(Person.id.in_(merged), *conditions)
        ).scalars()
    ranked: dict[int, tuple[Any, Match]] = {}
    for person in by_code:
        exact = person.case_code.lower() == q.strip().lower()
        ranked[person.id] = (person, Match(100 if exact else 90, person.case_code))
    if ids:
        for person in db.session.execute(select(Person).where(Person.id.in_(ids))).scalars():
            match = best_match(q, person_forms(person))
            if match is not None and (
                person.id not in ranked or match.score > ranked[person.id][1].score
            ):
                ranked[person.id] = (person, match)
    return _best_first(ranked.values(), lambda p: p.case_code)


def search_places(model: Any, q: str, within: Select[Any] | None = None) -> Ranked:
    """Live facilities or crossing points whose name or any alias matches `q`, best first."""
    query = within if within is not None else select(model).where(model.deleted_at.is_(None))
    ranked = []
    for place in db.session.execute(query).scalars():
        names = [place.name, *(place.aliases or [])]
        names += [
            getattr(place, key, None) for key in ("name_ko", "name_local", "cn_side", "kp_side")
        ]
        match = place_match(q, names)
        if match is not None:
            ranked.append((place, match))
    return _best_first(ranked, lambda p: p.name)


def _best_first(ranked: Iterable[tuple[Any, Match]], name: Any) -> Ranked:
    return sorted(ranked, key=lambda item: (-item[1].score, name(item[0]), item[0].id))


# How many records of each kind the global search box shows.
EVERYWHERE_LIMIT = 20


def search_everywhere(q: str) -> dict[str, Ranked]:
    """The global search box: the best persons, facilities and crossing points for `q`."""
    from tracker.places.models import CrossingPoint, Facility

    return {
        "persons": search_persons(q)[:EVERYWHERE_LIMIT],
        "facilities": search_places(Facility, q)[:EVERYWHERE_LIMIT],
        "crossings": search_places(CrossingPoint, q)[:EVERYWHERE_LIMIT],
    }
