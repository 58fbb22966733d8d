"""The pattern every editable record shares: validate through its kind's field declarations,
create, update with a version check, soft delete, restore, revert to an earlier version, and
the history that makes it possible.

Each kind of record has one `RecordService` subclass in its feature's `services.py` that adds
the rules its fields cannot state alone (a person's dates after their birth, a place's
coordinates in pairs); everything else is here, once, for all of them. Services flush and
audit; they never commit.
"""

import contextlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar, Generic, TypeVar

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from tracker.accounts.permissions import can_edit_records
from tracker.audit import services as audit
from tracker.audit.models import AuditEntry
from tracker.db import utcnow
from tracker.exceptions import Conflict, NotFound, PermissionDenied, ValidationFailed
from tracker.extensions import db
from tracker.kinds.fields import Field, Problems
from tracker.kinds.kind import Kind
from tracker.kinds.values import ValueProblem
from tracker.records.bulk import insert_new, lookups, new_draft, new_instance

T = TypeVar("T")

CONFLICT_MESSAGE = "Someone else changed this record since you opened it."
# Columns that describe the record's life rather than its content: never edited or reverted.
LIFECYCLE_FIELDS = frozenset({"id", "deleted_at", "deleted_by_id"})
# Audit entries about reading a record, not changing it: in the audit log, not the History tab.
READ_ACTIONS = ("person.view_identity", "file.download")


# The key of an audit entry's changes that holds why the user made them (a correction).
REASON = "reason"
REASON_LENGTH = 1_000


def checked_reason(reason: Any) -> str:
    """The reason a user gives for correcting or withdrawing what was entered: required,
    one paragraph at most."""
    text = " ".join(str(reason or "").split())
    if not text:
        raise ValidationFailed(
            _("Please correct the marked fields."),
            {REASON: _("Say why: the history keeps the reason beside the change.")},
        )
    if len(text) > REASON_LENGTH:
        raise ValidationFailed(
            _("Please correct the marked fields."),
            {REASON: _("Use at most %(count)s characters.", count=REASON_LENGTH)},
        )
    return text


def check_version(record: Any, expected_version: int | None) -> None:
    """Refuse to change a record whose version is not the one the caller read."""
    if expected_version is not None and expected_version != record.version:
        raise Conflict(CONFLICT_MESSAGE, record=record)


def flush_or_conflict(record: Any = None) -> None:
    """Flush; a concurrent writer that got there first (stale version) is a Conflict (the
    edge rolls the unit of work back)."""
    try:
        db.session.flush()
    except StaleDataError:
        raise Conflict(CONFLICT_MESSAGE, record=record) from None


def check_can_edit(actor: Any) -> None:
    """Only admins and researchers change records; `None` is the system (CLI, sample)."""
    if actor is not None and not can_edit_records(actor):
        raise PermissionDenied(_("Your role may read records but not change them."))


def stamp(actor: Any, record: Any, created: bool = False, now: datetime | None = None) -> None:
    """Who created or last changed the record, and when (`now`: records written together)."""
    actor_id = getattr(actor, "id", None)
    if created:
        record.created_by_id = actor_id
    record.updated_by_id = actor_id
    # Always touch a column, so the row (and its version) changes even when only a
    # relation (an event's facilities, a person's detentions) did.
    record.updated_at = now or utcnow()


def clean_fields(
    fields: Iterable[Field], values: Mapping[str, Any], record: Any, problems: Problems
) -> dict[str, Any]:
    """Each field's value from what a door gave, checked by the field's own value type; every
    message goes into `problems`, by field name."""
    memo = cleaned_once() if record is None else None
    if memo is not None:
        return _clean_remembered(memo, fields, values, problems)
    cleaned: dict[str, Any] = {}
    for field in fields:
        cleaned[field.name] = _clean_field(field, values, record, problems)
    return cleaned


def _clean_field(field: Field, values: Mapping[str, Any], record: Any, problems: Problems) -> Any:
    try:
        return field.clean(values, record, problems)
    except ValueProblem as problem:
        problems.setdefault(field.name, str(problem))
        return None


