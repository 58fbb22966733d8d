"""Settings from the environment; test settings beside them."""

import os
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

SECRET_KEY_FILE = "secret_key"  # noqa: S105  (a file name)
SECRET_KEY_MIN_LENGTH = 32
# Keys copied from tutorials and templates: anyone could forge sessions signed with them.
KNOWN_DEFAULT_KEYS = frozenset(
    {
        "dev",
        "development",
        "secret",
        "secret-key",
        "secret_key",
        "changeme",
        "change-me",
        "change_me",
        "please-change-me",
        "default",
        "test",
        "testing",
        "key",
        "flask",
        "tracker",
    }
)


def load_or_create_secret_key(instance_path: str) -> str:
    """Return the instance's secret key, generating it once (mode 0600)."""
    path = Path(instance_path) / SECRET_KEY_FILE
    if path.exists():
        if path.stat().st_mode & 0o077:  # copied or restored with loose permissions
            os.chmod(path, 0o600)
        key = path.read_text().strip()
        if len(key) >= 32:
            return key
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    os.chmod(path, 0o600)
    return key


def check_secret_key(config: dict | Any) -> None:
    """Refuse to run with no secret key, or (outside tests and debug) a short or well-known one."""
    key = config.get("SECRET_KEY")
    if not key:
        raise RuntimeError("SECRET_KEY is not set; refusing to start")
    if config.get("TESTING") or config.get("DEBUG"):
        return
    if str(key).strip().lower() in KNOWN_DEFAULT_KEYS or len(str(key)) < SECRET_KEY_MIN_LENGTH:
        raise RuntimeError(
            "SECRET_KEY is a default or shorter than "
            f"{SECRET_KEY_MIN_LENGTH} characters; refusing to start. Unset TRACKER_SECRET_KEY "
            "to have one generated, or set a long random one."
        )


def _minutes(name: str, default: int) -> timedelta:
    value = os.environ.get(name)
    return timedelta(minutes=int(value)) if value else timedelta(minutes=default)


