"""Defaults that are safe without anyone setting them (issue 16, finding 9; ASVS V2.1.7,
V4.3.1, V3.3.x, V14.x)."""

import csv
import io

import pytest

from tests import factories
from tests.conftest import csrf_token, log_in
from tracker.accounts import services as accounts
from tracker.accounts.models import ApiToken
from tracker.exceptions import ValidationFailed
from tracker.extensions import db
from tracker.places.services import facilities

PRODUCTION_2FA = pytest.mark.parametrize(
    "app_settings", [{"RATELIMIT_ENABLED": False, "ADMIN_REQUIRES_TWO_FACTOR": True}], indirect=True
)
BEHIND_AN_ADDRESS = pytest.mark.parametrize(
    "app_settings",
    [
        {
            "RATELIMIT_ENABLED": False,
            "BASE_URL": "https://tracker.example.org",
            "TRUSTED_HOSTS": ["tracker.example.org", "localhost"],
        }
    ],
    indirect=True,
)


@PRODUCTION_2FA
def test_v4_3_1_an_admin_enrols_in_two_factor_login_at_the_first_login(app, client):
    admin = factories.make_user("admin")
    analyst = factories.make_user("analyst")
    db.session.commit()
    assert log_in(client, admin.email).status_code == 302
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/account/two-factor"
    other = app.test_client()
    assert log_in(other, analyst.email).status_code == 302
    assert other.get("/").status_code == 200  # other roles as the admin sets them


def test_v4_1_3_create_an_account_defaults_to_the_analyst_role(client, login_as):
    login_as("admin")
    page = client.get("/admin/users/new").get_data(as_text=True)
    selected = [line for line in page.splitlines() if "<option" in line and "selected" in line]
    assert selected and all('value="analyst"' in line for line in selected)
    assert 'selected value="admin"' not in page and 'value="admin" selected' not in page


@pytest.mark.parametrize(
    ("password", "why"),
    [
        ("password1234", "common password"),
        ("qwerty123456", "common password"),
        ("asdfghjkl;'zxcv", "keys next to each other"),
        ("abcdefghijklmnop", "sequence"),
        ("ohmyohmyohmyohmy", "repeats"),
    ],
)
def test_v2_1_7_weak_passwords_are_refused_with_the_reason_in_words(app, password, why):
    with pytest.raises(ValidationFailed) as refused:
        factories.make_user("analyst", password=password)
    assert "too easy to guess" in refused.value.message or "too common" in refused.value.message
    assert why in refused.value.message or "too common" in refused.value.message


def test_v2_1_7_a_weak_password_is_refused_in_korean_too(app, client, login_as):
    login_as("analyst")
    client.set_cookie("tracker_lang", "ko")
    client.post(
        "/language",
        data={"language": "ko", "csrf_token": csrf_token(client, "/account"), "next": "/"},
    )
    response = client.post(
        "/account/password",
        data={
            "current_password": factories.PASSWORD,
            "new_password": "asdfghjkl;'zxcv",
            "confirm": "asdfghjkl;'zxcv",
            "csrf_token": csrf_token(client, "/account/password"),
        },
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "너무 쉽게 추측됩니다" in page  # too easy to guess …
    assert "키보드에서 나란히 있는 키" in page  # … because: keys next to each other


def test_v2_1_7_strong_passphrases_are_accepted(app):
    factories.make_user("analyst", password="mangoes under the bridge at dusk")


@BEHIND_AN_ADDRESS
def test_v14_export_links_use_the_base_url_and_unknown_hosts_are_refused(app, client, login_as):
    login_as("analyst")
    facility = facilities.create(None, {"name": "Shenyang Prison", "kind": "prison"})
    db.session.commit()
    response = client.get("/exports/file?what=facilities&format=csv")
    (row,) = csv.DictReader(io.StringIO(response.data.decode("utf-8-sig")))
    assert row["record_url"] == f"https://tracker.example.org/facilities/{facility.id}"
    refused = client.get("/", headers={"Host": "evil.example"})
    assert refused.status_code == 400


def test_v14_without_a_base_url_links_never_come_from_the_host_header(app, client, login_as):
    """The request's Host (here the test client's "localhost") never makes an export's links."""
    login_as("analyst")
    facility = facilities.create(None, {"name": "Shenyang Prison", "kind": "prison"})
    db.session.commit()
    response = client.get("/exports/file?what=facilities&format=csv")
    (row,) = csv.DictReader(io.StringIO(response.data.decode("utf-8-sig")))
    assert row["record_url"] == f"/facilities/{facility.id}"
    assert "localhost" not in response.data.decode("utf-8-sig")


def _tokens_live(user) -> int:  # type: ignore[no-untyped-def]
    db.session.expire_all()
    tokens = db.session.execute(db.select(ApiToken).where(ApiToken.user_id == user.id))
    return sum(1 for token in tokens.scalars() if token.revoked_at is None)


def _change(client, current: str, new: str, **extra):  # type: ignore[no-untyped-def]
    data = {"current_password": current, "new_password": new, "confirm": new, **extra}
    data["csrf_token"] = csrf_token(client, "/account/password")
    return client.post("/account/password", data=data)


NEW = "mangoes under the bridge at dusk"


def test_v3_3_x_a_password_change_offers_to_revoke_the_api_tokens(app, client, login_as):
    user = login_as("researcher")
    accounts.create_api_token(None, user, "laptop")
    db.session.commit()
    page = client.get("/account/password").get_data(as_text=True)
    assert "Also revoke my API tokens" in page
    assert _change(client, factories.PASSWORD, NEW).status_code == 302
    assert _tokens_live(user) == 1  # not asked: kept
    assert log_in(client, user.email, NEW).status_code == 302
    assert _change(client, NEW, NEW + " again", revoke_tokens="y").status_code == 302
    assert _tokens_live(user) == 0


def test_v3_3_x_a_change_after_a_reset_revokes_the_api_tokens(app, client, login_as):
    admin = factories.make_user("admin")
    db.session.commit()
    user, one_time = accounts.invite_user(admin, "new.person@example.org", "researcher")
    accounts.create_api_token(None, user, "script")
    db.session.commit()
    factories.sensitive(one_time)
    assert log_in(client, user.email, one_time).status_code == 302
    assert _change(client, one_time, NEW).status_code == 302
    assert _tokens_live(user) == 0
