"""The pattern every editable record shares: validate, create, update with a version check,
soft delete, restore, revert to an earlier version, and the history that makes it possible.

Each kind of record has one `RecordService` subclass in its feature's `services.py` that
says how to clean its values and how to store its relations; everything else is here,
once, for all of them. Services flush and audit; they never commit.
"""

import calendar
import functools
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any, ClassVar, Generic, TypeVar

from flask_babel import gettext as _
from sqlalchemy import event, func, select
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError

from tracker.accounts.permissions import can_edit_records
from tracker.audit import services as audit
from tracker.audit.models import AuditEntry
from tracker.db import bulk_insert, utcnow
from tracker.exceptions import Conflict, NotFound, PermissionDenied, ValidationFailed
from tracker.extensions import db
from tracker.security.converters import MAX_ID

T = TypeVar("T")

CONFLICT_MESSAGE = "Someone else changed this record since you opened it."
# Columns that describe the record's life rather than its content: never edited or reverted.
LIFECYCLE_FIELDS = frozenset({"id", "deleted_at", "deleted_by_id"})
# Audit entries about reading a record, not changing it: in the audit log, not the History tab.
READ_ACTIONS = ("person.view_identity", "file.download")
# The largest id an INTEGER primary key can hold: anything beyond it is not a record.


def create_record(actor: Any, model: type[T], **values: Any) -> T:
    """Insert a record stamped with its creator, flush it, and audit its values."""
    record = model(**values)
    _stamp(actor, record, created=True)
    db.session.add(record)
    db.session.flush()
    audit.record(actor, "create", record, {"new": audit.snapshot(record)})
    return record


def update_record(actor: Any, record: T, expected_version: int | None, **values: Any) -> T:
    """Change fields of a record; refuse if it changed since `expected_version` was read."""
    check_version(record, expected_version)
    before = audit.snapshot(record)
    for key, value in values.items():
        setattr(record, key, value)
    _stamp(actor, record)
    flush_or_conflict()
    changes = audit.diff(before, audit.snapshot(record))
    if changes:
        audit.record(actor, "update", record, changes)
    return record


def soft_delete(actor: Any, record: T) -> T:
    """Mark a record deleted (it stays in the database and can be restored)."""
    if record.deleted_at is None:  # type: ignore[attr-defined]
        record.deleted_at = utcnow()  # type: ignore[attr-defined]
        record.deleted_by_id = getattr(actor, "id", None)  # type: ignore[attr-defined]
        flush_or_conflict()
        audit.record(actor, "delete", record)
    return record


def _stamp(actor: Any, record: Any, created: bool = False) -> None:
    actor_id = getattr(actor, "id", None)
    if created:
        record.created_by_id = actor_id
    record.updated_by_id = actor_id
    # Always touch a column, so the row (and its version) changes even when only a
    # relation (an event's facilities, a person's detentions) did.
    record.updated_at = utcnow()


class Draft:
    """A new record on its way to a bulk INSERT (`insert_new`): set and read like an instance
    of its model, without the ORM's bookkeeping, which costs more than the INSERT itself when
    an import writes thousands. Unset columns read None and collections start empty, as on a
    new instance; `__mapper__` and `__tablename__` are the model's."""

    __mapper__: ClassVar[Any]
    __tablename__: ClassVar[str]
    _columns: ClassVar[frozenset[str]]
    _collections: ClassVar[tuple[str, ...]]

    def __init__(self, **values: Any) -> None:
        for key in self._collections:
            self.__dict__[key] = []
        self.__dict__.update(values)

    def __getattr__(self, name: str) -> Any:  # only called for attributes never set
        if name in self._columns:
            return None
        raise AttributeError(name)


@functools.cache
def draft_of(model: Any) -> type[Draft]:
    """The Draft class of a model (one per model, so drafts group by kind like records do)."""
    mapper = sa_inspect(model)
    namespace = {
        "__mapper__": mapper,
        "__tablename__": model.__tablename__,
        "_columns": frozenset(prop.key for prop in mapper.column_attrs),
        "_collections": tuple(r.key for r in mapper.relationships if r.uselist),
    }
    return type(f"{model.__name__}Draft", (Draft,), namespace)


