"""The columns a spreadsheet of each kind may have, read from the field declarations: each
field's name (references by name: `crossing`, `facilities`, `sources`), the headers that mean
it in English and Korean (its label in both languages and its declared synonyms), and whether
a cell holds several values (`;`-separated)."""

import functools
from dataclasses import dataclass
from typing import Any

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from tracker.kinds import fields as f
from tracker.kinds.kind import Kind
from tracker.kinds.registry import kind as kind_named

# The kinds a file may hold, and the kind whose records each import writes.
IMPORT_KINDS = ("persons", "events", "facilities", "crossings", "sources", "statuses")


@dataclass(frozen=True)
class ImportColumn:
    """One column a file of this kind may map: its name, the field it feeds, other headers."""

    name: str
    field: f.Field | None  # None for the importer's own columns (id, a new source's grade)
    synonyms: tuple[str, ...] = ()  # declared headers: proposed before the labels
    several: bool = False  # `;`-separated values in a cell
    label: Any = None
    description: Any = None
    labels: tuple[str, ...] = ()  # the field's label in English and Korean, also a header


def _labels(label: Any) -> tuple[str, ...]:
    """A label as English and Korean headers."""
    if label is None:
        return ()
    names = []
    for language in ("en", "ko"):
        with force_locale(language):
            names.append(str(label))
    return tuple(dict.fromkeys(names))


def field_columns(field: f.Field) -> list[ImportColumn]:
    """The import columns of one declared field."""
    synonyms = field.synonyms
    common = {
        "label": field.label,
        "description": field.description,
        "labels": _labels(field.label),
    }
    if isinstance(field, f.DateSpan):
        return [
            ImportColumn("date_start", field, synonyms, **common),
            ImportColumn(
                "date_end",
                field,
                ("end date", "to", "date to", "until", "종료일", "마지막 날"),
                label=_end_label(),
            ),
        ]
    if isinstance(field, f.Count):
        return [
            ImportColumn(field.name, field, synonyms, **common),
            ImportColumn(
                f"{field.prefix}_min",
                field,
                ("min", "minimum", "at least", "최소"),
                label=_l("%(field)s, at least", field=field.label),
                description=_l("The lowest figure, when the file has it in a column of its own."),
            ),
            ImportColumn(
                f"{field.prefix}_max",
                field,
                ("max", "maximum", "up to", "최대"),
                label=_l("%(field)s, at most", field=field.label),
                description=_l("The highest figure, when the file has it in a column of its own."),
            ),
        ]
    if isinstance(field, f.Ref | f.Refs | f.Rows) and field.by_name:
        several = not isinstance(field, f.Ref)
        return [ImportColumn(field.by_name, field, synonyms, several=several, **common)]
    return [ImportColumn(field.name, field, synonyms, several=isinstance(field, f.Lines), **common)]


def _end_label() -> Any:
    return _l("Last day (only for a range)")


@functools.cache
def import_columns(kind_name: str) -> dict[str, ImportColumn]:
    """Every column a file of this kind may map, by name, in the declaration's order."""
    kind = kind_named("statuses" if kind_name == "statuses" else kind_name)
    found: dict[str, ImportColumn] = {
        "id": ImportColumn(
            "id",
            None,
            ("record id", "번호"),
            label=_l("Record number in the tracker"),
            description=_l("To update a record this tracker already has."),
        )
    }
    for field in kind.fields:
        if field.internal:
            continue
        if not field.editable and kind_name != "persons":
            continue
        for column in field_columns(field):
            found.setdefault(column.name, column)
    for name, column in _extra_columns(kind, kind_name).items():
        found.setdefault(name, column)
    return found


def _extra_columns(kind: Kind, kind_name: str) -> dict[str, ImportColumn]:
    """Columns beyond the fields: a status record's person by case code; a person's current
    status with its date and sources; a new source's address and grades."""
    extra: dict[str, ImportColumn] = {}
    if kind_name == "statuses":
        extra["case_code"] = ImportColumn(
            "case_code",
            None,
            ("case", "case id", "person", "사례 번호"),
            label=_l("Case code"),
            description=_l("The person the status is about."),
        )
        extra.pop("person_id", None)
    if kind_name in ("persons", "events"):
        extra["sources"] = ImportColumn(
            "sources",
            None,
            ("source", "information source", "출처"),
            several=True,
            label=_l("Sources"),
            description=_l("Names of the sources, separated by ;"),
        )
    if kind_name == "persons":
        extra["crossing"] = ImportColumn(
            "crossing",
            None,
            ("crossing point", "border crossing", "route", "송환 경로", "송환 지점", "통로"),
            label=_l("Crossing of repatriation"),
            description=_l("With the date of repatriation, finds the person's event."),
        )
        extra["repatriation_date"] = ImportColumn(
            "repatriation_date",
            None,
            ("date of repatriation", "repatriated on", "송환일", "송환 날짜", "송환일자"),
            label=_l("Date of repatriation"),
            description=_l("The event at the crossing whose dates include this day."),
        )
    if kind_name == "events":
        extra["source_url"] = ImportColumn(
            "source_url",
            None,
            ("url", "link", "출처 주소"),
            label=_l("Address of a new source"),
        )
        extra["source_credibility"] = ImportColumn(
            "source_credibility",
            None,
            ("credibility", "source quality", "신빙성"),
            label=_l("Credibility of a new source"),
        )
        extra["source_reliability"] = ImportColumn(
            "source_reliability",
            None,
            ("reliability", "신뢰도"),
            label=_l("Reliability of a new source"),
        )
    return extra


def several_valued(kind_name: str) -> frozenset[str]:
    """The columns whose cells hold several values."""
    return frozenset(name for name, column in import_columns(kind_name).items() if column.several)
