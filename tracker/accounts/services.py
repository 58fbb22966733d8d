"""Accounts: creating users, checking passwords, issuing API tokens."""

import hashlib
import hmac
import secrets
from typing import Any

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, or_, select, update

from tracker.accounts import throttling, two_factor
from tracker.accounts.models import ROLES, ApiToken, RecoveryCode, RolePolicy, User
from tracker.accounts.passwords import (
    hash_password,
    is_common_password,
    verify_password,
    weakness,
)
from tracker.audit import services as audit
from tracker.db import utcnow
from tracker.exceptions import NotFound, PermissionDenied, ValidationFailed
from tracker.extensions import db
from tracker.security import log as security_log
from tracker.security.converters import parse_id

PASSWORD_MIN_LENGTH = 12
PASSWORD_MAX_LENGTH = 128
TOKEN_PREFIX = "rt_"  # noqa: S105  (a label, not a secret)


def normalise_email(email: str) -> str:
    """Validate an address's syntax and return it in canonical, lower-case form."""
    try:
        checked = validate_email(email.strip(), check_deliverability=False)
    except EmailNotValidError as error:
        message = _("Enter a valid email address.") + f" {error}"
        raise ValidationFailed(message, {"email": message}) from None
    return checked.normalized.lower()


def check_password_rules(password: str, email: str | None = None, field: str = "password") -> None:
    """Reject passwords that are too short, too long, common, or the account's own address."""
    message = None
    if len(password) < PASSWORD_MIN_LENGTH:
        message = _("Use at least %(min)d characters.", min=PASSWORD_MIN_LENGTH)
    elif len(password) > PASSWORD_MAX_LENGTH:
        message = _("Use at most %(max)d characters.", max=PASSWORD_MAX_LENGTH)
    elif is_common_password(password) or (
        email is not None and password.strip().lower() in {email, email.split("@")[0]}
    ):
        message = _("This password is too common or too easy to guess. Choose another one.")
    else:
        reason = weakness(password, [email, *email.replace("@", ".").split(".")] if email else [])
        if reason is not None:
            message = _("This password is too easy to guess: %(why)s", why=_weakness_text(reason))
    if message:
        raise ValidationFailed(message, {field: message})


def _weakness_text(reason: str) -> str:
    """Why a password is weak, in words (and in Korean)."""
    texts = {
        "dictionary": _(
            "it is a common password or word, perhaps with digits or capitals added. "
            "Use several words that do not belong together."
        ),
        "spatial": _("it follows keys next to each other on the keyboard. Use words instead."),
        "repeat": _("it repeats the same characters or words. Use different words."),
        "sequence": _("it is a sequence such as abcd or 1234. Use words instead."),
        "date": _("dates and years are easy to guess. Leave them out or add more words."),
    }
    return texts.get(reason, _("it is too short for its kind. Add more words."))


def any_user_exists() -> bool:
    """True once the first account has been created."""
    return db.session.execute(select(User.id).limit(1)).first() is not None


def find_user(email: str) -> User | None:
    """The account with this address, if any."""
    return db.session.execute(
        select(User).where(User.email == email.strip().lower())
    ).scalar_one_or_none()


def create_user(actor: User | None, email: str, password: str, role: str) -> User:
    """Create an account; only an admin may (the CLI acts as the system, actor None)."""
    if actor is not None and actor.role != "admin":
        raise PermissionDenied(_("Only an admin can create accounts."))
    if role not in ROLES:
        raise ValidationFailed(
            _("Unknown role."), {"role": _("Choose one of %(roles)s.", roles=", ".join(ROLES))}
        )
    email = normalise_email(email)
    check_password_rules(password, email)
    if find_user(email) is not None:
        raise ValidationFailed(
            _("An account with this email already exists."), {"email": _("Already in use.")}
        )
    user = User(
        email=email,
        password_hash=hash_password(password),
        role=role,
        session_token=secrets.token_hex(16),
    )
    db.session.add(user)
    db.session.flush()
    audit.record(actor, "user.create", user, {"email": email, "role": role})
    return user


