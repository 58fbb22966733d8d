"""Cross-cutting protections: response headers, session lifetime, bounded ids, security logging."""

from flask import Flask

from tracker.security import converters, headers, sessions


def init_app(app: Flask) -> None:
    """Install every protection; call before blueprints so their rules use the bounded int."""
    converters.init_app(app)
    sessions.init_app(app)
    headers.init_app(app)