def new_child(parent: Any, model: Any, **values: Any) -> Any:
    """A new record for one of `parent`'s collections (a person's name key, an event's claim):
    a Draft when the parent is one, else an instance of the model."""
    if isinstance(parent, Draft):
        return draft_of(model)(**values)
    return model(**values)


def _draft(model: Any) -> Draft:
    return draft_of(model)()


def _new(model: Any) -> Any:
    """A new record whose collections (a person's detentions) are known to be empty, so that
    reading them after the INSERT asks the database nothing."""
    record = model()
    for relation in sa_inspect(model).relationships:
        if relation.uselist:
            set_committed_value(record, relation.key, [])
    return record


def check_version(record: Any, expected_version: int | None) -> None:
    """Refuse to change a record whose version is not the one the caller read."""
    if expected_version is not None and expected_version != record.version:
        raise Conflict(CONFLICT_MESSAGE)


def flush_or_conflict() -> None:
    """Flush; a concurrent writer that got there first (stale version) is a Conflict."""
    try:
        db.session.flush()
    except StaleDataError:
        db.session.rollback()
        raise Conflict(CONFLICT_MESSAGE) from None


def check_can_edit(actor: Any) -> None:
    """Only admins and researchers change records; `None` is the system (CLI, sample)."""
    if actor is not None and not can_edit_records(actor):
        raise PermissionDenied(_("Your role may read records but not change them."))


# --- input cleaning -------------------------------------------------------------------

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def as_date(value: Any) -> date | None:
    """A date from a date or an ISO 8601 string; None when empty. ValueError when malformed."""
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    if isinstance(value, str) and _ISO_DATE.match(value.strip()):
        return date.fromisoformat(value.strip())
    raise ValueError(value)


def month_end(day: date) -> date:
    """The last day of `day`'s month."""
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


