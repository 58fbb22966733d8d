"""Login throttling per account and per address, before any hashing, with no account oracle,
and shared by every server process through the limiter store."""

import os
import re
import secrets

import pytest

from tests import factories
from tests.conftest import csrf_token, log_in
from tests.security.gunicorn import REDIS_URL, Browser, redis_up, start_server, stop
from tracker.accounts import passwords
from tracker.extensions import db

THROTTLED = pytest.mark.parametrize("app_settings", [{"RATELIMIT_ENABLED": True}], indirect=True)
WRONG = "not the password, sorry"


@THROTTLED
def test_v2_2_1_account_locks_after_five_failures_even_with_the_right_password(client, app):
    factories.make_user("analyst", "ana@example.org")
    factories.make_user("analyst", "bob@example.org")
    db.session.commit()
    statuses = [log_in(client, "ana@example.org", WRONG).status_code for _ in range(5)]
    assert statuses == [401] * 5
    locked = log_in(client, "ana@example.org")
    assert locked.status_code == 429
    assert "Too many attempts" in locked.get_data(as_text=True)
    # the lock is on the account, not on the address: another account still logs in
    assert log_in(client, "bob@example.org").status_code == 302


@THROTTLED
def test_v2_2_1_lockout_does_not_reveal_whether_the_account_exists(app):
    factories.make_user("analyst", "ana@example.org")
    db.session.commit()
    pages = {}
    for n, email in enumerate(("ana@example.org", "nobody@example.org")):
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = f"203.0.113.{n + 1}"  # each within its address limit
        responses = [log_in(client, email, WRONG) for _ in range(6)]
        pages[email] = [(r.status_code, _message(r)) for r in responses]
    assert pages["ana@example.org"] == pages["nobody@example.org"]
    assert [status for status, _ in pages["nobody@example.org"]] == [401] * 5 + [429]


def _message(response) -> str:
    found = re.findall(
        r'<p class="error" role="alert">([^<]*)</p>|<h1>([^<]*)</h1>',
        response.get_data(as_text=True),
    )
    return "|".join(a or b for a, b in found)


@THROTTLED
def test_v2_2_1_a_locked_account_costs_no_password_hash(client, monkeypatch):
    factories.make_user("analyst", "ana@example.org")
    db.session.commit()
    for _ in range(5):
        log_in(client, "ana@example.org", WRONG)
    calls = []
    original = passwords.PasswordHasher.verify

    def counting(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(1)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(passwords.PasswordHasher, "verify", counting)
    assert log_in(client, "ana@example.org").status_code == 429
    assert calls == []


@THROTTLED
def test_v2_2_1_wrong_second_factor_codes_lock_the_account_too(client):
    user = factories.make_user("analyst", "ana@example.org")
    factories.enrol_two_factor(user)
    db.session.commit()
    assert log_in(client, "ana@example.org").headers["Location"].startswith("/login/code")
    token = csrf_token(client, "/login/code")
    statuses = [
        client.post("/login/code", data={"code": "000000", "csrf_token": token}).status_code
        for _ in range(5)
    ]
    assert statuses == [401] * 5
    right = factories.totp_code(user)
    assert client.post("/login/code", data={"code": right, "csrf_token": token}).status_code == 429
    # starting over from the password step does not reset the count
    fresh = client.application.test_client()
    assert log_in(fresh, "ana@example.org").status_code == 429
    assert fresh.get("/").status_code == 302


def test_v2_2_1_v3_4_1_lockout_holds_across_two_server_processes_sharing_redis(app, tmp_path):
    if not redis_up():
        if os.environ.get("CI"):
            pytest.fail("Redis is not running on CI: .ci/run must start it")
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    factories.make_user("analyst", "ana@example.org")
    factories.make_user("analyst", "bob@example.org")
    db.session.commit()
    database_url = app.config["SQLALCHEMY_DATABASE_URI"]
    prefix = "test-" + secrets.token_hex(8)  # this run's own keys in the shared Redis
    servers = [
        start_server(database_url, tmp_path / f"instance{n}", REDIS_URL, prefix) for n in (1, 2)
    ]
    try:
        first, second = (Browser(base) for _, base in servers)
        # five failures, spread over both processes
        statuses = [(first if n % 2 else second).log_in("ana@example.org", WRONG) for n in range(5)]
        assert statuses == [401] * 5
        # each process now refuses the right password: the count lives in Redis
        assert first.log_in("ana@example.org", factories.PASSWORD) == 429
        assert second.log_in("ana@example.org", factories.PASSWORD) == 429
        # another account is not affected
        assert second.log_in("bob@example.org", factories.PASSWORD) == 302
        # and gunicorn names no version of itself
        _, headers, _ = first.request("/login")
        assert not re.search(r"\d", headers.get("Server", ""))
        assert headers["X-Frame-Options"] == "DENY"
        assert "Strict-Transport-Security" not in headers
        # behind a TLS proxy on this machine, `tracker serve` marks cookies Secure and sends HSTS
        _, headers, _ = Browser(servers[0][1]).request(
            "/login", headers={"X-Forwarded-Proto": "https"}
        )
        assert "Secure" in headers["Set-Cookie"]
        assert headers["Strict-Transport-Security"].startswith("max-age=")
    finally:
        for process, _ in servers:
            stop(process)
