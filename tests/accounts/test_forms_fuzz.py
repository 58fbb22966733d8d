"""Property-based: nothing typed into the login or setup forms gets a 5xx."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests import factories
from tests.conftest import csrf_token
from tracker.extensions import db

# Any text a browser could send (surrogates cannot be encoded as UTF-8 at all).
anything = st.text(st.characters(exclude_categories=("Cs",)), max_size=400)

FUZZ = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.fixture
def known_user(app):
    user = factories.make_user("analyst", "ana@example.org")
    db.session.commit()
    return user


@FUZZ
@given(email=anything, password=anything, with_token=st.booleans())
def test_login_form_never_fails_with_a_server_error(
    client, known_user, email, password, with_token
):
    data = {"email": email, "password": password}
    if with_token:
        data["csrf_token"] = csrf_token(client, "/login")
    response = client.post("/login", data=data)
    assert response.status_code < 500
    assert response.status_code != 302 or password == factories.PASSWORD


@FUZZ
@given(email=anything, password=anything, confirm=anything)
def test_setup_form_never_fails_with_a_server_error(app, email, password, confirm):
    client = app.test_client()
    form_page = "/setup" if client.get("/setup").status_code == 200 else "/login"
    data = {"email": email, "password": password, "confirm": confirm}
    data["csrf_token"] = csrf_token(client, form_page)
    response = client.post("/setup", data=data)
    assert response.status_code < 500
