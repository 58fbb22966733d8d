"""Session cookies that are Secure over HTTPS, and sessions that end after idling or at a limit.

The cookie is signed but readable, so it holds only ids and times: Flask-Login's
"<user id>:<session token>" (the token is rotated to end every session of a user),
the CSRF token, and when the login happened and the session was last used.
"""

import time
from collections.abc import MutableMapping
from typing import Any

from flask import Flask, Request, current_app
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface

from tracker.requests import API_PREFIX as PREFIX
from tracker.security.https import served_over_https

AUTHENTICATED_AT = "auth_at"


def is_api_path(path: str) -> bool:
    """Whether a path belongs to the token-authenticated JSON API."""
    return path == PREFIX or path.startswith(PREFIX + "/")


LAST_SEEN_AT = "seen_at"


class TrackerSessionInterface(SecureCookieSessionInterface):
    """Flask's signed cookie session, marked Secure whenever the request came over HTTPS.
    API requests get no session at all: a cookie never authenticates them (so no CSRF)."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config.get("SESSION_COOKIE_SECURE")) or served_over_https()

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if is_api_path(request.path):
            return self.make_null_session(app)
        return super().open_session(app, request)


def start(session: MutableMapping[str, Any]) -> None:
    """Stamp a freshly logged-in session with its start time."""
    now = int(time.time())
    session[AUTHENTICATED_AT] = now
    session[LAST_SEEN_AT] = now


def expired(session: MutableMapping[str, Any]) -> bool:
    """True when the session idled too long or outlived its absolute lifetime."""
    config = current_app.config
    now = time.time()
    started = session.get(AUTHENTICATED_AT)
    seen = session.get(LAST_SEEN_AT)
    if not isinstance(started, int) or not isinstance(seen, int):
        return True
    idle = config["SESSION_IDLE_TIMEOUT"].total_seconds()
    lifetime = config["SESSION_ABSOLUTE_LIFETIME"].total_seconds()
    return now - seen > idle or now - started > lifetime


def touch(session: MutableMapping[str, Any]) -> None:
    """Note activity to the second, so the idle limit counts from the latest request: noted
    once a minute, a session active 59 s after the last note was cut that much early."""
    now = int(time.time())
    if session.get(LAST_SEEN_AT) != now:
        session[LAST_SEEN_AT] = now


def init_app(app: Flask) -> None:
    """Use the session interface above."""
    app.session_interface = TrackerSessionInterface()
