"""Importing the rows of one kind of record: how a row's cells become the values its service
takes (read from the kind's field declarations), how an existing record is found (id, case
code, external id, name), and the references by name. The services hold every rule; these
only translate."""

import functools
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import inspect as sa_inspect
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker.exceptions import NotFound, ValidationFailed
from tracker.extensions import db
from tracker.imports.columns import import_columns, several_valued
from tracker.imports.lookalikes import lookalike_name
from tracker.imports.mapping import CompiledMapping
from tracker.imports.reading import cell_text
from tracker.kinds import fields as f
from tracker.kinds.kind import Kind
from tracker.kinds.registry import kind as kind_named
from tracker.kinds.registry import kinds
from tracker.kinds.values import CountRange, FuzzyDate, ValueProblem, parse_birth_year, parse_count
from tracker.kinds.values import parse_date as parse_written_date
from tracker.persons.lookalike import YEARS_APART, candidates, forms_of, looks_alike
from tracker.persons.models import Person, PersonNameKey
from tracker.persons.services import claim_values, persons, status_fields
from tracker.records.service import clean_fields, refuse
from tracker.search.names import Reading, iter_keys
from tracker.security.converters import parse_id


def services_by_table() -> dict[str, Any]:
    """Each kind's service by its table name (an import's revert finds records so)."""
    return {k.model.__tablename__: k.service for k in kinds().values() if k.service is not None}


# A cell of several values is split on ";", and also on commas where the mapping says so.
SEPARATORS_WITH_COMMAS = ";,、，"


class RowRejected(Exception):
    """The row's problems are in its RowContext; nothing of it is written."""

    def __init__(self) -> None:
        super().__init__("row rejected")


class RowContext:
    """One row being imported: its number, raw values by field, and what is wrong with it."""

    def __init__(
        self,
        number: int,
        raw: dict[str, Any],
        mapping: CompiledMapping,
        several: frozenset[str],
        cells: list[Any] | None = None,
    ):
        self.number = number
        self.cells = cells or []  # the row as the file has it (a rejected row is given back)
        self.several = several
        self.raw = raw
        self.mapping = mapping
        self.problems: list[tuple[str, str, str]] = []
        self.savepoint: Any = None
        self.before_write: Callable[[], None] = _nothing
        # An updated record's changes as the audit keeps them ({"column": {"old", "new"}}), then
        # one {"status_record": {"old": None, "new": …}} per status claim the row adds: the
        # preview shows them as a record's history does, in the reader's language.
        self.changes: list[dict[str, Any]] = []

    def protect(self) -> None:
        """Begin the row's savepoint before a write that a later failure must undo (the rows
        above waiting to be written go first, so everything is written in file order)."""
        if self.savepoint is None:
            self.before_write()
            self.savepoint = db.session.begin_nested()

    def has(self, name: str) -> bool:
        return name in self.raw

    def text(self, name: str) -> str:
        value = self.raw.get(name)
        if isinstance(value, list):
            return "; ".join(value)
        return cell_text(value)

    def items(self, name: str) -> list[str]:
        """A list field: `;`-separated in a cell, or the headers of ticked columns."""
        value = self.raw.get(name)
        if isinstance(value, list):
            return [str(item).strip() for item in value if str(item).strip()]
        separators = SEPARATORS_WITH_COMMAS if name in self.mapping.split_commas else ";"
        return [
            part.strip() for part in re.split(f"[{separators}]", cell_text(value)) if part.strip()
        ]

    def fail(self, name: str, message: str) -> None:
        column = self.mapping.columns.get(name, name)
        self.problems.append((column, self.text(name), message))

    def check(self) -> None:
        if self.problems:
            raise RowRejected()

    def date(self, name: str) -> FuzzyDate | None:
        """A date cell, read with the file's date order."""
        try:
            return parse_written_date(self.raw.get(name), self.mapping.day_first)
        except ValueProblem as error:
            self.fail(name, str(error))
            return None

    def count(self, name: str) -> CountRange | None:
        try:
            return parse_count(self.raw.get(name))
        except ValueProblem as error:
            self.fail(name, str(error))
            return None


def _nothing() -> None:
    pass


# Stored values an update changes that a person does not write (bookkeeping).
IGNORED_CHANGES = frozenset({"version", "updated_at", "updated_by_id", "search_text"})


def with_collections(model: Any) -> list[Any]:
    """Loader options that read a chunk's records' collections (a person's statuses,
    detentions, name keys) in one query each, not one per record as each row compares them."""
    return [
        selectinload(getattr(model, relation.key))
        for relation in sa_inspect(model).relationships
        if relation.uselist
    ]


