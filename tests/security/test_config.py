"""Start-up refuses unsafe secrets; oversized requests are refused before any view reads them."""

import pytest

from tests import factories
from tests.conftest import csrf_token
from tracker import create_app
from tracker.extensions import db


def _production(tmp_path, key):  # type: ignore[no-untyped-def]
    return create_app(
        {
            "SECRET_KEY": key,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db",
            "RATELIMIT_STORAGE_URI": "memory://",
        }
    )


@pytest.mark.parametrize("key", ["", None, "dev", "changeme", "secret", "short-but-random-1234"])
def test_v14_3_2_production_refuses_a_missing_default_or_short_secret_key(tmp_path, key):
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        _production(tmp_path, key)


def test_v14_3_2_a_long_random_key_starts_and_tests_may_use_any(tmp_path):
    assert _production(tmp_path, "q" * 20 + "7Hs-k2LmZpQ9vW3xR8tY")
    testing = create_app(
        {
            "SECRET_KEY": "dev",
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": "sqlite://",
            "RATELIMIT_STORAGE_URI": "memory://",
        }
    )
    assert testing.testing


def test_v14_3_2_environment_key_is_checked_too(tmp_path, monkeypatch):
    monkeypatch.setenv("TRACKER_SECRET_KEY", "changeme")
    monkeypatch.setenv("TRACKER_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("TRACKER_DATABASE_URL", f"sqlite:///{tmp_path}/x.db")
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app()


@pytest.mark.parametrize(
    "app_settings", [{"RATELIMIT_ENABLED": False, "MAX_CONTENT_LENGTH": 4096}], indirect=True
)
def test_v12_1_1_oversized_requests_get_413(client):
    factories.make_user("analyst", "ana@example.org")
    db.session.commit()
    token = csrf_token(client, "/login")
    response = client.post(
        "/login", data={"email": "ana@example.org", "password": "x" * 10_000, "csrf_token": token}
    )
    assert response.status_code == 413
    assert "The upload is too large." in response.get_data(as_text=True)
    assert response.headers["X-Frame-Options"] == "DENY"


def test_v12_1_1_uploads_are_capped_by_default(app):
    assert app.config["MAX_CONTENT_LENGTH"] == 32 * 1024 * 1024


def test_v6_4_1_a_readable_secret_key_file_is_made_owner_only(tmp_path):
    import stat

    from tracker.config import load_or_create_secret_key

    key_file = tmp_path / "secret_key"
    key_file.write_text("k" * 48)
    key_file.chmod(0o644)
    assert load_or_create_secret_key(str(tmp_path)) == "k" * 48
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
