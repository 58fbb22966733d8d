"""Guessing a password is slowed everywhere a password or code is checked, strangers cannot lock
an account out from one address, and behind a proxy each client counts on their own
(issue 16, findings 1 and 2; ASVS V2.2.1)."""

import logging

import pytest

from tests import factories
from tests.conftest import csrf_token, log_in
from tests.workspace.records import FAMILY_NAME, october_case
from tracker.accounts import throttling
from tracker.extensions import db

THROTTLED = pytest.mark.parametrize("app_settings", [{"RATELIMIT_ENABLED": True}], indirect=True)
BEHIND_A_PROXY = pytest.mark.parametrize(
    "app_settings", [{"RATELIMIT_ENABLED": True, "TRUSTED_PROXIES": 1}], indirect=True
)
WRONG = "not the password, sorry"


def _export(client, password: str):
    token = csrf_token(client, "/exports/new?what=persons")
    return client.post(
        "/exports/file",
        data={
            "what": "persons",
            "format": "csv",
            "identifying": "1",
            "reason": "UN case file",
            "password": password,
            "csrf_token": token,
        },
    )


def _security_events(caplog, name: str) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.name == "tracker.security" and f"event={name} " in r.getMessage()
    ]


@THROTTLED
def test_v2_2_1_the_password_re_check_before_an_identifying_export_is_throttled(
    app, client, login_as, caplog
):
    caplog.set_level(logging.INFO, logger="tracker.security")
    user = login_as("researcher")
    october_case(user)
    db.session.commit()
    statuses = [_export(client, WRONG).status_code for _ in range(5)]
    assert statuses == [403] * 5
    right = _export(client, factories.PASSWORD)
    assert right.status_code == 429
    assert FAMILY_NAME not in right.get_data(as_text=True)
    assert "Too many attempts" in right.get_data(as_text=True)
    # each wrong password was logged as a failed login of this account
    failures = _security_events(caplog, "login.failure")
    assert len([line for line in failures if "step=export" in line]) == 5
    assert all(f"user={user.id} " in line for line in failures)
    # and it is the login's own limit: logging in again from here is refused too
    assert log_in(client.application.test_client(), user.email).status_code == 429


@THROTTLED
def test_v2_2_1_the_current_password_of_a_password_change_is_throttled(client, login_as):
    user = login_as("analyst")
    new = factories.sensitive("a brand new passphrase for me")

    def change(current: str) -> int:
        token = csrf_token(client, "/account/password")
        data = {
            "current_password": current,
            "new_password": new,
            "confirm": new,
            "csrf_token": token,
        }
        return client.post("/account/password", data=data).status_code

    assert [change(WRONG) for _ in range(5)] == [422] * 5
    assert change(factories.PASSWORD) == 429
    db.session.expire_all()
    assert client.get("/").status_code == 200  # still logged in with the old password
    assert user.password_change_required is False


@BEHIND_A_PROXY
def test_v2_2_1_a_flood_from_one_forwarded_address_leaves_another_addresss_login_working(
    app, caplog
):
    caplog.set_level(logging.INFO, logger="tracker.security")
    factories.make_user("analyst", "ana@example.org")
    db.session.commit()
    stranger = app.test_client()
    stranger.environ_base["HTTP_X_FORWARDED_FOR"] = "198.51.100.7"
    flood = [log_in(stranger, "ana@example.org", WRONG).status_code for _ in range(15)]
    assert flood[:5] == [401] * 5
    assert set(flood[5:]) == {429}  # the stranger is stopped …
    ana = app.test_client()
    ana.environ_base["HTTP_X_FORWARDED_FOR"] = "203.0.113.20"
    assert log_in(ana, "ana@example.org").status_code == 302  # … and Ana is not
    assert all("ip=198.51.100.7 " in line for line in _security_events(caplog, "login.failure"))


@THROTTLED
def test_v2_2_1_without_trusted_proxies_a_forwarded_for_header_is_ignored(app):
    """Unless the deployer says a proxy stands in front, a client cannot choose its address."""
    factories.make_user("analyst", "ana@example.org")
    db.session.commit()
    statuses = []
    for n in range(12):
        client = app.test_client()
        client.environ_base["HTTP_X_FORWARDED_FOR"] = f"192.0.2.{n + 1}"
        statuses.append(log_in(client, f"nobody{n}@example.org", WRONG).status_code)
    assert statuses == [401] * 10 + [429] * 2


@BEHIND_A_PROXY
def test_v2_2_1_guessing_from_many_addresses_is_slowed_not_locked(app, caplog, monkeypatch):
    caplog.set_level(logging.INFO, logger="tracker.security")
    factories.make_user("analyst", "ana@example.org")
    db.session.commit()

    def from_address(n: int):  # type: ignore[no-untyped-def]
        client = app.test_client()
        client.environ_base["HTTP_X_FORWARDED_FOR"] = f"198.51.100.{n}"
        return client

    # a long delay, so the test does not depend on how fast it runs
    monkeypatch.setattr(throttling, "delay_after", lambda extra: 600)
    statuses = [log_in(from_address(n), "ana@example.org", WRONG).status_code for n in range(6)]
    assert statuses == [401] * 6  # five free failures, then one attempt per turn
    assert _security_events(caplog, "login.delayed")
    # until the turn comes, every attempt waits, the right password from a new address too
    assert log_in(from_address(50), "ana@example.org").status_code == 429
    # the turn is over (as after the delay): the right password works again, from anywhere
    prefix = app.config.get("RATELIMIT_KEY_PREFIX") or "tracker"
    turn = f"{prefix}/login-account/{throttling.account_hash('ana@example.org')}/turn"
    from tracker.extensions import limiter

    limiter.storage.clear(turn)
    assert log_in(from_address(51), "ana@example.org").status_code == 302


def test_v2_2_1_the_delay_doubles_up_to_its_cap(app):
    assert [throttling.delay_after(n) for n in (1, 2, 3, 4, 5, 6, 7, 8)] == [
        1,
        2,
        4,
        8,
        16,
        32,
        60,
        60,
    ]


@THROTTLED
def test_v2_2_1_the_password_re_check_before_a_un_case_document_is_throttled(
    app, client, login_as, caplog
):
    """The UN case document names the person: its password re-check is the login's too, and a
    wrong password is a failed login kept in the audit, not rolled back with the request."""
    from tracker.audit.models import AuditEntry

    caplog.set_level(logging.INFO, logger="tracker.security")
    user = login_as("researcher")
    person = october_case(user)["person"]
    db.session.commit()

    def document(password: str):  # type: ignore[no-untyped-def]
        path = f"/un/persons/{person.id}/document"
        form = {"reason": "UN case file", "password": password, "language": "en"}
        return client.post(path, data=form | {"csrf_token": csrf_token(client, path)})

    assert [document(WRONG).status_code for _ in range(5)] == [403] * 5
    right = document(factories.PASSWORD)
    assert right.status_code == 429
    assert FAMILY_NAME not in right.get_data(as_text=True)
    assert len(_security_events(caplog, "login.failure")) == 5
    kept = db.session.query(AuditEntry).filter(AuditEntry.action == "user.login_failed").count()
    assert kept == 5