def create_first_admin(email: str, password: str) -> User:
    """Create the first admin; refused once any account exists (even in a race)."""
    if any_user_exists():
        raise PermissionDenied(_("Setup is already complete."))
    user = create_user(None, email, password, "admin")
    if db.session.execute(select(func.count(User.id))).scalar_one() != 1:
        raise PermissionDenied(_("Setup is already complete."))
    return user


def authenticate(email: str, password: str) -> User | None:
    """The active account matching these credentials, or None (same cost either way); raises
    TooManyAttempts, before any hashing, when the name is being guessed (throttling.py)."""
    attempt = throttling.begin(email)
    try:
        user = find_user(email)
    except ValueError:
        user = None
    ok = verify_password(user.password_hash if user else None, password)
    if user is None or not ok or not user.active:
        attempt.end(ok=False)
        record_failed_login(user)
        return None
    attempt.end(ok=True)
    return user


def verify_login_code(user: User, code: str) -> bool:
    """The second step of a login: a fresh TOTP or recovery code, throttled with the password
    step (the same account name); a wrong code is recorded as a failed login."""
    attempt = throttling.begin(user.email)
    ok = verify_second_factor(user, code)
    attempt.end(ok)
    if not ok:
        record_failed_login(user, step="second_factor")
    return ok


class WrongPassword(ValidationFailed):
    """A re-authentication failed: the typed password is not the account's."""


def reauthenticate(user: User, password: str, step: str, field: str = "password") -> None:
    """Re-check the password of a logged-in user before something sensitive (an identifying
    export, a password change): throttled and recorded exactly like a failed login."""
    attempt = throttling.begin(user.email)
    ok = verify_password(user.password_hash, password or "")
    attempt.end(ok)
    if not ok:
        record_failed_login(user, step=step)
        message = (
            _("That is not your current password.")
            if field == "current_password"
            else _("That password is not right.")
        )
        raise WrongPassword(message, {field: message})


def record_login(user: User) -> None:
    """Note a successful login."""
    user.last_login_at = utcnow()
    user.failed_logins = 0
    audit.record(user, "user.login", user)
    security_log.event("login.success", user.id)


def set_language(user: User, language: str) -> None:
    """Remember the interface language the user chose (audited like any account change)."""
    if language == user.locale:
        return
    audit.record(user, "user.language", user, {"locale": {"old": user.locale, "new": language}})
    user.locale = language


def record_failed_login(user: User | None, step: str = "password") -> None:
    """Note a failed login (password or second factor) for the audit and the security log."""
    if user is not None:
        user.failed_logins += 1
    audit.record(None, "user.login_failed", user, {"step": step})
    security_log.event("login.failure", user.id if user else None, step=step)


def end_all_sessions(user: User) -> None:
    """Rotate the session token: every cookie issued for this user stops working at once."""
    user.session_token = secrets.token_hex(16)


def user_from_session_id(session_id: str) -> User | None:
    """Resolve Flask-Login's id ("<id>:<session token>"); a stale token means logged out."""
    user_id, _colon, token = session_id.partition(":")
    if parse_id(user_id) is None or not token:
        return None
    user = db.session.get(User, parse_id(user_id))
    if user is None or not user.active or not hmac.compare_digest(user.session_token, token):
        return None
    return user


def hash_token(token: str) -> str:
    """The stored form of an API token."""
    return hashlib.sha256(token.encode()).hexdigest()


def create_api_token(actor: User | None, user: User, name: str) -> tuple[ApiToken, str]:
    """Issue a named token for `user`; the plain token is returned once and never stored."""
    if actor is not None and actor.id != user.id and actor.role != "admin":
        raise PermissionDenied(_("You can only create tokens for yourself."))
    name = name.strip()
    if not name or len(name) > 100:
        raise ValidationFailed(
            _("Give the token a name (up to 100 characters)."), {"name": _("Required.")}
        )
    if not user.active:
        raise ValidationFailed(_("This account is deactivated."))
    plain = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user=user, name=name, token_hash=hash_token(plain), prefix=plain[:10])
    db.session.add(token)
    db.session.flush()
    audit.record(actor, "token.create", token, {"user_id": user.id, "name": name})
    return token, plain


