"""Every route × method × {anonymous, analyst, researcher, admin}, generated from app.url_map.

Routes that other features add later are covered without touching this file: the
rules are read from the running app, ids come from the sample data, and a route is a
"write" by its HTTP method. A route for any logged-in user's own account must be listed
in SELF_SERVICE to let analysts use it.
"""

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from werkzeug.routing import Rule
from werkzeug.routing.converters import NumberConverter

from tests import factories
from tests.conftest import csrf_token, log_in
from tracker.audit.models import AuditEntry
from tracker.extensions import db
from tracker.sample.services import load_october_2023

# accounts.language: the language switcher, on the login page too (a cookie, no record).
PUBLIC = {"accounts.login", "accounts.login_code", "accounts.setup", "accounts.language", "static"}
# Files naming identities that ask for the password again: sent without it, refused (403)
# whatever the role; that they are refused to analysts is tested in tests/un.
ASK_FOR_THE_PASSWORD = {"un.document", "un.batch"}
# Writes any logged-in user makes to their own account (never to anyone's records).
SELF_SERVICE = {
    "accounts.logout",
    "accounts.change_password",
    "accounts.two_factor_start",
    "accounts.two_factor_confirm",
    "accounts.recovery_codes",
    "api_web.create_token",  # an analyst's own API token reads as the analyst: no record writes
    "api_web.revoke_token",
}
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
HUGE_ID = 2**64


def _path(rule: Rule, number: int = 1) -> str:
    values = {
        name: number if isinstance(rule._converters[name], NumberConverter) else "x"
        for name in rule.arguments
    }
    return rule.build(values, append_unknown=False)[1]


def _requests(app: Flask) -> list[tuple[str, str, str]]:
    """(endpoint, method, path) for every rule and method the app serves."""
    found = []
    for rule in app.url_map.iter_rules():
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            found.append((rule.endpoint, method, _path(rule)))
    assert len(found) >= 15, "the route table looks empty"
    return found


def _audit_count() -> int:
    db.session.expire_all()
    return db.session.execute(select(func.count(AuditEntry.id))).scalar_one()


@pytest.fixture
def world(app):
    """Sample records (so id 1 exists for most routes) and a spare account as user #1, so that
    admin actions on /admin/users/1 never lock out the account doing the test."""
    factories.make_user("analyst", "spare@example.org")
    load_october_2023()
    db.session.commit()
    return app


def _login(client: FlaskClient, role: str, email: str) -> None:
    response = log_in(client, email)
    assert response.status_code == 302, f"{role} could not log in"


def _still_logged_in(client: FlaskClient) -> bool:
    return client.get("/account").status_code == 200


def _send(client: FlaskClient, method: str, path: str, with_token: bool):  # type: ignore[no-untyped-def]
    data = {"csrf_token": csrf_token(client, "/account")} if with_token else {}
    return client.open(path, method=method, data=data)


def test_v4_1_1_anonymous_visitors_reach_only_login_setup_and_static_files(world, client):
    problems = []
    for endpoint, method, path in _requests(world):
        response = client.open(path, method=method)
        if endpoint in PUBLIC:
            if response.status_code >= 500:
                problems.append((method, path, response.status_code))
            continue
        location = response.headers.get("Location", "")
        api_refusal = path.startswith("/api/") and response.status_code == 401
        if not (response.status_code == 302 and location.startswith("/login")) and not api_refusal:
            problems.append((method, path, response.status_code, location))
    assert problems == [], "\n".join(map(str, problems))


@pytest.mark.parametrize("role", ["analyst", "researcher", "admin"])
def test_v4_1_3_every_route_answers_each_role_by_its_rights(world, client, role):
    """Analysts never succeed in a write; admin pages are for admins; nothing crashes."""
    email = f"{role}-matrix@example.org"
    factories.make_user(role, email)
    db.session.commit()
    _login(client, role, email)
    problems = []
    for endpoint, method, path in _requests(world):
        if endpoint in PUBLIC or endpoint == "accounts.logout":
            continue
        before = _audit_count()
        write = method in WRITE_METHODS
        response = _send(client, method, path, with_token=write)
        status = response.status_code
        if status >= 500:
            problems.append(("server error", method, path, status))
        if endpoint.startswith("admin.") and role != "admin" and status != 403:
            problems.append(("admin page not refused", method, path, status))
        if role == "admin" and status == 403 and endpoint not in ASK_FOR_THE_PASSWORD:
            problems.append(("admin refused", method, path, status))
        if role == "analyst" and write and endpoint not in SELF_SERVICE:
            if status < 400:
                problems.append(("analyst write not refused", method, path, status))
            if _audit_count() != before:
                problems.append(("analyst write changed something", method, path, status))
        if write and not _still_logged_in(client):
            _login(client, role, email)
    assert problems == [], "\n".join(map(str, problems))


def test_v4_2_2_every_state_changing_route_rejects_a_missing_csrf_token(world, client):
    factories.make_user("admin", "csrf-admin@example.org")
    db.session.commit()
    _login(client, "admin", "csrf-admin@example.org")
    problems = []
    writes = [(e, m, p) for e, m, p in _requests(world) if m in WRITE_METHODS]
    assert any(endpoint == "admin.deactivate" for endpoint, _, _ in writes)
    for endpoint, method, path in writes:
        before = _audit_count()
        response = _send(client, method, path, with_token=False)
        expected = response.status_code == 400 or (
            path.startswith("/api/") and 400 <= response.status_code < 500
        )
        if not expected:
            problems.append((method, path, response.status_code))
        if _audit_count() != before:
            problems.append(("changed something", method, path))
        if not _still_logged_in(client):
            problems.append(("logged out without a token", method, path))
            _login(client, "admin", "csrf-admin@example.org")
    assert problems == [], "\n".join(map(str, problems))


def test_v5_1_4_ids_beyond_any_column_are_404_on_every_route(world, client):
    factories.make_user("admin", "ids-admin@example.org")
    db.session.commit()
    _login(client, "admin", "ids-admin@example.org")
    problems = []
    rules = [rule for rule in world.url_map.iter_rules() if rule.endpoint not in PUBLIC]
    numbered = [
        rule
        for rule in rules
        if any(isinstance(rule._converters[name], NumberConverter) for name in rule.arguments)
    ]
    assert numbered, "no route with an id to try"
    for rule in numbered:
        template = _path(rule, 1234567)
        for huge in (str(HUGE_ID), "9" * 40, str(2**31)):
            path = template.replace("1234567", huge)
            for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
                response = _send(client, method, path, with_token=method in WRITE_METHODS)
                if response.status_code != 404:
                    problems.append((method, path, response.status_code))
    assert problems == [], "\n".join(map(str, problems))
