"""Individual cases: stable case codes, detention history, status history and contacts."""

from collections.abc import Mapping
from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import update
from sqlalchemy.dialects import postgresql, sqlite

from tracker.accounts.permissions import can_view_identity
from tracker.audit import services as audit
from tracker.audit.models import AuditEntry
from tracker.db import utcnow
from tracker.events.models import RepatriationEvent
from tracker.exceptions import NeedsConfirmation, NotFound, PermissionDenied, ValidationFailed
from tracker.extensions import db
from tracker.kinds.fields import Field, Problems
from tracker.kinds.values import FuzzyDate
from tracker.persons.kind import CONTACTS, PERSONS, STATUSES, log_identity_view
from tracker.persons.lookalike import YEARS_APART, lookalikes
from tracker.persons.models import CaseCodeCounter, Contact, Person, StatusRecord
from tracker.records.bulk import insert_new, new_child, new_draft, number_new
from tracker.records.service import (
    REASON,
    RecordService,
    check_can_edit,
    check_version,
    checked_reason,
    clean_fields,
    flush_or_conflict,
    refuse,
)
from tracker.search.services import refresh_name_keys

__all__ = ["contacts", "log_identity_view", "persons"]


def next_case_code(year: int) -> str:
    """Hand out the next case code of a year, RT-YYYY-NNNN, never twice."""
    return next_case_codes(year, 1)[0]


def next_case_codes(year: int, count: int) -> list[str]:
    """Hand out the next `count` case codes of a year, in order, never twice.

    The counter row is locked by the UPDATE until the transaction ends, so concurrent
    transactions on PostgreSQL queue for it; SQLite serialises writers anyway.
    """
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    db.session.execute(
        insert(CaseCodeCounter)
        .values(year=year, last_number=0)
        .on_conflict_do_nothing(index_elements=["year"])
    )
    number = db.session.execute(
        update(CaseCodeCounter)
        .where(CaseCodeCounter.year == year)
        .values(last_number=CaseCodeCounter.last_number + count)
        .returning(CaseCodeCounter.last_number)
    ).scalar_one()
    return [f"RT-{year}-{n:04d}" for n in range(number - count + 1, number + 1)]


