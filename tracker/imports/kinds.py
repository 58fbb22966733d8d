"""One importer per kind of record: how a row's raw values become the values its service
takes, how an existing record is found (id, case code, external id, name), and the
references by name. The services hold every rule; these only translate."""

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, ClassVar

from sqlalchemy import ColumnElement, or_, select

from tracker.events.models import RepatriationEvent
from tracker.events.services import events
from tracker.exceptions import NotFound, ValidationFailed
from tracker.extensions import db
from tracker.imports.mapping import LIST_FIELDS, CompiledMapping
from tracker.imports.reading import cell_text
from tracker.imports.values import parse_count, parse_date, parse_year
from tracker.persons.models import Person, PersonNameKey, StatusRecord
from tracker.persons.services import live_detentions_values, persons
from tracker.places.models import CrossingPoint, Facility
from tracker.places.services import crossings, facilities
from tracker.records import RecordService, month_end
from tracker.search.names import SAME_NAME, Reading, iter_keys, reading_similarity
from tracker.search.services import name_forms
from tracker.security.converters import parse_id
from tracker.sources.models import Source
from tracker.sources.services import sources

LOOKUP_BATCH = 5_000  # ids per IN list: well within every database's limit on parameters
SERVICES_BY_TABLE: dict[str, RecordService[Any]] = {
    "facilities": facilities,
    "crossing_points": crossings,
    "sources": sources,
    "repatriation_events": events,
    "persons": persons,
}
# A service's message key -> the import field whose column it is about.
FIELD_OF_KEY = {
    "crossing_id": "crossing",
    "facility_ids": "facilities",
    "claims": "sources",
    "detentions": "facilities",
    "date_precision": "date_start",
    "birth_year_approximate": "birth_year",
    "source_id": "source",
    "person_id": "case_code",
    "title": "title",
}


class RowRejected(Exception):
    """The row's problems are in its RowContext; nothing of it is written."""

    def __init__(self) -> None:
        super().__init__("row rejected")


class RowContext:
    """One row being imported: its number, raw values by field, and what is wrong with it."""

    def __init__(self, number: int, raw: dict[str, Any], mapping: CompiledMapping):
        self.number = number
        self.raw = raw
        self.mapping = mapping
        self.problems: list[tuple[str, str, str]] = []
        self.savepoint: Any = None
        self.before_write: Callable[[], None] = _nothing

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
        return [part.strip() for part in cell_text(value).split(";") if part.strip()]

    def fail(self, name: str, message: str) -> None:
        column = self.mapping.columns.get(name, name)
        self.problems.append((column, self.text(name), message))

    def check(self) -> None:
        if self.problems:
            raise RowRejected()

    def date(self, name: str) -> Any:
        try:
            return parse_date(self.raw.get(name), self.mapping.day_first)
        except ValueError as error:
            self.fail(name, str(error))
            return None

    def count(self, name: str) -> tuple[int | None, int | None]:
        try:
            return parse_count(self.raw.get(name))
        except ValueError as error:
            self.fail(name, str(error))
            return None, None


def _nothing() -> None:
    pass


def _name_key(name: str) -> str:
    return " ".join(name.casefold().split())


def _code(value: str) -> str:
    """A vocabulary code from what a researcher wrote: `Detention centre` -> detention_centre."""
    return re.sub(r"[\s\-]+", "_", value.strip().casefold())


# --- references by name ---------------------------------------------------------------

