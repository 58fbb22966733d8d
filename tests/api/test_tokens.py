"""Tokens: made by users for themselves, shown once, stored hashed, named, revocable, last use
shown, carrying the user's role; no cookie ever stands in for one; limited per token."""

import re

import pytest
from sqlalchemy import select

from tests import factories
from tests.api.conftest import PREFIX, assert_error, new_token
from tests.conftest import csrf_token, log_in
from tracker.accounts.models import ApiToken
from tracker.accounts.services import hash_token
from tracker.audit.models import AuditEntry
from tracker.extensions import db

TOKEN = re.compile(r'<code class="secret new-token">(rt_[A-Za-z0-9_-]+)</code>')


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_a_user_creates_a_token_once_uses_it_sees_its_use_and_revokes_it(app, client, login_as):
    analyst = login_as("analyst")
    assert b"API tokens" in client.get("/account").data
    page = client.post(
        "/account/tokens",
        data={"name": "R on my laptop", "csrf_token": csrf_token(client, "/account/tokens")},
    )
    assert page.status_code == 200
    match = TOKEN.search(page.get_data(as_text=True))
    assert match, "the new token is shown"
    plain = factories.sensitive(match.group(1))

    stored = db.session.execute(select(ApiToken)).scalar_one()
    assert (stored.user_id, stored.name) == (analyst.id, "R on my laptop")
    assert stored.token_hash == hash_token(plain) and plain not in stored.token_hash
    assert stored.last_used_at is None
    listing = client.get("/account/tokens").get_data(as_text=True)
    assert plain not in listing, "shown only once"
    assert "R on my laptop" in listing and "never" in listing

    script = app.test_client()  # no cookie, only the token
    used = script.get(f"{PREFIX}/facilities", headers=_bearer(plain))
    assert used.status_code == 200
    db.session.expire_all()
    assert db.session.get(ApiToken, stored.id).last_used_at is not None
    assert_error(
        script.post(f"{PREFIX}/facilities", json={"name": "X"}, headers=_bearer(plain)), 403
    )  # the analyst's role comes with the token

    other = app.test_client()  # someone else cannot revoke it
    someone = factories.make_user("researcher")
    db.session.commit()
    log_in(other, someone.email)
    refused = other.post(
        f"/account/tokens/{stored.id}/revoke",
        data={"csrf_token": csrf_token(other, "/account/tokens")},
    )
    assert refused.status_code == 404
    assert script.get(f"{PREFIX}/facilities", headers=_bearer(plain)).status_code == 200

    listing = client.get("/account/tokens").get_data(as_text=True)
    assert re.search(r'class="last-used">\d{4}-\d\d-\d\d \d\d:\d\d<', listing)
    revoked = client.post(
        f"/account/tokens/{stored.id}/revoke",
        data={"csrf_token": csrf_token(client, "/account/tokens")},
    )
    assert revoked.status_code == 302
    assert_error(script.get(f"{PREFIX}/facilities", headers=_bearer(plain)), 401, "unauthorized")
    actions = db.session.execute(
        select(AuditEntry.action).where(AuditEntry.action.like("token.%"))
    ).scalars()
    assert sorted(actions) == ["token.create", "token.revoke"]


def test_a_token_for_an_account_that_was_deactivated_stops_working(app, client):
    user = factories.make_user("researcher")
    token = new_token(user)
    assert client.get(f"{PREFIX}/crossings", headers=_bearer(token)).status_code == 200
    user.active = False
    db.session.commit()
    assert_error(client.get(f"{PREFIX}/crossings", headers=_bearer(token)), 401)


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "Bearer",
        "Bearer rt_not-a-real-token",
        "Basic dXNlcjpwYXNz",
        "Bearer " + "x" * 5000,
    ],
)
def test_requests_without_a_valid_token_get_401_json(client, header):
    headers = {"Authorization": header} if header is not None else {}
    for path in ("/facilities", "/persons/1", "/summary", "/openapi.json"):
        response = client.get(PREFIX + path, headers=headers)
        assert_error(response, 401, "unauthorized")
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_logged_in_session_cookie_is_not_api_authentication(client, login_as):
    login_as("admin")
    assert client.get("/account").status_code == 200
    for method, path in (("GET", "/persons"), ("POST", "/crossings"), ("GET", "/summary")):
        response = client.open(PREFIX + path, method=method, json={"name": "Namyang"})
        assert_error(response, 401)
        assert "Set-Cookie" not in response.headers


def test_cors_is_off(api_as):
    api = api_as("researcher")
    origin = {"Origin": "https://elsewhere.example"}
    response = api.get("/facilities", headers=origin)
    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response.headers
    preflight = api.open("OPTIONS", "/facilities", headers=origin)
    assert "Access-Control-Allow-Origin" not in preflight.headers


def test_the_cli_token_works_like_one_made_on_the_page(app, runner, client):  # noqa: ARG001
    factories.make_user("researcher", "cli@example.org")
    db.session.commit()
    result = runner.invoke(args=["users", "token", "cli@example.org", "--name", "import job"])
    assert result.exit_code == 0, result.output
    plain = factories.sensitive(re.search(r"rt_[A-Za-z0-9_-]+", result.output).group(0))
    created = client.post(f"{PREFIX}/crossings", json={"name": "Hyesan"}, headers=_bearer(plain))
    assert created.status_code == 201


@pytest.mark.parametrize(
    "app_settings", [{"RATELIMIT_ENABLED": True, "API_RATE_LIMIT": "3 per minute"}], indirect=True
)
def test_each_token_has_its_own_rate_limit(app, client):
    first = new_token(factories.make_user("analyst"))
    second = new_token(factories.make_user("analyst"))
    statuses = [
        client.get(f"{PREFIX}/crossings", headers=_bearer(first)).status_code for _ in range(4)
    ]
    assert statuses == [200, 200, 200, 429]
    assert_error(client.get(f"{PREFIX}/crossings", headers=_bearer(first)), 429)
    assert client.get(f"{PREFIX}/crossings", headers=_bearer(second)).status_code == 200
