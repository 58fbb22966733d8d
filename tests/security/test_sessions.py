"""Sessions that really end: logout, password and role changes, deactivation, idle and age."""

from datetime import timedelta

import pytest

from tests import factories
from tests.conftest import csrf_token, log_in
from tracker.accounts import services as accounts
from tracker.extensions import db
from tracker.security.sessions import AUTHENTICATED_AT, LAST_SEEN_AT

COOKIE = "tracker_session"


def _session_cookie(client) -> str:
    cookie = client.get_cookie(COOKIE)
    assert cookie is not None
    return cookie.value


def _replay(app, value: str):
    """A second browser that got hold of a copy of the cookie."""
    thief = app.test_client()
    thief.set_cookie(COOKIE, value)
    return thief.get("/")


def test_v3_3_1_logout_invalidates_session(app, client, login_as):
    login_as("researcher")
    copied = _session_cookie(client)
    assert _replay(app, copied).status_code == 200  # the copy works while the session lives
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    response = _replay(app, copied)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_v3_3_1_logout_ends_every_session_of_the_user(app, client):
    user = factories.make_user("analyst", "ana@example.org")
    db.session.commit()
    other_browser = app.test_client()
    assert log_in(client, user.email).status_code == 302
    assert log_in(other_browser, user.email).status_code == 302
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    assert other_browser.get("/").status_code == 302


def test_v3_3_3_password_change_ends_every_session(app, client):
    user = factories.make_user("analyst", "ana@example.org")
    db.session.commit()
    other_browser = app.test_client()
    assert log_in(other_browser, user.email).status_code == 302
    assert log_in(client, user.email).status_code == 302
    new = factories.sensitive("a completely new passphrase")
    response = client.post(
        "/account/password",
        data={
            "current_password": factories.PASSWORD,
            "new_password": new,
            "confirm": new,
            "csrf_token": csrf_token(client, "/account/password"),
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/login"
    assert client.get("/").status_code == 302
    assert other_browser.get("/").status_code == 302
    assert log_in(client, user.email, new).status_code == 302


@pytest.mark.parametrize("change", ["role", "deactivate", "reset_two_factor", "end_sessions"])
def test_v3_3_1_admin_changes_end_the_users_sessions(app, client, change):
    admin = factories.make_user("admin", "root@example.org")
    user = factories.make_user("researcher", "res@example.org")
    db.session.commit()
    assert log_in(client, user.email).status_code == 302
    actions = {
        "role": lambda: accounts.set_role(admin, user, "analyst"),
        "deactivate": lambda: accounts.deactivate_user(admin, user),
        "reset_two_factor": lambda: accounts.reset_two_factor(admin, user),
        "end_sessions": lambda: accounts.end_sessions_of(admin, user),
    }
    actions[change]()
    db.session.commit()
    assert client.get("/").status_code == 302


def test_v3_2_1_login_starts_a_new_session(app, client):
    factories.make_user("analyst", "ana@example.org")
    db.session.commit()
    client.get("/login")
    with client.session_transaction() as session:
        session["planted"] = "by an attacker before login"
    before = _session_cookie(client)
    assert log_in(client, "ana@example.org").status_code == 302
    assert _session_cookie(client) != before
    with client.session_transaction() as session:
        assert "planted" not in session
        assert set(session) <= {
            "_user_id",
            "_fresh",
            "_id",
            "csrf_token",
            AUTHENTICATED_AT,
            LAST_SEEN_AT,
            "_flashes",
        }


def test_v3_2_2_the_cookie_holds_no_secret(app, client, login_as):
    user = login_as("researcher")
    with client.session_transaction() as session:
        values = " ".join(str(value) for value in session.values())
    assert factories.PASSWORD not in values
    assert user.password_hash not in values
    assert len(user.session_token) >= 32  # 128 bits from secrets.token_hex(16)


def _age(client, key: str, by: timedelta) -> None:
    with client.session_transaction() as session:
        session[key] = session[key] - int(by.total_seconds())


@pytest.mark.parametrize(
    "app_settings",
    [{"RATELIMIT_ENABLED": False, "SESSION_IDLE_TIMEOUT": timedelta(minutes=10)}],
    indirect=True,
)
def test_v3_3_2_idle_session_ends_after_the_configured_time(client, login_as):
    login_as("analyst")
    _age(client, LAST_SEEN_AT, timedelta(minutes=9))
    assert client.get("/").status_code == 200
    _age(client, LAST_SEEN_AT, timedelta(minutes=11))
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
    assert "Your session has ended" in client.get("/login").get_data(as_text=True)


@pytest.mark.parametrize(
    "app_settings",
    [{"RATELIMIT_ENABLED": False, "SESSION_IDLE_TIMEOUT": timedelta(minutes=10)}],
    indirect=True,
)
def test_v3_3_2_an_active_session_is_never_cut_before_its_idle_time(client, login_as):
    """Activity a few seconds after the last noted one counts: the idle time runs from the
    latest request, not from a note made up to a minute before it (issue 16, finding 10)."""
    login_as("analyst")
    _age(client, LAST_SEEN_AT, timedelta(seconds=59))
    assert client.get("/").status_code == 200  # active now
    _age(client, LAST_SEEN_AT, timedelta(minutes=9, seconds=50))  # idle 9 min 50 s since
    assert client.get("/").status_code == 200


@pytest.mark.parametrize(
    "app_settings",
    [{"RATELIMIT_ENABLED": False, "SESSION_ABSOLUTE_LIFETIME": timedelta(hours=8)}],
    indirect=True,
)
def test_v3_3_2_active_session_still_ends_at_its_absolute_lifetime(client, login_as):
    login_as("analyst")
    _age(client, AUTHENTICATED_AT, timedelta(hours=7, minutes=59))
    assert client.get("/").status_code == 200
    _age(client, AUTHENTICATED_AT, timedelta(minutes=2))
    assert client.get("/").status_code == 302


def _set_cookie_header(response) -> str:
    headers = [h for h in response.headers.getlist("Set-Cookie") if h.startswith(COOKIE + "=")]
    assert headers
    return headers[-1]


def test_v3_4_2_v3_4_3_cookie_is_httponly_and_samesite_lax(client):
    factories.make_user("analyst", "ana@example.org")
    db.session.commit()
    cookie = _set_cookie_header(log_in(client, "ana@example.org"))
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # plain HTTP in development: a Secure cookie would be lost


def test_v3_4_1_cookie_is_secure_when_served_over_https(app):
    factories.make_user("analyst", "ana@example.org")
    db.session.commit()
    client = app.test_client()
    page = client.get("/login", base_url="https://tracker.example").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    response = client.post(
        "/login",
        base_url="https://tracker.example",
        data={"email": "ana@example.org", "password": factories.PASSWORD, "csrf_token": token},
    )
    assert response.status_code == 302
    assert "Secure" in _set_cookie_header(response)


@pytest.mark.parametrize(
    "app_settings", [{"RATELIMIT_ENABLED": False, "HTTPS_MODE": "on"}], indirect=True
)
def test_v3_4_1_tracker_https_on_forces_secure_cookies_and_hsts(client):
    factories.make_user("analyst", "ana@example.org")
    db.session.commit()
    response = log_in(client, "ana@example.org")
    assert "Secure" in _set_cookie_header(response)
    assert "Strict-Transport-Security" in response.headers


def test_v3_3_1_an_account_deactivated_directly_in_the_database_is_logged_out(client, login_as):
    user = login_as("researcher")
    user.active = False  # e.g. by a script, without the service that rotates the token
    db.session.commit()
    assert client.get("/").status_code == 302