class PersonService(RecordService[Person]):
    """One individual case; its status comes from its status history."""

    kind = PERSONS

    def check(self, cleaned: dict[str, Any], record: Person | None, problems: Problems) -> None:
        """No date of a person is before their birth."""
        born = cleaned.get("birth_year")
        if born is None:
            return
        for field in self.fields:
            value = cleaned.get(field.name)
            if isinstance(value, FuzzyDate) and value.end.year < born.year:
                problems.setdefault(field.name, _("This date is before the person was born."))

    def warn(self, cleaned: dict[str, Any], record: Person | None) -> None:
        """A new name (or birth year) that looks like an existing case's is refused until the
        researcher confirms it is another person; the message names the case, not the person."""
        if record is not None:
            names = ("family_name", "given_name", "name_hangul", "aliases", "birth_year")
            before = {name: PERSONS.field(name).read(record) for name in names}
            if all(cleaned.get(name) == before[name] for name in names):
                return
        born = cleaned["birth_year"].year if cleaned.get("birth_year") else None
        codes = lookalikes(cleaned, born, exclude=record.id if record is not None else None)
        if codes:
            message = _(
                "Looks like %(codes)s: a similar name, born within %(years)s years. Open it to "
                "update that case, or confirm that this is another person.",
                codes=", ".join(codes[:3]),
                years=YEARS_APART,
            )
            raise NeedsConfirmation(
                message, {"similar": message}, _("This is another person: save anyway")
            )

    def on_create_many(self, actor: Any, pairs: list[tuple[Person, dict[str, Any]]]) -> None:
        """Each new case gets the next code of its event's year (else the current year), in
        the order given; the codes of a year are handed out together."""
        years = [self._case_year(cleaned) for _record, cleaned in pairs]
        codes = {year: iter(next_case_codes(year, years.count(year))) for year in set(years)}
        for (record, _cleaned), year in zip(pairs, years, strict=True):
            record.case_code = next(codes[year])

    def _case_year(self, cleaned: dict[str, Any]) -> int:
        if cleaned.get("event_id"):
            event = db.session.get(RepatriationEvent, cleaned["event_id"])
            if event is not None:
                return event.date_start.year
        return date.today().year

    def after_assign(self, actor: Any, record: Person) -> None:
        """The name's search keys follow the name."""
        refresh_name_keys(record)

    def forwarded(self, record_id: int) -> int | None:
        """A person merged into another is found at the survivor (old links still work)."""
        from tracker.search.merge import survivor_of

        person = db.session.get(Person, record_id)
        if person is None or person.merged_into_id is None:
            return None
        return survivor_of(person).id

    def restore(self, actor: Any, record: Person) -> Person:
        """A merged-away record comes back only by undoing the merge."""
        if record.merged_into_id is not None:
            raise PermissionDenied(_("This record was merged; undo the merge to bring it back."))
        return super().restore(actor, record)

    def un_readiness(self, person: Person) -> Any:
        """Whether the case can go to the UN Working Group, and what it still lacks."""
        from tracker.un.readiness import check

        return check(person)

    def add_status(
        self,
        actor: Any,
        person: Person,
        values: Mapping[str, Any],
        expected_version: int | None = None,
    ) -> StatusRecord:
        """Add a dated, sourced status claim; never overwrite one. The latest as-of is current."""
        check_can_edit(actor)
        check_version(person, expected_version)
        entry, changes = _attach_status(actor, person, self.prepare_status(actor, values))
        db.session.add(entry)
        flush_or_conflict(person)
        audit.record(actor, "status.add", person, _status_added(entry, changes))
        return entry

    def prepare_status(self, actor: Any, values: Mapping[str, Any]) -> dict[str, Any]:
        """Validate a status claim and write nothing: ValidationFailed, or the cleaned values
        `add_status` and `insert_many` take (an importer checks each row's claims so)."""
        check_can_edit(actor)
        problems: Problems = {}
        cleaned = clean_fields(status_fields(), values, None, problems)
        refuse(problems)
        return cleaned

    def insert_many(
        self,
        actor: Any,
        cleaned_rows: list[dict[str, Any]],
        statuses: list[list[dict[str, Any]]] | None = None,
    ) -> list[Person]:
        """`RecordService.insert_many` for new persons, each with its status claims cleaned by
        `prepare_status` (`statuses`, by row): the same records and audit entries as
        `create_many` followed by `add_status`, written with one bulk INSERT per table."""
        if not statuses or not any(statuses):
            return super().insert_many(actor, cleaned_rows)
        records = self._new_records(actor, cleaned_rows, new_draft)
        number_new(records)  # the audit's snapshots name them
        created = [(record, {"new": self.snapshot(record)}) for record in records]
        added = [
            (record, *_attach_status(actor, record, claim))
            for record, claims in zip(records, statuses, strict=True)
            for claim in claims
        ]
        insert_new(records)  # with their statuses and name keys
        audit.record_many(actor, "create", created)
        audit.record_many(
            actor,
            "status.add",
            [(record, _status_added(entry, changes)) for record, entry, changes in added],
        )
        return records

    def withdraw_status(
        self,
        actor: Any,
        person: Person,
        status_id: int,
        reason: str | None = None,
        expected_version: int | None = None,
    ) -> None:
        """Withdraw a status claim (kept, marked deleted); the current status is recomputed.
        The reason, when given (the person page asks for one), is kept in the history."""
        check_can_edit(actor)
        check_version(person, expected_version)
        entry = next(
            (s for s in person.statuses if s.id == status_id and s.deleted_at is None), None
        )
        if entry is None:
            return
        before = _current_status(person)
        entry.deleted_at = utcnow()
        entry.deleted_by_id = getattr(actor, "id", None)
        _refresh_status(actor, person)
        flush_or_conflict(person)
        changes = audit.diff(before, _current_status(person))
        changes["status_record"] = {"old": {"id": entry.id} | status_values(entry), "new": None}
        if reason:
            changes[REASON] = reason
        audit.record(actor, "status.withdraw", person, changes)

    def correct_status(
        self,
        actor: Any,
        person: Person,
        status_id: int,
        values: Mapping[str, Any],
        reason: Any,
        expected_version: int | None = None,
    ) -> StatusRecord:
        """Correct a status claim in place (its status, date, source or note), with the
        user's reason; the history keeps the values before and after, and can put them back."""
        check_can_edit(actor)
        check_version(person, expected_version)
        entry = _live_status(person, status_id)
        problems: Problems = {}
        cleaned = clean_fields(status_fields(), values, entry, problems)
        if problems:
            try:
                checked_reason(reason)
            except ValidationFailed as missing:
                problems.update(missing.fields)
        refuse(problems)
        reason = checked_reason(reason)
        old = status_values(entry)
        for field in status_fields():
            field.write(entry, cleaned[field.name])
        new = status_values(entry)
        if new == old:
            return entry
        before = _current_status(person)
        entry.updated_by_id = getattr(actor, "id", None)
        entry.updated_at = utcnow()
        _refresh_status(actor, person)
        flush_or_conflict(person)
        changes = audit.diff(before, _current_status(person))
        changes["status_record"] = {"old": {"id": entry.id} | old, "new": {"id": entry.id} | new}
        changes[REASON] = reason
        audit.record(actor, "status.correct", person, changes)
        return entry

    def withdraw_status_with_reason(
        self, actor: Any, person: Person, status_id: int, reason: Any, expected_version: int | None
    ) -> None:
        """Withdraw a claim from the person page: the reason is required there."""
        _live_status(person, status_id)
        self.withdraw_status(actor, person, status_id, checked_reason(reason), expected_version)

    def undo_status_step(
        self, actor: Any, person: Person, entry_id: int, expected_version: int | None = None
    ) -> None:
        """Undo one step of a person's status history, as its own audited step: an added
        claim is withdrawn, a withdrawn one comes back, a corrected one gets its earlier values.
        Refused when the claim has changed since that step (undo the later step first)."""
        check_can_edit(actor)
        check_version(person, expected_version)
        step = db.session.get(AuditEntry, entry_id)
        if (
            step is None
            or step.entity_type != "persons"
            or step.entity_id != person.id
            or step.action not in STATUS_STEPS
        ):
            raise NotFound(_("That change is not part of this person's status history."))
        claim = (step.changes or {}).get("status_record") or {}
        after, before = claim.get("new"), claim.get("old")
        status_id = (after or before or {}).get("id")
        entry = next((s for s in person.statuses if s.id == status_id), None)
        if entry is None:
            raise NotFound(_("That change is not part of this person's status history."))
        live = entry.deleted_at is None
        current = {"id": entry.id} | status_values(entry)
        undone = _(
            "Undone: %(step)s of %(date)s",
            step=_step_name(step.action),
            date=step.at.date().isoformat(),
        )
        if step.action in ("status.add", "status.restore") and live and current == after:
            self.withdraw_status(actor, person, entry.id, undone)
        elif step.action == "status.withdraw" and not live:
            self._bring_back(actor, person, entry, undone)
        elif step.action == "status.correct" and live and current == after and before:
            values = {k: v for k, v in before.items() if k != "id"}
            self.correct_status(actor, person, entry.id, values, undone)
        else:
            raise ValidationFailed(
                _("This status has changed since that step: undo the later change first."), {}
            )

    def _bring_back(self, actor: Any, person: Person, entry: StatusRecord, reason: str) -> None:
        before = _current_status(person)
        entry.deleted_at = None
        entry.deleted_by_id = None
        _refresh_status(actor, person)
        flush_or_conflict(person)
        changes = audit.diff(before, _current_status(person))
        changes["status_record"] = {"old": None, "new": {"id": entry.id} | status_values(entry)}
        changes[REASON] = reason
        audit.record(actor, "status.restore", person, changes)

    def correct_detention(
        self,
        actor: Any,
        person: Person,
        position: int,
        values: Mapping[str, Any] | None,
        reason: Any,
        expected_version: int | None,
    ) -> Person:
        """Correct (`values`) or withdraw (None) one row of a person's detention history, as
        the person page lists it, with the user's reason; a withdrawn row is kept, and
        restoring the person's earlier version brings it back."""
        check_can_edit(actor)
        check_version(person, expected_version)
        stays = PERSONS.field("detentions")
        rows = stays.read(person)
        if not 0 <= position < len(rows):
            raise NotFound(_("There is no such detention row."))
        wanted = list(rows)
        if values is None:
            del wanted[position]
        else:
            wanted[position] = dict(rows[position]) | dict(values)
        problems: Problems = {}
        try:
            self.clean(self.merged(person, {"detentions": wanted}), person)
        except ValidationFailed as failed:
            # The row's messages by the row's own field names (the correction form's).
            prefix = f"detentions-{position}-"
            problems |= {k.removeprefix(prefix): v for k, v in failed.fields.items()}
        try:
            reason = checked_reason(reason)
        except ValidationFailed as missing:
            problems |= missing.fields
        refuse(problems)
        return self.update(actor, person, expected_version, {"detentions": wanted}, reason=reason)