REFERENCE_KINDS: dict[str, tuple[Any, RecordService[Any], str]] = {
    "facilities": (Facility, facilities, "name"),
    "crossings": (CrossingPoint, crossings, "name"),
    "sources": (Source, sources, "title"),
}


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
            model, _, name_field = REFERENCE_KINDS[kind]
            columns = [model.id, getattr(model, name_field)]
            if hasattr(model, "aliases"):
                columns.append(model.aliases)
            index: dict[str, int] = {}
            rows = db.session.execute(
                select(*columns).where(model.deleted_at.is_(None)).order_by(model.id)
            )
            for row in rows:
                for alias in row[2] if len(row) > 2 else []:
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
        for name in row.items(field_name) if field_name in LIST_FIELDS else [row.text(field_name)]:
            if not name:
                continue
            found = self.find(kind, name)
            if found is None and self.create_missing:
                found = self._create(row, field_name, kind, name, extra or {})
            elif found is None:
                label = {"facilities": "facility", "crossings": "crossing", "sources": "source"}
                row.fail(
                    field_name,
                    f"No {label[kind]} is called {name!r}; tick 'create missing' to add it.",
                )
            if found is not None and found not in ids:
                ids.append(found)
        return ids

    def _create(
        self, row: RowContext, field_name: str, kind: str, name: str, extra: dict[str, Any]
    ) -> int | None:
        _, service, name_field = REFERENCE_KINDS[kind]
        values = {name_field: name, **extra}
        if kind != "crossings":
            values.setdefault("kind", "other")
        row.protect()
        try:
            record = service.create(self.actor, values)
        except ValidationFailed as error:
            for message in error.fields.values():
                row.fail(field_name, f"Cannot create {name!r}: {message}")
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
    """Rows of one kind: find the existing record, translate the values, call the service."""

    service: ClassVar[RecordService[Any]]
    text_fields: ClassVar[tuple[str, ...]] = ()
    choice_fields: ClassVar[tuple[str, ...]] = ()
    passthrough: ClassVar[tuple[str, ...]] = ()  # given to the service as they are
    keyed_by_name: ClassVar[str | None] = None  # a REFERENCE_KINDS kind: match by name
    defaults: ClassVar[dict[str, str]] = {}  # for new records, when the file leaves them blank
    # Tables each chunk looks rows up in while the import fills them (their statistics are
    # refreshed as they grow: see services.refresh_statistics).
    looked_up: ClassVar[tuple[Any, ...]] = ()

    def __init__(self, actor: Any, mapping: CompiledMapping, options: Any, default_source_key: str):
        self.actor = actor
        self.mapping = mapping
        self.options = options
        self.source_key = default_source_key
        self.references = References(actor, options.create_missing)
        self.seen: dict[Any, int] = {}
        self._external: dict[str, int] | None = None
        # New records validated but not written yet: their rows' cleaned values.
        self.pending: list[tuple[RowContext, dict[str, Any]]] = []
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
            row.fail(key[0], f"Row {self.seen[key]} above has the same key.")
        values = self.values(row, record)
        row.check()
        if record is None:
            cleaned = self.service.prepare(self.actor, values)
            similar = self.check_similar(row, cleaned)
            if row.savepoint is None:
                self.pending.append((row, cleaned))
            else:
                record = self.service.create_many(self.actor, [cleaned])[0]
                self.after_create(row, record)
            outcome = "created"
        else:
            self.write_pending()
            before = self.service.snapshot(record)
            self.service.update(self.actor, record, None, values)
            outcome = "updated" if self.service.snapshot(record) != before else "unchanged"
            similar = []
        if record is not None and self.after(row, record) and outcome == "unchanged":
            outcome = "updated"
        if key is not None:
            self.seen[key] = row.number
        self.similar.extend((row.number, code) for code in similar[:1])
        return outcome

    def prefetch(self, rows: list[RowContext]) -> None:
        """Load the existing records a chunk's rows name, in one query per way of naming."""
        self.prefetched = []
        if not any(row.has("external_id") for row in rows):
            return
        model: Any = self.service.model
        external = self.external_ids(model)
        ids = {external.get(row.text("external_id")[:100]) for row in rows}
        ids.discard(None)
        if ids:
            query = select(model).where(model.id.in_(ids))
            self.prefetched = list(db.session.execute(query).scalars())

    def external_ids(self, model: Any) -> dict[str, int]:
        """The ids of the records this file's source key already has, by external id (one
        query for the whole file, not one per row)."""
        if self._external is None:
            found = db.session.execute(
                select(model.external_id, model.id).where(model.external_source == self.source_key)
            )
            self._external = {external_id: record_id for external_id, record_id in found}
        return self._external

    def write_pending(self) -> None:
        """Write the new records validated so far, together."""
        if not self.pending:
            return
        pending, self.pending = self.pending, []
        records = self.service.insert_many(self.actor, [cleaned for _, cleaned in pending])
        for (row, _), record in zip(pending, records, strict=True):
            self.after_create(row, record)

    def file_key(self, row: RowContext, record: Any) -> tuple[str, str] | None:
        """What identifies the row's record in the file (to refuse a second row with it)."""
        for name in ("id", "case_code", "external_id", "name", "title"):
            if row.has(name) and row.text(name):
                return name, _name_key(row.text(name))
        return None

    def find(self, row: RowContext) -> Any:
        """The existing record the row is about, by id, then by name for named kinds."""
        if row.has("id") and row.text("id"):
            record_id = parse_id(row.text("id"))
            if record_id is None:
                row.fail("id", "Give the record's number.")
                return None
            try:
                return self.service.get(record_id)
            except NotFound:
                row.fail("id", "There is no record with this number.")
            return None
        if self.keyed_by_name:
            name_field = REFERENCE_KINDS[self.keyed_by_name][2]
            if row.has(name_field) and row.text(name_field):
                found = self.references.find(self.keyed_by_name, row.text(name_field))
                return self.service.get(found) if found else None
        return None

    def values(self, row: RowContext, record: Any) -> dict[str, Any]:
        """The service's values from the row: only mapped fields, so updates keep the rest."""
        values: dict[str, Any] = {}
        for name in self.text_fields:
            if row.has(name):
                values[name] = row.text(name)
        for name in self.choice_fields:
            if row.has(name):
                values[name] = _code(row.text(name)) or None
        for name in self.passthrough:
            if row.has(name):
                values[name] = row.raw[name]
        if row.has("aliases"):
            values["aliases"] = row.items("aliases")
        if record is None:  # a new record whose file does not say its kind or gender
            for name, default in self.defaults.items():
                values[name] = values.get(name) or default
        return values

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

    def explain(self, row: RowContext, error: ValidationFailed) -> list[tuple[str, str, str]]:
        """A service's messages as (column, value, message), each tied to the row's column."""
        problems = []
        for key, message in (error.fields or {"": error.message}).items():
            base = re.sub(r"^(claims|detentions)-\d+-.*$", r"\1", key)
            name = FIELD_OF_KEY.get(base, base)
            if name not in self.mapping.columns:
                name = {"people_min": "people", "people_max": "people"}.get(name, name)
            column = self.mapping.columns.get(name, name or "(row)")
            problems.append((column, row.text(name) if name else "", message))
        return problems

    def external(self, row: RowContext, values: dict[str, Any]) -> None:
        if row.has("external_id") and row.text("external_id"):
            values["external_id"] = row.text("external_id")
            values["external_source"] = self.source_key

    def find_external(self, model: Any, row: RowContext) -> Any:
        """The record this file's source key and the row's external_id name, if any."""
        if not (row.has("external_id") and row.text("external_id")):
            return None
        record_id = self.external_ids(model).get(row.text("external_id")[:100])
        # Usually in the session already: `prefetch` loaded the chunk's records.
        return db.session.get(model, record_id) if record_id is not None else None


