"""References between records: which ids are live records, and what a referenced record is
called for a given viewer."""

from typing import Any

from sqlalchemy import select

from tracker.extensions import db
from tracker.records.bulk import lookups
from tracker.security.converters import parse_id


def live_ids(model: Any, ids: list[int], keep: list[int]) -> set[int]:
    """Which of `ids` are records that exist and are not deleted (or are in `keep`)."""
    if not ids:
        return set()
    cache = lookups()
    known: dict[int, bool] = cache.setdefault(model, {}) if cache is not None else {}
    missing = [i for i in ids if i not in known]
    if missing:
        query = select(model.id, model.deleted_at).where(model.id.in_(missing))
        for row in db.session.execute(query):
            known[row.id] = row.deleted_at is None
    return {i for i in ids if known.get(i) or (i in known and i in keep)}


def reference_label(kind_name: str, record_id: Any, can_see: bool) -> str:
    """A referenced record's name (masked for this viewer as needed), or '#id' if gone."""
    from tracker.kinds.registry import kinds

    kind = kinds().get(kind_name)
    if kind is None or record_id in (None, ""):
        return "—"
    number = parse_id(record_id)
    if number is None:
        return f"#{record_id}"
    record = db.session.get(kind.model, number)
    return kind.label(record, can_see) if record is not None else f"#{record_id}"
