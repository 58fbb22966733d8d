"""Test data built through the services, so it obeys the same rules as real data."""

import itertools

from tracker.accounts import services as accounts
from tracker.accounts.models import User

PASSWORD = "correct horse battery staple"
_sequence = itertools.count(1)


def make_user(role: str = "researcher", email: str | None = None, password: str = PASSWORD) -> User:
    email = email or f"{role}{next(_sequence)}@example.org"
    return accounts.create_user(None, email, password, role)


# --- secrets that must never reach a log (checked by conftest's no_secrets_in_logs) ---------

SENSITIVE: set[str] = set()


def sensitive(value: str) -> str:
    """Remember a password, code, token, cookie or person's name the log guard must not find."""
    if value and len(value.strip()) >= 2:
        SENSITIVE.add(value)
    return value


def forget_sensitive() -> None:
    SENSITIVE.clear()
    SENSITIVE.add(PASSWORD)


def totp_code(user: User, offset: int = 0) -> str:
    """The user's TOTP code for the current 30-second step plus `offset` (clock drift is ±1)."""
    import time

    import pyotp

    totp = pyotp.TOTP(user.totp_secret)
    return sensitive(totp.generate_otp(totp.timecode(time.time()) + offset))


def enrol_two_factor(user: User) -> list[str]:
    """Turn 2FA on through the services (using the previous step's code); returns the
    recovery codes. The current and next steps' codes are still unused afterwards."""
    accounts.begin_two_factor(user)
    sensitive(user.totp_secret or "")
    return [sensitive(code) for code in accounts.confirm_two_factor(user, totp_code(user, -1))]
