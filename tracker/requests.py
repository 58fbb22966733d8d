"""Which door a request came through: the JSON API (token auth, JSON errors, English, no
session) or the web pages."""

from flask import has_request_context, request

API_PREFIX = "/api/v1"


def is_api_request() -> bool:
    """Whether the current request is for the API."""
    return has_request_context() and (
        request.path == API_PREFIX or request.path.startswith(API_PREFIX + "/")
    )