# In a bulk job (an import), a new record's field is cleaned once per distinct input: a
# column of a hundred thousand rows holds a few hundred dates, a handful of genders, and the
# fields a file has no column for are the same in every row. Only values accepted without a
# problem are remembered (a reference not there yet may be created by a later row); lists
# and rows are remembered frozen and given to each record as a copy of its own.
CLEANED_KEY = "cleaned"


def cleaned_once() -> dict[Any, Any] | None:
    """What a bulk job remembered of cleaned field values (None outside one)."""
    cache = lookups()
    return None if cache is None else cache.setdefault(CLEANED_KEY, {})


def _clean_remembered(
    memo: dict[Any, Any], fields: Iterable[Field], values: Mapping[str, Any], problems: Problems
) -> dict[str, Any]:
    fields = tuple(fields)
    plan_key = (fields, frozenset(values))
    plan = memo.get(plan_key)
    if plan is None:  # the fields these values give nothing for: cleaned once for all rows
        plan = memo[plan_key] = _plan(fields, values)
    constant, given = plan
    cleaned = {name: _thawed(value) for name, value in constant}
    for field in given:
        key: Any = None
        try:
            key = (field, *map(_frozen, map(values.get, field.inputs)))
            cleaned[field.name] = _thawed(memo[key])
            continue
        except KeyError:
            pass
        except TypeError:  # something that has no frozen form is cleaned each time
            key = None
        before = len(problems)
        cleaned[field.name] = value = _clean_field(field, values, None, problems)
        if key is not None and len(problems) == before:
            with contextlib.suppress(TypeError):  # a value with no frozen form: not kept
                memo[key] = _frozen(value)
    return cleaned


def _plan(fields: tuple[Field, ...], values: Mapping[str, Any]) -> tuple[Any, Any]:
    """(the frozen values of the fields `values` say nothing about, the other fields)."""
    constant, given = [], []
    for field in fields:
        if not any(name in values for name in field.inputs):
            problems: Problems = {}
            value = _clean_field(field, {}, None, problems)
            try:
                if not problems:
                    constant.append((field.name, _frozen(value)))
                    continue
            except TypeError:
                pass
        given.append(field)
    return tuple(constant), tuple(given)


class _Frozen(tuple):  # type: ignore[type-arg]
    """A list or a dict, frozen to be a key or a remembered value: its type, then its items
    (`_thawed` gives it back)."""


def _frozen(value: Any) -> Any:
    """`value` in a hashable form, equal for equal values (TypeError when it has none)."""
    kind = type(value)
    if kind is list or kind is dict:
        items = value.items() if kind is dict else value
        return _Frozen((kind, *(_frozen(item) for item in items)))
    if kind is tuple:
        return tuple(_frozen(item) for item in value)
    hash(value)
    frozen_dataclass = getattr(getattr(value, "__dataclass_params__", None), "frozen", False)
    if hasattr(value, "__dict__") and not frozen_dataclass:
        raise TypeError("a mutable object is never shared")  # a record, a lazy message
    return value


def _thawed(value: Any) -> Any:
    """A new list or dict from a frozen one (each record gets its own)."""
    kind = type(value)
    if kind is _Frozen:
        items = [_thawed(item) for item in value[1:]]
        return dict(items) if value[0] is dict else items
    if kind is tuple:
        return tuple(_thawed(item) for item in value)
    return value


def refuse(problems: Problems) -> None:
    """Raise ValidationFailed with every collected message, if any."""
    if problems:
        raise ValidationFailed(_("Please correct the marked fields."), dict(problems))


@dataclass(frozen=True)
class Version:
    """A record's state after one audit entry: what a History tab shows and revert restores."""

    entry: AuditEntry
    values: dict[str, Any]


