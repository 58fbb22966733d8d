"""Every API error as JSON: {"error": {"code", "message", "fields"}}, never an HTML page."""

import re
from typing import Any

from flask import Response, jsonify
from werkzeug.exceptions import HTTPException

from tracker.exceptions import ServiceError

CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_failed",
    429: "too_many_requests",
    500: "internal_error",
}
MESSAGES = {
    400: "The request could not be understood.",
    401: "Send a valid API token: Authorization: Bearer <token>.",
    403: "Your role does not allow this.",
    404: "There is no such record or address.",
    405: "That method is not possible here.",
    409: "Someone else changed this record since you read it.",
    413: "The request body is too large.",
    422: "Please correct the listed fields.",
    429: "Too many requests for this token. Wait a minute and try again.",
    500: "Something went wrong on our side. Nothing was saved.",
}


def error_response(
    status: int,
    message: str | None = None,
    fields: dict[str, str] | None = None,
    **extra: Any,
) -> Response:
    """A JSON error response in the shape DESIGN.md fixes; `extra` adds top-level keys."""
    body = {
        "error": {
            "code": CODES.get(status, "error"),
            "message": message or MESSAGES.get(status, "The request could not be completed."),
            "fields": fields or {},
        },
        **extra,
    }
    response = jsonify(body)
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="tracker"'
    return response


def service_error_response(error: ServiceError) -> Response:
    """A rule a service enforced (validation, permission, not found, conflict) as JSON."""
    return error_response(error.status_code, error.message, dict(error.fields))


# What a field name looks like. Any other key a client sent (a person's name by mistake) is
# never echoed back: an error body must not carry identifying text.
FIELD_NAME = re.compile(r"[a-z_][a-z0-9_]{0,39}|[0-9]{1,4}|If-Match")


def flatten(messages: Any, prefix: str = "") -> dict[str, str]:
    """Marshmallow's nested messages as {"field": "first message"}; "rows.0.x" for nesting.
    The locations webargs adds ("json", "query") are dropped: a name says where it was."""
    if isinstance(messages, list | tuple):
        if messages and all(isinstance(item, str) for item in messages):
            return {prefix or "_body": str(messages[0])}
        found: dict[str, str] = {}
        for item in messages:
            found.update(flatten(item, prefix))
        return found
    if isinstance(messages, dict):
        found = {}
        for key, value in messages.items():
            name = str(key)
            if not FIELD_NAME.fullmatch(name):
                name = "_unknown"
            if not prefix and name in ("json", "query", "headers", "_schema"):
                found.update(flatten(value, "_body" if name == "_schema" else ""))
                continue
            found.update(flatten(value, f"{prefix}.{name}" if prefix else name))
        return found
    return {prefix or "_body": str(messages)}


def http_error_response(error: HTTPException) -> Response:
    """An HTTP error (from routing, webargs, Flask-Limiter, werkzeug) as JSON."""
    status = error.code or 500
    data = getattr(error, "data", None) or {}
    fields = flatten(data.get("messages", {})) if isinstance(data, dict) else {}
    message = None
    if status == 400 and fields.get("_body") == "Invalid JSON body.":
        message, fields = "The body is not valid JSON (in UTF-8).", {}
    response = error_response(status, message, fields)
    if status == 405 and hasattr(error, "valid_methods") and error.valid_methods:
        response.headers["Allow"] = ", ".join(error.valid_methods)
    return response


def conflict_response(error: Any) -> Response:
    """A stale version: 409 with the record as it now is (tracker.api.resources)."""
    from tracker.api.resources import conflict_body

    return conflict_body(error)
