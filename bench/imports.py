"""The import measure: N event or person rows from a CSV through `tracker import`'s service,
beside the raw executemany of the same rows into the same table (the limit: no parsing, no
rules, no audit, no history, no name keys)."""

import csv
import random
import time
from contextlib import closing
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from flask_migrate import upgrade
from sqlalchemy import text

from tracker.extensions import db

CROSSINGS = ["Onsong", "Dandong", "Tumen", "Hoeryong", "Hyesan"]
SOURCES = ["Activist network", "Relative abroad", "NGO report"]
HEADER = ["external_id", "date_start", "crossing", "people", "transport", "sources"]
FAMILIES = ["Kim", "Lee", "Park", "Choi", "Jung", "Kang", "Cho", "Yoon", "Jang", "Lim", "Han",
            "Oh", "Shin", "Ryu", "Seo", "Ahn", "Song", "Hwang", "Nam", "Ko"]  # fmt: skip
# Given names of two syllables from these: about 38,000 names, as common as real ones.
SYLLABLES = ["young", "hee", "chol", "ok", "sun", "ja", "min", "su", "jin", "hyun", "mi",
             "kyong", "nam", "il", "ho", "sook", "jung", "hwa", "gil", "dong", "myong", "ae",
             "bok", "song", "hye", "yong", "kwang", "sok", "un", "man", "won", "chun", "hak",
             "ri", "gum", "ran", "hyang", "byol", "rim", "se", "jong", "sil", "pil", "dal"]  # fmt: skip
PERSON_HEADER = ["external_id", "family_name", "given_name", "gender", "birth_year", "origin"]
STATUS_HEADER = ["status", "status_as_of", "sources"]
STATUSES = ["detained", "repatriated", "vanished", "released", "unknown"]


def write_rows(path: Path, rows: int, seed: int = 7) -> list[list[str]]:
    """A CSV of `rows` events as researchers write them (dates, ranges, names); also returned."""
    generator = random.Random(seed)
    start = date(2015, 1, 1)
    data = []
    for number in range(rows):
        day = start + timedelta(days=generator.randrange(3000))
        low = generator.randrange(1, 400)
        people = generator.choice([f"{low}", f"about {low}", f"{low}+", f"{low}-{low + 50}"])
        data.append(
            [
                f"B-{number}",
                day.strftime("%d %b %Y"),
                generator.choice(CROSSINGS),
                people,
                generator.choice(["bus", "truck", ""]),
                generator.choice(SOURCES),
            ]
        )
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(data)
    return data


def write_person_rows(
    path: Path, rows: int, seed: int = 7, statuses: bool = False
) -> list[list[str]]:
    """A CSV of `rows` persons (made-up names, years, regions), each with a dated, sourced
    status when `statuses`; also returned."""
    generator = random.Random(seed)
    start = date(2015, 1, 1)
    data = []
    for number in range(rows):
        given = "-".join(generator.sample(SYLLABLES, 2)).capitalize()
        row = [
            f"P-{number}",
            generator.choice(FAMILIES),
            given,
            generator.choice(["female", "female", "male", "unknown"]),
            str(generator.randrange(1940, 2010)),
            generator.choice(["Hoeryong", "Musan", "Hyesan", ""]),
        ]
        if statuses:
            day = start + timedelta(days=generator.randrange(3000))
            row += [generator.choice(STATUSES), day.isoformat(), generator.choice(SOURCES)]
        data.append(row)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(PERSON_HEADER + (STATUS_HEADER if statuses else []))
        writer.writerows(data)
    return data


def _fresh(app: Any, url: str) -> None:
    with app.app_context():
        if url.startswith("sqlite"):
            db.engine.dispose()
            Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)
        else:
            with db.engine.connect() as connection:
                connection.execute(text("DROP SCHEMA public CASCADE"))
                connection.execute(text("CREATE SCHEMA public"))
                connection.commit()
            db.engine.dispose()
        upgrade()