class RecordService(Generic[T]):
    """Create, update, delete, restore and revert one kind of record, every step audited."""

    kind: ClassVar[Kind]

    def __init__(self) -> None:
        self.kind.service = self

    @property
    def model(self) -> Any:
        return self.kind.model

    @property
    def entity(self) -> str:
        return self.model.__tablename__  # type: ignore[no-any-return]

    @property
    def fields(self) -> list[Field]:
        """The fields a door may give (the derived ones are the service's own)."""
        return self.kind.editable_fields

    # --- what subclasses add -------------------------------------------------------------

    def check(self, cleaned: dict[str, Any], record: T | None, problems: Problems) -> None:
        """Rules across fields (a person's dates after their birth); messages by field."""

    def warn(self, cleaned: dict[str, Any], record: T | None) -> None:
        """Raise NeedsConfirmation for values that look like a mistake the user may confirm
        (a new person like an existing case); the forms and the API ask first."""

    def on_create_many(self, actor: Any, pairs: list[tuple[T, dict[str, Any]]]) -> None:
        """Values only a new record gets (a case code), for each new record at once."""

    def after_assign(self, actor: Any, record: T) -> None:
        """What follows from the stored values (a person's name keys)."""

    # --- values ------------------------------------------------------------------------

    def clean(self, values: Mapping[str, Any], record: T | None) -> dict[str, Any]:
        """The values of every field from what a door gave, checked; ValidationFailed with a
        message per field otherwise."""
        problems: Problems = {}
        cleaned = clean_fields(self.fields, values, record, problems)
        if not problems:
            self.check(cleaned, record, problems)
        refuse(problems)
        return cleaned

    def assign(self, actor: Any, record: T, cleaned: dict[str, Any]) -> None:
        """Store cleaned values through each field's own writer."""
        for field in self.fields:
            if field.name in cleaned:
                field.write(record, cleaned[field.name])
        self.after_assign(actor, record)

    def snapshot(self, record: T) -> dict[str, Any]:
        """Every content value of the record as JSON-ready data: its columns, and the rows and
        references that belong to it."""
        values = audit.snapshot(record)
        for field in self.kind.fields:
            if field.kind_of_value in ("rows", "refs"):
                values |= field.stored(field.read(record))
        return values

    def editable_values(self, record: T) -> dict[str, Any]:
        """The stored values a form or an API update starts from, by column name."""
        values: dict[str, Any] = {}
        for field in self.fields:
            values |= field.stored(field.read(record))
        return values

    def merged(self, record: T, values: Mapping[str, Any]) -> dict[str, Any]:
        """A record's values with a door's on top. A field given by its name (a date as text,
        a count as "about 180") is given whole: its other stored parts are not kept."""
        merged = self.editable_values(record)
        for field in self.fields:
            if field.name in values:
                for column in field.columns:
                    if column != field.name and column not in values:
                        merged.pop(column, None)
        merged.update(values)
        return merged

    # --- reading -----------------------------------------------------------------------

    def forwarded(self, record_id: int) -> int | None:
        """The record that now stands for this one (a person merged into another), if any."""
        return None

    def get(self, record_id: int, include_deleted: bool = False) -> T:
        """The record with this id, or NotFound (deleted ones only when asked for)."""
        record = db.session.get(self.model, record_id)
        if record is None or (record.deleted_at is not None and not include_deleted):
            raise NotFound(_("There is no such record."))
        return record  # type: ignore[no-any-return]

    # --- writing -----------------------------------------------------------------------

    def create(self, actor: Any, values: Mapping[str, Any], confirmed: bool = True) -> T:
        """Validate and insert a record; audit all its values. Unless `confirmed`, values that
        look like a mistake are refused with NeedsConfirmation (the forms and the API ask)."""
        cleaned = self.prepare(actor, values)
        if not confirmed:
            self.warn(cleaned, None)
        return self.create_many(actor, [cleaned])[0]

    def prepare(self, actor: Any, values: Mapping[str, Any]) -> dict[str, Any]:
        """Validate a new record's values and write nothing: ValidationFailed, or the cleaned
        values `create_many` takes (an importer checks each row so, then writes a chunk)."""
        check_can_edit(actor)
        return self.clean(values, None)

    def create_many(self, actor: Any, cleaned_rows: list[dict[str, Any]]) -> list[T]:
        """Insert records from values `prepare` cleaned, in one flush, and audit each
        record's values."""
        records = self._new_records(actor, cleaned_rows, new_instance)
        db.session.add_all(records)
        db.session.flush()
        for record in records:
            audit.record(actor, "create", record, {"new": self.snapshot(record)})
        return records

    def insert_many(self, actor: Any, cleaned_rows: list[dict[str, Any]]) -> list[T]:
        """`create_many` for a bulk job (an import): the same records and audit entries,
        written with one bulk INSERT per table; the records are Drafts, never in the session."""
        records = self._new_records(actor, cleaned_rows, new_draft)
        insert_new(records)
        audit.record_many(actor, "create", [(r, {"new": self.snapshot(r)}) for r in records])
        return records

    def _new_records(
        self, actor: Any, cleaned_rows: list[dict[str, Any]], make: Callable[..., Any]
    ) -> list[T]:
        check_can_edit(actor)
        pairs: list[tuple[T, dict[str, Any]]] = [(make(self.model), row) for row in cleaned_rows]
        self.on_create_many(actor, pairs)
        now = utcnow()  # created together
        for record, cleaned in pairs:
            stamp(actor, record, created=True, now=now)
            self.assign(actor, record, cleaned)
        return [record for record, _cleaned in pairs]

    def update(
        self,
        actor: Any,
        record: T,
        expected_version: int | None,
        values: Mapping[str, Any],
        action: str = "update",
        confirmed: bool = True,
        reason: str | None = None,
    ) -> T:
        """Validate and change a record read at `expected_version`; audit old and new values
        (`confirmed` as for `create`), and the user's `reason` for the change when given."""
        self.changes_made(actor, record, expected_version, values, action, confirmed, reason)
        return record

    def changes_made(
        self,
        actor: Any,
        record: T,
        expected_version: int | None,
        values: Mapping[str, Any],
        action: str = "update",
        confirmed: bool = True,
        reason: str | None = None,
    ) -> dict[str, Any]:
        """`update`, saying what it changed as the audit keeps it ({} for nothing), so that a
        caller need not take snapshots of its own (an import's preview lists the changes)."""
        check_can_edit(actor)
        check_version(record, expected_version)
        cleaned = self.clean(self.merged(record, values), record)
        if not confirmed:
            self.warn(cleaned, record)
        if all(field.read(record) == cleaned[field.name] for field in self.fields):
            return {}  # the values it has already (a file imported again)
        before = self.snapshot(record)
        self.assign(actor, record, cleaned)
        changes = audit.diff(before, self.snapshot(record))
        if changes:
            stamp(actor, record)
            flush_or_conflict(record)
            if reason:
                changes[REASON] = reason
            audit.record(actor, action, record, changes)
        return changes

    def delete(self, actor: Any, record: T, expected_version: int | None = None) -> T:
        """Move the record to the Trash (it stays in the database and can be restored)."""
        check_can_edit(actor)
        check_version(record, expected_version)
        if record.deleted_at is None:  # type: ignore[attr-defined]
            record.deleted_at = utcnow()  # type: ignore[attr-defined]
            record.deleted_by_id = getattr(actor, "id", None)  # type: ignore[attr-defined]
            flush_or_conflict(record)
            audit.record(actor, "delete", record)
        return record

    def restore(self, actor: Any, record: T) -> T:
        """Bring a record back from the Trash."""
        check_can_edit(actor)
        if record.deleted_at is not None:  # type: ignore[attr-defined]
            record.deleted_at = None  # type: ignore[attr-defined]
            record.deleted_by_id = None  # type: ignore[attr-defined]
            stamp(actor, record)
            flush_or_conflict(record)
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
                    if key not in LIFECYCLE_FIELDS
                }
                return self.update(actor, record, expected_version, values, action="revert")
        raise NotFound(_("That version is not part of this record's history."))


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
