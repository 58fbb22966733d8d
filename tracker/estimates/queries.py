"""The overlap table: documented persons counted by which lists hold them, in one grouped
query. A record merged into another counts once, on the survivor, in every list of either."""

from typing import Any

from sqlalchemy import and_, case, func, literal_column, select, union_all
from sqlalchemy.orm import aliased

from tracker.dashboard.filters import Filters, person_conditions
from tracker.extensions import db
from tracker.persons.models import Person, PersonSource


def merged_roots() -> Any:
    """(member, root) for every record merged into another: the live record it now lives on,
    following merges of merges. Only merged records are read (a few), never every person."""
    merged, into = aliased(Person), aliased(Person)
    base = select(merged.id.label("member"), merged.merged_into_id.label("root")).where(
        merged.merged_into_id.is_not(None)
    )
    chain = base.cte("merge_chain", recursive=True)
    step = select(chain.c.member, into.merged_into_id).where(
        into.id == chain.c.root, into.merged_into_id.is_not(None)
    )
    chain = chain.union_all(step)
    # The last link of each chain: a root that was not itself merged away.
    last = aliased(Person)
    return (
        select(chain.c.member, chain.c.root)
        .join(last, and_(last.id == chain.c.root, last.merged_into_id.is_(None)))
        .subquery("roots")
    )


def _documented(source_lists: list[list[int]]) -> Any:
    """(person, pattern): each person the lists' sources document (merged records on their
    survivor), with a bit per list that holds them (list i is 1 << i). A source is in one
    list only (the service checks it), so summing each person's distinct bits sets each
    list's bit once; one sum reads faster than a 0/1 aggregate per list."""
    roots = merged_roots()
    everything = sorted({s for ids in source_lists for s in ids})
    person = func.coalesce(roots.c.root, PersonSource.person_id)
    bit = case(*((PersonSource.source_id.in_(ids), 1 << i) for i, ids in enumerate(source_lists)))
    return (
        select(person.label("person_id"), func.sum(bit.distinct()).label("pattern"))
        .outerjoin(roots, roots.c.member == PersonSource.person_id)
        .where(PersonSource.source_id.in_(everything))
        .group_by(person)
        .subquery("documented")
    )


def pattern_counts(source_lists: list[list[int]], filters: Filters) -> dict[tuple[int, ...], int]:
    """How many persons the filters select have each capture pattern (1 = on that list)."""
    documented = _documented(source_lists)
    rows = db.session.execute(
        select(documented.c.pattern, func.count(literal_column("*")))
        .join(Person, Person.id == documented.c.person_id)
        .where(*person_conditions(filters))
        .group_by(documented.c.pattern)
    ).all()
    size = len(source_lists)
    return {
        tuple(int(pattern) >> i & 1 for i in range(size)): int(count) for pattern, count in rows
    }


def counted_persons(source_lists: list[list[int]], filters: Filters) -> Any:
    """A select of the ids of the persons an estimate counts (for its warnings): those the
    filters select whom a source of the lists documents, or documents a record merged into
    them. Read without grouping, so the warnings do not pay for the overlap query again."""
    everything = sorted({s for ids in source_lists for s in ids})
    roots = merged_roots()
    documented = union_all(
        select(PersonSource.person_id).where(PersonSource.source_id.in_(everything)),
        select(roots.c.root)
        .join(PersonSource, PersonSource.person_id == roots.c.member)
        .where(PersonSource.source_id.in_(everything)),
    )
    return select(Person.id).where(*person_conditions(filters), Person.id.in_(documented))


def persons_in_scope(filters: Filters) -> int:
    """Live persons the filters select, on a list or not."""
    return int(
        db.session.execute(
            select(func.count()).select_from(Person).where(*person_conditions(filters))
        ).scalar_one()
    )
