"""Backups are portable: backup, restore on the other database, backup again: same content."""

import json
import zipfile

import pytest
from alembic.migration import MigrationContext
from sqlalchemy import func, select

from tests import factories
from tests.conftest import make_app
from tracker.backup.services import BackupError, restore_backup, write_backup
from tracker.extensions import db
from tracker.places.models import Facility
from tracker.sample.services import load_october_2023


def _content(path):
    """Every table's rows, as the backup holds them."""
    with zipfile.ZipFile(path) as archive:
        return {
            name: [json.loads(line) for line in archive.read(name).splitlines()]
            for name in sorted(archive.namelist())
            if name.startswith("tables/")
        }


def _with_data():
    user = factories.make_user("researcher", "r@example.org")
    load_october_2023(user)
    db.session.commit()


def test_backup_restore_into_the_other_database_gives_the_same_content(app, tmp_path):
    _with_data()
    first = tmp_path / "first.zip"
    write_backup(db.engine, first)

    # On the PostgreSQL run this crosses over to SQLite; on the SQLite run, to a second file.
    other_url = "sqlite:///" + str(tmp_path / "other.db")
    other = make_app(other_url, tmp_path / "other-instance")
    with other.app_context():
        restore_backup(db.engine, first)
        second = tmp_path / "second.zip"
        write_backup(db.engine, second)
        db.engine.dispose()

    assert _content(first) == _content(second)
    assert len(_content(first)["tables/facilities.jsonl"]) == 2


def test_sqlite_backup_restores_into_this_database(app, tmp_path):
    """On the PostgreSQL run this is SQLite -> PostgreSQL; on SQLite it is SQLite -> SQLite."""
    source_url = "sqlite:///" + str(tmp_path / "source.db")
    source = make_app(source_url, tmp_path / "source-instance")
    dump = tmp_path / "from-sqlite.zip"
    with source.app_context():
        from flask_migrate import upgrade

        upgrade()
        _with_data()
        write_backup(db.engine, dump)
        db.engine.dispose()

    with app.app_context():
        restore_backup(db.engine, dump)
        again = tmp_path / "again.zip"
        write_backup(db.engine, again)
        assert _content(dump) == _content(again)
        # ids continue after the restored ones
        facility = Facility(name="New", kind="prison", version=1)
        db.session.add(facility)
        db.session.flush()
        assert facility.id == 3
        db.session.rollback()


def test_restore_refuses_a_database_with_data_unless_told(app, tmp_path):
    _with_data()
    dump = tmp_path / "b.zip"
    write_backup(db.engine, dump)
    with pytest.raises(BackupError, match="already holds data"):
        restore_backup(db.engine, dump)
    counts = restore_backup(db.engine, dump, replace=True)
    assert counts["facilities"] == 2
    assert db.session.execute(select(func.count()).select_from(Facility)).scalar_one() == 2


def test_restore_rejects_a_file_that_is_not_a_backup(app, tmp_path):
    bogus = tmp_path / "bogus.zip"
    bogus.write_bytes(b"not a zip at all")
    with pytest.raises(BackupError, match="not a tracker backup"):
        restore_backup(db.engine, bogus)


def test_backup_and_restore_commands(runner, tmp_path):
    runner.invoke(args=["sample", "load"])
    path = tmp_path / "cli.zip"
    result = runner.invoke(args=["backup", str(path)])
    assert result.exit_code == 0, result.output
    assert path.exists()
    refused = runner.invoke(args=["restore", str(path)])
    assert refused.exit_code != 0
    assert "--replace" in refused.output
    replaced = runner.invoke(args=["restore", "--replace", str(path)])
    assert replaced.exit_code == 0, replaced.output


def test_manifest_records_the_schema_revision_and_row_counts(app, tmp_path):
    _with_data()
    path = tmp_path / "b.zip"
    counts = write_backup(db.engine, path)
    with zipfile.ZipFile(path) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    assert manifest["tables"] == counts
    # the newest migration, whichever that is: the dump says which schema its rows fit
    with db.engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
    assert manifest["alembic_revision"] == current
    assert counts["users"] == 1
