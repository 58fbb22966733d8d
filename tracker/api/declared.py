"""The API's side of the field declarations: the JSON fields each value type has (so the
schemas, and the OpenAPI document built from them, follow the declarations), a record as JSON
for a viewer, and the list filters each kind takes."""

import functools
from collections.abc import Callable
from typing import Any

from marshmallow import fields, validate

from tracker.api import schemas as s
from tracker.kinds import fields as f
from tracker.kinds.kind import Kind
from tracker.kinds.values import PRECISIONS, SPAN_PRECISIONS

VERSION_FIELD = "version"


def _precision(choices: tuple[str, ...], description: str) -> fields.String:
    return fields.String(
        allow_none=True, validate=validate.OneOf(choices), metadata={"description": description}
    )


def _approximate(description: str = "Approximate (\u201caround\u201d)") -> fields.Boolean:
    return fields.Boolean(allow_none=True, metadata={"description": description})


def _describe(field: f.Field, extra: str = "") -> str:
    parts = [str(field.label)]
    if field.description:
        parts.append(str(field.description))
    if extra:
        parts.append(extra)
    if field.identifying:
        parts.append("Identifying: null for analysts.")
    if isinstance(field, f.BirthYear) and field.coarsened:
        parts.append('Analysts get a five-year band as text ("1985-1989").')
    elif field.coarsened:
        parts.append("Analysts get it to the month at most.")
    return " ".join(parts)


def _choice(field: f.Choice) -> fields.Field:
    """A fixed choice: its codes are listed in the document; the service reads them (and their
    meanings) case-insensitively and says which it takes."""
    codes = list(field.options)
    meanings = "; ".join(f"{code}: {meaning}" for code, meaning in field.options.items())
    metadata = {"description": _describe(field, meanings), "enum": codes}
    if all(isinstance(code, int) for code in codes):
        return fields.Integer(strict=True, allow_none=True, metadata=metadata)
    return fields.String(allow_none=True, validate=validate.Length(max=120), metadata=metadata)


@functools.cache
def _row_schema(field: f.Rows) -> Any:
    """One schema per kind of row (a claim, a detention), shared by every schema using it."""
    row: dict[str, fields.Field] = {}
    for row_field in field.fields:
        row.update(json_fields(row_field))
    return s.make(f"{field.row_model.__name__}Row", row)


def _rows(field: f.Rows) -> dict[str, fields.Field]:
    schema = _row_schema(field)
    return {
        field.name: fields.List(
            fields.Nested(schema),
            allow_none=True,
            validate=validate.Length(max=s.MAX_LIST_ITEMS),
            metadata={"description": _describe(field)},
        ),
        field.shortcut: s.record_ids(
            f"The ids of the {field.by_name} in {field.name}; sending it keeps the rows of "
            f"listed ones and adds a row for each new one."
        ),
    }


BUILDERS: dict[str, Callable[[Any], dict[str, fields.Field]]] = {
    "text": lambda field: {field.name: s.text(field.max_length, _describe(field))},
    "url": lambda field: {field.name: s.text(field.max_length, _describe(field))},
    "lines": lambda field: {field.name: s.texts(field.max_length, _describe(field))},
    "whole": lambda field: {field.name: s.count(_describe(field))},
    "decimal": lambda field: {
        field.name: fields.Float(
            allow_none=True,
            allow_nan=False,
            validate=validate.Range(min=field.minimum, max=field.maximum),
            metadata={"description": _describe(field)},
        )
    },
    "flag": lambda field: {field.name: s.flag(_describe(field))},
    "choice": lambda field: {field.name: _choice(field)},
    "term": lambda field: {
        field.name: fields.String(
            allow_none=True,
            validate=validate.Length(max=120),
            metadata={
                "description": _describe(field, f"A code of the `{field.vocabulary}` vocabulary.")
            },
        )
    },
    "country": lambda field: {
        field.name: s.text(2, _describe(field, "ISO 3166-1 alpha-2, e.g. KP."))
    },
    "fuzzy_date": lambda field: {
        field.name: s.day(_describe(field, "Its first day (a month: the 1st).")),
        f"{field.name}_precision": _precision(PRECISIONS, "How precisely it is known."),
        f"{field.name}_approximate": _approximate(),
    },
    "date_span": lambda field: {
        "date_start": s.day("First day (a month: its first day)."),
        "date_end": s.day("Last day; omitted with a day precision: the first day."),
        "date_precision": _precision(
            SPAN_PRECISIONS, "day, month, year or range; omitted: from the two days."
        ),
        "date_approximate": _approximate(),
    },
    "count": lambda field: {
        f"{field.prefix}_min": s.count("The least reported; null when unknown."),
        f"{field.prefix}_max": s.count("The most reported; null when unknown."),
        f"{field.prefix}_approximate": _approximate("Approximate (\u201cabout 180\u201d)."),
    },
    "birth_year": lambda field: {
        field.name: s.count(_describe(field)),
        f"{field.name}_approximate": _approximate(),
    },
    "ref": lambda field: {field.name: s.record_id(_describe(field, f"A {field.kind} id."))},
    "refs": lambda field: {field.name: s.record_ids(_describe(field, f"{field.kind} ids."))},
    "rows": _rows,
}