class Cleaner:
    """Reads untrusted values field by field, collecting a message per bad field."""

    def __init__(self, values: dict[str, Any]):
        self.values = values
        self.errors: dict[str, str] = {}

    def error(self, key: str, message: str) -> None:
        self.errors.setdefault(key, message)

    def raw(self, key: str) -> Any:
        return self.values.get(key)

    def text(self, key: str, max_length: int, required: bool = False) -> str | None:
        value = self.raw(key)
        if value is None:
            value = ""
        if not isinstance(value, str):
            value = str(value)
        value = value.strip()
        if "\x00" in value:
            self.error(key, _("Remove the NUL character; it cannot be stored."))
            return None
        if len(value) > max_length:
            self.error(
                key,
                _(
                    "Use at most %(max)d characters (this has %(length)d).",
                    max=max_length,
                    length=len(value),
                ),
            )
            return None
        if required and not value:
            self.error(key, _("This field is required."))
            return None
        return value or None

    def text_list(self, key: str, max_length: int, max_items: int = 50) -> list[str]:
        value = self.raw(key) or []
        if isinstance(value, str):
            value = value.splitlines()
        items = [str(item).strip() for item in value if str(item).strip()]
        if len(items) > max_items:
            self.error(key, _("Give at most %(count)d entries.", count=max_items))
        for item in items:
            if len(item) > max_length or "\x00" in item:
                self.error(key, _("Keep each entry under %(max)d characters.", max=max_length))
        return items

    def integer(
        self, key: str, minimum: int | None = None, maximum: int | None = None
    ) -> int | None:
        value = self.raw(key)
        if value is None or value == "":
            return None
        try:
            number = int(value)
        except (TypeError, ValueError):
            self.error(key, _("Enter a whole number."))
            return None
        if isinstance(value, float) and value != number:
            self.error(key, _("Enter a whole number."))
            return None
        if minimum is not None and number < minimum:
            self.error(key, _("Enter %(minimum)s or more.", minimum=minimum))
            return None
        if maximum is not None and number > maximum:
            self.error(key, _("Enter %(maximum)s or less.", maximum=maximum))
            return None
        return number

    def number(self, key: str, minimum: float, maximum: float) -> float | None:
        value = self.raw(key)
        if value is None or value == "":
            return None
        try:
            number = float(value)
        except (TypeError, ValueError):
            self.error(key, _("Enter a number."))
            return None
        if not minimum <= number <= maximum:
            low, high = f"{minimum:g}", f"{maximum:g}"
            message = _(
                "Enter a number between %(minimum)s and %(maximum)s.", minimum=low, maximum=high
            )
            self.error(key, message)
            return None
        return number

    def boolean(self, key: str) -> bool:
        value = self.raw(key)
        if isinstance(value, str):
            return value.strip().lower() in {"1", "true", "yes", "y", "on"}
        return bool(value)

    def date(self, key: str, required: bool = False, past: bool = True) -> date | None:
        try:
            value = as_date(self.raw(key))
        except ValueError:
            self.error(key, _("Enter a date as YYYY-MM-DD."))
            return None
        if value is None:
            if required:
                self.error(key, _("This field is required."))
            return None
        if past and value > date.today():
            self.error(key, _("This date is in the future."))
            return None
        return value

    def choice(
        self, key: str, vocabulary: str, current: str | None = None, required: bool = True
    ) -> str | None:
        value = self.text(key, 40, required=required)
        if value is not None and value != current and value not in vocabulary_codes(vocabulary):
            self.error(key, _("Choose one of the listed values."))
            return None
        return value

    def reference(
        self, key: str, model: type, label: str, current: int | Iterable[int] | None = None
    ) -> int | None:
        ids = self._ids([self.raw(key)], key)
        if not ids:
            return None
        keep = [current] if isinstance(current, int) else list(current or [])
        known = live_ids(model, ids, keep=keep)
        if ids[0] not in known:
            self.error(key, _("Unknown %(what)s: choose one from the list.", what=label))
            return None
        return ids[0]

    def references(
        self, key: str, model: type, label: str, current: Iterable[int] = ()
    ) -> list[int]:
        value = self.raw(key) or []
        if not isinstance(value, list | tuple):
            value = [value]
        ids = self._ids(list(value), key)
        known = live_ids(model, ids, keep=list(current))
        if any(item not in known for item in ids):
            self.error(key, _("Unknown %(what)s: choose from the list.", what=label))
            return []
        return sorted(set(ids))

    def _ids(self, values: list[Any], key: str) -> list[int]:
        ids = []
        for value in values:
            if value is None or value == "":
                continue
            try:
                number = int(value)
            except (TypeError, ValueError):
                self.error(key, _("Choose from the list."))
                continue
            if 0 < number <= MAX_ID:
                ids.append(number)
            else:
                self.error(key, _("Choose from the list."))
        return ids

    def rows(
        self, name: str, clean_row: Callable[["Cleaner", str], dict[str, Any]]
    ) -> list[dict[str, Any]]:
        """Clean a list of sub-rows (an event's claims, a person's detentions); empty rows are
        skipped, and each message is keyed like the form's field, e.g. `claims-0-people_max`."""
        cleaned = []
        for index, row in enumerate(self.raw(name) or []):
            if not isinstance(row, dict) or not any(v not in (None, "") for v in row.values()):
                continue
            prefix = f"{name}-{index}-"
            row_check = Cleaner({prefix + key: value for key, value in row.items()})
            cleaned.append(clean_row(row_check, prefix))
            for key, message in row_check.errors.items():
                self.error(key, message)
        return cleaned

    def check(self) -> None:
        """Raise ValidationFailed with every collected message, if any."""
        if self.errors:
            raise ValidationFailed(_("Please correct the marked fields."), self.errors)


def live_ids(model: Any, ids: list[int], keep: list[int]) -> set[int]:
    """Which of `ids` are records that exist and are not deleted (or are in `keep`)."""
    if not ids:
        return set()
    cache = _lookups()
    known: dict[int, bool] = cache.setdefault(model, {}) if cache is not None else {}
    missing = [i for i in ids if i not in known]
    if missing:
        query = select(model.id, model.deleted_at).where(model.id.in_(missing))
        for row in db.session.execute(query):
            known[row.id] = row.deleted_at is None
    return {i for i in ids if known.get(i) or (i in known and i in keep)}


def vocabulary_codes(vocabulary: str) -> set[str]:
    """The active codes of a vocabulary (read once per bulk job while `cached_lookups` runs)."""
    from tracker.vocab.labels import codes

    cache = _lookups()
    if cache is None:
        return codes(vocabulary)
    key = ("vocabulary", vocabulary)
    if key not in cache:
        cache[key] = codes(vocabulary)
    return cache[key]  # type: ignore[no-any-return]


