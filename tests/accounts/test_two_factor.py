"""Two-factor login: enrolment with an app-drawn QR code, one-time codes, recovery codes,
and the admin's policy that sends users to enrolment first."""

import re

from sqlalchemy import select

from tests import factories
from tests.conftest import csrf_token, log_in
from tracker.accounts import services as accounts
from tracker.accounts.models import RecoveryCode, User
from tracker.audit.models import AuditEntry
from tracker.extensions import db


def _two_factor_user(email: str = "ana@example.org", role: str = "analyst"):  # type: ignore[no-untyped-def]
    user = factories.make_user(role, email)
    codes = factories.enrol_two_factor(user)
    db.session.commit()
    return user, codes


def _enter_code(client, code: str):  # type: ignore[no-untyped-def]
    return client.post(
        "/login/code", data={"code": code, "csrf_token": csrf_token(client, "/login/code")}
    )


def _log_out(client) -> None:
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})


def test_v2_8_1_password_alone_is_not_enough_once_2fa_is_on(client):
    user, _ = _two_factor_user()
    response = log_in(client, user.email)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login/code")
    assert client.get("/").status_code == 302  # not logged in yet
    assert _enter_code(client, factories.totp_code(user)).status_code == 302
    assert client.get("/").status_code == 200


def test_v2_8_4_totp_code_cannot_be_replayed(client):
    user, _ = _two_factor_user()
    code = factories.totp_code(user)
    log_in(client, user.email)
    assert _enter_code(client, code).status_code == 302
    _log_out(client)
    log_in(client, user.email)
    replay = _enter_code(client, code)
    assert replay.status_code == 401
    assert "already used" in replay.get_data(as_text=True)
    assert client.get("/").status_code == 302
    # an older code than the last one used is refused as well
    log_in(client, user.email)
    assert _enter_code(client, factories.totp_code(user, -1)).status_code == 401


def test_v2_8_4_a_replayed_code_is_logged(client, caplog):
    user, _ = _two_factor_user()
    code = factories.totp_code(user)
    log_in(client, user.email)
    _enter_code(client, code)
    _log_out(client)
    log_in(client, user.email)
    _enter_code(client, code)
    failures = [r.getMessage() for r in caplog.records if "event=login.failure" in r.getMessage()]
    assert any(f"user={user.id}" in line and "step=second_factor" in line for line in failures)


def test_v2_6_1_recovery_code_works_once(client):
    user, codes = _two_factor_user()
    log_in(client, user.email)
    assert _enter_code(client, codes[0].upper().replace("-", " ")).status_code == 302
    assert client.get("/").status_code == 200
    _log_out(client)
    log_in(client, user.email)
    assert _enter_code(client, codes[0]).status_code == 401
    assert _enter_code(client, codes[1]).status_code == 302
    assert accounts.recovery_codes_left(db.session.get(User, user.id)) == len(codes) - 2


def test_v2_6_2_recovery_codes_are_stored_as_salted_argon2id_hashes(app):
    user, codes = _two_factor_user()
    stored = db.session.execute(select(RecoveryCode.code_hash)).scalars().all()
    assert len(stored) == len(codes) == 10
    assert all(value.startswith("$argon2id$") for value in stored)
    assert len(set(stored)) == 10
    for code in codes:
        assert all(code.replace("-", "") not in value for value in stored)
    assert len(set(codes)) == 10
    assert all(re.fullmatch(r"[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}", code) for code in codes)


def test_v2_8_3_enrolment_shows_a_qr_code_drawn_by_the_app_and_confirms_with_a_code(
    client, login_as
):
    login_as("researcher")
    assert "Set up two-factor login" in client.get("/account/two-factor").get_data(as_text=True)
    token = csrf_token(client, "/account/two-factor")
    assert client.post("/account/two-factor/start", data={"csrf_token": token}).status_code == 302
    page = client.get("/account/two-factor").get_data(as_text=True)
    assert "<svg" in page and 'class="qrline"' in page
    assert "<img" not in page and "http" not in page.split("<svg", 1)[1].split("</svg>", 1)[0]
    user = db.session.execute(select(User).where(User.role == "researcher")).scalar_one()
    db.session.refresh(user)
    factories.sensitive(user.totp_secret)
    assert user.totp_secret in page  # the key to type in by hand
    assert not user.has_two_factor  # not before a code from it is confirmed

    wrong = client.post(
        "/account/two-factor/confirm",
        data={"code": "123 456", "csrf_token": token},
        follow_redirects=True,
    )
    assert "That code is not right" in wrong.get_data(as_text=True)
    done = client.post(
        "/account/two-factor/confirm",
        data={"code": factories.totp_code(user), "csrf_token": token},
    )
    assert done.status_code == 200
    shown = re.findall(r"<code>([a-z2-9-]{14})</code>", done.get_data(as_text=True))
    for code in shown:
        factories.sensitive(code)
    assert len(shown) == 10
    db.session.refresh(user)
    assert user.has_two_factor
    actions = db.session.execute(select(AuditEntry.action)).scalars().all()
    assert "user.two_factor_enable" in actions


def test_v2_6_1_new_recovery_codes_replace_the_old_ones(client):
    user, old_codes = _two_factor_user()
    log_in(client, user.email)
    _enter_code(client, factories.totp_code(user))
    response = client.post(
        "/account/two-factor/recovery-codes",
        data={
            "code": factories.totp_code(user, 1),
            "csrf_token": csrf_token(client, "/account/two-factor"),
        },
    )
    assert response.status_code == 200
    new_codes = [
        factories.sensitive(code)
        for code in re.findall(r"<code>([a-z2-9-]{14})</code>", response.get_data(as_text=True))
    ]
    assert len(new_codes) == 10 and not set(new_codes) & set(old_codes)
    _log_out(client)
    log_in(client, user.email)
    assert _enter_code(client, old_codes[0]).status_code == 401
    assert _enter_code(client, new_codes[0]).status_code == 302


