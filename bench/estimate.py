"""The estimate of the undocumented on a large database: 100,000 generated persons documented
by six sources in the proportions of the UK 2013 six-list data, a stepwise estimate through
the service beside the raw grouped query it reads (the goal: under a second on SQLite).

    python -m bench.estimate [--persons 100000] [--database sqlite:///path]   # standalone
"""

import argparse
import random
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import delete, func, insert, select, text

from tracker.extensions import db

LISTS = ("LA", "NG", "PF", "GO", "GP", "NCA")
# The UK 2013 six-list capture patterns (SparseMSE's UKdat; ../shared/data/mse), as
# proportions to scale: (pattern over LISTS, count of 2,744).
UK6 = [
    ((0, 0, 0, 0, 0, 1), 57), ((0, 0, 0, 0, 1, 0), 316), ((0, 0, 0, 0, 1, 1), 1),
    ((0, 0, 0, 1, 0, 0), 695), ((0, 0, 0, 1, 0, 1), 6), ((0, 0, 0, 1, 1, 0), 8),
    ((0, 0, 1, 0, 0, 0), 907), ((0, 0, 1, 0, 0, 1), 31), ((0, 0, 1, 0, 1, 0), 10),
    ((0, 0, 1, 1, 0, 0), 69), ((0, 0, 1, 1, 0, 1), 1), ((0, 1, 0, 0, 0, 0), 463),
    ((0, 1, 0, 0, 0, 1), 3), ((0, 1, 0, 0, 1, 0), 1), ((0, 1, 0, 1, 0, 0), 19),
    ((0, 1, 1, 0, 0, 0), 56), ((0, 1, 1, 0, 0, 1), 3), ((0, 1, 1, 1, 0, 0), 4),
    ((1, 0, 0, 0, 0, 0), 54), ((1, 0, 0, 1, 0, 0), 3), ((1, 0, 1, 0, 0, 0), 19),
    ((1, 1, 0, 0, 0, 0), 15), ((1, 1, 0, 1, 0, 0), 1), ((1, 1, 1, 0, 0, 0), 1),
    ((1, 1, 1, 1, 0, 0), 1),
]  # fmt: skip


def seed(persons: int = 100_000) -> dict[str, list[int]]:
    """Link persons 1..`persons` to six sources (ids 1..6) by the UK proportions, once."""
    from tracker.persons.models import PersonSource

    lists = {name: [i + 1] for i, name in enumerate(LISTS)}
    have = db.session.execute(select(func.count()).select_from(PersonSource)).scalar_one()
    total = sum(count for _, count in UK6)
    patterns = [p for p, count in UK6 for _ in range(round(count * persons / total))]
    random.Random(19).shuffle(patterns)
    rows = [
        {"person_id": person_id, "source_id": index + 1}
        for person_id, pattern in enumerate(patterns[:persons], start=1)
        for index, flag in enumerate(pattern)
        if flag
    ]
    if have != len(rows):
        db.session.execute(delete(PersonSource))
        for start in range(0, len(rows), 50_000):
            db.session.execute(insert(PersonSource), rows[start : start + 50_000])
        # The generator's ANALYZE saw other links; planners should know these, as they would
        # on a served database (PostgreSQL's autovacuum may be off where the bench runs).
        db.session.execute(text("ANALYZE person_sources"))
        db.session.commit()
    return lists


def ours(lists: dict[str, list[int]]) -> Callable[[], Any]:
    """A stepwise estimate through the service, as the API and the dashboard run it."""
    from tracker.estimates import services

    def run() -> Any:
        result = services.estimate(services.EstimateRequest(lists))
        db.session.rollback()
        return result

    return run


RAW_GROUPED = """
SELECT l0, l1, l2, l3, l4, l5, count(*) FROM (
  SELECT p.id,
    max(CASE WHEN ps.source_id = 1 THEN 1 ELSE 0 END) AS l0,
    max(CASE WHEN ps.source_id = 2 THEN 1 ELSE 0 END) AS l1,
    max(CASE WHEN ps.source_id = 3 THEN 1 ELSE 0 END) AS l2,
    max(CASE WHEN ps.source_id = 4 THEN 1 ELSE 0 END) AS l3,
    max(CASE WHEN ps.source_id = 5 THEN 1 ELSE 0 END) AS l4,
    max(CASE WHEN ps.source_id = 6 THEN 1 ELSE 0 END) AS l5
  FROM persons p JOIN person_sources ps ON ps.person_id = p.id
  WHERE p.deleted_at IS NULL AND ps.source_id IN (1, 2, 3, 4, 5, 6)
  GROUP BY p.id
) AS per_person GROUP BY l0, l1, l2, l3, l4, l5
"""


def raw_grouped(raw: Any) -> Callable[[], Any]:
    """The overlap table's grouped query, written by hand and run through the driver."""

    def run() -> Any:
        cursor = raw.cursor()
        cursor.execute(RAW_GROUPED)
        rows = cursor.fetchall()
        cursor.close()
        return rows

    return run


def main() -> None:
    from bench.__main__ import _app, _raw_connection, median_time
    from bench.generate import Sizes, generate

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--database")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    url = args.database or f"sqlite:///{Path(tempfile.mkdtemp()) / 'estimate.db'}"
    app = _app(url)
    with app.app_context():
        from flask_migrate import upgrade

        from tracker.persons.models import Person

        upgrade()
        if not db.session.execute(select(func.count()).select_from(Person)).scalar_one():
            start = time.perf_counter()
            generate(db.engine, Sizes.scaled(args.persons))
            print(f"generated in {time.perf_counter() - start:.0f}s", flush=True)
        lists = seed(args.persons)
        result = ours(lists)()
        print(
            f"documented {result['documented']:,}, estimate {result['estimate']:,} "
            f"({result['lower']:,}–{result['upper']:,}), terms {result['terms']}"
        )
        raw = _raw_connection(url)
        mine = median_time(ours(lists), args.runs)
        baseline = median_time(raw_grouped(raw), args.runs)
        print(
            f"stepwise estimate {mine:.3f}s; raw grouped query {baseline:.3f}s "
            f"(ours {mine / baseline:.2f}× the raw query, measured in the same run)"
        )


if __name__ == "__main__":
    main()
