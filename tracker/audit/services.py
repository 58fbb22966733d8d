"""Writing the audit trail."""

import functools
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from flask import has_request_context, request

from tracker.audit.models import AuditEntry
from tracker.db import bulk_insert, utcnow
from tracker.extensions import db

# While an import runs, the session carries its batch id here; every entry gets it.
IMPORT_BATCH_KEY = "import_batch_id"
# Bookkeeping columns whose changes say nothing a reader of the history needs.
_UNAUDITED = {"version", "updated_at", "updated_by_id", "created_at", "created_by_id"}


_PLAIN = (str, int, bool, float, type(None))


def _jsonable(value: Any) -> Any:
    if type(value) in _PLAIN:
        return value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    return value


def snapshot(obj: Any) -> dict[str, Any]:
    """The record's column values as JSON-ready data, for 'old' and 'new' in the audit."""
    return {key: _jsonable(getattr(obj, key)) for key in _audited_keys(obj.__mapper__)}


@functools.cache
def _audited_keys(mapper: Any) -> tuple[str, ...]:
    """A model's columns that `snapshot` reads (the mapper is a model's, or a Draft's)."""
    return tuple(c.key for c in mapper.column_attrs if c.key not in _UNAUDITED)


def diff(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """Only the fields that changed, as {"field": {"old": ..., "new": ...}}."""
    return {
        key: {"old": old.get(key), "new": new.get(key)}
        for key in sorted(set(old) | set(new))
        if old.get(key) != new.get(key)
    }


def record(
    actor: Any,
    action: str,
    obj: Any = None,
    changes: dict[str, Any] | None = None,
    entity_type: str | None = None,
    entity_id: int | None = None,
) -> AuditEntry:
    """Add an audit entry for an action by `actor` on `obj` (flushed, never committed)."""
    entry = AuditEntry(**entry_values(actor, action, obj, changes, (entity_type, entity_id)))
    db.session.add(entry)
    if entry.import_batch_id is None:
        db.session.flush()
    # else an import is running: the entry goes out with the row's next flush, or the batch's
    # commit, in the same transaction (one round trip fewer per row).
    return entry


def entry_values(
    actor: Any, action: str, obj: Any, changes: Any, entity: tuple[Any, Any] = (None, None)
) -> dict[str, Any]:
    """The columns of the audit entry `record` adds (`record_many` inserts them in bulk);
    `entity` is the (type, id) it is about when that is not `obj`."""
    entity_type, entity_id = entity
    if obj is not None:
        entity_type = entity_type or obj.__tablename__
        entity_id = entity_id if entity_id is not None else obj.id
    return {
        "at": utcnow(),
        "actor_id": getattr(actor, "id", None),
        "action": action,
        "entity_type": entity_type,
        "entity_id": entity_id,
        "changes": changes,
        "ip_address": request.remote_addr if has_request_context() else None,
        "import_batch_id": db.session.info.get(IMPORT_BATCH_KEY),
    }


def record_many(actor: Any, action: str, entries: list[tuple[Any, dict[str, Any]]]) -> None:
    """`record` for many (record, changes) at once, as one executemany (a bulk import)."""
    if entries:
        rows = [entry_values(actor, action, obj, changes) for obj, changes in entries]
        at = rows[0]["at"]  # written together
        for row in rows:
            row["at"] = at
        bulk_insert(db.session.connection(), AuditEntry.__table__, rows)  # type: ignore[arg-type]