class FacilityImporter(KindImporter):
    defaults = {"kind": "other"}
    service = facilities
    text_fields = ("name", "name_local", "province", "country", "notes")
    choice_fields = ("kind",)
    passthrough = ("latitude", "longitude")
    keyed_by_name = "facilities"


class CrossingImporter(KindImporter):
    service = crossings
    text_fields = ("name", "cn_side", "kp_side", "province", "notes")
    passthrough = ("latitude", "longitude")
    keyed_by_name = "crossings"


class SourceImporter(KindImporter):
    defaults = {"kind": "other"}
    service = sources
    text_fields = ("title", "organisation", "url", "reliability", "notes")
    choice_fields = ("kind",)
    passthrough = ("credibility", "confidential")
    keyed_by_name = "sources"

    def values(self, row: RowContext, record: Any) -> dict[str, Any]:
        values = super().values(row, record)
        if row.has("published_on"):
            parsed = row.date("published_on")
            values["published_on"] = parsed.start if parsed else None
        return values


class EventImporter(KindImporter):
    service = events
    text_fields = ("transport", "handed_over_by", "received_by", "description")

    def find(self, row: RowContext) -> Any:
        return super().find(row) or self.find_external(RepatriationEvent, row)

    def values(self, row: RowContext, record: Any) -> dict[str, Any]:
        values = super().values(row, record)
        self.external(row, values)
        if row.has("date_start") or record is None:
            values.update(self._dates(row))
        if row.has("crossing"):
            crossing = self.references.resolve(row, "crossing", "crossings")
            values["crossing_id"] = crossing[0] if crossing else None
        if row.has("facilities"):
            values["facility_ids"] = self.references.resolve(row, "facilities", "facilities")
        if row.has("people"):
            values["people_min"], values["people_max"] = row.count("people")
        if row.has("people_min"):  # "300+" or a lone figure: the least; the most is unknown
            values["people_min"] = row.count("people_min")[0]
            values.setdefault("people_max", None)
        if row.has("people_max"):
            values["people_max"] = row.count("people_max")[1]
        if row.has("sources"):
            extra = self._source_extra(row)
            values["claims"] = [
                {
                    "source_id": source_id,
                    "people_min": values.get("people_min"),
                    "people_max": values.get("people_max"),
                }
                for source_id in self.references.resolve(row, "sources", "sources", extra)
            ]
        return values

    def _dates(self, row: RowContext) -> dict[str, Any]:
        start = row.date("date_start")
        end = row.date("date_end") if row.has("date_end") else None
        if start is None:
            if not row.problems:
                row.fail("date_start", "An event needs a date.")
            return {}
        last = _last_day(start) if end is None else _last_day(end)
        precision = start.precision
        if end is not None and (end.start, end.precision) != (start.start, start.precision):
            precision = "range"
        return {
            "date_precision": precision,
            "date_start": start.start,
            "date_end": last,
            "date_approximate": start.approximate,
        }

    def _source_extra(self, row: RowContext) -> dict[str, Any]:
        extra: dict[str, Any] = {}
        for name, key in (
            ("source_url", "url"),
            ("source_credibility", "credibility"),
            ("source_reliability", "reliability"),
        ):
            if row.has(name) and row.text(name):
                extra[key] = row.text(name)
        return extra


