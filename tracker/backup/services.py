"""Portable backups: every table as JSON lines in a zip, restorable into SQLite or PostgreSQL."""

import json
import shutil
import sqlite3
import tempfile
import zipfile
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, func, inspect, select, text
from sqlalchemy.types import Date, DateTime

from tracker import __version__
from tracker.caching.services import move_on
from tracker.db import Base, utcnow

FORMAT = "repatriation-tracker-backup"
FORMAT_VERSION = 1
BATCH = 2000
# Filled by migrations, replaced wholesale by a restore.
SEEDED_TABLES = frozenset({"vocabulary_terms"})
# Not data: the data version names the state of this database for its summary cache, and a
# restore moves it on.
NOT_BACKED_UP = frozenset({"data_version"})


class BackupError(Exception):
    """The backup cannot be written or restored; the message says why."""


def _tables() -> list[Any]:
    from tracker import models  # noqa: F401  (complete the metadata)

    return [table for table in Base.metadata.sorted_tables if table.name not in NOT_BACKED_UP]


def _encode(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _decode(column: Any, value: Any) -> Any:
    if value is None:
        return None
    column_type = getattr(column.type, "impl", column.type)  # see through TypeDecorators
    if isinstance(column_type, DateTime):
        return datetime.fromisoformat(value)
    if isinstance(column_type, Date):
        return date.fromisoformat(value)
    return value


def _alembic_revision(connection: Connection) -> str | None:
    if not inspect(connection).has_table("alembic_version"):
        return None
    return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def write_backup(engine: Engine, path: Path) -> dict[str, int]:
    """Dump every table from one consistent snapshot into a zip at `path`; return row counts."""
    if engine.dialect.name == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            snapshot = Path(folder) / "snapshot.db"
            _copy_sqlite(engine, snapshot)
            snapshot_engine = create_engine(f"sqlite:///{snapshot}")
            try:
                with snapshot_engine.connect() as connection:
                    return _dump(connection, path, "sqlite")
            finally:
                snapshot_engine.dispose()
    with (
        engine.connect().execution_options(
            isolation_level="REPEATABLE READ", postgresql_readonly=True
        ) as connection,
        connection.begin(),
    ):
        return _dump(connection, path, engine.dialect.name)


def _copy_sqlite(engine: Engine, target: Path) -> None:
    """SQLite's online backup API: a consistent copy even while the app writes."""
    raw = engine.raw_connection()
    try:
        destination = sqlite3.connect(target)
        with destination:
            raw.driver_connection.backup(destination)  # type: ignore[union-attr]
        destination.close()
    finally:
        raw.close()


def _rows(connection: Connection, table: Any) -> Iterator[dict[str, Any]]:
    order = list(table.primary_key.columns) or list(table.columns)
    result = connection.execution_options(yield_per=BATCH).execute(select(table).order_by(*order))
    for row in result.mappings():
        yield {key: _encode(value) for key, value in row.items()}


def _dump(connection: Connection, path: Path, dialect: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    partial = path.with_name(path.name + ".partial")
    with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for table in _tables():
            count = 0
            with archive.open(f"tables/{table.name}.jsonl", "w") as handle:
                for row in _rows(connection, table):
                    handle.write(json.dumps(row, ensure_ascii=False).encode() + b"\n")
                    count += 1
            counts[table.name] = count
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "app_version": __version__,
            "alembic_revision": _alembic_revision(connection),
            "created_at": utcnow().isoformat(),
            "source_dialect": dialect,
            "tables": counts,
        }
        archive.writestr("manifest.json", json.dumps(manifest, indent=2))
    shutil.move(partial, path)
    return counts


def read_manifest(path: Path) -> dict[str, Any]:
    """The manifest of a backup file, checked to be one of ours."""
    try:
        with zipfile.ZipFile(path) as archive:
            manifest = json.loads(archive.read("manifest.json"))
    except (zipfile.BadZipFile, KeyError, ValueError) as error:
        raise BackupError(f"{path} is not a tracker backup ({error}).") from None
    if manifest.get("format") != FORMAT or manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(f"{path} is not a tracker backup of a format this version reads.")
    return manifest


def _holds_data(connection: Connection) -> bool:
    for table in _tables():
        if table.name in SEEDED_TABLES:
            continue
        if connection.execute(select(func.count()).select_from(table)).scalar():
            return True
    return False


def restore_backup(engine: Engine, path: Path, replace: bool = False) -> dict[str, int]:
    """Load a backup into `engine`'s database in one transaction; refuse a database holding data."""
    from flask_migrate import upgrade

    manifest = read_manifest(path)
    with engine.connect() as connection:
        current = _alembic_revision(connection)
    if current is None:
        upgrade(revision=manifest["alembic_revision"] or "head")
    elif current != manifest["alembic_revision"]:
        raise BackupError(
            f"The backup is of schema revision {manifest['alembic_revision']} and this database "
            f"is at {current}; restore into an empty database instead."
        )
    counts: dict[str, int] = {}
    with zipfile.ZipFile(path) as archive, engine.begin() as connection:
        if _holds_data(connection) and not replace:
            raise BackupError("This database already holds data; pass --replace to overwrite it.")
        for table in reversed(_tables()):
            connection.execute(table.delete())
        for table in _tables():
            counts[table.name] = _load_table(connection, archive, table)
        if connection.dialect.name == "postgresql":
            _reset_sequences(connection)
        move_on(connection)  # no summary cached before the restore is read after it
    upgrade()
    return counts


def _load_table(connection: Connection, archive: zipfile.ZipFile, table: Any) -> int:
    member = f"tables/{table.name}.jsonl"
    if member not in archive.namelist():
        return 0
    count = 0
    batch: list[dict[str, Any]] = []
    with archive.open(member) as handle:
        for line in handle:
            raw = json.loads(line)
            batch.append({name: _decode(table.c[name], value) for name, value in raw.items()})
            if len(batch) >= BATCH:
                connection.execute(table.insert(), batch)
                count += len(batch)
                batch = []
    if batch:
        connection.execute(table.insert(), batch)
        count += len(batch)
    return count


def _reset_sequences(connection: Connection) -> None:
    """After inserting explicit ids, move each id sequence past the highest id."""
    for table in _tables():
        if "id" not in table.c or not table.c.id.primary_key:
            continue
        connection.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "  # noqa: S608
                f"COALESCE((SELECT MAX(id) FROM {table.name}), 1), "
                f"(SELECT MAX(id) FROM {table.name}) IS NOT NULL)"
            )
        )
