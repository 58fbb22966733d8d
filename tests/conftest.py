"""Fixtures in the flaskr / CTFd style: one migrated database per run, emptied after each test.

The database is SQLite (a file, so a live server thread can share it) unless
TRACKER_TEST_DATABASE_URL names another, e.g. PostgreSQL.
"""

import contextvars
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text

from tests import factories
from tracker import create_app
from tracker.config import normalise_database_url, test_settings
from tracker.db import Base
from tracker.extensions import db
from tracker.vocab.defaults import DEFAULT_TERMS
from tracker.vocab.models import VocabularyTerm

PRESERVED_TABLES = {"alembic_version"}


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = os.environ.get("TRACKER_TEST_DATABASE_URL")
    if url:
        url = normalise_database_url(url)
        reset_postgres_schema(url)
        return url
    return "sqlite:///" + str(tmp_path_factory.mktemp("db") / "tracker-test.db")


def reset_postgres_schema(url: str) -> None:
    """Start each run from an empty PostgreSQL database."""
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


class IsolatedClient(FlaskClient):
    """A test client whose every request runs in its own app context, as in production.

    The fixtures keep an app context pushed for the test's own service calls; without
    this, requests would share its `g` (and Flask-Login's cached user) across requests.
    """

    def open(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return contextvars.Context().run(super().open, *args, **kwargs)


def make_app(database_url: str, instance_path: Path, **overrides: object) -> Flask:
    settings = test_settings(database_url, str(instance_path))
    settings.update(overrides)
    app = create_app(settings)
    app.test_client_class = IsolatedClient
    return app


@pytest.fixture(scope="session")
def migrated(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    """Build the schema with the migrations (never create_all), once per run."""
    from flask_migrate import upgrade

    app = make_app(database_url, tmp_path_factory.mktemp("instance"))
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return database_url


@pytest.fixture
def app_settings(request: pytest.FixtureRequest) -> dict[str, object]:
    """Per-test overrides of the test settings: parametrize "app_settings" indirectly."""
    settings: dict[str, object] = {"RATELIMIT_ENABLED": False}
    settings.update(getattr(request, "param", {}))
    return settings


@pytest.fixture
def app(migrated: str, tmp_path: Path, app_settings: dict[str, object]) -> Iterator[Flask]:
    app = make_app(migrated, tmp_path / "instance", **app_settings)
    with app.app_context():
        yield app
        db.session.remove()
        empty_database()
        db.engine.dispose()


def empty_database() -> None:
    """Delete every row a test wrote, and put the default vocabularies back."""
    tables = [t for t in Base.metadata.sorted_tables if t.name not in PRESERVED_TABLES]
    with db.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            names = ", ".join(t.name for t in tables)
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(tables):
                connection.execute(table.delete())
        connection.execute(
            VocabularyTerm.__table__.insert(),
            [
                {
                    "vocabulary": v,
                    "code": c,
                    "label_en": en,
                    "label_ko": ko,
                    "position": i,
                    "active": True,
                }
                for i, (v, c, en, ko) in enumerate(DEFAULT_TERMS)
            ],
        )


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask):  # type: ignore[no-untyped-def]
    return app.test_cli_runner()


CSRF_PATTERN = re.compile(
    r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"'
)


def csrf_token(client: FlaskClient, path: str) -> str:
    """The CSRF token from the form on `path`, as a browser would send it back."""
    page = client.get(path).get_data(as_text=True)
    match = CSRF_PATTERN.search(page)
    assert match, f"no CSRF token on {path}"
    return match.group(1) or match.group(2)


def log_in(client: FlaskClient, email: str, password: str = factories.PASSWORD):  # type: ignore[no-untyped-def]
    token = csrf_token(client, "/login")
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token})


@pytest.fixture
def login_as(app: Flask, client: FlaskClient):  # type: ignore[no-untyped-def]
    """login_as("researcher") creates a user with that role and logs the client in as them."""

    def _login_as(role: str):  # type: ignore[no-untyped-def]
        user = factories.make_user(role)
        db.session.commit()
        response = log_in(client, user.email)
        assert response.status_code == 302, response.get_data(as_text=True)
        return user

    return _login_as