TOKEN_MAX_LENGTH = 100  # far above what create_api_token issues; longer input is not a token
TOKEN_TOUCH_INTERVAL = 60  # seconds: last_used_at is written at most this often per token


def user_tokens(user: User) -> list[ApiToken]:
    """A user's API tokens, newest first, revoked ones included (they show when they ended)."""
    return list(
        db.session.execute(
            select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc())
        ).scalars()
    )


def revoke_api_token(actor: User, token_id: int) -> ApiToken:
    """Revoke a token of the actor's own (admins: anyone's); it stops working at once."""
    token = db.session.get(ApiToken, token_id)
    if token is None or (token.user_id != actor.id and actor.role != "admin"):
        raise NotFound(_("No such token."))
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        db.session.flush()
        audit.record(actor, "token.revoke", token, {"user_id": token.user_id, "name": token.name})
        security_log.event("token.revoke", actor.id, token=token.id)
    return token


def token_in_use(plain: str) -> ApiToken | None:
    """The live token matching `plain` (its account active), its last use noted; else None."""
    if not plain.startswith(TOKEN_PREFIX) or len(plain) > TOKEN_MAX_LENGTH:
        return None
    token = db.session.execute(
        select(ApiToken).where(ApiToken.token_hash == hash_token(plain))
    ).scalar_one_or_none()
    if token is None or token.revoked_at is not None or not token.user.active:
        return None
    now = utcnow()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() >= (
        TOKEN_TOUCH_INTERVAL
    ):
        token.last_used_at = now
        db.session.flush()
    return token


def get_user(user_id: int) -> User:
    """Load an account or raise NotFound."""
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound(_("No such account."))
    return user


def list_users() -> list[Any]:
    """All accounts, by email."""
    return list(db.session.execute(select(User).order_by(User.email)).scalars())


# --- passwords -------------------------------------------------------------------------


def live_tokens(user: User) -> list[ApiToken]:
    """A user's API tokens that still work."""
    return [token for token in user_tokens(user) if token.revoked_at is None]


def change_password(
    user: User, current_password: str, new_password: str, revoke_tokens: bool = False
) -> None:
    """Replace the password after checking the current one (throttled like a login); every
    session of the user ends. Their API tokens are revoked when asked, and always when the
    change follows a reset (a one-time password another person knew)."""
    reauthenticate(user, current_password, step="password_change", field="current_password")
    check_password_rules(new_password, user.email, field="new_password")
    if new_password == current_password:
        message = _("Choose a password different from the current one.")
        raise ValidationFailed(message, {"new_password": message})
    if revoke_tokens or user.password_change_required:
        for token in live_tokens(user):
            revoke_api_token(user, token.id)
    user.password_hash = hash_password(new_password)
    user.password_change_required = False
    user.password_changed_at = utcnow()
    end_all_sessions(user)
    db.session.flush()
    audit.record(user, "user.password_change", user)
    security_log.event("password.change", user.id)


# --- two-factor login ------------------------------------------------------------------


def two_factor_policy() -> dict[str, bool]:
    """For each role, whether its users must use two-factor login."""
    chosen = {
        policy.role: policy.require_two_factor
        for policy in db.session.execute(select(RolePolicy)).scalars()
    }
    return {role: chosen.get(role, False) for role in ROLES}


def two_factor_required(user: User) -> bool:
    """Whether this user's role requires two-factor login: an admin's always (enrolment at
    the first login), other roles as the admin sets them."""
    if user.role == "admin" and current_app.config.get("ADMIN_REQUIRES_TWO_FACTOR", True):
        return True
    policy = db.session.get(RolePolicy, user.role)
    return bool(policy and policy.require_two_factor)


