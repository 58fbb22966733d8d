"""A file imported again: every row is found and left as it is, without one query or one
savepoint per row (it runs as fast as the first import did, `make bench`), and a row that
does change something is still updated and audited as before."""

import csv
from pathlib import Path

from sqlalchemy import event, func, select

from tracker.audit.models import AuditEntry
from tracker.extensions import db
from tracker.imports import services
from tracker.persons.models import Person, StatusRecord

HEADER = ["external_id", "family_name", "given_name", "birth_year", "facilities", "status",
          "status_as_of", "sources"]  # fmt: skip


def rows(count: int) -> list[list[str]]:
    return [
        [
            f"P{n}",
            "Kim",
            f"Ok-sun {n}",
            str(1950 + n % 50),
            "Shenyang Prison" if n % 2 else "",
            ["detained", "vanished"][n % 2],
            f"2023-10-{1 + n % 28:02d}",
            "NGO report",
        ]  # fmt: skip
        for n in range(count)
    ]


def write(folder: Path, lines: list[list[str]]) -> Path:
    """The file, under one name: ids are kept with the file's name (its source key)."""
    folder.mkdir()
    path = folder / "people.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(lines)
    return path


def run(path: Path) -> services.ImportReport:
    options = services.ImportOptions(create_missing=True, allow_similar=True, allow_repeat=True)
    report = services.import_file(None, path, path.name, "persons", None, options)
    db.session.commit()
    return report


def statements_while(action) -> int:  # type: ignore[no-untyped-def]
    asked = []

    def note(*_args) -> None:  # type: ignore[no-untyped-def]
        asked.append(1)

    event.listen(db.engine, "before_cursor_execute", note)
    try:
        action()
    finally:
        event.remove(db.engine, "before_cursor_execute", note)
    return len(asked)


def count(model, *where) -> int:  # type: ignore[no-untyped-def]
    return db.session.execute(select(func.count()).select_from(model).where(*where)).scalar_one()


def test_a_file_imported_again_changes_nothing_and_asks_no_query_per_row(app, tmp_path):
    small, large = write(tmp_path / "small", rows(60)), write(tmp_path / "large", rows(240))
    run(small)
    run(large)  # the 60 again, and 180 new
    versions = dict(db.session.execute(select(Person.external_id, Person.version)).all())
    entries = count(AuditEntry)

    small_again = statements_while(lambda: run(small))
    large_again = statements_while(lambda: run(large))
    db.session.expire_all()

    report = run(large)
    assert (report.unchanged, report.updated, report.created, report.rejected) == (240, 0, 0, 0)
    assert dict(db.session.execute(select(Person.external_id, Person.version)).all()) == versions
    assert count(StatusRecord) == 240
    # Each run adds its batch's own entry, and nothing about the unchanged records.
    assert count(AuditEntry) == entries + 3
    # Four times the rows, about the same number of statements (not one or more per row).
    assert large_again - small_again < 30, (small_again, large_again)


def test_a_row_that_changes_is_updated_and_audited_among_unchanged_ones(app, tmp_path):
    first = rows(20)
    run(write(tmp_path / "first", first))
    changed = [list(line) for line in first]
    changed[5][3] = "1930"  # another birth year
    changed[6][5], changed[6][6] = "released", "2024-01-02"  # a new status claim
    report = run(write(tmp_path / "changed", changed))
    assert (report.unchanged, report.updated) == (18, 2), report.lines()
    # Row 7 is the file's 6th. The changes are kept as the audit keeps them.
    assert report.changes[7] == [{"birth_year": {"old": 1955, "new": 1930}}]
    [claim] = report.changes[8]
    assert claim["status_record"]["old"] is None
    assert claim["status_record"]["new"]["status"] == "released"
    assert claim["status_record"]["new"]["as_of"] == "2024-01-02"
    person = db.session.execute(select(Person).where(Person.external_id == "P6")).scalar_one()
    assert person.status == "released"
    assert [s.status for s in person.statuses if s.deleted_at is None] == ["detained", "released"]
    edits = db.session.execute(
        select(AuditEntry.action, Person.external_id)
        .join(Person, Person.id == AuditEntry.entity_id)
        .where(AuditEntry.entity_type == "persons", AuditEntry.import_batch_id == report.batch_id)
    ).all()
    assert sorted(edits) == [("status.add", "P6"), ("update", "P5")]