def _columns_read(field: f.Field) -> tuple[str, ...]:
    """The import columns `KindImporter.field_values` reads for a field."""
    if isinstance(field, f.DateSpan):
        return ("date_start",)
    if isinstance(field, f.Count):
        return (field.name, f"{field.prefix}_min", f"{field.prefix}_max")
    if isinstance(field, f.FuzzyDate):
        return (field.name,)
    if isinstance(field, f.Ref | f.Refs | f.Rows) and field.by_name:
        return (field.by_name,)
    if isinstance(field, f.Refs):
        return ()
    if isinstance(field, f.Ref | f.Rows):
        return (field.name,)
    return () if field.internal else (field.name,)


def _name_key(name: str) -> str:
    return " ".join(name.casefold().split())


def _external_key(external_id: str) -> str:
    """An id from another system as it is matched: `NK-001`, `nk-001 ` and `NK-001` are one."""
    return _name_key(external_id[:100])


# --- references by name ---------------------------------------------------------------


def reference_kind(name: str) -> Kind:
    """A kind other rows name by its records' names (facilities, crossings, sources)."""
    found = kind_named(name)
    assert found.named_by is not None, name
    return found


class References:
    """Facilities, crossings and sources by name or alias, read once; unknown ones are
    created through their service when the user allowed it."""

    def __init__(self, actor: Any, create_missing: bool):
        self.actor = actor
        self.create_missing = create_missing
        self.names: dict[str, dict[str, int]] = {}
        self.created: Counter[str] = Counter()
        self._row: list[tuple[str, str]] = []

    def table(self, kind: str) -> dict[str, int]:
        """The name (and alias) index of one kind, loaded on first use."""
        if kind not in self.names:
            named = reference_kind(kind)
            model = named.model
            columns = [model.id, getattr(model, str(named.named_by))]
            others = [name for name in ("name_local", "aliases") if hasattr(model, name)]
            columns.extend(getattr(model, name) for name in others)
            index: dict[str, int] = {}
            rows = db.session.execute(
                select(*columns).where(model.deleted_at.is_(None)).order_by(model.id)
            )
            for row in rows:
                for other in row[2:]:  # a local name, other names: after the name itself
                    for alias in other if isinstance(other, list) else [other]:
                        if alias:
                            index.setdefault(_name_key(str(alias)), row[0])
                index[_name_key(row[1])] = row[0]
            self.names[kind] = index
        return self.names[kind]

    def find(self, kind: str, name: str) -> int | None:
        return self.table(kind).get(_name_key(name))

    def resolve(
        self, row: RowContext, field_name: str, kind: str, extra: dict[str, Any] | None = None
    ) -> list[int]:
        """The ids of the records a row names in `field_name`; unknown ones created or failed."""
        ids = []
        for name in row.items(field_name) if field_name in row.several else [row.text(field_name)]:
            if not name:
                continue
            found = self.find(kind, name)
            if found is None and self.create_missing:
                found = self._create(row, field_name, kind, name, extra or {})
            elif found is None:
                row.fail(
                    field_name,
                    _(
                        "No %(kind)s is called %(name)s; tick 'create missing' to add it.",
                        kind=reference_kind(kind).singular,
                        name=repr(name),
                    ),
                )
            if found is not None and found not in ids:
                ids.append(found)
        return ids

    def _create(
        self, row: RowContext, field_name: str, kind: str, name: str, extra: dict[str, Any]
    ) -> int | None:
        named = reference_kind(kind)
        service, values = named.service, {str(named.named_by): name, **extra}
        row.protect()
        try:
            record = service.create(self.actor, values)
        except ValidationFailed as error:
            for message in error.fields.values():
                row.fail(
                    field_name,
                    _("Cannot create %(name)s: %(reason)s", name=repr(name), reason=message),
                )
            return None
        self.table(kind)[_name_key(name)] = record.id
        self.created[kind] += 1
        self._row.append((kind, _name_key(name)))
        return int(record.id)

    def forget_row(self) -> None:
        """The row's savepoint was rolled back: its new references are gone."""
        for kind, key in self._row:
            self.names[kind].pop(key, None)
            self.created[kind] -= 1
        self._row = []

    def keep_row(self) -> None:
        self._row = []


# --- the importers ---------------------------------------------------------------------


