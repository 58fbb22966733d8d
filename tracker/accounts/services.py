"""Accounts: creating users, checking passwords, issuing API tokens."""

import hashlib
import hmac
import secrets
from typing import Any

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, select

from tracker.accounts.models import ROLES, ApiToken, User
from tracker.accounts.passwords import hash_password, verify_password
from tracker.audit import services as audit
from tracker.db import utcnow
from tracker.exceptions import NotFound, PermissionDenied, ValidationFailed
from tracker.extensions import db

PASSWORD_MIN_LENGTH = 12
PASSWORD_MAX_LENGTH = 128
TOKEN_PREFIX = "rt_"  # noqa: S105  (a label, not a secret)


def normalise_email(email: str) -> str:
    """Validate an address's syntax and return it in canonical, lower-case form."""
    try:
        checked = validate_email(email.strip(), check_deliverability=False)
    except EmailNotValidError as error:
        message = f"Enter a valid email address. {error}"
        raise ValidationFailed(message, {"email": message}) from None
    return checked.normalized.lower()


def check_password_rules(password: str) -> None:
    """Reject passwords that are too short or too long."""
    if len(password) < PASSWORD_MIN_LENGTH:
        message = f"Use at least {PASSWORD_MIN_LENGTH} characters."
        raise ValidationFailed(message, {"password": message})
    if len(password) > PASSWORD_MAX_LENGTH:
        message = f"Use at most {PASSWORD_MAX_LENGTH} characters."
        raise ValidationFailed(message, {"password": message})


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
        raise PermissionDenied("Only an admin can create accounts.")
    if role not in ROLES:
        raise ValidationFailed("Unknown role.", {"role": f"Choose one of {', '.join(ROLES)}."})
    email = normalise_email(email)
    check_password_rules(password)
    if find_user(email) is not None:
        raise ValidationFailed(
            "An account with this email already exists.", {"email": "Already in use."}
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
        raise PermissionDenied("Setup is already complete.")
    user = create_user(None, email, password, "admin")
    if db.session.execute(select(func.count(User.id))).scalar_one() != 1:
        raise PermissionDenied("Setup is already complete.")
    return user


def authenticate(email: str, password: str) -> User | None:
    """The active account matching these credentials, or None (same cost either way)."""
    try:
        user = find_user(email)
    except ValueError:
        user = None
    ok = verify_password(user.password_hash if user else None, password)
    if user is None or not ok or not user.active:
        return None
    return user


def record_login(user: User) -> None:
    """Note a successful login."""
    user.last_login_at = utcnow()
    user.failed_logins = 0
    audit.record(user, "user.login", user)


def user_from_session_id(session_id: str) -> User | None:
    """Resolve Flask-Login's id ("<id>:<session token>"); a stale token means logged out."""
    user_id, _, token = session_id.partition(":")
    if not user_id.isdigit() or len(user_id) > 12 or not token:
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not hmac.compare_digest(user.session_token, token):
        return None
    return user


def hash_token(token: str) -> str:
    """The stored form of an API token."""
    return hashlib.sha256(token.encode()).hexdigest()


def create_api_token(actor: User | None, user: User, name: str) -> tuple[ApiToken, str]:
    """Issue a named token for `user`; the plain token is returned once and never stored."""
    if actor is not None and actor.id != user.id and actor.role != "admin":
        raise PermissionDenied("You can only create tokens for yourself.")
    name = name.strip()
    if not name or len(name) > 100:
        raise ValidationFailed(
            "Give the token a name (up to 100 characters).", {"name": "Required."}
        )
    if not user.active:
        raise ValidationFailed("This account is deactivated.")
    plain = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user=user, name=name, token_hash=hash_token(plain), prefix=plain[:10])
    db.session.add(token)
    db.session.flush()
    audit.record(actor, "token.create", token, {"user_id": user.id, "name": name})
    return token, plain


def get_user(user_id: int) -> User:
    """Load an account or raise NotFound."""
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound("No such account.")
    return user


def list_users() -> list[Any]:
    """All accounts, by email."""
    return list(db.session.execute(select(User).order_by(User.email)).scalars())
