"""Integer route parameters that stop at the largest id a database column can hold."""

from typing import Any

from flask import Flask
from werkzeug.routing import IntegerConverter, Map

# PostgreSQL's INTEGER; a larger id cannot exist, so the URL simply does not match (404).
MAX_ID = 2**31 - 1


def parse_id(value: Any) -> int | None:
    """A record id from user input, or None: ASCII digits only (str.isdigit() also takes
    '²', which int() refuses), and no larger than the database column can hold."""
    text = str(value).strip() if value is not None else ""
    if not (text.isascii() and text.isdigit()) or len(text) > 10:
        return None
    number = int(text)
    return number if 0 < number <= MAX_ID else None


class BoundedIntConverter(IntegerConverter):
    """`<int:...>` limited to 0..MAX_ID unless a rule asks for other bounds."""

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def init_app(app: Flask) -> None:
    """Make every `<int:...>` route parameter bounded."""
    app.url_map.converters["int"] = BoundedIntConverter
