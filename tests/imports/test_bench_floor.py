"""`make bench` sets the persons import beside the least it could take: the very rows it
wrote, inserted raw into an empty database. That baseline must write what the import wrote."""

import sqlite3
from contextlib import closing
from pathlib import Path

from bench.__main__ import _app
from bench.imports import time_import, time_writes_alone, write_person_rows
from tracker.extensions import db

TABLES = ("persons", "status_records", "person_sources", "person_name_keys", "audit_entries")


def counts(url: str) -> dict[str, int]:
    with closing(sqlite3.connect(url.removeprefix("sqlite:///"))) as connection:
        return {
            table: connection.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]  # noqa: S608
            for table in TABLES
        }


def test_the_raw_baseline_writes_every_row_the_import_wrote(tmp_path: Path) -> None:
    path = tmp_path / "persons.csv"
    write_person_rows(path, 150, statuses=True)
    imported = f"sqlite:///{tmp_path}/imported.db"
    imported_app = _app(imported)
    time_import(imported_app, imported, path, "persons")
    floor = f"sqlite:///{tmp_path}/floor.db"
    floor_app = _app(floor)

    seconds, writes, written, tables = time_writes_alone(floor_app, floor, path)

    expected = counts(imported)
    assert expected["persons"] == expected["status_records"] == 150
    assert expected["person_name_keys"] >= 150 and expected["audit_entries"] >= 300
    assert counts(floor) == expected  # what the raw inserts left is what an import leaves
    assert written >= sum(expected.values()) and tables >= len(TABLES)
    assert seconds > 0 and writes > 0
    for app in (imported_app, floor_app):
        with app.app_context():
            db.engine.dispose()
