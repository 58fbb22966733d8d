"""Where the doors find the kinds of record: by name, with their fields in declaration order."""

import functools
import importlib
from typing import TYPE_CHECKING, Any

from sqlalchemy import inspect as sa_inspect

from tracker.kinds.fields import Field

if TYPE_CHECKING:
    from tracker.kinds.kind import Kind

# Each feature's declaration of its kinds, in the order pages, the API and exports list them.
KIND_MODULES = (
    "tracker.places.kind",
    "tracker.sources.kind",
    "tracker.events.kind",
    "tracker.persons.kind",
)
_KINDS: dict[str, "Kind"] = {}
_LOADED: list[bool] = []  # whether every feature's kind.py was imported


def register(kind: "Kind") -> "Kind":
    """Add a kind to the registry (each feature's kind.py registers its own)."""
    _KINDS[kind.name] = kind
    return kind


def kinds() -> dict[str, "Kind"]:
    """Every kind of record by name, each with its service."""
    if not _LOADED:
        for module in KIND_MODULES:
            importlib.import_module(module)
        _LOADED.append(True)
    return _KINDS


def kind(name: str) -> "Kind":
    """One kind by name ("persons"); KeyError if there is none."""
    return kinds()[name]


@functools.cache
def fields_of(model: Any) -> list[Field]:
    """The fields a model declares on its columns and relationships, in declaration order."""
    importlib.import_module("tracker.models")  # every model, so the mappers can be configured
    found: list[Field] = []
    mapper = sa_inspect(model)
    for prop in [*mapper.column_attrs, *mapper.relationships]:
        info = prop.columns[0].info if hasattr(prop, "columns") else prop.info
        field = info.get("field")
        if isinstance(field, Field):
            if not field.name:
                field.bind(prop.key, model)
            found.append(field)
    return sorted(found, key=lambda field: field.order)


def field_named(model: Any, name: str) -> Field:
    """One of a model's fields by its name (KeyError if it has none)."""
    for field in fields_of(model):
        if field.name == name:
            return field
    raise KeyError(name)
