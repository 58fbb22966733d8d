"""Lists and persons for estimates, made through the tracker's own services: one person per
counted individual, documented by the source of each list the person is on."""

import csv
from pathlib import Path

from tests import factories
from tests.api.conftest import api_as  # noqa: F401 (a fixture these tests use)
from tracker.extensions import db
from tracker.persons.services import persons
from tracker.sources.services import SourceService

MSE_DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "mse"
if not MSE_DATA.exists():  # a worktree beside the main checkout
    MSE_DATA = Path("/work/shared/data/mse")

# Three overlapping lists of 200 persons whose independence estimate is 360 (the tests'
# worked example): (pattern over the three lists, persons).
THREE_LISTS = [
    ((1, 0, 0), 60),
    ((0, 1, 0), 50),
    ((0, 0, 1), 40),
    ((1, 1, 0), 20),
    ((1, 0, 1), 15),
    ((0, 1, 1), 10),
    ((1, 1, 1), 5),
]


def read_table(path: Path) -> tuple[list[str], list[tuple[tuple[int, ...], int]]]:
    """A capture-pattern file: list names, then (pattern, count) rows."""
    with path.open(newline="") as handle:
        rows = list(csv.reader(handle))
    names = rows[0][:-1]
    return names, [(tuple(int(v) for v in row[:-1]), int(row[-1])) for row in rows[1:]]


def build_lists(
    names: list[str], patterns: list[tuple[tuple[int, ...], int]], status: str | None = None
) -> dict[str, int]:
    """A source per list, and a person per counted individual documented by the sources of
    the lists in their pattern; returns each list's source id."""
    actor = factories.make_user("researcher")
    sources = SourceService()
    ids = {}
    for name in names:
        source = sources.create(actor, {"title": f"List {name}", "kind": "ngo_report"})
        ids[name] = source.id
    rows = []
    for pattern, count in patterns:
        on = [ids[name] for name, flag in zip(names, pattern, strict=True) if flag]
        for _ in range(count):
            rows.append(persons.prepare(actor, {"gender": "female", "source_ids": on}))
    if status is None:
        for start in range(0, len(rows), 1000):
            persons.insert_many(actor, rows[start : start + 1000])
    else:
        for cleaned in rows:
            person = persons.create_many(actor, [cleaned])[0]
            persons.add_status(
                actor, person, {"status": status, "as_of": "2023-11-01", "source_id": ids[names[0]]}
            )
    db.session.commit()
    return ids
