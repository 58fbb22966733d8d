"""Bearer-token authentication, body limits and role checks for every /api/v1 request, and the
per-token rate limit. The API has no cookie session (tracker.security.sessions gives its
requests none), so there is nothing for a cross-site request to ride on: CSRF does not apply."""

import re
from typing import cast

from flask import Blueprint, Flask, current_app, g, request
from flask_smorest import Api
from werkzeug.wrappers import Response

from tracker.accounts import services as accounts
from tracker.accounts.models import ApiToken, User
from tracker.accounts.permissions import can_edit_records
from tracker.api.errors import error_response
from tracker.extensions import csrf, limiter
from tracker.requests import is_api_request
from tracker.security import log as security_log

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# POST routes that only read (a search whose terms must stay out of URLs).
READ_ONLY_POSTS: set[str] = set()


MAX_JSON_DEPTH = 32  # a record is two levels deep; a far deeper body is an attack
_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_JSON_BRACKET = re.compile(rb"[\[\]{}]")


def too_deep(body: bytes) -> bool:
    """Whether a JSON body nests arrays and objects deeper than MAX_JSON_DEPTH, read without
    recursion (a parser or validator that recurses would run out of stack first)."""
    depth = 0
    for bracket in _JSON_BRACKET.findall(_JSON_STRING.sub(b"", body)):
        depth += 1 if bracket in (b"[", b"{") else -1
        if depth > MAX_JSON_DEPTH:
            return True
    return False


def current_actor() -> User:
    """The account whose token authenticated this API request."""
    return g.api_user  # type: ignore[no-any-return]


def _bearer() -> str | None:
    scheme, _, value = (request.headers.get("Authorization") or "").partition(" ")
    value = value.strip()
    return value if scheme.lower() == "bearer" and value else None


def authenticate() -> Response | None:
    """Run before every API request: limit the body, demand JSON, find the token's user, and
    refuse analysts' writes before any input is read."""
    if not is_api_request():
        return None
    request.max_content_length = current_app.config["API_MAX_BODY_BYTES"]
    if request.routing_exception is not None:
        return None  # no such route: 404 or 405, whoever asks
    if request.method in WRITE_METHODS and _has_body() and not request.is_json:
        return error_response(400, "Send the body as JSON (Content-Type: application/json).")
    if request.method in WRITE_METHODS and _has_body() and too_deep(request.get_data()):
        return error_response(
            400, f"The JSON body is nested too deeply (at most {MAX_JSON_DEPTH} levels)."
        )
    plain = _bearer()
    token = accounts.token_in_use(plain) if plain else None
    if token is None:
        security_log.event("api.token_rejected", None, given="yes" if plain else "no")
        return error_response(401)
    user = token.user
    if user.password_change_required or (
        not user.has_two_factor and accounts.two_factor_required(user)
    ):
        return error_response(
            403, "Finish setting up your account on the web (new password or two-factor login)."
        )
    g.api_user, g.api_token = user, token
    if (
        request.method in WRITE_METHODS
        and request.endpoint not in READ_ONLY_POSTS
        and not can_edit_records(user)
    ):
        security_log.event("access.denied", user.id, endpoint=request.endpoint, via="api")
        return error_response(403, "Your role may read records but not change them.")
    return None


def _has_body() -> bool:
    return bool(request.content_length) or "chunked" in (
        request.headers.get("Transfer-Encoding") or ""
    )


def _token_key() -> str:
    token: ApiToken | None = g.get("api_token")
    return f"api-token:{token.id}" if token is not None else f"ip:{request.remote_addr or '-'}"


def _rate_limit() -> str:
    return current_app.config["API_RATE_LIMIT"]  # type: ignore[no-any-return]


def init_app(app: Flask, api: Api) -> None:
    """Authenticate first of all; no CSRF on token requests; a rate limit per token."""
    app.before_request_funcs.setdefault(None, []).insert(0, authenticate)
    for name, blueprint in app.blueprints.items():
        if (name.startswith("api_") and name != "api_web") or name == "api-docs":
            # Exempted by view name: the module-level CSRFProtect would otherwise keep this
            # app's blueprint objects, and with them the whole app, for as long as it lives.
            for endpoint, view in app.view_functions.items():
                if endpoint.startswith(name + "."):
                    csrf.exempt(f"{view.__module__}.{view.__name__}")
            limit = limiter.shared_limit(_rate_limit, scope="api-token", key_func=_token_key)
            limit(cast(Blueprint, blueprint))