def time_import(app: Any, url: str, path: Path, kind: str = "events") -> float:
    """Seconds for one committed import of the file into an empty database."""
    from tracker.imports.services import ImportOptions, import_file

    _fresh(app, url)
    with app.app_context():
        start = time.perf_counter()
        options = ImportOptions(create_missing=True, allow_similar=kind == "persons")
        report = import_file(None, path, path.name, kind, None, options)
        db.session.commit()
        seconds = time.perf_counter() - start
        assert report.created == report.rows, report.lines()[:5]
        db.session.remove()
    return seconds


def time_import_again(app: Any, url: str, path: Path) -> tuple[float, float]:
    """Seconds for the first import of the persons file into an empty database, and for
    importing the same file again (every row found, nothing to change)."""
    from tracker.imports.services import ImportOptions, import_file

    first = time_import(app, url, path, "persons")
    with app.app_context():
        start = time.perf_counter()
        options = ImportOptions(create_missing=True, allow_similar=True, allow_repeat=True)
        report = import_file(None, path, path.name, "persons", None, options)
        db.session.commit()
        again = time.perf_counter() - start
        assert report.unchanged == report.rows, report.lines()[:5]
        db.session.remove()
    return first, again


def time_writes_alone(app: Any, url: str, path: Path) -> tuple[float, float, int, int]:
    """Seconds for importing the persons file into an empty SQLite database; seconds for
    inserting the very rows that import wrote (every table: persons, statuses, source links,
    name keys, audit entries…) into another empty one by raw executemany, in one transaction;
    and how many rows and tables that was. The second is the least any import of the file can take."""
    from sqlite3 import connect

    _fresh(app, url)
    with app.app_context():
        tables = [table.name for table in db.metadata.sorted_tables]  # parents first
        db.engine.dispose()
    file = url.removeprefix("sqlite:///")
    with closing(connect(file)) as empty:
        seeded = {name: _last_rowid(empty, name) for name in tables}
    seconds = time_import(app, url, path, "persons")
    written: list[tuple[str, list[Any]]] = []
    with closing(connect(file)) as imported:
        for name in tables:
            cursor = imported.execute(
                f'SELECT * FROM "{name}" WHERE rowid > ? ORDER BY rowid',  # noqa: S608
                (seeded[name],),
            )
            rows = cursor.fetchall()
            if rows:
                columns = ", ".join(f'"{column[0]}"' for column in cursor.description)
                marks = ", ".join("?" for _ in cursor.description)
                written.append((f'INSERT INTO "{name}" ({columns}) VALUES ({marks})', rows))
    _fresh(app, url)
    with app.app_context():
        db.engine.dispose()
    (first, values), *more = written
    writes = _executemany(url, _sqlite_like_the_app, first, values, *more)
    return seconds, writes, sum(len(rows) for _, rows in written), len(written)


def _last_rowid(connection: Any, table: str) -> int:
    found = connection.execute(f'SELECT max(rowid) FROM "{table}"').fetchone()[0]  # noqa: S608
    return found or 0


def _sqlite_like_the_app(url: str) -> Any:
    """A raw sqlite3 connection with the app's own pragmas (foreign keys checked, WAL)."""
    from sqlite3 import connect

    connection = connect(url.removeprefix("sqlite:///"))
    connection.execute("PRAGMA foreign_keys=ON")
    connection.execute("PRAGMA journal_mode=WAL")
    return connection


