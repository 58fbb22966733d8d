"""Logging in and out, with a clear message and a 4xx for anything wrong."""

import pytest
from sqlalchemy import select

from tests import factories
from tests.conftest import csrf_token, log_in
from tracker.accounts.models import User
from tracker.extensions import db


def test_login_lands_on_the_dashboard(client):
    factories.make_user("analyst", "ana@example.org")
    db.session.commit()
    response = log_in(client, "ana@example.org")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert "ana@example.org" in client.get("/").get_data(as_text=True)
    user = db.session.execute(select(User)).scalar_one()
    assert user.last_login_at is not None


def test_email_is_case_insensitive(client):
    factories.make_user("analyst", "ana@example.org")
    db.session.commit()
    assert log_in(client, "ANA@Example.org").status_code == 302


def test_wrong_password_and_unknown_account_look_the_same(client):
    factories.make_user("analyst", "ana@example.org")
    db.session.commit()
    wrong = log_in(client, "ana@example.org", "not the password at all")
    unknown = log_in(client, "nobody@example.org", "not the password at all")
    assert wrong.status_code == unknown.status_code == 401
    assert "Email or password is wrong." in wrong.get_data(as_text=True)
    assert "Email or password is wrong." in unknown.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_bad_input_gets_a_4xx_and_a_message(client):
    factories.make_user("analyst", "ana@example.org")
    db.session.commit()
    for data, message in (
        ({"email": "", "password": ""}, "This field is required."),
        ({"email": "ana@example.org", "password": "p" * 500}, "128"),
        ({"email": "x" * 1000, "password": "whatever"}, "254"),
        ({"email": "ana@example.org\x00", "password": "whatever"}, "cannot be stored"),
    ):
        data["csrf_token"] = csrf_token(client, "/login")
        response = client.post("/login", data=data)
        assert 400 <= response.status_code < 500, data
        assert message in response.get_data(as_text=True), data


def test_login_without_csrf_token_is_refused(client):
    factories.make_user("analyst", "ana@example.org")
    db.session.commit()
    response = client.post(
        "/login", data={"email": "ana@example.org", "password": factories.PASSWORD}
    )
    assert response.status_code == 400
    assert client.get("/").status_code == 302


def test_deactivated_account_cannot_log_in(client):
    user = factories.make_user("analyst", "ana@example.org")
    user.active = False
    db.session.commit()
    assert log_in(client, "ana@example.org").status_code == 401


def test_next_goes_to_a_local_page_only(client):
    factories.make_user("admin", "root@example.org")
    db.session.commit()
    for target, expected in (
        ("/admin/users", "/admin/users"),
        ("https://evil.example/", "/"),
        ("//evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
    ):
        fresh = client.application.test_client()
        token = csrf_token(fresh, "/login")
        response = fresh.post(
            "/login",
            query_string={"next": target},
            data={"email": "root@example.org", "password": factories.PASSWORD, "csrf_token": token},
        )
        assert response.headers["Location"] == expected, target


def test_logout_needs_a_post_with_csrf_and_ends_the_session(client, login_as):
    login_as("researcher")
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 400
    assert client.get("/").status_code == 200
    response = client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    assert response.status_code == 302
    assert client.get("/").status_code == 302


@pytest.mark.parametrize("app_settings", [{"RATELIMIT_ENABLED": True}], indirect=True)
def test_login_is_throttled_per_address(client):
    factories.make_user("analyst", "ana@example.org")
    db.session.commit()
    # a different account name each time: only the per-address limit (10 a minute) applies
    statuses = [
        log_in(client, f"guess{n}@example.org", "wrong password here").status_code
        for n in range(12)
    ]
    assert statuses[:10] == [401] * 10
    assert statuses[-1] == 429
    # a throttled client cannot log in even with the right password
    assert log_in(client, "ana@example.org").status_code == 429
