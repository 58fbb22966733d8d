"""TOTP (RFC 6238) and recovery codes: the cryptography, without the account rules."""

import hmac
import re
import secrets
import time

import pyotp
import segno

ISSUER = "Repatriation Tracker"
RECOVERY_CODE_COUNT = 10
# No 0/o, 1/l/i: a code copied from paper must be typed back without guessing.
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
_RECOVERY_GROUPS = 3
_RECOVERY_GROUP_LENGTH = 4


def new_secret() -> str:
    """A fresh 160-bit base32 TOTP secret."""
    return pyotp.random_base32(32)


def provisioning_uri(secret: str, account_name: str) -> str:
    """The otpauth:// URI an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=account_name, issuer_name=ISSUER)


def qr_svg(uri: str) -> str:
    """The URI as an inline SVG QR code, drawn here: the secret never leaves the server."""
    return segno.make(uri, error="m").svg_inline(
        scale=4, border=4, dark="#000", light="#fff", title="QR code for your authenticator app"
    )


def normalise_code(code: str) -> str:
    """Spaces and dashes out, lower case: how people type codes back."""
    return re.sub(r"[\s-]", "", code or "").lower()


def matching_counter(secret: str, code: str, last_counter: int | None) -> int | None:
    """The time step whose code this is (one step of clock drift allowed), if not used before."""
    code = normalise_code(code)
    if not re.fullmatch(r"\d{6}", code):
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(time.time())
    for counter in (current - 1, current, current + 1):
        if last_counter is not None and counter <= last_counter:
            continue  # a code, or an earlier one, was already used: no replay
        if hmac.compare_digest(totp.generate_otp(counter), code):
            return counter
    return None


def new_recovery_codes() -> list[str]:
    """Fresh one-time recovery codes, formatted xxxx-xxxx-xxxx."""
    return [
        "-".join(
            "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(_RECOVERY_GROUP_LENGTH))
            for _ in range(_RECOVERY_GROUPS)
        )
        for _ in range(RECOVERY_CODE_COUNT)
    ]


def looks_like_recovery_code(code: str) -> bool:
    """Whether the input has the shape of a recovery code (so we only hash what could match)."""
    normalised = normalise_code(code)
    return len(normalised) == _RECOVERY_GROUPS * _RECOVERY_GROUP_LENGTH and all(
        character in _RECOVERY_ALPHABET for character in normalised
    )
