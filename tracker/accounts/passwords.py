"""Password hashing with argon2id, tuned by the app's settings."""

from functools import cache
from importlib.resources import files

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

_DUMMY_HASHES: dict[tuple[int, int, int], str] = {}


def _hasher() -> PasswordHasher:
    config = current_app.config
    return PasswordHasher(
        time_cost=config["ARGON2_TIME_COST"],
        memory_cost=config["ARGON2_MEMORY_COST"],
        parallelism=config["ARGON2_PARALLELISM"],
    )


def hash_password(password: str) -> str:
    """Hash a password with argon2id."""
    return _hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Check a password; with no account, spend the same time and fail (no account oracle)."""
    hasher = _hasher()
    try:
        if password_hash is None:
            hasher.verify(_dummy_hash(hasher), password)
            return False
        return hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _dummy_hash(hasher: PasswordHasher) -> str:
    key = (hasher.time_cost, hasher.memory_cost, hasher.parallelism)
    if key not in _DUMMY_HASHES:
        _DUMMY_HASHES[key] = hasher.hash("no account has this password")
    return _DUMMY_HASHES[key]


@cache
def _common_passwords() -> frozenset[str]:
    text = files("tracker.accounts").joinpath("data/common_passwords.txt").read_text("utf-8")
    return frozenset(line.strip().lower() for line in text.splitlines() if line.strip())


def is_common_password(password: str) -> bool:
    """Whether the password (ignoring case and surrounding spaces) is on the shipped list."""
    return password.strip().lower() in _common_passwords()


MIN_STRENGTH = 3  # zxcvbn's score (0-4): 3 resists an offline attack on a slow hash
STRENGTH_SAMPLE = 72  # zxcvbn refuses longer input; the first 72 characters decide


def weakness(password: str, user_inputs: list[str]) -> str | None:
    """Why zxcvbn would guess this password soon (a pattern name: "dictionary", "spatial",
    "repeat", "sequence", "date"), or None when it is strong enough. zxcvbn carries
    frequency lists drawn from breached passwords and spots words with digits added,
    keyboard runs, repeats, sequences and dates."""
    from zxcvbn import zxcvbn  # type: ignore[import-untyped]

    result = zxcvbn(password[:STRENGTH_SAMPLE], user_inputs=user_inputs)
    if result["score"] >= MIN_STRENGTH:
        return None
    patterns = [match.get("pattern") for match in result["sequence"]]
    for pattern in ("spatial", "repeat", "sequence", "date", "regex", "dictionary"):
        if pattern in patterns:
            return "date" if pattern == "regex" else pattern
    return "short"