class KindImporter:
    """Rows of one kind: find the existing record, translate the values its fields declare,
    call the service."""

    # Tables each chunk looks rows up in while the import fills them (their statistics are
    # refreshed as they grow: see services.refresh_statistics).
    looked_up: tuple[Any, ...] = ()

    def __init__(
        self,
        kind: Kind,
        actor: Any,
        mapping: CompiledMapping,
        options: Any,
        default_source_key: str,
    ):
        self.kind = kind
        self.service = kind.service
        self.several = several_valued(kind.name)
        self.actor = actor
        self.mapping = mapping
        self.options = options
        self.source_key = default_source_key
        self.references = References(actor, options.create_missing)
        self.seen: dict[Any, int] = {}
        self._external: dict[str, int] | None = None
        # New records validated but not written yet: their rows' cleaned values, and what
        # each writes beside its record (`written_with`).
        self.pending: list[tuple[RowContext, dict[str, Any], Any]] = []
        # Records of the chunk looked up in one query, held so the session keeps them.
        self.prefetched: list[Any] = []
        # Rows whose new person looks like an existing one: (row number, that case's code).
        self.similar: list[tuple[int, str]] = []

    def import_row(self, row: RowContext) -> str:
        """Create or update the row's record; 'created', 'updated' or 'unchanged'.

        A new record that needs nothing else written with it is validated now and written
        with the rest of its chunk (`write_pending`); anything else writes at once, after
        the rows waiting before it."""
        record = self.find(row)
        key = self.file_key(row, record)
        if key is not None and key in self.seen:
            row.fail(key[0], _("Row %(row)s above has the same key.", row=self.seen[key]))
        values = self.values(row, record)
        self.check_identity(row, record)
        if row.problems:
            self.collect_service_problems(row, record, values)
        row.check()
        if record is None:
            cleaned = self.service.prepare(self.actor, values)
            similar = self.check_similar(row, cleaned)
            if row.savepoint is None:
                self.pending.append((row, cleaned, self.written_with(row)))
            else:
                record = self.service.create_many(self.actor, [cleaned])[0]
                self.after_create(row, record)
            outcome = "created"
        else:
            self.write_pending()
            changes = self.service.changes_made(self.actor, record, None, values)
            kept = {name: change for name, change in changes.items() if name not in IGNORED_CHANGES}
            row.changes = [kept] if kept else []
            outcome = "updated" if changes else "unchanged"
            similar = []
        if record is not None and self.after(row, record):
            row.changes.extend(self.added_claims())
            if outcome == "unchanged":
                outcome = "updated"
        if key is not None:
            self.seen[key] = row.number
        self.similar.extend((row.number, code) for code in similar[:1])
        return outcome

    def check_identity(self, row: RowContext, record: Any) -> None:
        """A hook: refuse a new row that names no record at all (persons)."""

    def collect_service_problems(
        self, row: RowContext, record: Any, values: dict[str, Any]
    ) -> None:
        """A row already refused for some cells is still checked by its service (which writes
        nothing), so that every problem of the row is reported at once, each column once."""
        failed = {column for column, _value, _message in row.problems}
        try:
            if record is None:
                self.service.clean(values, None)
            else:
                self.service.clean(self.service.merged(record, values), record)
        except ValidationFailed as error:
            for problem in self.explain(row, error):
                if problem[0] not in failed:
                    row.problems.append(problem)
                    failed.add(problem[0])

    def prefetch(self, rows: list[RowContext]) -> None:
        """Load the existing records a chunk's rows name, in one query per way of naming."""
        self.prefetched = []
        if not any(row.has("external_id") for row in rows):
            return
        model: Any = self.service.model
        external = self.external_ids(model)
        ids = {external.get(_external_key(row.text("external_id"))) for row in rows}
        ids.discard(None)
        if ids:
            query = select(model).where(model.id.in_(ids)).options(*with_collections(model))
            self.prefetched = list(db.session.execute(query).scalars())

    def external_ids(self, model: Any) -> dict[str, int]:
        """The ids of the records this file's source key already has, by external id (one
        query for the whole file, not one per row)."""
        if self._external is None:
            found = db.session.execute(
                select(model.external_id, model.id).where(model.external_source == self.source_key)
            )
            self._external = {
                _external_key(external_id): record_id for external_id, record_id in found
            }
        return self._external

    def write_pending(self) -> None:
        """Write the new records validated so far, together."""
        if not self.pending:
            return
        pending, self.pending = self.pending, []
        records = self.insert_pending(pending)
        for (row, _cleaned, _beside), record in zip(pending, records, strict=True):
            self.after_create(row, record)

    def written_with(self, row: RowContext) -> Any:
        """A hook: what a new record's row writes beside it, in the same bulk INSERTs."""
        return None

    def insert_pending(self, pending: list[tuple[RowContext, dict[str, Any], Any]]) -> list[Any]:
        """Write the validated new records (and what their rows write beside them) together."""
        return list(self.service.insert_many(self.actor, [cleaned for _, cleaned, _ in pending]))

    def file_key(self, row: RowContext, record: Any) -> tuple[str, str] | None:
        """What identifies the row's record in the file (to refuse a second row with it)."""
        for name in ("id", "case_code", "external_id", "name", "title"):
            if row.has(name) and row.text(name):
                return name, _name_key(row.text(name))
        return None

    def find(self, row: RowContext) -> Any:
        """The existing record the row is about: by id, by name for named kinds, then by its
        external id under the file's source key."""
        if row.has("id") and row.text("id"):
            record_id = parse_id(row.text("id"))
            if record_id is None:
                row.fail("id", _("Give the record's number."))
                return None
            try:
                return self.service.get(record_id)
            except NotFound:
                row.fail("id", _("There is no record with this number."))
            return None
        named_by = self.kind.named_by
        if named_by and row.has(named_by) and row.text(named_by):
            found = self.references.find(self.kind.name, row.text(named_by))
            if found:
                return self.service.get(found)
        return self.find_external(row)

    def values(self, row: RowContext, record: Any) -> dict[str, Any]:
        """The service's values from the row: only mapped fields, so updates keep the rest."""
        values: dict[str, Any] = {}
        for field in self.mapped_fields:
            values.update(self.field_values(row, field, record))
        if values.get("external_id"):  # kept with the file's source key
            values["external_source"] = self.source_key
            stored = getattr(record, "external_id", None) if record is not None else None
            if stored and _external_key(stored) == _external_key(str(values["external_id"])):
                values["external_id"] = stored  # `nk-001` is the same key: not a change
        return values

    @functools.cached_property
    def mapped_fields(self) -> list[f.Field]:
        """The fields this file's mapping gives columns for (the others give nothing)."""
        mapped = set(self.mapping.readers)
        return [
            field
            for field in self.kind.editable_fields
            if not mapped.isdisjoint(_columns_read(field))
        ]

    def field_values(self, row: RowContext, field: f.Field, record: Any) -> dict[str, Any]:
        """One field's values from the row's cells, by its value type (`_columns_read`
        names the columns each reads)."""
        if isinstance(field, f.DateSpan):
            if not row.has("date_start"):
                return {}
            end = row.date("date_end") if row.has("date_end") else None
            return field.from_text(row.date("date_start"), end)
        if isinstance(field, f.Count):
            if row.has(field.name):
                return {field.name: row.count(field.name)}
            parts: dict[str, Any] = {}
            if row.has(f"{field.prefix}_min"):  # "300+" or a lone figure: the least
                counted = row.count(f"{field.prefix}_min")
                parts[f"{field.prefix}_min"] = counted.low if counted else None
                parts.setdefault(f"{field.prefix}_max", None)
            if row.has(f"{field.prefix}_max"):
                counted = row.count(f"{field.prefix}_max")
                parts[f"{field.prefix}_max"] = counted.high if counted else None
            return parts
        if isinstance(field, f.FuzzyDate):
            return field.from_text(row.date(field.name)) if row.has(field.name) else {}
        if isinstance(field, f.Ref):
            if field.by_name:
                if not row.has(field.by_name):
                    return {}
                found = self.references.resolve(row, field.by_name, field.kind)
                return {field.name: found[0] if found else None}
            return {field.name: row.raw[field.name]} if row.has(field.name) else {}
        if isinstance(field, f.Refs):
            if not (field.by_name and row.has(field.by_name)):
                return {}
            return {field.name: self.references.resolve(row, field.by_name, field.kind)}
        if isinstance(field, f.Rows):
            if not row.has(field.by_name):
                return {}
            return {field.name: self.rows(row, field, record)}
        if field.internal or not row.has(field.name):
            return {}
        if isinstance(field, f.Lines):
            return {field.name: row.items(field.name)}
        raw = row.raw[field.name]
        return field.from_text(raw if isinstance(raw, int | float) else row.text(field.name))

    def rows(self, row: RowContext, field: f.Rows, record: Any) -> list[dict[str, Any]]:
        """A Rows field from the names in its column: the record's rows for names still
        listed, and a new row for each other name (taking the record's own values of the
        fields a row shares with it: an event's figures for each source that reports it)."""
        key_field = next(item for item in field.fields if item.name == field.key)
        extra = self.reference_extra(row) if key_field.kind == "sources" else {}  # type: ignore[attr-defined]
        ids = self.references.resolve(row, field.by_name, key_field.kind, extra)  # type: ignore[attr-defined]
        current = field.read(record) if record is not None else []
        kept = [values for values in current if values.get(field.key) in ids]
        have = {values.get(field.key) for values in kept}
        own_names = {own.name for own in self.kind.fields}
        shared = [
            item.name for item in field.fields if item.name != field.key and item.name in own_names
        ]
        for found in ids:
            if found in have:
                continue
            new_row: dict[str, Any] = {field.key: found}
            for name in shared:
                new_row |= self.field_values(row, self.kind.field(name), None)
            kept.append(new_row)
        return kept

    def reference_extra(self, row: RowContext) -> dict[str, Any]:
        """What a source created by this row takes from it: its address and its grades."""
        extra: dict[str, Any] = {}
        for name, key in (
            ("source_url", "url"),
            ("source_credibility", "credibility"),
            ("source_reliability", "reliability"),
        ):
            if row.has(name) and row.text(name):
                extra[key] = row.text(name)
        return extra

    def check_similar(self, row: RowContext, values: dict[str, Any]) -> list[str]:
        """A hook for persons: the codes of existing cases a new record looks like (refused
        with RowRejected unless the user allowed similar records)."""
        return []

    def after_create(self, row: RowContext, record: Any) -> None:
        """A hook for what an importer remembers of the records it created."""

    def forget_row(self, row: RowContext) -> None:
        """A hook: the row was rejected, forget what was remembered of it."""

    def after(self, row: RowContext, record: Any) -> bool:
        """A hook for what is stored beside the record (a person's statuses); True if changed."""
        return False

    def added_claims(self) -> list[dict[str, Any]]:
        """A hook: what `after` added, as changes the audit would keep."""
        return []

    def explain(self, row: RowContext, error: ValidationFailed) -> list[tuple[str, str, str]]:
        """A service's messages as (column, value, message), each tied to the row's column."""
        problems = []
        for key, message in (error.fields or {"": error.message}).items():
            name = self.column_of(key.split("-", 1)[0]) if key else ""
            column = self.mapping.columns.get(name, name or _("(row)"))
            problems.append((column, row.text(name) if name else "", message))
        return problems

    def column_of(self, key: str) -> str:
        """The import column of a field a service's message is about."""
        about = [
            name
            for name, column in import_columns(self.kind.name).items()
            if column.field is not None
            and key
            in (
                column.field.name,
                *column.field.columns,
                column.field.shortcut if isinstance(column.field, f.Rows) else column.field.name,
            )
        ]
        mapped = [name for name in about if name in self.mapping.columns]
        return (mapped or about or [key])[0]

    def find_external(self, row: RowContext) -> Any:
        """The record this file's source key and the row's external_id name, if any."""
        model = self.kind.model
        if not (row.has("external_id") and row.text("external_id")) or not hasattr(
            model, "external_source"
        ):
            return None
        record_id = self.external_ids(model).get(_external_key(row.text("external_id")))
        # Usually in the session already: `prefetch` loaded the chunk's records.
        return db.session.get(model, record_id) if record_id is not None else None


