"""Security events as single, escaped log lines: event, user id, IP, UTC time, and nothing personal.

Never pass a password, code, token, cookie, email body or a person's name here: the
fields are for ids and short machine words.
"""

import json
import logging
import re
from datetime import UTC, datetime
from typing import Any

from flask import has_request_context, request

logger = logging.getLogger("tracker.security")

_PLAIN = re.compile(r"[A-Za-z0-9_.:/@-]+")


def _escape(value: Any) -> str:
    """One token per value: plain words as they are, anything else JSON-quoted (no newlines)."""
    text = "-" if value is None else str(value)
    if _PLAIN.fullmatch(text):
        return text
    return json.dumps(text, ensure_ascii=True)


def event(name: str, user_id: int | None = None, **fields: Any) -> None:
    """Log one security event with the acting user's id, the client IP and the UTC time."""
    ip = request.remote_addr if has_request_context() else None
    at = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    parts = [f"event={_escape(name)}", f"user={_escape(user_id)}", f"ip={_escape(ip)}", f"at={at}"]
    parts += [f"{key}={_escape(value)}" for key, value in sorted(fields.items())]
    logger.info("security %s", " ".join(parts))
