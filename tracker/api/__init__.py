"""The JSON API under /api/v1: the same services, permissions, masking, audit and versioning
as the web pages, reached with a bearer token instead of a login session."""

from flask import Flask

from tracker.requests import API_PREFIX as PREFIX

__all__ = ["PREFIX", "init_app"]


def init_app(app: Flask) -> None:
    """Register the API, its OpenAPI document, the token pages and the browsable docs."""
    from tracker.api import auth, estimates, resources, summary, web

    api = resources.create_api(app)
    resources.register_resources(api)
    summary.register(api)
    estimates.register(api)
    auth.init_app(app, api)
    app.register_blueprint(web.bp)
