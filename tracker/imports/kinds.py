"""One importer per kind of record: how a row's raw values become the values its service
takes, how an existing record is found (id, case code, external id, name), and the
references by name. The services hold every rule; these only translate."""

import difflib
import re
from collections import Counter
from datetime import date
from typing import Any, ClassVar

from sqlalchemy import select

from tracker.events.models import RepatriationEvent
from tracker.events.services import events
from tracker.exceptions import NotFound, ValidationFailed
from tracker.extensions import db
from tracker.imports.mapping import LIST_FIELDS, CompiledMapping
from tracker.imports.reading import cell_text
from tracker.imports.values import parse_count, parse_date, parse_year
from tracker.persons.models import Person, StatusRecord
from tracker.persons.services import live_detentions_values, persons
from tracker.places.models import CrossingPoint, Facility
from tracker.places.services import crossings, facilities
from tracker.records import RecordService, month_end
from tracker.security.converters import parse_id
from tracker.sources.models import Source
from tracker.sources.services import sources

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
SIMILARITY = 0.88  # difflib ratio of normalised names that counts as "closely matching"


class RowRejected(Exception):
    """The row's problems are in its RowContext; nothing of it is written."""

    def __init__(self, flagged: int = 0):
        super().__init__("row rejected")
        self.flagged = flagged


class RowContext:
    """One row being imported: its number, raw values by field, and what is wrong with it."""

    def __init__(self, number: int, raw: dict[str, Any], mapping: CompiledMapping):
        self.number = number
        self.raw = raw
        self.mapping = mapping
        self.problems: list[tuple[str, str, str]] = []
        self.savepoint: Any = None

    def protect(self) -> None:
        """Begin the row's savepoint before a write that a later failure must undo."""
        if self.savepoint is None:
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

    def check(self, flagged: int = 0) -> None:
        if self.problems:
            raise RowRejected(flagged)

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

    def __init__(self, actor: Any, mapping: CompiledMapping, options: Any, default_source_key: str):
        self.actor = actor
        self.mapping = mapping
        self.options = options
        self.source_key = default_source_key
        self.references = References(actor, options.create_missing)
        self.seen: dict[Any, int] = {}
        self._external: dict[str, int] | None = None

    def import_row(self, row: RowContext) -> str:
        """Create or update the row's record; 'created', 'updated' or 'unchanged'."""
        record = self.find(row)
        key = self.file_key(row, record)
        if key is not None and key in self.seen:
            row.fail(key[0], f"Row {self.seen[key]} above has the same key.")
        values = self.values(row, record)
        row.check()
        if record is None:
            self.check_similar(row, values)
            record = self.service.create(self.actor, values)
            self.after_create(record)
            outcome = "created"
        else:
            before = self.service.snapshot(record)
            self.service.update(self.actor, record, None, values)
            outcome = "updated" if self.service.snapshot(record) != before else "unchanged"
        if self.after(row, record) and outcome == "unchanged":
            outcome = "updated"
        if key is not None:
            self.seen[key] = row.number
        return outcome

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

    def check_similar(self, row: RowContext, values: dict[str, Any]) -> None:
        """A hook for persons: refuse a new record that looks like an existing one."""

    def after_create(self, record: Any) -> None:
        """A hook for what an importer remembers of the records it created."""

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
        if self._external is None:  # one query for the whole file, not one per row
            rows = db.session.execute(
                select(model.external_id, model.id).where(model.external_source == self.source_key)
            )
            self._external = {external_id: record_id for external_id, record_id in rows}
        record_id = self._external.get(row.text("external_id")[:100])
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
        self._names: dict[int, list[tuple[str, str]]] | None = None
        self._pending_status: list[dict[str, Any]] = []

    def find(self, row: RowContext) -> Any:
        if row.has("case_code") and row.text("case_code"):
            found = db.session.execute(
                select(Person).where(Person.case_code == row.text("case_code").upper())
            ).scalar_one_or_none()
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

    def check_similar(self, row: RowContext, values: dict[str, Any]) -> None:
        """Refuse a new person whose name and birth year closely match an existing case."""
        family, given = values.get("family_name"), values.get("given_name")
        mine = {_person_key(family, given), _person_key(given, family)}
        mine |= {_person_key(values.get("name_hangul"), None)}
        mine.discard("")
        if not mine or self.options.allow_similar:
            return
        for key, case_code in self._name_index().get(values.get("birth_year") or 0, []):
            if any(_similar(key, candidate) for candidate in mine):
                row.problems.append(
                    (
                        "(row)",
                        "",
                        f"Looks like case {case_code} (similar name, same birth year); give "
                        "its case code to update it, or allow similar persons to add it.",
                    )
                )
                raise RowRejected(flagged=1)

    def after_create(self, record: Any) -> None:
        """A new person joins the index, so a second row for them in the file is caught too."""
        if self._names is not None:
            self._index_person(
                record.family_name,
                record.given_name,
                record.name_hangul,
                record.birth_year,
                record.case_code,
            )

    def _name_index(self) -> dict[int, list[tuple[str, str]]]:
        if self._names is None:
            self._names = {}
            rows = db.session.execute(
                select(
                    Person.family_name,
                    Person.given_name,
                    Person.name_hangul,
                    Person.birth_year,
                    Person.case_code,
                ).where(Person.deleted_at.is_(None))
            )
            for row in rows:
                self._index_person(*row)
        return self._names

    def _index_person(
        self, family: Any, given: Any, hangul: Any, year: int | None, code: str
    ) -> None:
        assert self._names is not None
        for key in (_person_key(family, given), _person_key(hangul, None)):
            if key:
                self._names.setdefault(year or 0, []).append((key, code))


def _person_key(first: Any, second: Any) -> str:
    """A name compared loosely: case, spaces, hyphens and apostrophes ignored."""
    return re.sub(r"[\s\-'.]+", "", f"{first or ''}{second or ''}").casefold()


def _similar(one: str, other: str) -> bool:
    return one == other or difflib.SequenceMatcher(None, one, other).ratio() >= SIMILARITY


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
