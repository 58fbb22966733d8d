"""Password and code guessing slowed per account, without letting a stranger lock anyone out.

Every check of a secret (a login's password or second-factor code, and every re-check: the
password before an identifying export or a password change, a code before new recovery codes)
is an *attempt* on an account name, counted in the limiter's store so that every server
process shares the counts:

- From one client address, an account name gets `LOGIN_ACCOUNT_RATE_LIMIT` failures
  (5 per 15 minutes); then that address is refused for that name until the window ends.
  Another address is not affected, so a stranger who floods one name locks out only themself.
- Across all addresses, once the name has had that many failures, each further attempt must
  wait for a turn: 1 s after the next failure, then 2, 4, 8 … up to `LOGIN_ACCOUNT_MAX_DELAY`.
  A botnet is slowed to one guess per delay; the owner waits at most that long.

An attempt is counted *before* the secret is checked (and refunded when it succeeds), so racing
requests cannot slip extra guesses past the limit. Keys are hashes of the typed name, so a name
without an account is throttled exactly like one with an account (no oracle).
"""

import hashlib
import math
import time
from dataclasses import dataclass

from flask import current_app, has_request_context, request
from flask_babel import gettext as _
from limits import parse

from tracker.exceptions import ServiceError
from tracker.extensions import limiter
from tracker.security import log as security_log


class TooManyAttempts(ServiceError):
    """Too many wrong passwords or codes for this account: wait before trying again."""

    status_code = 429


@dataclass
class Attempt:
    """A reserved attempt on an account name; `end()` it with whether the secret was right."""

    keys: tuple[str, ...] = ()
    window: int = 0

    def end(self, ok: bool) -> None:
        """Refund the attempt when the secret was right; a wrong one stays counted."""
        if ok:
            for key in self.keys:
                _refund(key, self.window)


def _refund(key: str, window: int) -> None:
    # Every store has an atomic increment (Redis has no decrement in `limits`): add -1.
    limiter.storage.incr(key, window, amount=-1)


def _enabled() -> bool:
    return bool(limiter.enabled and current_app.config.get("RATELIMIT_ENABLED", True))


def account_hash(name: str) -> str:
    """The key part for an account name: the same whether or not such an account exists."""
    typed = (name or "").strip().lower()[:254]
    return hashlib.sha256(typed.encode("utf-8", "replace")).hexdigest()[:32]


def client_address() -> str:
    """The client's address (behind TRACKER_TRUSTED_PROXIES, the one the proxy saw)."""
    return (request.remote_addr or "-") if has_request_context() else "cli"


def delay_after(extra_failures: int) -> int:
    """Seconds an account waits after its n-th failure beyond the free ones: 1, 2, 4 … capped."""
    cap = int(current_app.config["LOGIN_ACCOUNT_MAX_DELAY"].total_seconds())
    return max(1, min(cap, 2 ** max(0, extra_failures - 1)))


def _refuse(seconds: float, by: str) -> TooManyAttempts:
    security_log.event("login.locked", None, by=by, wait=max(1, math.ceil(seconds)))
    return TooManyAttempts(
        _("Too many attempts. Wait a few minutes and try again."),
        {"": _("Too many attempts. Wait a few minutes and try again.")},
    )


def begin(name: str) -> Attempt:
    """Reserve an attempt on `name` before its secret is checked, or raise TooManyAttempts."""
    if not _enabled():
        return Attempt()
    storage = limiter.storage
    limit = parse(current_app.config["LOGIN_ACCOUNT_RATE_LIMIT"])
    window = limit.get_expiry()
    prefix = current_app.config.get("RATELIMIT_KEY_PREFIX") or "tracker"
    account = f"{prefix}/login-account/{account_hash(name)}"
    pair = f"{account}/{hashlib.sha256(client_address().encode()).hexdigest()[:16]}"
    turn = f"{account}/turn"
    now = time.time()
    if storage.incr(pair, window) > limit.amount:
        _refund(pair, window)
        raise _refuse(storage.get_expiry(pair) - now, "account")
    failures = storage.incr(account, window)
    if failures > limit.amount:
        wait = delay_after(failures - limit.amount)
        if storage.incr(turn, wait) != 1:  # someone tried a moment ago: wait for the turn
            _refund(account, window)
            _refund(pair, window)
            raise _refuse(storage.get_expiry(turn) - now, "delay")
        security_log.event("login.delayed", None, failures=failures - 1, wait=wait)
    return Attempt((pair, account), window)