STATUS_STEPS = ("status.add", "status.withdraw", "status.correct", "status.restore")


def _step_name(action: str) -> str:
    names = {
        "status.add": _("the status added"),
        "status.withdraw": _("the status withdrawn"),
        "status.correct": _("the status corrected"),
        "status.restore": _("the status brought back"),
    }
    return names.get(action, action)


def _live_status(person: Person, status_id: int) -> StatusRecord:
    entry = next((s for s in person.statuses if s.id == status_id and s.deleted_at is None), None)
    if entry is None:
        raise NotFound(_("There is no such status entry."))
    return entry


def status_fields() -> list[Field]:
    """The fields of a status claim a door gives (its person is the one it is added to)."""
    return STATUSES.editable_fields


def status_values(entry: StatusRecord) -> dict[str, Any]:
    """A status claim's stored values (what the audit keeps)."""
    return claim_values({field.name: field.read(entry) for field in status_fields()})


def claim_values(cleaned: Mapping[str, Any]) -> dict[str, Any]:
    """A cleaned status claim's stored values, as the audit keeps them."""
    values: dict[str, Any] = {}
    for field in status_fields():
        values |= field.stored(cleaned[field.name])
    return values


def _attach_status(
    actor: Any, person: Person, cleaned: dict[str, Any]
) -> tuple[StatusRecord, dict[str, Any]]:
    """A new claim in the person's status history (not written yet), and how it changes the
    person's current status (what its audit entry keeps)."""
    actor_id = getattr(actor, "id", None)
    entry = new_child(person, StatusRecord, created_by_id=actor_id, updated_by_id=actor_id)
    for field in status_fields():
        field.write(entry, cleaned[field.name])
    before = _current_status(person)
    person.statuses.append(entry)
    _refresh_status(actor, person, newest=entry)
    return entry, audit.diff(before, _current_status(person))