# The import column of each field of a person's status claim.
STATUS_COLUMNS = {"status": "status", "as_of": "status_as_of", "source_id": "sources"}


class PersonImporter(KindImporter):
    """Persons: found by case code too; each row's status claims written after it; a new
    person who looks like an existing case (tracker/persons/lookalike.py) is flagged."""

    looked_up = (Person.__table__, PersonNameKey.__table__)

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self._pending_status: list[dict[str, Any]] = []
        self._added: list[dict[str, Any]] = []
        self._by_code: dict[str, Person] = {}
        # Existing persons by name key (the chunk's keys only), and new ones of the file.
        self._lookalikes: dict[str, list[Lookalike]] = {}
        self._new: dict[int, Lookalike] = {}  # this chunk's new persons by row number
        # Events by (crossing, first day, last day) of a repatriation, and this row's new ones.
        self._events: dict[tuple[int, Any, Any], int | None] = {}
        self._new_events: list[tuple[int, Any, Any]] = []

    def prefetch(self, rows: list[RowContext]) -> None:
        """Look up the chunk's case codes, and the persons whose stored name keys are those
        of the chunk's names (born in years they may look like), in one query each."""
        super().prefetch(rows)
        codes = {row.text("case_code").upper() for row in rows if row.has("case_code")}
        codes.discard("")
        self._by_code = {}
        if codes:
            query = select(Person).where(Person.case_code.in_(codes))
            query = query.options(*with_collections(Person))
            self._by_code = {p.case_code: p for p in db.session.execute(query).scalars()}
        new = [row for row in rows if not self._names_existing(row)]
        keys = {key for row in new for key in _row_keys(row)}
        self._load_lookalikes(keys, [_row_year(row) for row in new])

    def _names_existing(self, row: RowContext) -> bool:
        """Whether a row names an existing case by its code or its external id (such a row
        is compared with no look-alike)."""
        if row.has("case_code") and row.text("case_code"):
            return row.text("case_code").upper() in self._by_code
        if row.has("external_id") and row.text("external_id") and self._external is not None:
            return _external_key(row.text("external_id")) in self._external
        return False

    def find(self, row: RowContext) -> Any:
        if row.has("case_code") and row.text("case_code"):
            found = self._by_code.get(row.text("case_code").upper())
            if found is None:
                row.fail("case_code", _("No case has this code; leave it empty for a new case."))
            return found
        return super().find(row)

    def values(self, row: RowContext, record: Any) -> dict[str, Any]:
        self._new_events = []
        values = super().values(row, record)
        if row.has("crossing") or row.has("repatriation_date"):
            event_id = self._event(row)
            if event_id is not None:
                values["event_id"] = event_id
        self._pending_status = self._statuses(row)
        if record is not None and not all(has_claim(record, c) for c in self._pending_status):
            row.protect()  # the person is updated first, then each new status added
        return values

    def written_with(self, row: RowContext) -> list[dict[str, Any]]:
        """A new person's status claims, written with the person."""
        return self._pending_status

    def insert_pending(self, pending: list[tuple[RowContext, dict[str, Any], Any]]) -> list[Any]:
        cleaned_rows = [cleaned for _row, cleaned, _claims in pending]
        return persons.insert_many(self.actor, cleaned_rows, [claims for *_, claims in pending])

    def _statuses(self, row: RowContext) -> list[dict[str, Any]]:
        """The row's status claims, one per source; the status term is checked here, before
        anything is written, so its problem is reported with the row's others."""
        if not (row.has("status") and row.text("status")):
            return []
        written = row.has("status_as_of") and row.text("status_as_of")
        as_of = row.date("status_as_of") if written else None
        if not written:
            row.fail("status_as_of", _("Give the date the status was reported for."))
        status = self._status_code(row)
        source_ids = (
            self.references.resolve(row, "sources", "sources") if row.has("sources") else []
        )
        if not source_ids and not (row.has("sources") and row.text("sources")):
            row.fail("sources", _("Say which source reports this status."))
        if as_of is None or status is None:
            return []
        try:
            return [
                persons.prepare_status(
                    self.actor, {"status": status, "as_of": as_of, "source_id": s}
                )
                for s in source_ids
            ]
        except ValidationFailed as error:
            for name, message in error.fields.items():
                row.fail(STATUS_COLUMNS.get(name, "status"), message)
            return []

    def _event(self, row: RowContext) -> int | None:
        """The repatriation event a row names by its crossing and the day the person crossed:
        the live event at that crossing whose dates include the day (the narrowest, if
        several). Unknown events are created when the user allowed missing records."""
        crossing = row.text("crossing") if row.has("crossing") else ""
        day = row.date("repatriation_date") if row.has("repatriation_date") else None
        if not crossing and day is None:
            return None
        if not crossing or day is None:
            missing = "crossing" if not crossing else "repatriation_date"
            if not (row.has(missing) and row.text(missing)):  # not already failed as written
                row.fail(
                    missing,
                    _(
                        "Give both the crossing and the date of repatriation to link the "
                        "person to their event, or neither."
                    ),
                )
            return None
        found = self.references.resolve(row, "crossing", "crossings")
        if not found:
            return None
        key = (found[0], day.start, day.end)
        if key not in self._events:
            self._events[key] = _event_covering(found[0], day.start, day.end)
        if self._events[key] is None and self.options.create_missing:
            row.protect()
            events = kind_named("events").service
            try:
                event = events.create(
                    self.actor,
                    {"crossing_id": found[0], "date_start": day, "date_end": None},
                )
            except ValidationFailed as error:
                for message in error.fields.values():
                    row.fail(
                        "repatriation_date",
                        _("Cannot create the event: %(reason)s", reason=message),
                    )
                return None
            self._events[key] = event.id
            self._new_events.append(key)
            self.references.created["events"] += 1
        elif self._events[key] is None:
            row.fail(
                "repatriation_date",
                _(
                    "No event at %(crossing)s includes this day; add it, or tick 'create "
                    "missing' to add it.",
                    crossing=repr(crossing),
                ),
            )
        return self._events[key]

    def forget_row(self, row: RowContext) -> None:
        """The row was not imported after all: no later row looks like it, and an event it
        created is gone with its savepoint."""
        for key in self._new_events:
            self._events.pop(key, None)
            self.references.created["events"] -= 1
        self._new_events = []
        entry = self._new.pop(row.number, None)
        if entry is not None:
            entry.forms = []  # looks like nobody

    def _status_code(self, row: RowContext) -> str | None:
        field = next(item for item in status_fields() if item.name == "status")
        try:
            return field.parse(row.text("status"), None)  # type: ignore[no-any-return]
        except ValueProblem as problem:
            row.fail("status", str(problem))
            return None

    def check_identity(self, row: RowContext, record: Any) -> None:
        """A new person must be named somehow: a name, an alias, a case code or an id in
        the file; a row with none of them would be a case nobody can find again."""
        if record is not None:
            return
        names = ("family_name", "given_name", "name_hangul", "aliases", "case_code")
        if any(row.has(name) and row.text(name) for name in (*names, "external_id", "id")):
            return
        row.problems.append(
            (
                _("(row)"),
                "",
                _("This row names nobody: give a name, an alias, a case code or an external id."),
            )
        )

    def after(self, row: RowContext, record: Any) -> bool:
        """Add the row's status claims the person does not have yet."""
        added = [add_status_once(self.actor, record, claim) for claim in self._pending_status]
        self._added = [c for c, new in zip(self._pending_status, added, strict=True) if new]
        return any(added)

    def added_claims(self) -> list[dict[str, Any]]:
        return [
            {"status_record": {"old": None, "new": claim_values(claim)}} for claim in self._added
        ]

    def check_similar(self, row: RowContext, values: dict[str, Any]) -> list[str]:
        """The existing cases (codes) a new person looks like, by the one rule
        (tracker/persons/lookalike.py). Refused unless the user allowed similar persons; the
        message names the case, never the person."""
        forms = forms_of(values)
        keys = list(iter_keys(forms))
        year = values["birth_year"].year if values.get("birth_year") else None
        # Looked up by `prefetch` unless the cleaned values differ from the row as written.
        missing = {key for key in keys if key not in self._lookalikes}
        if missing:
            self._load_lookalikes(missing, [year])
        found: dict[str, float] = {}
        for key in keys:
            for other in self._lookalikes.get(key, []):
                if other.label in found:
                    continue
                score = looks_alike(forms, year, other.forms, other.birth_year)
                if score:
                    found[other.label] = score
        codes = sorted(found, key=lambda label: (-found[label], label))
        if codes and not self.options.allow_similar:
            self.similar.append((row.number, codes[0]))
            row.problems.append(
                (
                    _("(row)"),
                    "",
                    _(
                        "Looks like %(like)s (a similar name, born within %(years)s years); give "
                        "its case code to update it, or allow similar persons to add it.",
                        like=lookalike_name(codes[0]),
                        years=YEARS_APART,
                    ),
                )
            )
            raise RowRejected()
        self._remember(f"row {row.number}", year, forms, keys)
        return codes

    def after_create(self, row: RowContext, record: Any) -> None:
        """A new person is looked up like an existing one by the rows below it: by case code
        once it has one (the next chunks find it in the database)."""
        entry = self._new.pop(row.number, None)
        if entry is not None:
            entry.label = record.case_code

    def _remember(self, label: str, year: int | None, forms: Any, keys: list[str]) -> None:
        entry = Lookalike(label, year, forms)
        self._new[int(label.removeprefix("row "))] = entry
        for key in keys:
            self._lookalikes.setdefault(key, []).append(entry)

    def _load_lookalikes(self, keys: set[str], years: list[int | None]) -> None:
        """Live persons with one of these name keys, born in a year these may look like."""
        for key in keys:
            self._lookalikes.setdefault(key, [])
        for found in candidates(keys, years):
            entry = Lookalike(found.case_code, found.birth_year, found.forms)
            for key in found.keys:
                if key in keys:
                    self._lookalikes[key].append(entry)


