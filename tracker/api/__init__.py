"""The JSON API under /api/v1: the same services, permissions, masking, audit and versioning
as the web pages, reached with a bearer token instead of a login session."""

from flask import Flask, has_request_context, request

PREFIX = "/api/v1"


def is_api_request() -> bool:
    """Whether the current request is for the API (token auth, JSON errors, no session)."""
    return has_request_context() and (
        request.path == PREFIX or request.path.startswith(PREFIX + "/")
    )


def init_app(app: Flask) -> None:
    """Register the API, its OpenAPI document, the token pages and the browsable docs."""
    from tracker.api import auth, resources, summary, web

    api = resources.create_api(app)
    resources.register_resources(api)
    summary.register(api)
    auth.init_app(app, api)
    app.register_blueprint(web.bp)
