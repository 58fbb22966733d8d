"""Merging two records of one person: the survivor keeps a value per field as the researcher
chose, takes the other's status history, detentions and contacts (with their sources), and
the other's spellings as aliases; the merged-away record stays as a pointer to the survivor.
One audit entry holds everything needed to undo it exactly."""

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from tracker.audit import services as audit
from tracker.audit.models import AuditEntry
from tracker.db import utcnow
from tracker.exceptions import Conflict, NotFound, ValidationFailed
from tracker.extensions import db
from tracker.kinds.fields import Field, Snapshot
from tracker.persons.kind import PERSONS, STATUSES
from tracker.persons.models import Contact, Detention, Person, StatusRecord
from tracker.records.service import check_can_edit, check_version, flush_or_conflict
from tracker.search.duplicates import _check
from tracker.search.services import refresh_name_keys

MOVED: dict[str, Any] = {"statuses": StatusRecord, "detentions": Detention, "contacts": Contact}


def merge_fields() -> list[Field]:
    """The fields a researcher chooses between when the two records disagree: every field of
    a person a form edits, but the aliases (kept from both) and the rows (moved over)."""
    return [
        field
        for field in PERSONS.editable_fields
        if not field.internal and field.kind_of_value != "rows" and field.name != "aliases"
    ]


def restored_fields() -> list[Field]:
    """Everything an undo puts back on both records."""
    derived = [PERSONS.field("status"), PERSONS.field("status_as_of")]
    return [*merge_fields(), PERSONS.field("aliases"), *derived]


def conflicts(survivor: Person, other: Person) -> list[Field]:
    """The fields where both records hold a value and the values differ."""
    found = []
    for field in merge_fields():
        mine, theirs = field.read(survivor), field.read(other)
        if not field.is_empty(mine) and not field.is_empty(theirs) and mine != theirs:
            found.append(field)
    return found


def merge(
    actor: Any,
    survivor: Person,
    other: Person,
    take_other: set[str],
    versions: tuple[int | None, int | None] = (None, None),
) -> AuditEntry:
    """Merge `other` into `survivor`: for each field in `take_other` (or empty on the survivor)
    the other's value wins; its histories move over; it becomes a pointer to the survivor.
    `versions` are the two records' versions the researcher compared: a merge chosen on values
    someone has since changed is refused."""
    _check(actor)
    check_can_edit(actor)
    if survivor.id == other.id or survivor.deleted_at or other.deleted_at:
        raise ValidationFailed(_("Choose two different persons that are not in the Trash."), {})
    check_version(survivor, versions[0])
    check_version(other, versions[1])
    before = {"survivor": _state(survivor), "other": _state(other)}
    for field in merge_fields():
        theirs = field.read(other)
        wanted = field.name in take_other or field.is_empty(field.read(survivor))
        if wanted and not field.is_empty(theirs):
            field.write(survivor, theirs)
    spellings = [other.name_hangul, " ".join(p for p in (other.family_name, other.given_name) if p)]
    survivor.aliases = list(
        dict.fromkeys(
            a
            for a in [*(survivor.aliases or []), *spellings, *(other.aliases or [])]
            if a and a not in (survivor.name_hangul, _name(survivor))
        )
    )
    moved = {}
    for name in MOVED:
        rows = list(getattr(other, name))
        moved[name] = [row.id for row in rows]
        for row in rows:
            row.person_id = survivor.id
    db.session.flush()
    db.session.expire(survivor, ["statuses", "detentions", "contacts"])
    db.session.expire(other, ["statuses", "detentions", "contacts"])
    _current_status(survivor)
    other.merged_into_id = survivor.id
    other.deleted_at = utcnow()
    other.deleted_by_id = getattr(actor, "id", None)
    refresh_name_keys(survivor)
    for record in (survivor, other):
        record.updated_at = utcnow()
        record.updated_by_id = getattr(actor, "id", None)
    flush_or_conflict(survivor)
    entry = audit.record(
        actor,
        "person.merge",
        survivor,
        {
            "merged_id": other.id,
            "before": before,
            "moved": moved,
            "took": sorted(take_other),
            "survivor_version": survivor.version,
        },
    )
    audit.record(actor, "person.merged_into", other, {"survivor_id": survivor.id})
    return entry


def undo_merge(actor: Any, entry_id: int) -> tuple[Person, Person]:
    """Undo a merge from its audit entry: both records exactly as they were before it."""
    _check(actor)
    check_can_edit(actor)
    entry = db.session.get(AuditEntry, entry_id)
    if entry is None or entry.action != "person.merge" or not entry.changes:
        raise NotFound(_("There is no such merge."))
    survivor = db.session.get(Person, entry.entity_id)
    other = db.session.get(Person, entry.changes["merged_id"])
    if survivor is None or other is None or other.merged_into_id != survivor.id:
        raise ValidationFailed(_("This merge was already undone."), {})
    merged_version = entry.changes.get("survivor_version")
    if merged_version is not None and survivor.version != merged_version:
        # Undoing puts the survivor's fields back as they were before the merge, which would
        # silently discard whatever was recorded on it since.
        raise Conflict(
            _(
                "%(code)s was edited after the merge; undoing it would discard those edits. "
                "Revert them in its history first, or separate the records by hand.",
                code=survivor.case_code,
            )
        )
    for name, model in MOVED.items():
        ids = entry.changes["moved"].get(name) or []
        for row in db.session.execute(select(model).where(model.id.in_(ids))).scalars():
            row.person_id = other.id
    db.session.flush()
    for record, state in ((survivor, "survivor"), (other, "other")):
        db.session.expire(record, ["statuses", "detentions", "contacts"])
        before = Snapshot(entry.changes["before"][state])
        for field in restored_fields():
            field.write(record, field.read(before))
        record.updated_at = utcnow()
        record.updated_by_id = getattr(actor, "id", None)
    other.merged_into_id = None
    other.deleted_at = None
    other.deleted_by_id = None
    refresh_name_keys(survivor)
    refresh_name_keys(other)
    flush_or_conflict(survivor)
    audit.record(actor, "person.unmerge", survivor, {"merged_id": other.id, "merge": entry.id})
    audit.record(actor, "person.unmerged", other, {"survivor_id": survivor.id})
    return survivor, other


def survivor_of(person: Person) -> Person:
    """The record a merged-away person now lives on (following merges of merges)."""
    seen = {person.id}
    while person.merged_into_id is not None:
        following = db.session.get(Person, person.merged_into_id)
        if following is None or following.id in seen:
            break
        seen.add(following.id)
        person = following
    return person


def _state(person: Person) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for field in restored_fields():
        values |= field.stored(field.read(person))
    return values


def _name(person: Person) -> str:
    return " ".join(p for p in (person.family_name, person.given_name) if p)


def _current_status(person: Person) -> None:
    live = [s for s in person.statuses if s.deleted_at is None]
    if live:
        latest = max(live, key=lambda s: (s.as_of, s.id))
        person.status = latest.status
        as_of = STATUSES.field("as_of").read(latest)
        PERSONS.field("status_as_of").write(person, as_of)