def _event_covering(crossing_id: int, first: Any, last: Any) -> int | None:
    """The live event at a crossing whose span includes the days first–last, narrowest first."""
    from tracker.events.models import RepatriationEvent as Event

    return db.session.execute(
        select(Event.id)
        .where(
            Event.crossing_id == crossing_id,
            Event.deleted_at.is_(None),
            Event.date_start <= first,
            Event.date_end >= last,
        )
        .order_by(Event.date_start.desc(), Event.date_end, Event.id)  # the narrowest
        .limit(1)
    ).scalar_one_or_none()


@dataclass
class Lookalike:
    """A person a new row may look like: its case code (or 'row N' until it has one)."""

    label: str
    birth_year: int | None
    forms: list[tuple[str, Reading]]


def _row_year(row: RowContext) -> int | None:
    try:
        born = parse_birth_year(row.raw.get("birth_year")) if row.has("birth_year") else None
    except ValueProblem:
        return None
    return born.year if born else None


def _row_keys(row: RowContext) -> list[str]:
    """The name keys of a row as written (its cleaned values give the same ones)."""
    names = ("family_name", "given_name", "name_hangul")
    values: dict[str, Any] = {name: row.text(name) if row.has(name) else None for name in names}
    values["aliases"] = row.items("aliases") if row.has("aliases") else []
    return list(iter_keys(forms_of(values)))


