"""Configuration from the environment, and the secret key kept in the instance folder."""

import stat

import pytest

from tracker import create_app
from tracker.config import from_environment, load_or_create_secret_key, normalise_database_url


def test_secret_key_is_generated_once_with_owner_only_permissions(tmp_path):
    first = load_or_create_secret_key(str(tmp_path))
    second = load_or_create_secret_key(str(tmp_path))
    assert first == second
    assert len(first) >= 32
    mode = stat.S_IMODE((tmp_path / "secret_key").stat().st_mode)
    assert mode == 0o600


def test_environment_variables_are_honoured(tmp_path, monkeypatch):
    monkeypatch.setenv("TRACKER_DATABASE_URL", "postgresql://postgres@db.example/tracker")
    monkeypatch.setenv("TRACKER_SECRET_KEY", "k" * 40)
    monkeypatch.setenv("TRACKER_RATELIMIT_STORAGE_URL", "redis://127.0.0.1:6379/0")
    settings = from_environment(str(tmp_path))
    assert settings["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://postgres@db.example/tracker"
    assert settings["SECRET_KEY"] == "k" * 40
    assert settings["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/0"


def test_default_database_is_the_sqlite_file_in_the_instance_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("TRACKER_DATABASE_URL", raising=False)
    monkeypatch.delenv("TRACKER_SECRET_KEY", raising=False)
    settings = from_environment(str(tmp_path))
    assert settings["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path}/tracker.db"
    assert (tmp_path / "secret_key").exists()


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgresql://u@h/d", "postgresql+psycopg://u@h/d"),
        ("postgres://u@h/d", "postgresql+psycopg://u@h/d"),
        ("postgresql+psycopg://u@h/d", "postgresql+psycopg://u@h/d"),
        ("sqlite:///x.db", "sqlite:///x.db"),
    ],
)
def test_plain_postgresql_urls_use_psycopg_3(given, expected):
    assert normalise_database_url(given) == expected


def test_the_app_refuses_to_start_without_a_secret_key(tmp_path):
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app({"SECRET_KEY": "", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db"})


def test_an_app_that_is_dropped_is_freed(migrated, tmp_path):
    # Extensions are module-level objects shared by every app of the process: none may keep
    # an app alive (the test suite builds one per test; it grew to gigabytes when one did).
    import gc
    import weakref

    from tests.conftest import make_app

    app = make_app(migrated, tmp_path / "instance")
    with app.test_request_context("/api/v1/events"):  # the API's CSRF exemption is in use
        pass
    dropped = weakref.ref(app)
    del app
    gc.collect()
    assert dropped() is None