def _status_added(entry: StatusRecord, changes: dict[str, Any]) -> dict[str, Any]:
    """The changes of a `status.add` audit entry, once the claim has its id."""
    claim = {"old": None, "new": {"id": entry.id} | status_values(entry)}
    return changes | {"status_record": claim}


def _current_status(person: Person) -> dict[str, Any]:
    as_of = PERSONS.field("status_as_of")
    return {"status": person.status} | as_of.stored(as_of.read(person))


def _refresh_status(actor: Any, person: Person, newest: StatusRecord | None = None) -> None:
    """A person's current status: the live claim with the latest as-of (ties: the newest)."""
    live = [s for s in person.statuses if s.deleted_at is None]
    latest = max(live, key=lambda s: (s.as_of, s is newest, s.id or 0)) if live else None
    person.status = latest.status if latest else None
    read_as_of = STATUSES.field("as_of").read
    PERSONS.field("status_as_of").write(person, read_as_of(latest) if latest else None)
    person.updated_by_id = getattr(actor, "id", None)
    person.updated_at = utcnow()


class ContactService(RecordService[Contact]):
    """A relative or witness of a person: identifying, so only for admins and researchers."""

    kind = CONTACTS

    def restore(self, actor: Any, record: Contact) -> Contact:
        """Contacts are identifying: only someone who may see them brings one back."""
        if not can_view_identity(actor):
            raise PermissionDenied(_("Your role may not see contacts."))
        return super().restore(actor, record)


persons = PersonService()
contacts = ContactService()


def live_contacts(actor: Any, person: Person) -> list[Contact]:
    """A person's contacts, only for someone who may see identities."""
    if not can_view_identity(actor):
        raise PermissionDenied(_("Your role may not see contacts."))
    return [c for c in person.contacts if c.deleted_at is None]


def status_timeline(person: Person) -> list[StatusRecord]:
    """A person's status claims in as-of order (ties: the order they were added)."""
    return sorted(
        (s for s in person.statuses if s.deleted_at is None), key=lambda s: (s.as_of, s.id)
    )
