"""The pattern every editable record shares: create, update with a version check, soft delete."""

from typing import Any, TypeVar

from tracker.audit import services as audit
from tracker.db import utcnow
from tracker.exceptions import Conflict
from tracker.extensions import db

T = TypeVar("T")


def create_record(actor: Any, model: type[T], **values: Any) -> T:
    """Insert a record stamped with its creator, flush it, and audit its values."""
    record = model(**values)
    actor_id = getattr(actor, "id", None)
    record.created_by_id = actor_id  # type: ignore[attr-defined]
    record.updated_by_id = actor_id  # type: ignore[attr-defined]
    db.session.add(record)
    db.session.flush()
    audit.record(actor, "create", record, {"new": audit.snapshot(record)})
    return record


def update_record(actor: Any, record: T, expected_version: int | None, **values: Any) -> T:
    """Change fields of a record; refuse if it changed since `expected_version` was read."""
    if expected_version is not None and expected_version != record.version:  # type: ignore[attr-defined]
        raise Conflict("Someone else changed this record since you opened it.")
    before = audit.snapshot(record)
    for key, value in values.items():
        setattr(record, key, value)
    record.updated_by_id = getattr(actor, "id", None)  # type: ignore[attr-defined]
    db.session.flush()
    changes = audit.diff(before, audit.snapshot(record))
    if changes:
        audit.record(actor, "update", record, changes)
    return record


def soft_delete(actor: Any, record: T) -> T:
    """Mark a record deleted (it stays in the database and can be restored)."""
    if record.deleted_at is None:  # type: ignore[attr-defined]
        record.deleted_at = utcnow()  # type: ignore[attr-defined]
        record.deleted_by_id = getattr(actor, "id", None)  # type: ignore[attr-defined]
        db.session.flush()
        audit.record(actor, "delete", record)
    return record