def set_two_factor_policy(actor: User, roles: set[str]) -> None:
    """Require two-factor login for exactly `roles` (admin only)."""
    _require_admin(actor)
    unknown = roles - set(ROLES)
    if unknown:
        raise ValidationFailed(_("Unknown role."), {"roles": _("Choose among the listed roles.")})
    before = two_factor_policy()
    for role in ROLES:
        policy = db.session.get(RolePolicy, role) or RolePolicy(role=role)
        policy.require_two_factor = role in roles
        db.session.add(policy)
    db.session.flush()
    after = two_factor_policy()
    changes = audit.diff(before, after)
    if changes:
        audit.record(actor, "policy.two_factor", changes=changes, entity_type="role_policies")
        security_log.event("admin.two_factor_policy", actor.id, roles=",".join(sorted(roles)))


def begin_two_factor(user: User) -> str:
    """Start enrolment: a new secret, not in force until a code from it is confirmed."""
    if user.has_two_factor:
        raise ValidationFailed(_("Two-factor login is already set up."))
    user.totp_secret = two_factor.new_secret()
    user.totp_enabled_at = None
    user.totp_last_counter = None
    db.session.flush()
    return user.totp_secret


def enrolment_qr(user: User) -> tuple[str, str]:
    """The pending secret's QR code (inline SVG) and the secret for typing in by hand."""
    if user.totp_secret is None or user.has_two_factor:
        raise ValidationFailed(_("Start the set-up first."))
    uri = two_factor.provisioning_uri(user.totp_secret, user.email)
    return two_factor.qr_svg(uri), user.totp_secret


def confirm_two_factor(user: User, code: str) -> list[str]:
    """Turn two-factor login on with a first valid code; returns new recovery codes (shown once)."""
    if user.totp_secret is None or user.has_two_factor:
        raise ValidationFailed(_("Start the set-up first."))
    counter = two_factor.matching_counter(user.totp_secret, code, user.totp_last_counter)
    if counter is None:
        message = _("That code is not right. Check the time on your phone and try the next code.")
        raise ValidationFailed(message, {"code": message})
    user.totp_last_counter = counter
    user.totp_enabled_at = utcnow()
    codes = _replace_recovery_codes(user)
    audit.record(user, "user.two_factor_enable", user)
    security_log.event("two_factor.enable", user.id)
    return codes


def regenerate_recovery_codes(user: User, code: str) -> list[str]:
    """New recovery codes for a user who proves the second factor; the old ones stop working."""
    if not user.has_two_factor:
        raise ValidationFailed(_("Two-factor login is not set up."))
    attempt = throttling.begin(user.email)
    ok = _use_totp_code(user, code)
    attempt.end(ok)
    if not ok:
        record_failed_login(user, step="second_factor_recheck")
        message = _("That code is not right.")
        raise ValidationFailed(message, {"code": message})
    codes = _replace_recovery_codes(user)
    audit.record(user, "user.recovery_codes_renew", user)
    security_log.event("two_factor.recovery_codes_renew", user.id)
    return codes


def verify_second_factor(user: User, code: str) -> bool:
    """Accept a fresh TOTP code or an unused recovery code, each once only."""
    if not user.has_two_factor:
        return False
    if _use_totp_code(user, code):
        return True
    if not two_factor.looks_like_recovery_code(code):
        return False
    normalised = two_factor.normalise_code(code)
    for stored in user.recovery_codes:
        if stored.used_at is None and verify_password(stored.code_hash, normalised):
            if not _claim_once(
                update(RecoveryCode)
                .where(RecoveryCode.id == stored.id, RecoveryCode.used_at.is_(None))
                .values(used_at=utcnow())
            ):
                return False  # another request used it a moment ago
            db.session.refresh(stored)
            left = sum(1 for other in user.recovery_codes if other.used_at is None)
            audit.record(user, "user.recovery_code_used", user, {"left": left})
            security_log.event("two_factor.recovery_code_used", user.id, left=left)
            return True
    return False


def recovery_codes_left(user: User) -> int:
    """How many recovery codes the user can still use."""
    return sum(1 for code in user.recovery_codes if code.used_at is None)


def _use_totp_code(user: User, code: str) -> bool:
    assert user.totp_secret is not None
    counter = two_factor.matching_counter(user.totp_secret, code, user.totp_last_counter)
    if counter is None:
        return False
    last = User.totp_last_counter
    if not _claim_once(
        update(User)
        .where(User.id == user.id, or_(last.is_(None), last < counter))
        .values(totp_last_counter=counter)
    ):
        return False  # the same code, in a request that raced this one
    db.session.refresh(user, ["totp_last_counter"])
    return True


