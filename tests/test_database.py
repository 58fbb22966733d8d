"""The suite really runs on the database it was told to, and the migrations build the model."""

import os

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from tracker.db import Base
from tracker.extensions import db


def test_runs_on_the_database_named_by_the_environment(app):
    wanted = os.environ.get("TRACKER_TEST_DATABASE_URL")
    expected = "postgresql" if wanted and wanted.startswith("postgres") else "sqlite"
    assert db.engine.dialect.name == expected


def _schema_differences():
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, Base.metadata)


def test_models_and_migrations_agree(app):
    assert _schema_differences() == []


def test_migrations_go_down_to_empty_and_back_up(app):
    downgrade(revision="base")
    assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
    upgrade()
    assert "persons" in inspect(db.engine).get_table_names()
    assert _schema_differences() == []


def test_sqlite_enforces_foreign_keys(app):
    if db.engine.dialect.name != "sqlite":
        return
    with db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
