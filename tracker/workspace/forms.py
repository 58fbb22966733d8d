"""Form fields the record forms share: vocabulary selects, record pickers, partial dates,
one-per-line lists. Forms only read input; the services hold the rules."""

import re
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Field, HiddenField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import Length, Optional

_PARTIAL_DATE = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")


class VocabularyField(SelectField):
    """A select of one controlled vocabulary (its choices come from the table at render)."""

    def __init__(self, label: str, vocabulary: str, **kwargs: Any):
        super().__init__(label, validate_choice=False, **kwargs)
        self.vocabulary = vocabulary


class ChoiceField(SelectField):
    """A select of fixed (value, label) options.

    Choices are assigned after construction: WTForms 3.3 deprecates tuples passed to the
    constructor, while the attribute takes them in every 3.x release."""

    def __init__(self, label: str, options: list[tuple[str, str]], **kwargs: Any):
        super().__init__(label, **kwargs)
        self.choices = list(options)


class PickerField(SelectField):
    """One record of another kind; scripts turn it into a search-as-you-type picker."""

    def __init__(self, label: str, picker: str, **kwargs: Any):
        super().__init__(label, validate_choice=False, **kwargs)
        self.picker = picker


class MultiPickerField(SelectMultipleField):
    """Several records of another kind (an event's origin facilities)."""

    def __init__(self, label: str, picker: str, **kwargs: Any):
        super().__init__(label, validate_choice=False, **kwargs)
        self.picker = picker


class PartialDateField(StringField):
    """A date that may be only a year or a month: 2023, 2023-10 or 2023-10-09.

    `data` is the first day of what was given; `given` says how much was given."""

    given: str | None = None

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.raw = (valuelist[0] if valuelist else "").strip()
        self.data, self.given = None, None
        if not self.raw:
            return
        match = _PARTIAL_DATE.match(self.raw)
        try:
            if not match:
                raise ValueError
            year, month, day = match.groups()
            self.data = date(int(year), int(month or 1), int(day or 1))
            self.given = "day" if day else "month" if month else "year"
        except ValueError:
            raise ValueError(_l("Enter a date as YYYY-MM-DD, YYYY-MM or YYYY.")) from None

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        return self.data.isoformat() if isinstance(self.data, date) else (self.data or "")


class LinesField(TextAreaField):
    """A list of short texts, one per line (aliases, other spellings)."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        text = valuelist[0] if valuelist else ""
        self.data = [line.strip() for line in text.splitlines() if line.strip()]

    def process_data(self, value: Any) -> None:
        self.data = list(value or [])

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        return "\n".join(self.data or [])


def text(label: Any, max_length: int, **kwargs: Any) -> StringField:
    """An optional single-line text with its length limit checked next to the field."""
    message = _l("Use at most %(max)d characters.")
    return StringField(
        label, validators=[Optional(), Length(max=max_length, message=message)], **kwargs
    )


def long_text(label: Any, max_length: int, **kwargs: Any) -> TextAreaField:
    """An optional multi-line text with its length limit."""
    message = _l("Use at most %(max)d characters.")
    validators = [Optional(), Length(max=max_length, message=message)]
    return TextAreaField(label, validators=validators, **kwargs)


class RecordForm(FlaskForm):
    """A record's form: its fields plus the version it was read at (for conflict checks)."""

    version = HiddenField()

    def values(self) -> dict[str, Any]:
        """What the user entered, in the shape the service takes."""
        return {
            name: field.data
            for name, field in self._fields.items()
            if name not in ("csrf_token", "version", "submit")
        }

    def set_errors(self, errors: dict[str, str]) -> bool:
        """Put a service's messages beside the fields they concern; True if all found one."""
        placed = True
        for key, message in errors.items():
            field = find_field(self, key)
            if field is None:
                placed = False
                continue
            if isinstance(field.errors, tuple | dict):
                field.errors = []
            field.errors.append(message)
        return placed


def find_field(form: Any, key: str) -> Field | None:
    """The field whose id is `key`, searching inside row lists (claims-0-source_id)."""
    for field in form:
        if field.id == key or field.name == key:
            return field  # type: ignore[no-any-return]
        if hasattr(field, "entries"):
            for entry in field.entries:
                inner = find_field(entry, key) if hasattr(entry, "form") else None
                if inner is not None:
                    return inner
    return None
