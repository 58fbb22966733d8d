"""Figures computed once per change of the data, not once per view: a data version that every
commit writing records moves on, and a cache shared across processes keyed by it."""

from flask import Flask


def init_app(app: Flask) -> None:
    """The shared summary cache (tracker/caching/services.py)."""
    from tracker.caching import services

    services.init_app(app)