def time_executemany(app: Any, url: str, rows: list[list[str]], connect: Any) -> float:
    """Seconds for the same rows as one executemany of already-parsed values."""
    _fresh(app, url)
    with app.app_context():
        db.session.execute(
            text(
                "INSERT INTO crossing_points (name, aliases, version, created_at, updated_at) "
                "VALUES (:name, '[]', 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
            ),
            [{"name": name} for name in CROSSINGS],
        )
        db.session.commit()
        db.session.remove()
    marker = "?" if url.startswith("sqlite") else "%s"
    values = [
        (
            row[0],
            "bench",
            date(2015, 1, 1).isoformat(),
            date(2015, 1, 1).isoformat(),
            CROSSINGS.index(row[2]) + 1,
            row[4] or None,
        )
        for row in rows
    ]
    sql = (
        "INSERT INTO repatriation_events (external_id, external_source, date_start, date_end, "
        "date_precision, date_approximate, crossing_id, transport, version, created_at, "
        f"updated_at) VALUES ({marker}, {marker}, {marker}, {marker}, 'day', false, {marker}, "
        f"{marker}, 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
    )
    return _executemany(url, connect, sql, values)


def time_executemany_persons(app: Any, url: str, rows: list[list[str]], connect: Any) -> float:
    """Seconds for the persons rows as one executemany of already-parsed values."""
    _fresh(app, url)
    marker = "?" if url.startswith("sqlite") else "%s"
    values = [
        (f"RT-2026-{n + 1:05d}", row[1], row[2], row[3], int(row[4]), row[5] or None, row[0])
        for n, row in enumerate(rows)
    ]
    sql = (
        "INSERT INTO persons (case_code, family_name, given_name, gender, birth_year, "
        "origin, external_id, external_source, aliases, birth_year_approximate, version, "
        f"created_at, updated_at) VALUES ({marker}, {marker}, {marker}, {marker}, {marker}, "
        f"{marker}, {marker}, 'bench', '[]', false, 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
    )
    return _executemany(url, connect, sql, values)


def time_executemany_persons_statuses(
    app: Any, url: str, rows: list[list[str]], connect: Any
) -> float:
    """Seconds for the persons rows and their statuses as two executemany of already-parsed
    values, in one transaction (the sources they name are there before)."""
    _fresh(app, url)
    with app.app_context():
        db.session.execute(
            text(
                "INSERT INTO sources (title, kind, confidential, version, created_at, updated_at) "
                "VALUES (:title, 'ngo_report', false, 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
            ),
            [{"title": title} for title in SOURCES],
        )
        db.session.commit()
        db.session.remove()
    marker = "?" if url.startswith("sqlite") else "%s"
    people = [
        (n + 1, f"RT-2026-{n + 1:05d}", row[1], row[2], row[3], int(row[4]), row[5] or None, row[0])
        for n, row in enumerate(rows)
    ]
    statuses = [(n + 1, row[6], row[7], SOURCES.index(row[8]) + 1) for n, row in enumerate(rows)]
    persons_sql = (
        "INSERT INTO persons (id, case_code, family_name, given_name, gender, birth_year, "
        "origin, external_id, external_source, aliases, birth_year_approximate, version, "
        f"created_at, updated_at) VALUES ({marker}, {marker}, {marker}, {marker}, {marker}, "
        f"{marker}, {marker}, {marker}, 'bench', '[]', false, 1, CURRENT_TIMESTAMP, "
        "CURRENT_TIMESTAMP)"
    )
    statuses_sql = (
        "INSERT INTO status_records (person_id, status, as_of, as_of_precision, "
        "as_of_approximate, source_id, version, created_at, updated_at) VALUES "
        f"({marker}, {marker}, {marker}, 'day', false, {marker}, 1, CURRENT_TIMESTAMP, "
        "CURRENT_TIMESTAMP)"
    )
    return _executemany(url, connect, persons_sql, people, (statuses_sql, statuses))


def _executemany(
    url: str, connect: Any, sql: str, values: list[tuple[Any, ...]], *more: tuple[str, Any]
) -> float:
    """Seconds for one executemany per statement (`sql`, then each of `more`), one commit."""
    raw = connect(url)
    try:
        start = time.perf_counter()
        cursor = raw.cursor()
        for statement, rows in ((sql, values), *more):
            cursor.executemany(statement, rows)
        raw.commit()
        return time.perf_counter() - start
    finally:
        raw.close()