def _claim_once(statement: Any) -> bool:
    """Run a conditional UPDATE; True if it changed a row. The database serialises racing
    requests on the row, so of two requests with the same code only one can succeed."""
    db.session.flush()
    result = db.session.execute(statement.execution_options(synchronize_session=False))
    return bool(getattr(result, "rowcount", 0))


def _replace_recovery_codes(user: User) -> list[str]:
    for old in list(user.recovery_codes):
        db.session.delete(old)
    plain = two_factor.new_recovery_codes()
    user.recovery_codes = [
        RecoveryCode(code_hash=hash_password(two_factor.normalise_code(code))) for code in plain
    ]
    db.session.flush()
    return plain


# --- administration --------------------------------------------------------------------


def _require_admin(actor: User | None) -> None:
    """Account administration is for admins (the CLI acts as the system, actor None)."""
    if actor is not None and actor.role != "admin":
        raise PermissionDenied(_("Only an admin can manage accounts."))


def _active_admins() -> int:
    return db.session.execute(
        select(func.count(User.id)).where(User.role == "admin", User.active.is_(True))
    ).scalar_one()


def invite_user(actor: User, email: str, role: str) -> tuple[User, str]:
    """Create an account with a one-time password the user must replace at first login."""
    _require_admin(actor)
    one_time = secrets.token_urlsafe(12)
    user = create_user(actor, email, one_time, role)
    user.password_change_required = True
    db.session.flush()
    security_log.event("admin.user_create", actor.id, target=user.id, role=role)
    return user, one_time


def set_role(actor: User, user: User, role: str) -> None:
    """Change an account's role; its sessions end so the new rights apply at once."""
    _require_admin(actor)
    if role not in ROLES:
        raise ValidationFailed(
            _("Unknown role."), {"role": _("Choose one of %(roles)s.", roles=", ".join(ROLES))}
        )
    if role == user.role:
        return
    if user.role == "admin" and user.active and _active_admins() <= 1:
        raise ValidationFailed(_("This is the last active admin; make another admin first."))
    old = user.role
    user.role = role
    end_all_sessions(user)
    db.session.flush()
    audit.record(actor, "user.role_change", user, {"role": {"old": old, "new": role}})
    security_log.event("admin.role_change", actor.id, target=user.id, old=old, new=role)


def deactivate_user(actor: User, user: User) -> None:
    """Stop an account from logging in (it is never deleted); its sessions end at once."""
    _require_admin(actor)
    if not user.active:
        return
    if user.role == "admin" and _active_admins() <= 1:
        raise ValidationFailed(_("This is the last active admin; make another admin first."))
    user.active = False
    end_all_sessions(user)
    db.session.flush()
    audit.record(actor, "user.deactivate", user, {"active": {"old": True, "new": False}})
    security_log.event("admin.deactivate", actor.id, target=user.id)


def activate_user(actor: User, user: User) -> None:
    """Let a deactivated account log in again."""
    _require_admin(actor)
    if user.active:
        return
    user.active = True
    db.session.flush()
    audit.record(actor, "user.activate", user, {"active": {"old": False, "new": True}})
    security_log.event("admin.activate", actor.id, target=user.id)


def reset_two_factor(actor: User, user: User) -> None:
    """Remove a user's authenticator and recovery codes (lost phone); their sessions end."""
    _require_admin(actor)
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_counter = None
    for code in list(user.recovery_codes):
        db.session.delete(code)
    end_all_sessions(user)
    db.session.flush()
    audit.record(actor, "user.two_factor_reset", user)
    security_log.event("admin.two_factor_reset", actor.id, target=user.id)


def end_sessions_of(actor: User, user: User) -> None:
    """Log a user out everywhere (a lost laptop, a shared computer)."""
    _require_admin(actor)
    end_all_sessions(user)
    db.session.flush()
    audit.record(actor, "user.sessions_end", user)
    security_log.event("admin.sessions_end", actor.id, target=user.id)