def normalise_database_url(url: str) -> str:
    """Let a plain postgresql:// URL use psycopg 3, the driver we ship."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def from_environment(instance_path: str) -> dict:
    """Build the configuration from TRACKER_* environment variables."""
    database_url = os.environ.get("TRACKER_DATABASE_URL") or (
        "sqlite:///" + str(Path(instance_path) / "tracker.db")
    )
    secret_key = os.environ.get("TRACKER_SECRET_KEY") or load_or_create_secret_key(instance_path)
    return {
        "SECRET_KEY": secret_key,
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(database_url),
        "RATELIMIT_STORAGE_URI": os.environ.get("TRACKER_RATELIMIT_STORAGE_URL", "memory://"),
        "RATELIMIT_KEY_PREFIX": os.environ.get("TRACKER_RATELIMIT_KEY_PREFIX", "tracker"),
        "HTTPS_MODE": os.environ.get("TRACKER_HTTPS", "auto").strip().lower(),
        "SESSION_IDLE_TIMEOUT": _minutes("TRACKER_SESSION_IDLE_MINUTES", 30),
        "SESSION_ABSOLUTE_LIFETIME": _minutes("TRACKER_SESSION_LIFETIME_MINUTES", 12 * 60),
        "UPLOAD_FOLDER": os.environ.get(
            "TRACKER_UPLOAD_FOLDER", str(Path(instance_path) / "uploads")
        ),
        "API_RATE_LIMIT": os.environ.get("TRACKER_API_RATE_LIMIT", DEFAULTS["API_RATE_LIMIT"]),
        # The summary cache: empty for files in the instance folder, redis://… to share one
        # across machines, "null" for none (tracker/caching).
        "CACHE_URL": os.environ.get("TRACKER_CACHE_URL", ""),
        # Who publishes the printable report (its title page); empty: the tracker's name only.
        "ORGANISATION": os.environ.get("TRACKER_ORGANISATION", "").strip()[:200],
        # The job queue (imports): empty for a SQLite file in the instance folder,
        # redis://… to share one across machines (tracker/jobs).
        "QUEUE_URL": os.environ.get("TRACKER_QUEUE_URL", ""),
        "TRUSTED_PROXIES": trusted_proxies(os.environ.get("TRACKER_TRUSTED_PROXIES")),
        **site_address(os.environ.get("TRACKER_BASE_URL"), os.environ.get("TRACKER_TRUSTED_HOSTS")),
    }


def site_address(base_url: str | None, extra_hosts: str | None) -> dict[str, Any]:
    """BASE_URL (absolute links in exports) and TRUSTED_HOSTS (Flask refuses any other Host
    header with a 400): the host of TRACKER_BASE_URL plus TRACKER_TRUSTED_HOSTS (commas)."""
    base = (base_url or "").strip().rstrip("/")
    hosts = [h.strip().lower() for h in (extra_hosts or "").split(",") if h.strip()]
    if base:
        parts = urlsplit(base)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise RuntimeError(
                "TRACKER_BASE_URL must be an http(s) address, e.g. https://tracker.example.org"
            )
        hosts.insert(0, parts.hostname.lower())
    return {"BASE_URL": base, "TRUSTED_HOSTS": hosts or None}


def trusted_proxies(value: str | None) -> int:
    """How many proxies stand in front (TRACKER_TRUSTED_PROXIES): 0 when unset."""
    text = (value or "").strip()
    if not text:
        return 0
    if not text.isdigit() or int(text) > 10:
        raise RuntimeError(
            "TRACKER_TRUSTED_PROXIES must be the number of proxies in front of the app (0-10)"
        )
    return int(text)


DEFAULTS: dict = {
    # hide_parameters: a database error in the log never carries the values (names!) it held
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True, "hide_parameters": True},
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_NAME": "tracker_session",
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "PERMANENT_SESSION_LIFETIME": timedelta(hours=12),
    "WTF_CSRF_TIME_LIMIT": None,  # the token is bound to the session, which expires itself
    # Referrer-Policy: no-referrer means browsers send no Referer (and Origin: null) on our own
    # forms, so Flask-WTF's HTTPS Referer check would refuse every POST. The per-session token
    # and the SameSite=Lax cookie are the defence.
    "WTF_CSRF_SSL_STRICT": False,
    "MAX_CONTENT_LENGTH": 32 * 1024 * 1024,
    "RATELIMIT_HEADERS_ENABLED": False,
    "RATELIMIT_STRATEGY": "moving-window",
    "LOGIN_RATE_LIMIT": "10 per minute",  # per client address, every attempt
    "LOGIN_ACCOUNT_RATE_LIMIT": "5 per 15 minutes",  # per account name and address, failures
    # Beyond those failures (from any address), each attempt waits 1, 2, 4 … seconds, at most:
    "LOGIN_ACCOUNT_MAX_DELAY": timedelta(minutes=1),
    # Proxies in front whose X-Forwarded-For / -Proto are believed (werkzeug's ProxyFix).
    "TRUSTED_PROXIES": 0,
    "ADMIN_REQUIRES_TWO_FACTOR": True,  # admins enrol at their first login
    "BASE_URL": "",  # absolute links in exports; without it they are paths (never from Host)
    "HTTPS_MODE": "auto",  # auto: Secure cookies and HSTS when the request came over HTTPS
    "SESSION_IDLE_TIMEOUT": timedelta(minutes=30),
    "SESSION_ABSOLUTE_LIFETIME": timedelta(hours=12),
    "TWO_FACTOR_LOGIN_WINDOW": timedelta(minutes=5),  # between the password and the code
    # argon2id, OWASP's recommended minimum (19 MiB, 2 passes)
    "ARGON2_TIME_COST": 2,
    "ARGON2_MEMORY_COST": 19 * 1024,
    "ARGON2_PARALLELISM": 1,
    "APP_NAME": "Repatriation Tracker",
    "API_RATE_LIMIT": "300 per minute",  # per API token, across every /api/v1 route
    "API_MAX_BODY_BYTES": 1024 * 1024,  # a record is a few kB; bigger bodies get 413
    # An identifying export needs the password typed again, or typed within this long before.
    "EXPORT_FRESH_LOGIN": timedelta(minutes=5),
}


def test_settings(database_url: str, instance_path: str) -> dict:
    """Settings for the test suite: cheap hashes, a fixed key, no rate limit surprises."""
    return {
        "TESTING": True,
        "SECRET_KEY": "test-" + secrets.token_hex(16),
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(database_url),
        "RATELIMIT_STORAGE_URI": "memory://",
        "UPLOAD_FOLDER": str(Path(instance_path) / "uploads"),
        "ARGON2_TIME_COST": 1,
        "ARGON2_MEMORY_COST": 8,
        "ARGON2_PARALLELISM": 1,
        "QUEUE_IMMEDIATE": True,  # jobs run in the calling thread
        # Most tests act as an admin without an authenticator; tests/security/test_defaults.py
        # runs with the production default.
        "ADMIN_REQUIRES_TWO_FACTOR": False,
    }
