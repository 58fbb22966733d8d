"""API clients: a test client that sends a role's bearer token on every request."""

from typing import Any

import pytest
from flask.testing import FlaskClient

from tests import factories
from tracker.accounts.models import User
from tracker.accounts.services import create_api_token
from tracker.extensions import db

PREFIX = "/api/v1"


def new_token(user: User, name: str = "script") -> str:
    """Issue a token through the service (as the CLI does) and commit it."""
    _, plain = create_api_token(None, user, name)
    db.session.commit()
    return factories.sensitive(plain)


class ApiClient:
    """Requests to /api/v1 as one account, authenticated by its token only."""

    def __init__(self, client: FlaskClient, user: User, token: str):
        self.client, self.user, self.token = client, user, token

    def open(self, method: str, path: str, headers: dict[str, str] | None = None, **kwargs: Any):  # type: ignore[no-untyped-def]
        sent = {"Authorization": f"Bearer {self.token}", **(headers or {})}
        return self.client.open(PREFIX + path, method=method, headers=sent, **kwargs)

    def get(self, path: str, **kwargs: Any):  # type: ignore[no-untyped-def]
        return self.open("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any):  # type: ignore[no-untyped-def]
        return self.open("POST", path, **kwargs)

    def patch(self, path: str, **kwargs: Any):  # type: ignore[no-untyped-def]
        return self.open("PATCH", path, **kwargs)

    def delete(self, path: str, **kwargs: Any):  # type: ignore[no-untyped-def]
        return self.open("DELETE", path, **kwargs)


@pytest.fixture
def api_as(app, client):  # type: ignore[no-untyped-def]
    """api_as("analyst") → an ApiClient with a fresh account of that role and its token."""

    def make(role: str) -> ApiClient:
        user = factories.make_user(role)
        db.session.commit()
        return ApiClient(client, user, new_token(user))

    return make


def assert_error(response, status: int, code: str | None = None) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """The response is the API's JSON error with this status; returns its `error` object."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body["error"]) == {"code", "message", "fields"}
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    if code is not None:
        assert body["error"]["code"] == code
    return body["error"]  # type: ignore[no-any-return]
