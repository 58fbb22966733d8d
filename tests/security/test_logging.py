"""Security events are logged as single escaped lines with user id, IP and UTC time, and the
suite-wide guard (conftest.no_secrets_in_logs) really finds what must not be logged."""

import logging
import re

import pytest

from tests import factories
from tests.conftest import csrf_token, find_leaks, log_in
from tracker.extensions import db
from tracker.security import log as security_log

LINE = re.compile(
    r"^security event=(?P<event>\S+) user=(?P<user>\d+|-) ip=(?P<ip>\S+) "
    r"at=\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ( \S+=\S+)*$"
)


def _security_lines(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "tracker.security"]


def _events(caplog) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for line in _security_lines(caplog):
        match = LINE.match(line)
        assert match, line
        found.setdefault(match["event"], []).append(line)
    return found


@pytest.mark.parametrize("app_settings", [{"RATELIMIT_ENABLED": True}], indirect=True)
def test_v7_1_3_v7_2_1_logins_failures_lockouts_and_403s_are_logged(app, client, caplog):
    caplog.set_level(logging.INFO, logger="tracker.security")
    user = factories.make_user("analyst", "ana@example.org")
    db.session.commit()
    for _ in range(6):
        log_in(client, "ana@example.org", "wrong password, again")
    log_in(client.application.test_client(), "nobody@example.org", "wrong password, again")
    browser = client.application.test_client()
    assert log_in(browser, "bob@example.org", "still wrong here").status_code == 401
    factories.make_user("analyst", "bob@example.org")
    db.session.commit()
    assert log_in(browser, "bob@example.org").status_code == 302
    assert browser.get("/admin/users").status_code == 403
    events = _events(caplog)
    assert any(f"user={user.id} ip=127.0.0.1" in line for line in events["login.failure"])
    assert any(" user=- " in line for line in events["login.failure"])  # unknown account
    assert "login.locked" in events
    assert "login.success" in events
    assert any("endpoint=admin.users" in line for line in events["access.denied"])


def test_v7_2_2_admin_actions_are_logged_with_actor_and_target(client, login_as, caplog):
    caplog.set_level(logging.INFO, logger="tracker.security")
    admin = login_as("admin")
    user = factories.make_user("researcher", "res@example.org")
    db.session.commit()
    token = csrf_token(client, "/account")
    client.post(f"/admin/users/{user.id}/role", data={"role": "analyst", "csrf_token": token})
    client.post(f"/admin/users/{user.id}/deactivate", data={"csrf_token": token})
    client.post("/admin/two-factor-policy", data={"admin": "y", "csrf_token": token})
    events = _events(caplog)
    for event in ("admin.role_change", "admin.deactivate", "admin.two_factor_policy"):
        assert any(f"user={admin.id} " in line for line in events[event]), event
    assert f"target={user.id}" in events["admin.deactivate"][0]


def test_v7_3_1_log_values_cannot_forge_lines_or_fields(app, caplog):
    caplog.set_level(logging.INFO, logger="tracker.security")
    security_log.event("login.failure", None, step="x\nsecurity event=login.success user=1")
    (line,) = _security_lines(caplog)
    assert "\n" not in line
    assert line.count("event=") == 2  # ours, and the forged one inside a quoted value
    assert 'step="x\\nsecurity event=login.success user=1"' in line
    assert LINE.match(line.split(" step=")[0])


def test_v7_1_1_the_log_guard_finds_passwords_codes_and_names_even_escaped():
    def record(message: str) -> logging.LogRecord:
        return logging.LogRecord("x", logging.INFO, __file__, 1, message, None, None)

    secrets = {factories.PASSWORD, "493027", "김영희", "Ri Sun-hui"}
    assert find_leaks([record("nothing to see: event=login.success user=3")], secrets) == []
    assert find_leaks([record("user=3 code 4930271 at 1493027")], secrets) == []  # not the code
    leaked = [
        record(f"password was {factories.PASSWORD}"),
        record("code=493027"),
        record('name="\\uae40\\uc601\\ud76c"'),  # JSON-escaped Hangul
        record("person Ri Sun-hui moved"),
    ]
    assert len(find_leaks(leaked, secrets)) == 4


def test_v7_1_1_the_guard_watches_person_names_written_in_any_test(app):
    from tracker.persons.models import Person

    db.session.add(Person(case_code="RT-2099-0001", family_name="Pak", given_name="Chol-su"))
    db.session.flush()
    assert {"Pak", "Chol-su"} <= factories.SENSITIVE
    db.session.rollback()
