"""Integer route parameters that stop at the largest id a database column can hold."""

from typing import Any

from flask import Flask
from werkzeug.routing import IntegerConverter, Map

# PostgreSQL's INTEGER; a larger id cannot exist, so the URL simply does not match (404).
MAX_ID = 2**31 - 1


class BoundedIntConverter(IntegerConverter):
    """`<int:...>` limited to 0..MAX_ID unless a rule asks for other bounds."""

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def init_app(app: Flask) -> None:
    """Make every `<int:...>` route parameter bounded."""
    app.url_map.converters["int"] = BoundedIntConverter
