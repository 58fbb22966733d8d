"""Marshmallow schemas: they validate every request and are the source of the OpenAPI document,
so the document cannot drift from what the API accepts. They check shapes and types only; the
rules (required values, vocabularies, references, ranges) are the services'."""

from typing import Any

import marshmallow as ma
from marshmallow import fields, validate

from tracker.security.converters import MAX_ID

MAX_PER_PAGE = 200
DEFAULT_PER_PAGE = 50
MAX_LIST_ITEMS = 100


class ApiSchema(ma.Schema):
    """Unknown fields are refused; text that cannot be stored (not UTF-8, or with a NUL, which
    PostgreSQL refuses) is refused by name, before any query sees it."""

    class Meta:
        unknown = ma.RAISE

    @ma.pre_load
    def refuse_unstorable_text(self, data: Any, **kwargs: Any) -> Any:
        if isinstance(data, dict):
            bad = {
                str(key) if _storable(key) else "_unknown": UNSTORABLE
                for key, value in data.items()
                if not (_storable(key) and _storable(value))
            }
            if bad:
                raise ma.ValidationError(bad)
        return data


UNSTORABLE = "Text must be UTF-8 without NUL characters."


def _storable(value: Any) -> bool:
    if isinstance(value, str):
        if "\x00" in value:
            return False
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return False
        return True
    if isinstance(value, list | tuple):
        return all(_storable(item) for item in value)
    if isinstance(value, dict):
        return all(_storable(k) and _storable(v) for k, v in value.items())
    return True


# --- field builders: one place for each kind of value ---------------------------------------


def text(max_length: int, description: str = "", **kwargs: Any) -> fields.String:
    return fields.String(
        allow_none=True,
        validate=validate.Length(max=max_length),
        metadata={"description": description} if description else {},
        **kwargs,
    )


def code(vocabulary: str, **kwargs: Any) -> fields.String:
    return fields.String(
        allow_none=True,
        validate=validate.Length(max=40),
        metadata={"description": f"A code of the `{vocabulary}` vocabulary."},
        **kwargs,
    )


def record_id(description: str = "", strict: bool = True, **kwargs: Any) -> fields.Integer:
    """A record's id: a JSON integer in a body (strict), digits in a query string."""
    return fields.Integer(
        strict=strict,
        allow_none=True,
        validate=validate.Range(min=1, max=MAX_ID),
        metadata={"description": description} if description else {},
        **kwargs,
    )


def record_ids(description: str, **kwargs: Any) -> fields.List:
    return fields.List(
        fields.Integer(strict=True, validate=validate.Range(min=1, max=MAX_ID)),
        validate=validate.Length(max=MAX_LIST_ITEMS),
        metadata={"description": description},
        **kwargs,
    )


def texts(max_length: int, description: str, **kwargs: Any) -> fields.List:
    return fields.List(
        fields.String(validate=validate.Length(max=max_length)),
        allow_none=True,
        validate=validate.Length(max=50),
        metadata={"description": description},
        **kwargs,
    )


def count(description: str = "", **kwargs: Any) -> fields.Integer:
    return fields.Integer(
        strict=True,
        allow_none=True,
        validate=validate.Range(min=0, max=10_000_000),
        metadata={"description": description or "null when unknown"},
        **kwargs,
    )


def coordinate(limit: float, **kwargs: Any) -> fields.Float:
    return fields.Float(
        allow_none=True,
        allow_nan=False,
        validate=validate.Range(min=-limit, max=limit),
        **kwargs,
    )


def flag(description: str, **kwargs: Any) -> fields.Boolean:
    return fields.Boolean(metadata={"description": description}, **kwargs)


def day(description: str = "", **kwargs: Any) -> fields.Date:
    return fields.Date(
        allow_none=True, metadata={"description": description} if description else {}, **kwargs
    )


def page_fields() -> dict[str, fields.Field]:
    return {
        "page": fields.Integer(
            load_default=1,
            validate=validate.Range(min=1, max=MAX_ID),
            metadata={"description": "1 for the first page."},
        ),
        "per_page": fields.Integer(
            load_default=DEFAULT_PER_PAGE,
            validate=validate.Range(min=1, max=MAX_PER_PAGE),
            metadata={"description": f"Items per page, at most {MAX_PER_PAGE}."},
        ),
    }


def make(name: str, field_map: dict[str, fields.Field]) -> type[ApiSchema]:
    """A named schema class (the name is the OpenAPI component's)."""
    return ApiSchema.from_dict(dict(field_map), name=name)  # type: ignore[return-value]


# --- errors --------------------------------------------------------------------------------


class ErrorBodySchema(ApiSchema):
    code = fields.String(required=True, metadata={"description": "A machine word: not_found, …"})
    message = fields.String(required=True)
    field_messages = fields.Dict(
        keys=fields.String(),
        values=fields.String(),
        required=True,
        data_key="fields",
        metadata={"description": "A message per field that was refused."},
    )


class ErrorSchema(ApiSchema):
    error = fields.Nested(ErrorBodySchema, required=True)
