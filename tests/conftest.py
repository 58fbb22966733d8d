"""Fixtures in the flaskr / CTFd style: one migrated database per run, emptied after each test.

The database is SQLite (a file, so a live server thread can share it) unless
TRACKER_TEST_DATABASE_URL names another, e.g. PostgreSQL.
"""

import contextvars
import json
import logging
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, make_url, text
from sqlalchemy import event as sqlalchemy_event
from sqlalchemy.orm import Session

from tests import factories
from tracker import create_app
from tracker.accounts.models import User
from tracker.caching.services import move_on
from tracker.config import normalise_database_url, test_settings
from tracker.db import Base
from tracker.extensions import db
from tracker.persons.models import Contact, Person
from tracker.vocab.defaults import DEFAULT_ALIASES, DEFAULT_TERMS
from tracker.vocab.models import VocabularyTerm

PRESERVED_TABLES = {"alembic_version"}


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = os.environ.get("TRACKER_TEST_DATABASE_URL")
    if url:
        url = normalise_database_url(url)
        worker = os.environ.get("PYTEST_XDIST_WORKER")
        if worker:  # tests in parallel (pytest-xdist): each worker its own database
            url = own_postgres_database(url, worker)
        reset_postgres_schema(url)
        return url
    return "sqlite:///" + str(tmp_path_factory.mktemp("db") / "tracker-test.db")


def own_postgres_database(url: str, worker: str) -> str:
    """The database named by `url` with the worker's name appended, made when missing."""
    named = make_url(url)
    own = named.set(database=f"{named.database}_{worker}")
    engine = create_engine(named, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        exists = connection.execute(
            text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": own.database}
        ).first()
        if not exists:
            connection.execute(text(f'CREATE DATABASE "{own.database}"'))
    engine.dispose()
    return own.render_as_string(hide_password=False)


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
        # Buffered: a streamed body (an export) is read inside the request's own context.
        kwargs.setdefault("buffered", True)
        response = contextvars.Context().run(super().open, *args, **kwargs)
        for header in response.headers.getlist("Set-Cookie"):  # cookies must stay out of logs
            value = header.split(";", 1)[0].partition("=")[2]
            if len(value) >= 16:
                factories.sensitive(value)
        return response


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
    with db.engine.connect() as connection:
        # On SQLite every row goes without checking each against the rest: a person refers
        # to the one it was merged into (unindexed), so deleting 100,000 took minutes.
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")  # outside a transaction
            connection.commit()
        try:
            with connection.begin():
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
                            "aliases": DEFAULT_ALIASES.get((v, c), []),
                        }
                        for i, (v, c, en, ko) in enumerate(DEFAULT_TERMS)
                    ],
                )
                move_on(connection)
        finally:
            if sqlite:
                connection.exec_driver_sql("PRAGMA foreign_keys=ON")
                connection.commit()


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
    return factories.sensitive(match.group(1) or match.group(2))


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


# --- ASVS 7.1.1 / 7.1.2: no secret and no person's name in any log record, in any test ------


class _Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def _record_text(record: logging.LogRecord) -> str:
    try:
        text = record.getMessage()
    except Exception:  # a broken format string still must not hide what it carried
        text = f"{record.msg} {record.args}"
    if record.exc_info:
        text += "\n" + logging.Formatter().formatException(record.exc_info)
    if record.stack_info:
        text += "\n" + record.stack_info
    return text


def _patterns(value: str) -> list[re.Pattern[str]]:
    forms = {value, json.dumps(value)[1:-1], json.dumps(value, ensure_ascii=False)[1:-1]}
    patterns = []
    for form in forms:
        left = r"(?<!\w)" if re.match(r"\w", form[0]) else ""
        right = r"(?!\w)" if re.match(r"\w", form[-1]) else ""
        patterns.append(re.compile(left + re.escape(form) + right))
    return patterns


def find_leaks(records: list[logging.LogRecord], secrets: set[str]) -> list[str]:
    """Each log record that holds one of `secrets` (as typed, or JSON-escaped), described."""
    leaks = []
    for record in records:
        text = _record_text(record)
        for value in sorted(secrets):
            if any(pattern.search(text) for pattern in _patterns(value)):
                leaks.append(f"{record.name}: {value[:3]}… in {text[:200]!r}")
    return leaks


def _remember_identities(mapper, connection, target) -> None:  # type: ignore[no-untyped-def]
    """Every name of a person or contact written in a test becomes something logs must not hold."""
    for attribute in ("family_name", "given_name", "name_hangul", "name"):
        value = getattr(target, attribute, None)
        if isinstance(value, str):
            factories.sensitive(value)
    for alias in getattr(target, "aliases", None) or []:
        if isinstance(alias, str):
            factories.sensitive(alias)


def _remember_user_secrets(mapper, connection, target) -> None:  # type: ignore[no-untyped-def]
    for value in (target.session_token, target.totp_secret):
        if value:
            factories.sensitive(value)


class _Values:
    def __init__(self, values: dict[str, object]):
        self.__dict__.update(values)


def _remember_bulk_identities(state) -> None:  # type: ignore[no-untyped-def]
    """The same for persons an import writes with a bulk INSERT (no mapper events)."""
    table = getattr(state.statement, "table", None)
    if state.is_insert and getattr(table, "name", None) in ("persons", "contacts"):
        rows = state.parameters if isinstance(state.parameters, list) else [state.parameters]
        for row in rows or []:
            _remember_identities(None, None, _Values(row))


for _model in (Person, Contact):
    for _event in ("before_insert", "before_update"):
        sqlalchemy_event.listen(_model, _event, _remember_identities)
sqlalchemy_event.listen(Session, "do_orm_execute", _remember_bulk_identities)
for _event in ("before_insert", "before_update"):
    sqlalchemy_event.listen(User, _event, _remember_user_secrets)


@pytest.fixture(autouse=True)
def no_secrets_in_logs() -> Iterator[_Capture]:
    """Fail any test after which a log record holds a password, TOTP or recovery code, token,
    cookie or a person's name that the test used."""
    factories.forget_sensitive()
    capture = _Capture()
    root = logging.getLogger()
    level = root.level
    root.addHandler(capture)
    root.setLevel(min(level, logging.INFO))
    try:
        yield capture
    finally:
        root.removeHandler(capture)
        root.setLevel(level)
    leaks = find_leaks(capture.records, factories.SENSITIVE)
    if leaks:
        pytest.fail("secrets or personal names in the logs:\n" + "\n".join(leaks))
