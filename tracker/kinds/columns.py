"""Model columns that declare their field in one line each (README: "Adding a field"): the
column's storage follows from the field's value type, and the field rides in `info`."""

from datetime import date
from typing import Any, cast

from sqlalchemy import JSON, Boolean, Date, Float, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tracker.kinds import fields as f
from tracker.kinds.fields import Field, declare

# The column options a helper passes to the column rather than to the field.
COLUMN_OPTIONS = ("index", "unique", "nullable")


def column(field: Field, type_: Any, **options: Any) -> Any:
    """A model column that declares its field: the field's value type, label and rules in
    `info`, the column's storage as given (nullable unless the field is required; a field's
    default is the column's too)."""
    options.setdefault("nullable", not field.required)
    if field.default is not None:
        options.setdefault("default", field.default)
    return mapped_column(type_, info=declare(field), **options)


def _split(options: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    storage = {key: options.pop(key) for key in COLUMN_OPTIONS if key in options}
    return options, storage


def text(label: Any, length: int, **options: Any) -> Any:
    """One line of text of at most `length` characters."""
    options, storage = _split(options)
    return column(f.Text(label, length, **options), String(length), **storage)


def long_text(label: Any, length: int, **options: Any) -> Any:
    """Free text of several lines (stored unbounded, refused beyond `length`)."""
    options, storage = _split(options)
    return column(f.Text(label, length, multiline=True, **options), Text, **storage)


def term(label: Any, vocabulary: str, length: int = 40, **options: Any) -> Any:
    """A term of a vocabulary, stored as its code."""
    options, storage = _split(options)
    return column(f.Term(label, vocabulary, **options), String(length), **storage)


def country(label: Any, **options: Any) -> Any:
    """A country as its ISO 3166-1 alpha-2 code."""
    options, storage = _split(options)
    return column(f.Country(label, **options), String(2), **storage)


def lines(label: Any, length: int, **options: Any) -> Any:
    """A list of short texts (aliases), never null."""
    options, storage = _split(options)
    storage.setdefault("nullable", False)
    return column(f.Lines(label, length, **options), JSON, default=list, **storage)


def decimal(label: Any, minimum: float, maximum: float, **options: Any) -> Any:
    """A number with a fraction within limits."""
    options, storage = _split(options)
    field = f.Decimal(label, minimum=minimum, maximum=maximum, **options)
    return column(field, Float, **storage)


def flag(label: Any, **options: Any) -> Any:
    """Yes or no, never null (no by default)."""
    options, storage = _split(options)
    return column(f.Flag(label, **options), Boolean, nullable=False, default=False, **storage)


def whole(label: Any, **options: Any) -> Any:
    """A whole number."""
    options, storage = _split(options)
    return column(f.Whole(label, **options), Integer, **storage)


def fuzzy_date(field: f.FuzzyDate) -> tuple[Mapped[date | None], Mapped[str | None], Mapped[bool]]:
    """A fuzzy date's three columns: its first day (NOT NULL when the field is required),
    its precision, its approximate flag."""
    columns: Any = (
        mapped_column(Date, nullable=not field.required, info=declare(field)),
        mapped_column(String(5)),
        mapped_column(Boolean, nullable=False, default=False),
    )
    return cast(tuple[Mapped[date | None], Mapped[str | None], Mapped[bool]], columns)


def birth_year(field: f.BirthYear) -> tuple[Mapped[int | None], Mapped[bool]]:
    """A birth year's two columns: the year and its approximate flag."""
    columns: Any = (
        mapped_column(Integer, info=declare(field)),
        mapped_column(Boolean, nullable=False, default=False),
    )
    return cast(tuple[Mapped[int | None], Mapped[bool]], columns)