def json_fields(field: f.Field) -> dict[str, fields.Field]:
    """The JSON fields of one declared field (several for a fuzzy date or a count)."""
    return BUILDERS[field.kind_of_value](field)


def in_api(field: f.Field) -> bool:
    return not field.internal


def writable_fields(kind: Kind) -> dict[str, fields.Field]:
    found: dict[str, fields.Field] = {}
    for field in kind.fields:
        if field.editable and in_api(field):
            found.update(json_fields(field))
    return found


def read_only_fields(kind: Kind) -> dict[str, fields.Field]:
    found: dict[str, fields.Field] = {}
    for field in kind.fields:
        if not field.editable and in_api(field):
            for name, json_field in json_fields(field).items():
                json_field.dump_only = True
                found[name] = json_field
    return found


def computed_fields(kind: Kind) -> dict[str, fields.Field]:
    """The values a kind computes from a record (read-only objects), as documented JSON."""
    found: dict[str, fields.Field] = {}
    for name, computed in kind.computed.items():
        shape: dict[str, fields.Field] = {}
        for key, type_ in computed.shape.items():
            if type_ == "bool":
                shape[key] = fields.Boolean(required=True)
            else:
                shape[key] = fields.List(
                    fields.String(validate=validate.OneOf(computed.codes)),
                    metadata={"description": f"Codes among: {', '.join(computed.codes)}."},
                )
        title = "".join(part.title() for part in name.split("_"))
        found[name] = fields.Nested(
            s.make(title, shape), dump_only=True, metadata={"description": computed.description}
        )
    return found


def required_on_create(kind: Kind) -> set[str]:
    """The JSON fields a new record must carry (required fields with no default)."""
    names = set()
    for field in kind.fields:
        if field.editable and field.required and field.default is None and in_api(field):
            names.add(next(iter(json_fields(field))))
    return names


def serialise(kind: Kind, record: Any, can_see: bool) -> dict[str, Any]:
    """The record in the API's field names; identifying values are null for those who may not
    see them (the same fields the web pages mask)."""
    hide = not can_see and kind.masks(record)
    values: dict[str, Any] = {"id": record.id}
    for field in kind.fields:
        if not in_api(field):
            continue
        value = field.read(record)
        if hide:
            value = field.for_analyst(value)
        values |= field.stored(value)
        if isinstance(field, f.Rows):
            values[field.shortcut] = sorted({row[field.key] for row in value or [] if row})
    for name, computed in kind.computed.items():
        values[name] = computed.value(record, can_see)
    values[VERSION_FIELD] = record.version
    return values


def dashboard_filters() -> dict[str, fields.Field]:
    """The dashboard's filters, as the summary and the lists counted on it take them."""
    from tracker.sources.models import RELIABILITY_GRADES

    return {
        "from": fields.Date(metadata={"description": "Spans ending on or after this day."}),
        "to": fields.Date(metadata={"description": "Spans starting on or before this day."}),
        "province": s.text(100),
        "crossing_id": s.record_id(strict=False),
        "facility_id": s.record_id(strict=False),
        "status": s.code("status"),
        "gender": s.code("gender"),
        "min_reliability": fields.String(validate=validate.OneOf(RELIABILITY_GRADES)),
    }


def filter_fields(kind: Kind) -> dict[str, fields.Field]:
    """The list filters a kind takes in the API: its own, and the dashboard's where the kind is
    counted on the dashboard (events, persons)."""
    found: dict[str, fields.Field] = {}
    for item in kind.filters:
        if item.is_date:
            found[item.key] = fields.Date(metadata={"description": f"{item.label}."})
        elif item.is_id:
            found[item.key] = s.record_id(str(item.label), strict=False)
        elif item.is_flag:
            found[item.key] = s.flag(str(item.label))
        else:
            found[item.key] = fields.String(
                validate=validate.Length(max=100), metadata={"description": str(item.label)}
            )
    if kind.scope is not None:
        for key, json_field in dashboard_filters().items():
            found.setdefault(key, json_field)
    return found
