"""Password rules (ASVS 2.1) and changing one's own password."""

import pytest
from sqlalchemy import select

from tests import factories
from tests.conftest import csrf_token, log_in
from tracker.accounts import services as accounts
from tracker.accounts.models import User
from tracker.audit.models import AuditEntry
from tracker.exceptions import ValidationFailed
from tracker.extensions import db


def _create(password: str) -> User:
    return accounts.create_user(None, "someone@example.org", password, "analyst")


def test_v2_1_1_passwords_shorter_than_12_characters_are_refused(app):
    with pytest.raises(ValidationFailed, match="at least 12"):
        _create("elevenchars")
    assert _create("twelve chars").id


def test_v2_1_2_passwords_of_64_to_128_characters_work_and_longer_are_refused(app, client):
    long_one = factories.sensitive("long passphrase " * 8)  # 128 characters
    assert len(long_one) == 128
    _create(long_one)
    db.session.commit()
    assert log_in(client, "someone@example.org", long_one).status_code == 302
    with pytest.raises(ValidationFailed, match="at most 128"):
        accounts.create_user(None, "other@example.org", long_one + "x", "analyst")


def test_v2_1_3_passwords_are_not_truncated(app, client):
    # a strong start (a run of one letter is refused as too easy to guess), then the end
    start = "Seven quiet herons crossed the amber estuary while distant foghorns counted tides"
    assert len(start) > 72  # past bcrypt's limit, and zxcvbn's
    password = factories.sensitive(start + " the end matters")
    _create(password)
    db.session.commit()
    assert log_in(client, "someone@example.org", start + " the end differs").status_code == 401


def test_v2_1_4_any_unicode_and_spaces_are_allowed(app, client):
    password = factories.sensitive("비밀번호는 길고 안전해요 🔑 ok")
    _create(password)
    db.session.commit()
    assert log_in(client, "someone@example.org", password).status_code == 302


@pytest.mark.parametrize(
    "common", ["123qweasdzxc", "1qaz2wsx3edc", "sonyericsson", "QWERTY123456", " leavemealone "]
)
def test_v2_1_7_passwords_on_the_common_list_are_refused(app, common):
    with pytest.raises(ValidationFailed, match="too common"):
        _create(common)


def test_v2_1_7_the_shipped_list_has_ten_thousand_entries_with_its_provenance():
    from importlib.resources import files

    data = files("tracker.accounts").joinpath("data")
    entries = data.joinpath("common_passwords.txt").read_text("utf-8").split()
    assert len(entries) == 10_000 == len(set(entries))
    assert entries[:2] == ["123456", "password"]
    assert "MIT License" in data.joinpath("COMMON_PASSWORDS.md").read_text("utf-8")


def test_v2_1_7_the_email_address_is_not_a_password(app):
    with pytest.raises(ValidationFailed, match="too common or too easy"):
        accounts.create_user(
            None, "someone.long@example.org", "someone.long@example.org", "analyst"
        )


def test_v2_4_1_passwords_are_stored_as_argon2id_hashes(app):
    user = _create("a long enough passphrase")
    assert user.password_hash.startswith("$argon2id$")
    assert "passphrase" not in user.password_hash


def _change(client, current: str, new: str, confirm: str | None = None):  # type: ignore[no-untyped-def]
    return client.post(
        "/account/password",
        data={
            "current_password": current,
            "new_password": new,
            "confirm": new if confirm is None else confirm,
            "csrf_token": csrf_token(client, "/account/password"),
        },
    )


def test_v2_1_5_users_can_change_their_password(client, login_as):
    user = login_as("analyst")
    new = factories.sensitive("my brand new passphrase")
    response = _change(client, factories.PASSWORD, new)
    assert response.status_code == 302
    assert log_in(client, user.email, factories.PASSWORD).status_code == 401
    assert log_in(client, user.email, new).status_code == 302
    actions = db.session.execute(select(AuditEntry.action)).scalars().all()
    assert "user.password_change" in actions


def test_v2_1_6_v3_7_1_changing_needs_the_current_password(client, login_as):
    user = login_as("analyst")
    new = factories.sensitive("my brand new passphrase")
    response = _change(client, "not my current password", new)
    assert response.status_code == 422
    assert "That is not your current password." in response.get_data(as_text=True)
    assert client.get("/").status_code == 200  # nothing changed, still logged in
    db.session.expire_all()
    assert log_in(client.application.test_client(), user.email).status_code == 302


@pytest.mark.parametrize(
    ("new", "confirm", "message"),
    [
        ("short one", None, "at least 12"),
        ("q1w2e3r4t5y6", None, "too common"),
        ("a fine passphrase", "a different one!", "The passwords differ."),
        (factories.PASSWORD, None, "different from the current one"),
    ],
)
def test_v2_1_1_new_password_follows_the_rules(client, login_as, new, confirm, message):
    login_as("analyst")
    response = _change(client, factories.PASSWORD, new, confirm)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)


def test_v2_5_4_an_invited_user_must_replace_the_one_time_password_first(client, app):
    admin = factories.make_user("admin", "root@example.org")
    user, one_time = accounts.invite_user(admin, "new@example.org", "researcher")
    factories.sensitive(one_time)
    db.session.commit()
    assert log_in(client, "new@example.org", one_time).status_code == 302
    for path in ("/", "/account", "/account/two-factor"):
        response = client.get(path)
        assert response.status_code == 302
        assert response.headers["Location"] == "/account/password"
    mine = factories.sensitive("my own good passphrase")
    assert _change(client, one_time, mine).status_code == 302
    assert log_in(client, "new@example.org", mine).status_code == 302
    assert client.get("/").status_code == 200
