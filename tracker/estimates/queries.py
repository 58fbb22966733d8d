"""The overlap table: documented persons counted by which lists hold them, in one grouped
query. A record merged into another counts once, on the survivor, in every list of either."""

from typing import Any

from sqlalchemy import case, func, literal_column, select

from tracker.dashboard.filters import Filters, person_conditions
from tracker.extensions import db
from tracker.persons.models import Person, PersonSource


def members(filters: Filters) -> Any:
    """(member, root) for every live person the filters select (its own root) and every record
    merged into it, following merges of merges."""
    base = select(Person.id.label("member"), Person.id.label("root")).where(
        *person_conditions(filters)
    )
    tree = base.cte("members", recursive=True)
    merged = select(Person.id, tree.c.root).where(Person.merged_into_id == tree.c.member)
    return tree.union_all(merged)


def pattern_counts(source_lists: list[list[int]], filters: Filters) -> dict[tuple[int, ...], int]:
    """How many persons the filters select have each capture pattern (1 = on that list)."""
    tree = members(filters)
    everything = sorted({s for ids in source_lists for s in ids})
    flags = [
        func.max(case((PersonSource.source_id.in_(ids), 1), else_=0)).label(f"l{i}")
        for i, ids in enumerate(source_lists)
    ]
    per_person = (
        select(tree.c.root, *flags)
        .join(PersonSource, PersonSource.person_id == tree.c.member)
        .where(PersonSource.source_id.in_(everything))
        .group_by(tree.c.root)
        .subquery()
    )
    columns = [per_person.c[f"l{i}"] for i in range(len(source_lists))]
    rows = db.session.execute(
        select(*columns, func.count(literal_column("*"))).group_by(*columns)
    ).all()
    return {tuple(int(v) for v in row[:-1]): int(row[-1]) for row in rows}


def persons_in_scope(filters: Filters) -> int:
    """Live persons the filters select, on a list or not."""
    return int(
        db.session.execute(
            select(func.count()).select_from(Person).where(*person_conditions(filters))
        ).scalar_one()
    )