# While a bulk job runs (an import: one transaction, which deletes nothing and adds no
# vocabulary), whether a referenced record is live and which codes a vocabulary has are
# read once, not once per row. Ids not found are asked again: the job may create them.
# On SQLite its new rows also get their ids before the INSERT (see `_number_new_rows`).
LOOKUPS_KEY = "record_lookups"


def _lookups() -> dict[Any, Any] | None:
    return db.session.info.get(LOOKUPS_KEY)  # type: ignore[no-any-return]


def forget_lookups() -> None:
    """Drop what `cached_lookups` remembered (a rolled-back savepoint took records with it)."""
    cache = _lookups()
    if cache is not None:
        cache.clear()


@event.listens_for(Session, "before_flush")
def _number_new_rows(session: Session, context: Any, instances: Any) -> None:
    """In a bulk job on SQLite, give new rows their ids before the INSERT.

    SQLite cannot say which generated id belongs to which row of a multi-row INSERT, so
    without ids SQLAlchemy writes the rows one statement each; with them, a chunk's audit
    entries go out as one executemany."""
    if LOOKUPS_KEY not in session.info or session.get_bind().dialect.name != "sqlite":
        return
    by_table: dict[Any, list[Any]] = {}
    for obj in session.new:
        table = sa_inspect(obj).mapper.local_table
        column = getattr(table, "autoincrement_column", None)
        if column is not None and getattr(obj, column.key, None) is None:
            by_table.setdefault(table, []).append(obj)
    for table, objs in by_table.items():
        for number, obj in zip(new_ids(table, len(objs)), objs, strict=True):
            setattr(obj, table.autoincrement_column.key, number)


def new_ids(table: Any, count: int) -> list[int]:
    """Ids for `count` new rows of a table, handed out before they are inserted: from the
    table's sequence on PostgreSQL; on SQLite the largest + 1 onwards, as SQLite itself
    would, read inside the bulk job's write transaction, which no other writer shares."""
    column = table.autoincrement_column
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        sequence = func.pg_get_serial_sequence(table.name, column.name)
        query = select(func.nextval(sequence)).select_from(func.generate_series(1, count))
        return list(connection.execute(query).scalars())
    last = connection.execute(select(func.max(column))).scalar() or 0
    return list(range(last + 1, last + 1 + count))


_MISSING = object()


def insert_new(records: list[Any]) -> None:
    """Insert new Drafts of one kind, and the rows in their collections (a person's name keys
    and detentions, an event's claims and facilities), as one bulk INSERT per table.

    This is the unit of work of `flush` without its bookkeeping, for a bulk job that writes
    thousands of rows and reads them no more."""
    if not records:
        return
    db.session.flush()  # rows waiting in the session take their ids first
    mapper = records[0].__mapper__
    table = mapper.local_table
    id_key = table.autoincrement_column.key
    for number, record in zip(new_ids(table, len(records)), records, strict=True):
        record.__dict__[id_key] = number
    if mapper.version_id_col is not None:
        version = mapper.get_property_by_column(mapper.version_id_col).key
        for record in records:
            record.__dict__[version] = 1
    # Columns the record leaves unset take their default, on the record too, as a flush does.
    defaults = {}
    for prop in mapper.column_attrs:
        default = prop.columns[0].default
        value = None if default is None else default.arg
        defaults[prop.key] = (prop.columns[0].key, value)
    rows = []
    for record in records:
        values = record.__dict__
        row = {}
        for key, (column, default) in defaults.items():
            value = values.get(key, _MISSING)
            if value is _MISSING:
                value = default(None) if callable(default) else default
                setattr(record, key, value)
            row[column] = value
        rows.append(row)
    bulk_insert(db.session.connection(), table, rows)
    children: dict[Any, list[Any]] = {}
    for relation in mapper.relationships:
        if not relation.uselist:
            continue
        links = []
        for record in records:
            for child in record.__dict__.get(relation.key) or []:
                if relation.secondary is not None:
                    link = {
                        pair[1].key: getattr(record, pair[0].key)
                        for pair in relation.synchronize_pairs
                    }
                    for own, other in relation.secondary_synchronize_pairs:
                        link[other.key] = getattr(child, own.key)
                    links.append(link)
                else:
                    for own, other in relation.local_remote_pairs:
                        setattr(child, other.key, getattr(record, own.key))
                    children.setdefault(type(child), []).append(child)
        if links:
            bulk_insert(db.session.connection(), relation.secondary, links)
    for kind in children.values():
        insert_new(kind)