class StatusImporter(KindImporter):
    """Status records: a dated, sourced status claim about the person with this case code."""

    def import_row(self, row: RowContext) -> str:
        person = None
        code = row.text("case_code").upper()
        if not code:
            row.fail("case_code", _("Give the case code of the person."))
        else:
            person = db.session.execute(
                select(Person).where(Person.case_code == code, Person.deleted_at.is_(None))
            ).scalar_one_or_none()
            if person is None:
                row.fail("case_code", _("No case has this code."))
        claim = self.values(row, None)
        row.check()
        assert person is not None  # row.check() refused a row without one
        return "created" if add_status_once(self.actor, person, claim) else "unchanged"


class EventImporter(KindImporter):
    """Events: a new event without an id that looks like an existing one (or one above it
    in the file) — the same crossing, overlapping dates and overlapping counts — is flagged
    like a look-alike person, and refused unless the user allowed similar records."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        # Live events by crossing (loaded once per crossing), with this file's new ones.
        self._by_crossing: dict[int, list[EventLike]] = {}
        self._new_likes: dict[int, EventLike] = {}  # by row number, until written

    def check_similar(self, row: RowContext, values: dict[str, Any]) -> list[str]:
        """The existing events (or rows above) a new event without an id looks like. A row
        with its own external id is a record of its source (two incidents on one route on
        one day are two), so only rows without one are checked."""
        crossing, span = values.get("crossing_id"), values.get("date_start")
        if crossing is None or span is None or values.get("external_id"):
            return []
        counted = next((field for field in self.kind.fields if isinstance(field, f.Count)), None)
        count = values.get(counted.name) if counted is not None else None
        low = count.low if count is not None else None
        high = count.high if count is not None else None
        mine = EventLike(f"row {row.number}", span.start, span.end, low, high)
        found = [other.label for other in self._events_at(crossing) if other.overlaps(mine)]
        if found and not self.options.allow_similar:
            self.similar.append((row.number, found[0]))
            row.problems.append(
                (
                    _("(row)"),
                    "",
                    _(
                        "Looks like %(like)s (the same crossing, overlapping dates and counts); "
                        "give its id or external id to update it, or allow similar records to "
                        "add it.",
                        like=lookalike_name(found[0]),
                    ),
                )
            )
            raise RowRejected()
        self._by_crossing[crossing].append(mine)
        self._new_likes[row.number] = mine
        return found

    def after_create(self, row: RowContext, record: Any) -> None:
        """Rows below name the new event by its id once it has one."""
        mine = self._new_likes.pop(row.number, None)
        if mine is not None:
            mine.label = f"event #{record.id}"

    def forget_row(self, row: RowContext) -> None:
        """The row was not imported after all: no later row looks like it."""
        mine = self._new_likes.pop(row.number, None)
        if mine is not None:
            mine.start, mine.end = date.max, date.min  # overlaps nothing

    def _events_at(self, crossing: int) -> list["EventLike"]:
        if crossing not in self._by_crossing:
            from tracker.events.models import RepatriationEvent as Event

            rows = db.session.execute(
                select(
                    Event.id, Event.date_start, Event.date_end, Event.people_min, Event.people_max
                ).where(Event.crossing_id == crossing, Event.deleted_at.is_(None))
            )
            self._by_crossing[crossing] = [
                EventLike(f"event #{i}", start, end, low, high) for i, start, end, low, high in rows
            ]
        return self._by_crossing[crossing]


@dataclass
class EventLike:
    """An event a new row may look like: its dates and its reported range of people."""

    label: str
    start: Any
    end: Any
    low: int | None
    high: int | None

    def overlaps(self, other: "EventLike") -> bool:
        """Overlapping dates, and counts that could be the same (an unknown end is open)."""
        if self.start > other.end or other.start > self.end:
            return False
        if (self.low, self.high) == (None, None) or (other.low, other.high) == (None, None):
            return True
        mine_low, mine_high = self.low or 0, self.high if self.high is not None else 10**9
        their_low, their_high = other.low or 0, other.high if other.high is not None else 10**9
        return mine_low <= their_high and their_low <= mine_high


def add_status_once(actor: Any, person: Person, claim: dict[str, Any]) -> bool:
    """Add a status claim through the person service unless the same live claim is there."""
    problems: dict[str, str] = {}
    cleaned = clean_fields(status_fields(), claim, None, problems)
    refuse(problems)
    if has_claim(person, cleaned):
        return False
    persons.add_status(actor, person, claim)
    return True


def has_claim(person: Person, cleaned: dict[str, Any]) -> bool:
    """Whether the person has this live status claim already (same status, as-of day and
    source), read from the statuses loaded with the chunk (`with_collections`)."""
    as_of: FuzzyDate = cleaned["as_of"]
    same = (cleaned["status"], as_of.start, cleaned["source_id"])
    return any(
        (claim.status, claim.as_of, claim.source_id) == same
        for claim in person.statuses
        if claim.deleted_at is None
    )


def importer_for(kind_name: str, *args: Any) -> KindImporter:
    """The importer of a kind of record: persons and status records have their own."""
    special: dict[str, type[KindImporter]] = {
        "persons": PersonImporter,
        "events": EventImporter,
        "statuses": StatusImporter,
    }
    return special.get(kind_name, KindImporter)(kind_named(kind_name), *args)
