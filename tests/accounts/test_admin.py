"""Admin account pages: create (invite), roles, deactivation, the list; every action audited."""

import re

import pytest
from sqlalchemy import select

from tests import factories
from tests.conftest import csrf_token, log_in
from tracker.accounts.models import User
from tracker.audit.models import AuditEntry
from tracker.extensions import db


@pytest.fixture
def admin(client):  # type: ignore[no-untyped-def]
    user = factories.make_user("admin", "root@example.org")
    db.session.commit()
    assert log_in(client, user.email).status_code == 302
    return user


def _post(client, path: str, **data):  # type: ignore[no-untyped-def]
    data["csrf_token"] = csrf_token(client, "/account")  # the session's token, from any page
    return client.post(path, data=data)


def _audit(action: str) -> list[AuditEntry]:
    return list(db.session.execute(select(AuditEntry).where(AuditEntry.action == action)).scalars())


def test_v4_1_1_admin_creates_an_account_with_a_one_time_password(client, admin):
    response = _post(client, "/admin/users/new", email="New.Person@Example.org", role="researcher")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    one_time = factories.sensitive(re.search(r'<code class="secret">([^<]+)</code>', page).group(1))
    assert len(one_time) >= 16
    user = db.session.execute(
        select(User).where(User.email == "new.person@example.org")
    ).scalar_one()
    assert user.role == "researcher" and user.password_change_required
    assert [entry.actor_id for entry in _audit("user.create")][-1] == admin.id
    newcomer = client.application.test_client()
    assert log_in(newcomer, "new.person@example.org", one_time).status_code == 302
    assert newcomer.get("/").headers["Location"] == "/account/password"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"email": "not an address", "role": "analyst"}, "valid email"),
        ({"email": "root@example.org", "role": "analyst"}, "Already in use."),
        ({"email": "x@example.org", "role": "superuser"}, "Not a valid choice"),
        ({"email": "", "role": "analyst"}, "This field is required."),
    ],
)
def test_v5_1_3_bad_account_input_gets_a_message_and_creates_nothing(client, admin, data, message):
    response = _post(client, "/admin/users/new", **data)
    assert 400 <= response.status_code < 500
    assert message in response.get_data(as_text=True)
    assert db.session.execute(select(User.email)).scalars().all() == ["root@example.org"]


def test_v4_1_3_role_change_is_audited_with_old_and_new(client, admin):
    user = factories.make_user("researcher", "res@example.org")
    db.session.commit()
    response = _post(client, f"/admin/users/{user.id}/role", role="analyst")
    assert response.status_code == 302
    db.session.refresh(user)
    assert user.role == "analyst"
    entry = _audit("user.role_change")[-1]
    assert entry.changes == {"role": {"old": "researcher", "new": "analyst"}}
    assert entry.actor_id == admin.id and entry.entity_id == user.id


def test_v4_1_3_the_last_admin_cannot_demote_or_deactivate_themselves(client, admin):
    for path, data in (
        (f"/admin/users/{admin.id}/role", {"role": "analyst"}),
        (f"/admin/users/{admin.id}/deactivate", {}),
    ):
        response = _post(client, path, **data)
        assert response.status_code == 302
        assert "last active admin" in client.get(response.headers["Location"]).get_data(
            as_text=True
        )
    db.session.refresh(admin)
    assert admin.role == "admin" and admin.active


def test_v4_1_3_deactivated_accounts_are_kept_and_cannot_log_in(client, admin):
    user = factories.make_user("researcher", "res@example.org")
    db.session.commit()
    assert _post(client, f"/admin/users/{user.id}/deactivate").status_code == 302
    db.session.refresh(user)
    assert not user.active
    assert log_in(client.application.test_client(), user.email).status_code == 401
    assert db.session.get(User, user.id) is not None  # never deleted
    assert _post(client, f"/admin/users/{user.id}/activate").status_code == 302
    assert log_in(client.application.test_client(), user.email).status_code == 302
    assert [len(_audit("user.deactivate")), len(_audit("user.activate"))] == [1, 1]


def test_admin_sees_last_login_and_two_factor_enrolment(client, admin):
    enrolled = factories.make_user("researcher", "res@example.org")
    factories.enrol_two_factor(enrolled)
    factories.make_user("analyst", "ana@example.org")
    db.session.commit()
    page = client.get("/admin/users").get_data(as_text=True)
    rows = {
        re.search(r">([^<>\s]+@example\.org)<", row).group(1): row for row in page.split("<tr>")[2:]
    }
    assert "enrolled 20" in rows["res@example.org"]
    assert "not enrolled" in rows["ana@example.org"]
    assert "never" in rows["ana@example.org"]
    assert "never" not in rows["root@example.org"]
    detail = client.get(f"/admin/users/{enrolled.id}").get_data(as_text=True)
    assert "10 recovery codes left" in detail


def test_admin_pages_show_404_for_unknown_accounts(client, admin):
    assert client.get("/admin/users/999").status_code == 404
    assert _post(client, "/admin/users/999/deactivate").status_code == 404