def test_v2_8_1_the_code_step_expires_and_needs_the_password_first(app, client):
    user, _ = _two_factor_user()
    assert client.get("/login/code").headers["Location"] == "/login"
    log_in(client, user.email)
    token = csrf_token(client, "/login/code")
    with client.session_transaction() as session:
        pending = session["pending_login"]
        session["pending_login"] = dict(pending, at=pending["at"] - 6 * 60)  # 6 minutes ago
    response = client.post(
        "/login/code", data={"code": factories.totp_code(user), "csrf_token": token}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/login"
    assert client.get("/").status_code == 302


def _set_policy(client, roles: list[str]):  # type: ignore[no-untyped-def]
    data = {role: "y" for role in roles}
    data["csrf_token"] = csrf_token(client, "/admin/users")
    return client.post("/admin/two-factor-policy", data=data)


def test_v4_3_1_a_new_admin_enforces_2fa_for_everyone_and_sees_who_enrolled(client, app):
    """The issue's 'done when': enforce for every role, admins included, then see who enrolled."""
    researcher, _ = _two_factor_user("res@example.org", "researcher")
    factories.make_user("analyst", "late@example.org")
    db.session.commit()
    assert client.get("/").headers["Location"].endswith("/login?next=/")

    admin = factories.make_user("admin", "founder@example.org")
    db.session.commit()
    log_in(client, admin.email)
    assert _set_policy(client, ["admin", "researcher", "analyst"]).status_code == 302

    # the admin is the first to be sent to enrolment, before any other page
    for path in ("/", "/admin/users", "/admin/audit", "/account"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response.headers["Location"] == "/account/two-factor"
    token = csrf_token(client, "/account/two-factor")
    client.post("/account/two-factor/start", data={"csrf_token": token})
    db.session.expire_all()
    admin = db.session.get(User, admin.id)
    factories.sensitive(admin.totp_secret)
    done = client.post(
        "/account/two-factor/confirm",
        data={"code": factories.totp_code(admin), "csrf_token": token},
    )
    for code in re.findall(r"<code>([a-z2-9-]{14})</code>", done.get_data(as_text=True)):
        factories.sensitive(code)
    assert done.status_code == 200

    page = client.get("/admin/users").get_data(as_text=True)
    rows = {
        email: row
        for row in page.split("<tr>")[2:]
        for email in re.findall(r">([^<>@\s]+@example\.org)<", row)
    }
    assert "enrolled" in rows["founder@example.org"]
    assert "enrolled" in rows["res@example.org"] and "not enrolled" not in rows["res@example.org"]
    assert "not enrolled (required)" in rows["late@example.org"]
    assert all(accounts.two_factor_policy()[role] for role in ("admin", "researcher", "analyst"))
    assert "policy.two_factor" in db.session.execute(select(AuditEntry.action)).scalars().all()

    # the analyst who has not enrolled can do nothing else until they have
    _log_out(client)
    log_in(client, "late@example.org")
    assert client.get("/").headers["Location"] == "/account/two-factor"
    assert client.get("/account/two-factor").status_code == 200
    assert researcher.has_two_factor


def test_v2_5_7_admin_reset_lets_a_user_who_lost_the_phone_enrol_again(client):
    user, codes = _two_factor_user()
    admin = factories.make_user("admin", "root@example.org")
    db.session.commit()
    log_in(client, admin.email)
    response = client.post(
        f"/admin/users/{user.id}/reset-two-factor",
        data={"csrf_token": csrf_token(client, f"/admin/users/{user.id}")},
    )
    assert response.status_code == 302
    db.session.expire_all()
    user = db.session.get(User, user.id)
    assert not user.has_two_factor and user.totp_secret is None
    assert db.session.execute(select(RecoveryCode)).first() is None
    other = client.application.test_client()
    assert log_in(other, user.email).headers["Location"] == "/"  # password alone, until re-enrolled


def test_v2_8_4_a_code_used_by_another_server_process_a_moment_ago_is_refused(app):
    """Two processes check the same code at once: the database lets only one of them use it."""
    from sqlalchemy import update

    user, codes = _two_factor_user()
    code = factories.totp_code(user)
    counter = accounts.two_factor.matching_counter(user.totp_secret, code, user.totp_last_counter)
    # the other process wins the race: it stores the step behind this session's back
    with db.engine.begin() as connection:
        connection.execute(
            update(User.__table__).where(User.id == user.id).values(totp_last_counter=counter)
        )
    assert accounts.verify_second_factor(user, code) is False  # this session's copy was stale
    db.session.rollback()  # end that attempt's write transaction (SQLite has one writer)
    user = db.session.get(User, user.id)
    first = (
        db.session.execute(
            select(RecoveryCode).where(RecoveryCode.user_id == user.id).order_by(RecoveryCode.id)
        )
        .scalars()
        .first()
    )
    with db.engine.begin() as connection:
        connection.execute(
            update(RecoveryCode.__table__)
            .where(RecoveryCode.id == first.id)
            .values(used_at=first.created_at)
        )
    assert first.used_at is None  # stale here too
    results = [accounts.verify_second_factor(user, recovery) for recovery in codes]
    assert results.count(True) == len(codes) - 1  # every code but the one used elsewhere
    db.session.rollback()