def _last_day(parsed: Any) -> date:
    if parsed.precision == "year":
        return date(parsed.start.year, 12, 31)
    if parsed.precision == "month":
        return month_end(parsed.start)
    return parsed.start  # type: ignore[no-any-return]


class PersonImporter(KindImporter):
    service = persons
    looked_up = (Person.__table__, PersonNameKey.__table__)
    text_fields = (
        "family_name",
        "given_name",
        "name_hangul",
        "origin",
        "origin_region",
        "arrest_place",
        "last_seen_place",
        "responsible_parties",
        "relatives_actions",
        "notes",
    )
    choice_fields = ("gender",)
    passthrough = ("event_id",)  # the event's number, as an export of persons has it
    defaults = {"gender": "unknown"}

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self._pending_status: list[dict[str, Any]] = []
        self._by_code: dict[str, Person] = {}
        # Existing persons by name key (the chunk's keys only); new ones of this chunk too.
        self._lookalikes: dict[tuple[str, int | None], list[Lookalike]] = {}
        self._new: dict[int, Lookalike] = {}  # this chunk's new persons by row number

    def prefetch(self, rows: list[RowContext]) -> None:
        """Look up the chunk's case codes, and the persons whose stored name keys are those
        of the chunk's names, in one query each."""
        super().prefetch(rows)
        codes = {row.text("case_code").upper() for row in rows if row.has("case_code")}
        codes.discard("")
        self._by_code = {}
        if codes:
            query = select(Person).where(Person.case_code.in_(codes))
            self._by_code = {p.case_code: p for p in db.session.execute(query).scalars()}
        self._lookalikes = {}
        wanted: set[tuple[str, int | None]] = set()
        for row in rows:
            year = _row_year(row)
            wanted.update((key, year) for key in _row_keys(row))
        self._load_lookalikes(wanted)

    def find(self, row: RowContext) -> Any:
        if row.has("case_code") and row.text("case_code"):
            found = self._by_code.get(row.text("case_code").upper())
            if found is None:
                row.fail("case_code", "No case has this code; leave it empty for a new case.")
            return found
        return super().find(row) or self.find_external(Person, row)

    def values(self, row: RowContext, record: Any) -> dict[str, Any]:
        values = super().values(row, record)
        self.external(row, values)
        if row.has("birth_year"):
            try:
                values["birth_year"], values["birth_year_approximate"] = parse_year(
                    row.raw["birth_year"]
                )
            except ValueError as error:
                row.fail("birth_year", str(error))
        for name in ("arrest_date", "last_seen_date"):
            if row.has(name):
                parsed = row.date(name)
                values[name] = parsed.start if parsed else None
        if row.has("facilities"):
            current = live_detentions_values(record) if record else []
            present = {d["facility_id"] for d in current}
            added = [
                {"facility_id": fid}
                for fid in self.references.resolve(row, "facilities", "facilities")
                if fid not in present
            ]
            values["detentions"] = current + added
        self._pending_status = self._statuses(row)
        if self._pending_status:
            row.protect()  # the person is written first, then each status
        return values

    def _statuses(self, row: RowContext) -> list[dict[str, Any]]:
        if not (row.has("status") and row.text("status")):
            return []
        as_of = row.date("status_as_of") if row.has("status_as_of") else None
        if as_of is None:
            row.fail("status_as_of", "Give the date the status was reported for.")
        source_ids = (
            self.references.resolve(row, "sources", "sources") if row.has("sources") else []
        )
        if not source_ids:
            row.fail("sources", "Say which source reports this status.")
        if as_of is None:
            return []
        status = _code(row.text("status"))
        return [{"status": status, "as_of": as_of.start, "source_id": s} for s in source_ids]

    def after(self, row: RowContext, record: Any) -> bool:
        """Add the row's status claims the person does not have yet."""
        added = [add_status_once(self.actor, record, claim) for claim in self._pending_status]
        return any(added)

    def check_similar(self, row: RowContext, values: dict[str, Any]) -> list[str]:
        """The existing cases (codes) a new person looks like: a name the search takes for
        the same name (tracker/search/names.py) and the same birth year. Refused unless the
        user allowed similar persons; the message names the case, never the person."""
        forms = name_forms(
            values.get("family_name"),
            values.get("given_name"),
            values.get("name_hangul"),
            values.get("aliases"),
        )
        keys = list(iter_keys(forms))
        year = values.get("birth_year")
        # Looked up by `prefetch` unless the cleaned values differ from the row as written.
        self._load_lookalikes({(k, year) for k in keys if (k, year) not in self._lookalikes})
        found: dict[str, float] = {}
        for key in keys:
            for other in self._lookalikes[key, year]:
                if other.birth_year == year and other.label not in found:
                    score = max(
                        (reading_similarity(x, y) for _, x in forms for _, y in other.forms),
                        default=0.0,
                    )
                    if 100 * score >= SAME_NAME:
                        found[other.label] = score
        codes = sorted(found, key=lambda label: (-found[label], label))
        if codes and not self.options.allow_similar:
            self.similar.append((row.number, codes[0]))
            row.problems.append(
                (
                    "(row)",
                    "",
                    f"Looks like {_case_or_row(codes[0])} (similar name, same birth year); "
                    "give its case code to update it, or allow similar persons to add it.",
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

    def forget_row(self, row: RowContext) -> None:
        """The row was not imported after all: no later row looks like it."""
        entry = self._new.pop(row.number, None)
        if entry is not None:
            entry.birth_year = -1  # matches no row: the forms of a row are never "no year"

    def _remember(self, label: str, year: int | None, forms: Any, keys: list[str]) -> None:
        entry = Lookalike(label, year, forms)
        self._new[int(label.removeprefix("row "))] = entry
        for key in keys:
            self._lookalikes.setdefault((key, year), []).append(entry)

    def _load_lookalikes(self, wanted: set[tuple[str, int | None]]) -> None:
        """Live persons with one of these (name key, birth year) pairs: an indexed look-up
        that reads the likely matches only, however many persons there are."""
        for pair in wanted:
            self._lookalikes.setdefault(pair, [])
        if not wanted:
            return
        # Two plain queries, each on an index (the planner of a join may scan all persons):
        # who has the keys, then which of them are live and born in those years.
        keys_of: dict[int, list[str]] = {}
        found = select(PersonNameKey.person_id, PersonNameKey.name_key).where(
            PersonNameKey.name_key.in_({key for key, _ in wanted})
        )
        for person_id, key in db.session.execute(found):
            keys_of.setdefault(person_id, []).append(key)
        years = {year for _, year in wanted}
        born: ColumnElement[bool] = Person.birth_year.in_(years - {None})
        if None in years:
            born = or_(born, Person.birth_year.is_(None))
        ids = list(keys_of)
        for start in range(0, len(ids), LOOKUP_BATCH):
            query = select(
                Person.id,
                Person.case_code,
                Person.birth_year,
                Person.family_name,
                Person.given_name,
                Person.name_hangul,
                Person.aliases,
            ).where(
                Person.id.in_(ids[start : start + LOOKUP_BATCH]),
                Person.deleted_at.is_(None),
                born,
            )
            for person_id, code, year, family, given, hangul, aliases in db.session.execute(query):
                entry = Lookalike(code, year, name_forms(family, given, hangul, aliases))
                for key in keys_of[person_id]:
                    if (key, year) in wanted:
                        self._lookalikes[key, year].append(entry)


@dataclass
class Lookalike:
    """A person a new row may look like: its case code (or 'row N' until it has one)."""

    label: str
    birth_year: int | None
    forms: list[tuple[str, Reading]]


def _case_or_row(label: str) -> str:
    return label + " above" if label.startswith("row ") else f"case {label}"


def _row_year(row: RowContext) -> int | None:
    try:
        return parse_year(row.raw.get("birth_year"))[0] if row.has("birth_year") else None
    except ValueError:
        return None


def _row_keys(row: RowContext) -> list[str]:
    """The name keys of a row as written (its cleaned values give the same ones)."""
    fields = ("family_name", "given_name", "name_hangul")
    family, given, hangul = (row.text(name) if row.has(name) else None for name in fields)
    aliases = row.items("aliases") if row.has("aliases") else []
    return list(iter_keys(name_forms(family, given, hangul, aliases)))


class StatusImporter(KindImporter):
    """Status records: a dated, sourced status claim about the person with this case code."""

    service = persons

    def import_row(self, row: RowContext) -> str:
        person = None
        code = row.text("case_code").upper()
        if not code:
            row.fail("case_code", "Give the case code of the person.")
        else:
            person = db.session.execute(
                select(Person).where(Person.case_code == code, Person.deleted_at.is_(None))
            ).scalar_one_or_none()
            if person is None:
                row.fail("case_code", "No case has this code.")
        as_of = row.date("as_of")
        source_ids = self.references.resolve(row, "source", "sources") if row.has("source") else []
        row.check()
        assert person is not None  # row.check() refused a row without one
        claim = {
            "status": _code(row.text("status")),
            "as_of": as_of.start if as_of else None,
            "source_id": source_ids[0] if source_ids else None,
            "note": row.text("note") or None,
        }
        return "created" if add_status_once(self.actor, person, claim) else "unchanged"


def add_status_once(actor: Any, person: Person, claim: dict[str, Any]) -> bool:
    """Add a status claim through the person service unless the same live claim is there."""
    exists = db.session.execute(
        select(StatusRecord.id).where(
            StatusRecord.person_id == person.id,
            StatusRecord.status == claim["status"],
            StatusRecord.as_of == claim["as_of"],
            StatusRecord.source_id == claim["source_id"],
            StatusRecord.deleted_at.is_(None),
        )
    ).first()
    if exists is not None:
        return False
    persons.add_status(actor, person, claim)
    return True


IMPORTERS: dict[str, type[KindImporter]] = {
    "facilities": FacilityImporter,
    "crossings": CrossingImporter,
    "sources": SourceImporter,
    "events": EventImporter,
    "persons": PersonImporter,
    "statuses": StatusImporter,
}
