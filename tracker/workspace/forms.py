"""Each kind's form, built from its field declarations: one input per field (two for a date
span), text where a value type reads text, so a form accepts exactly what the importer accepts
and refuses it with the same message (the service's). Forms only carry input."""

import functools
from collections.abc import Callable
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    Field,
    Form,
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields import FieldList, FormField

from tracker.kinds import fields as f
from tracker.kinds.kind import Kind

DATE_HELP = _l("2023-10-09, 9 Oct 2023, October 2023, 2023 or around 2023.")


class VocabularyField(SelectField):
    """A select of one controlled vocabulary (its choices come from the table at render)."""

    def __init__(self, label: Any, vocabulary: str, **kwargs: Any):
        super().__init__(label, validate_choice=False, **kwargs)
        self.vocabulary = vocabulary


class ChoiceField(SelectField):
    """A select of fixed (value, label) options.

    Choices are assigned after construction: WTForms 3.3 deprecates tuples passed to the
    constructor, while the attribute takes them in every 3.x release."""

    def __init__(self, label: Any, options: list[tuple[str, Any]], **kwargs: Any):
        super().__init__(label, validate_choice=False, **kwargs)
        self.choices = list(options)


class PickerField(SelectField):
    """One record of another kind; scripts turn it into a search-as-you-type picker."""

    def __init__(self, label: Any, picker: str, **kwargs: Any):
        super().__init__(label, validate_choice=False, **kwargs)
        self.picker = picker


class MultiPickerField(SelectMultipleField):
    """Several records of another kind (an event's origin facilities)."""

    def __init__(self, label: Any, picker: str, **kwargs: Any):
        super().__init__(label, validate_choice=False, **kwargs)
        self.picker = picker


class LinesField(TextAreaField):
    """A list of short texts, one per line (aliases, other spellings)."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        text = valuelist[0] if valuelist else ""
        self.data = [line.strip() for line in text.splitlines() if line.strip()]

    def process_data(self, value: Any) -> None:
        self.data = list(value or []) if not isinstance(value, str) else value.splitlines()

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        return "\n".join(self.data or [])


class RecordForm(FlaskForm):
    """A record's form: its fields plus the version it was read at (for conflict checks)."""

    version = HiddenField()

    def values(self) -> dict[str, Any]:
        """What the user entered, by field name, as the service takes it."""
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


# --- one input per value type ------------------------------------------------------------


def _text_input(field: f.Field, **kwargs: Any) -> Any:
    kwargs.setdefault("description", field.description)
    multiline = isinstance(field, f.Text) and field.multiline
    return (TextAreaField if multiline else StringField)(field.label, **kwargs)


def _graded(code: Any, label: Any) -> Any:
    return _l("%(grade)s – %(meaning)s", grade=code, meaning=label)


def inputs(field: f.Field) -> list[tuple[str, Any]]:
    """The form inputs of one declared field."""
    return INPUTS[field.kind_of_value](field)


def shown_in_forms(field: f.Field) -> bool:
    return field.editable and not field.internal


@functools.cache
def row_form(field: f.Rows) -> type[Form]:
    """The sub-form of one row of a Rows field (a claim, a detention)."""
    attributes: dict[str, Any] = {}
    for row_field in field.fields:
        attributes.update(inputs(row_field))
    return type(f"{field.row_model.__name__}Form", (Form,), attributes)


@functools.cache
def form_for(kind: Kind) -> type[RecordForm]:
    """The form of a kind of record: an input for each field a person may edit."""
    attributes: dict[str, Any] = {}
    for field in kind.fields:
        if shown_in_forms(field):
            attributes.update(inputs(field))
    attributes["submit"] = SubmitField(_l("Save %(kind)s", kind=kind.singular))
    return type(f"{kind.model.__name__}Form", (RecordForm,), attributes)


INPUTS: dict[str, Callable[[Any], list[tuple[str, Any]]]] = {
    "text": lambda field: [(field.name, _text_input(field))],
    "url": lambda field: [(field.name, _text_input(field))],
    "whole": lambda field: [(field.name, _text_input(field))],
    "decimal": lambda field: [(field.name, _text_input(field))],
    "country": lambda field: [(field.name, _text_input(field))],
    "birth_year": lambda field: [(field.name, _text_input(field))],
    "count": lambda field: [(field.name, _text_input(field))],
    "fuzzy_date": lambda field: [
        (field.name, _text_input(field, description=field.description or DATE_HELP))
    ],
    "date_span": lambda field: [
        (field.name, _text_input(field)),
        (
            "date_end",
            StringField(
                _l("Last day (only for a range)"),
                description=_l("Leave empty unless the event spans several days."),
            ),
        ),
    ],
    "lines": lambda field: [(field.name, LinesField(field.label, description=field.description))],
    "flag": lambda field: [(field.name, BooleanField(field.label, description=field.description))],
    "term": lambda field: [
        (
            field.name,
            VocabularyField(
                field.label,
                field.vocabulary,
                default=field.default,
                description=field.description,
            ),
        )
    ],
    "choice": lambda field: [
        (
            field.name,
            ChoiceField(
                field.label,
                [("", _l("Not graded"))]
                + [(str(code), _graded(code, label)) for code, label in field.options.items()],
                description=field.description,
            ),
        )
    ],
    "ref": lambda field: [
        (field.name, PickerField(field.label, field.kind, description=field.description))
    ],
    "refs": lambda field: [
        (field.name, MultiPickerField(field.label, field.kind, description=field.description))
    ],
    "rows": lambda field: [
        (field.name, FieldList(FormField(row_form(field)), label=field.label, min_entries=1))
    ],
}


def form_values(kind: Kind, record: Any) -> dict[str, Any]:
    """A record's values as its form shows them (the text each input reads back as it was)."""
    data: dict[str, Any] = {}
    for field in kind.fields:
        if shown_in_forms(field):
            data.update(input_values(field, field.read(record)))
    return data


def input_values(field: f.Field, value: Any) -> dict[str, Any]:
    """One field's value as its inputs show it."""
    if isinstance(field, f.DateSpan):
        return {field.name: field.text(value), "date_end": field.end_text(value)}
    if isinstance(field, f.Rows):
        rows = []
        for row in value or []:
            shown: dict[str, Any] = {}
            for row_field in field.fields:
                shown.update(input_values(row_field, row.get(row_field.name)))
            rows.append(shown)
        return {field.name: rows}
    if isinstance(field, f.Ref):
        return {field.name: "" if value is None else str(value)}
    if isinstance(field, f.Refs):
        return {field.name: [str(item) for item in value or []]}
    if isinstance(field, f.Lines | f.Flag | f.Term):
        return {field.name: value}
    if isinstance(field, f.Choice):
        return {field.name: "" if value is None else str(value)}
    return {field.name: field.text(value)}