@contextmanager
def cached_lookups() -> Iterator[None]:
    """Remember reference and vocabulary look-ups until the block ends (see LOOKUPS_KEY)."""
    db.session.info[LOOKUPS_KEY] = {}
    try:
        yield
    finally:
        db.session.info.pop(LOOKUPS_KEY, None)


# --- the shared service -------------------------------------------------------------


@dataclass(frozen=True)
class Version:
    """A record's state after one audit entry: what a History tab shows and revert restores."""

    entry: AuditEntry
    values: dict[str, Any]


class RecordService(Generic[T]):
    """Create, update, delete, restore and revert one kind of record, every step audited."""

    model: ClassVar[type]
    # Fields the service computes (a person's status, case code): shown, never edited.
    derived: ClassVar[frozenset[str]] = frozenset()

    # Subclasses say how their values are cleaned and stored.
    def clean(self, values: dict[str, Any], record: T | None) -> dict[str, Any]:
        raise NotImplementedError

    def assign(self, actor: Any, record: T, cleaned: dict[str, Any]) -> None:
        """Store cleaned values; subclasses with relations extend this."""
        for key, value in cleaned.items():
            setattr(record, key, value)

    def related_snapshot(self, record: T) -> dict[str, Any]:
        """Relations that belong to the record's content (audited and reverted with it)."""
        return {}

    def on_create(self, actor: Any, record: T, cleaned: dict[str, Any]) -> None:
        """A hook for values only a new record gets (a case code)."""

    # Shared behaviour.
    @property
    def entity(self) -> str:
        return self.model.__tablename__  # type: ignore[attr-defined,no-any-return]

    def snapshot(self, record: T) -> dict[str, Any]:
        """Every content value of the record as JSON-ready data."""
        return audit.snapshot(record) | self.related_snapshot(record)

    def editable_values(self, record: T) -> dict[str, Any]:
        """The values a form or an API update starts from."""
        return {
            key: value
            for key, value in self.snapshot(record).items()
            if key not in LIFECYCLE_FIELDS and key not in self.derived
        }

    def forwarded(self, record_id: int) -> int | None:
        """The record that now stands for this one (a person merged into another), if any."""
        return None

    def get(self, record_id: int, include_deleted: bool = False) -> T:
        """The record with this id, or NotFound (deleted ones only when asked for)."""
        record = db.session.get(self.model, record_id)
        if record is None or (record.deleted_at is not None and not include_deleted):
            raise NotFound(_("There is no such record."))
        return record  # type: ignore[no-any-return]

    def create(self, actor: Any, values: dict[str, Any]) -> T:
        """Validate and insert a record; audit all its values."""
        return self.create_many(actor, [self.prepare(actor, values)])[0]

    def prepare(self, actor: Any, values: dict[str, Any]) -> dict[str, Any]:
        """Validate a new record's values and write nothing: ValidationFailed, or the cleaned
        values `create_many` takes (an importer checks each row so, then writes a chunk)."""
        check_can_edit(actor)
        return self.clean(values, None)

    def create_many(self, actor: Any, cleaned_rows: list[dict[str, Any]]) -> list[T]:
        """Insert records from values `prepare` cleaned, in one flush, and audit each
        record's values."""
        records = self._new_records(actor, cleaned_rows, _new)
        db.session.add_all(records)
        db.session.flush()
        self._audit_created(actor, records)
        return records

    def insert_many(self, actor: Any, cleaned_rows: list[dict[str, Any]]) -> list[T]:
        """`create_many` for a bulk job (an import): the same records and audit entries,
        written with one bulk INSERT per table; the records are Drafts, never in the session."""
        records = self._new_records(actor, cleaned_rows, _draft)
        insert_new(records)
        audit.record_many(actor, "create", [(r, {"new": self.snapshot(r)}) for r in records])
        return records

    def _new_records(
        self, actor: Any, cleaned_rows: list[dict[str, Any]], make: Callable[..., Any]
    ) -> list[T]:
        check_can_edit(actor)
        pairs: list[tuple[T, dict[str, Any]]] = [(make(self.model), row) for row in cleaned_rows]
        self.on_create_many(actor, pairs)
        for record, cleaned in pairs:
            _stamp(actor, record, created=True)
            self.assign(actor, record, cleaned)
        return [record for record, _cleaned in pairs]

    def _audit_created(self, actor: Any, records: list[T]) -> None:
        for record in records:
            audit.record(actor, "create", record, {"new": self.snapshot(record)})

    def on_create_many(self, actor: Any, pairs: list[tuple[T, dict[str, Any]]]) -> None:
        """`on_create` for each new record; a subclass that needs the database for it (case
        codes) overrides this to ask once for all of them."""
        for record, cleaned in pairs:
            self.on_create(actor, record, cleaned)

    def update(
        self,
        actor: Any,
        record: T,
        expected_version: int | None,
        values: dict[str, Any],
        action: str = "update",
    ) -> T:
        """Validate and change a record read at `expected_version`; audit old and new values."""
        check_can_edit(actor)
        check_version(record, expected_version)
        before = self.snapshot(record)
        cleaned = self.clean(self.editable_values(record) | values, record)
        self.assign(actor, record, cleaned)
        changes = audit.diff(before, self.snapshot(record))
        if changes:
            _stamp(actor, record)
            flush_or_conflict()
            audit.record(actor, action, record, changes)
        return record

    def delete(self, actor: Any, record: T, expected_version: int | None = None) -> T:
        """Move the record to the Trash."""
        check_can_edit(actor)
        check_version(record, expected_version)
        return soft_delete(actor, record)

    def restore(self, actor: Any, record: T) -> T:
        """Bring a record back from the Trash."""
        check_can_edit(actor)
        if record.deleted_at is not None:  # type: ignore[attr-defined]
            record.deleted_at = None  # type: ignore[attr-defined]
            record.deleted_by_id = None  # type: ignore[attr-defined]
            _stamp(actor, record)
            flush_or_conflict()
            audit.record(actor, "restore", record)
        return record

    def history(self, record: T) -> list[Version]:
        """Every audited step of the record, newest first, with the values after it."""
        entries = list(
            db.session.execute(
                select(AuditEntry)
                .where(
                    AuditEntry.entity_type == self.entity,
                    AuditEntry.entity_id == record.id,  # type: ignore[attr-defined]
                    AuditEntry.action.not_in(READ_ACTIONS),
                )
                .order_by(AuditEntry.id.desc())
            ).scalars()
        )
        state = self.snapshot(record)
        versions = []
        for entry in entries:
            versions.append(Version(entry, dict(state)))
            changes = entry.changes or {}
            if entry.action == "create":
                break
            for key, change in changes.items():
                if isinstance(change, dict) and "old" in change and key in state:
                    state[key] = change["old"]
        return versions

    def revert(self, actor: Any, record: T, entry_id: int, expected_version: int | None) -> T:
        """Put the record's content back as it was right after audit entry `entry_id`."""
        for version in self.history(record):
            if version.entry.id == entry_id:
                values = {
                    key: value
                    for key, value in version.values.items()
                    if key not in LIFECYCLE_FIELDS and key not in self.derived
                }
                return self.update(actor, record, expected_version, values, action="revert")
        raise NotFound("That version is not part of this record's history.")


def live_records(model: Any, *criteria: Any, order_by: Any) -> list[Any]:
    """Records of one kind that are not in the Trash and meet `criteria`, in order."""
    query = select(model).where(model.deleted_at.is_(None), *criteria).order_by(order_by)
    return list(db.session.execute(query).scalars())


def deleted_records(model: Any, limit: int = 200) -> list[Any]:
    """Soft-deleted records of one kind, most recently deleted first."""
    return list(
        db.session.execute(
            select(model)
            .where(model.deleted_at.is_not(None))
            .order_by(model.deleted_at.desc())
            .limit(limit)
        ).scalars()
    )
