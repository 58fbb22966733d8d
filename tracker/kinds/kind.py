"""A kind of record as every door sees it: its model (whose columns declare its fields), its
names, how a record is called, its list's columns, filters and search, and which service
holds its rules. Declared once per kind in its feature's `kind.py`; no HTTP in it."""

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select

from tracker.kinds.fields import Field
from tracker.kinds.registry import field_named, fields_of


@dataclass
class Column:
    """A list column: how to show it, how to sort by it, whether it identifies someone."""

    key: str
    label: Any  # lazy_gettext: read in the page's language
    value: Callable[[Any], Any]
    sort: Any = None
    identifying: bool = False
    # The value for a viewer who may (or may not) see identities, where it depends on that
    # (a confidential source's title): (record, can_see) -> value.
    for_viewer: Callable[[Any, bool], Any] | None = None

    def shown(self, record: Any, can_see: bool) -> Any:
        return self.for_viewer(record, can_see) if self.for_viewer else self.value(record)

    def hides_values(self) -> bool:
        """Whether some of its values are hidden from viewers who may not see identities (a
        name; a confidential source's title): such viewers may not sort by it either, or the
        order would tell where each hidden value falls."""
        return self.identifying or self.for_viewer is not None


def shown(model: Any, name: str) -> Callable[[Any], str]:
    """A list column's value: the field as a person reads it ("October 2023")."""

    def value(record: Any) -> str:
        found = field_named(model, name)
        return found.show(found.read(record))

    return value


def shown_to(model: Any, name: str) -> Callable[[Any, bool], str]:
    """A list column's value for a viewer: as coarse as the field's declaration says for
    viewers who may not see identities (a birth year as 1985–1989)."""

    def value(record: Any, can_see: bool) -> str:
        found = field_named(model, name)
        read = found.read(record)
        return found.show(read if can_see else found.coarse(read))

    return value


@dataclass
class Filter:
    """A list filter: a choice (options for this viewer), a date, or a record number."""

    key: str
    label: Any  # lazy_gettext
    apply: Callable[[Select[Any], Any], Select[Any]]
    choices: Callable[[bool], list[tuple[str, str]]] | None = None
    is_date: bool = False
    is_id: bool = False  # a record number (a select when the records are few, else typed)
    is_flag: bool = False  # yes / no
    # Identifying for viewers who may not see identities (never offered to them).
    identifying: bool = False


@dataclass
class Computed:
    """A value worked out from a record rather than stored (a case's readiness for the UN): the
    API carries it, read-only, beside the stored fields."""

    description: str
    # The shape of its JSON object: {key: "bool" | "strings"}, with the strings' codes.
    shape: dict[str, str]
    value: Callable[[Any, bool], dict[str, Any]]  # (record, viewer sees identities) -> JSON
    codes: tuple[str, ...] = ()


@dataclass(eq=False)
class Kind:
    """Everything the doors need to know about one kind of record beyond its fields."""

    name: str  # the URL, API, import and export name: "facilities"
    model: Any
    singular: Any  # "facility" (lazy_gettext; the API reads it in English)
    plural: Any  # "Facilities"
    label: Callable[[Any, bool], str]  # the record's name for this viewer
    columns: list[Column]
    search: Callable[[str, bool], Any]
    description: str = ""  # for the API's documentation
    filters: list[Filter] = field(default_factory=list)
    default_sort: str = "name"
    picker_order: Any = None
    # The text column a search ranks by for this viewer (exact, then prefix matches first).
    ranked_by: Callable[[bool], Any] | None = None
    # Ranked name search: (term, viewer sees identities, the filtered list query) →
    # [(record, Match)] best first; None where `search` serves this viewer instead.
    rank: Callable[[str, bool, Select[Any]], Any] | None = None
    # The dashboard's filters as WHERE clauses for this kind (events, persons), so a number
    # on the dashboard opens exactly the records behind it.
    scope: Callable[[Any], list[Any]] | None = None
    # Loader options for the list's rows (the relations its columns show), against N+1; a
    # function, so that importing a kind never configures the mappers.
    eager: Callable[[], list[Any]] = lambda: []
    # Every page of the kind is identifying (contacts): nobody else gets any of it.
    identity_only: bool = False
    # Whether this record hides its identifying fields from analysts (sources: if
    # confidential); by default every record of the kind does.
    masks: Callable[[Any], bool] = lambda record: True
    # Called with the ids of records whose identifying fields a viewer was shown (audited).
    shown: Callable[[Any, list[int], str], None] | None = None
    # The field a spreadsheet names a record of this kind by (facility names, source titles).
    named_by: str | None = None
    # How an importer finds a record a row is about, besides its id and external id.
    key_field: str | None = None
    # Values computed from a record for the API (read-only): name -> Computed.
    computed: dict[str, Computed] = field(default_factory=dict)
    service: Any = None  # set by the kind's RecordService

    @property
    def fields(self) -> list[Field]:
        """Every field the model declares, in declaration order."""
        return fields_of(self.model)

    @functools.cached_property
    def editable_fields(self) -> list[Field]:
        """The fields a door may give (worked out once: every row of an import asks)."""
        return [f for f in self.fields if f.editable]

    def field(self, name: str) -> Field:
        """The field of this name (KeyError if none)."""
        return self._fields_by_name[name]

    @functools.cached_property
    def _fields_by_name(self) -> dict[str, Field]:
        return {found.name: found for found in reversed(self.fields)}  # the first of a name

    @property
    def identifying_names(self) -> frozenset[str]:
        """The names (and stored columns) of the fields an analyst never sees."""
        names: set[str] = set()
        for found in self.fields:
            if found.identifying:
                names.add(found.name)
                names.update(found.columns)
        return frozenset(names)

    @property
    def title(self) -> Any:
        return self.plural
