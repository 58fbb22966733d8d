"""Property-based: nothing typed into the login, setup or account forms gets a 5xx
(ASVS 5.1.3, 7.4.1)."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests import factories
from tests.conftest import csrf_token, log_in
from tracker.accounts.services import find_user
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


@FUZZ
@given(current=anything, new=anything, confirm=anything)
def test_v5_1_3_password_change_form_never_fails_with_a_server_error(app, current, new, confirm):
    client = app.test_client()
    email = "fuzz-pw@example.org"
    if find_user(email) is None:
        factories.make_user("analyst", email)
        db.session.commit()
    assert log_in(client, email).status_code == 302
    data = {"current_password": current, "new_password": new, "confirm": confirm}
    data["csrf_token"] = csrf_token(client, "/account/password")
    response = client.post("/account/password", data=data)
    assert response.status_code < 500
    assert response.status_code != 302 or current == factories.PASSWORD


@pytest.fixture
def two_factor_user(app):
    user = factories.make_user("analyst", "fuzz-2fa@example.org")
    factories.enrol_two_factor(user)
    db.session.commit()
    return user


@FUZZ
@given(code=anything)
def test_v5_1_3_second_factor_and_enrolment_forms_never_fail_with_a_server_error(
    app, two_factor_user, code
):
    client = app.test_client()
    log_in(client, two_factor_user.email)
    token = csrf_token(client, "/login/code")
    response = client.post("/login/code", data={"code": code, "csrf_token": token})
    assert response.status_code < 500
    for path in ("/account/two-factor/confirm", "/account/two-factor/recovery-codes"):
        assert client.post(path, data={"code": code, "csrf_token": token}).status_code < 500


@FUZZ
@given(email=anything, role=anything, roles=st.lists(anything, max_size=4))
def test_v5_1_3_admin_account_forms_never_fail_with_a_server_error(app, email, role, roles):
    client = app.test_client()
    admin_email = "fuzz-admin@example.org"
    if find_user(admin_email) is None:
        factories.make_user("admin", admin_email)
        factories.make_user("analyst", "fuzz-target@example.org")
        db.session.commit()
    assert log_in(client, admin_email).status_code == 302
    token = csrf_token(client, "/account/two-factor")  # reachable even if 2FA is required
    target = find_user("fuzz-target@example.org")
    for path, data in (
        ("/admin/users/new", {"email": email, "role": role}),
        (f"/admin/users/{target.id}/role", {"role": role}),
        ("/admin/two-factor-policy", {name: "y" for name in roles}),
    ):
        response = client.post(path, data=dict(data, csrf_token=token))
        assert response.status_code < 500, path
    db.session.rollback()
