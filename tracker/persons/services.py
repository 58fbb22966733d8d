"""Individual cases: stable case codes, detention history, status history and contacts."""

from datetime import date
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import update
from sqlalchemy.dialects import postgresql, sqlite

from tracker.accounts.permissions import can_view_identity
from tracker.audit import services as audit
from tracker.db import utcnow
from tracker.events.models import RepatriationEvent
from tracker.exceptions import PermissionDenied
from tracker.extensions import db
from tracker.persons.models import CaseCodeCounter, Contact, Detention, Person, StatusRecord
from tracker.places.models import Facility
from tracker.records import (
    Cleaner,
    RecordService,
    check_can_edit,
    check_version,
    flush_or_conflict,
    new_child,
)
from tracker.search.services import refresh_name_keys
from tracker.sources.models import Source

EARLIEST_BIRTH_YEAR = 1900


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

    model = Person
    derived = frozenset({"case_code", "status", "status_as_of"})

    def clean(self, values: dict[str, Any], record: Person | None) -> dict[str, Any]:
        """Check a person's values and detention rows; messages per field."""
        check = Cleaner(values)
        this_year = date.today().year
        cleaned: dict[str, Any] = {
            "family_name": check.text("family_name", 100),
            "given_name": check.text("given_name", 100),
            "name_hangul": check.text("name_hangul", 100),
            "aliases": check.text_list("aliases", 100),
            "gender": check.choice("gender", "gender", record.gender if record else None),
            "birth_year": check.integer("birth_year"),
            "birth_year_approximate": check.boolean("birth_year_approximate"),
            "origin": check.text("origin", 300),
            "origin_region": check.text("origin_region", 100),
            "arrest_date": check.date("arrest_date"),
            "arrest_place": check.text("arrest_place", 300),
            "event_id": check.reference(
                "event_id", RepatriationEvent, _l("event"), record.event_id if record else None
            ),
            "last_seen_date": check.date("last_seen_date"),
            "last_seen_place": check.text("last_seen_place", 300),
            "responsible_parties": check.text("responsible_parties", 5_000),
            "relatives_actions": check.text("relatives_actions", 5_000),
            "notes": check.text("notes", 20_000),
            "external_source": check.text("external_source", 100),
            "external_id": check.text("external_id", 100),
        }
        birth_year = cleaned["birth_year"]
        if birth_year is not None and not EARLIEST_BIRTH_YEAR <= birth_year <= this_year:
            check.error(
                "birth_year",
                _(
                    "Enter a year between %(first)s and %(last)s.",
                    first=EARLIEST_BIRTH_YEAR,
                    last=this_year,
                ),
            )
        for key in ("arrest_date", "last_seen_date"):
            if birth_year and cleaned[key] and cleaned[key].year < birth_year:
                check.error(key, _("This date is before the person was born."))
        current = [d.facility_id for d in record.detentions] if record else []
        cleaned["detentions"] = check.rows(
            "detentions", lambda row, prefix: _clean_detention(row, prefix, current)
        )
        check.check()
        return cleaned

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

    def assign(self, actor: Any, record: Person, cleaned: dict[str, Any]) -> None:
        """Store the columns and the name's search keys; detention rows no longer listed are
        soft-deleted, new ones added."""
        cleaned = dict(cleaned)
        wanted = cleaned.pop("detentions")
        super().assign(actor, record, cleaned)
        refresh_name_keys(record)
        remaining = list(wanted)
        for detention in record.detentions:
            if detention.deleted_at is not None:
                continue
            values = _detention_values(detention)
            if values in remaining:
                remaining.remove(values)
            else:
                detention.deleted_at = utcnow()
                detention.deleted_by_id = getattr(actor, "id", None)
        for values in remaining:
            record.detentions.append(
                new_child(
                    record,
                    Detention,
                    facility_id=values["facility_id"],
                    date_from=date.fromisoformat(values["date_from"])
                    if values["date_from"]
                    else None,
                    date_to=date.fromisoformat(values["date_to"]) if values["date_to"] else None,
                    note=values["note"],
                    created_by_id=getattr(actor, "id", None),
                    updated_by_id=getattr(actor, "id", None),
                )
            )

    def related_snapshot(self, record: Person) -> dict[str, Any]:
        """The detention history is part of a person's content."""
        return {"detentions": live_detentions_values(record)}

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

    def add_status(
        self,
        actor: Any,
        person: Person,
        values: dict[str, Any],
        expected_version: int | None = None,
    ) -> StatusRecord:
        """Add a dated, sourced status claim; never overwrite one. The latest as-of is current."""
        check_can_edit(actor)
        check_version(person, expected_version)
        check = Cleaner(values)
        status = check.choice("status", "status")
        as_of = check.date("as_of")
        if as_of is None and "as_of" not in check.errors:
            check.error("as_of", _("Give the date this status was reported for."))
        source_id = check.reference("source_id", Source, _l("source"))
        if source_id is None and "source_id" not in check.errors:
            check.error("source_id", _("Say which source reports this status."))
        note = check.text("note", 5_000)
        check.check()
        entry = StatusRecord(
            person=person,
            status=status,
            as_of=as_of,
            source_id=source_id,
            note=note,
            created_by_id=getattr(actor, "id", None),
            updated_by_id=getattr(actor, "id", None),
        )
        db.session.add(entry)
        before = _current_status(person)
        _refresh_status(actor, person, newest=entry)
        flush_or_conflict()
        changes = audit.diff(before, _current_status(person))
        changes["status_record"] = {
            "old": None,
            "new": {
                "id": entry.id,
                "status": status,
                "as_of": _iso(as_of),
                "source_id": source_id,
                "note": note,
            },
        }
        audit.record(actor, "status.add", person, changes)
        return entry

    def withdraw_status(self, actor: Any, person: Person, status_id: int) -> None:
        """Withdraw a status claim (kept, marked deleted); the current status is recomputed."""
        check_can_edit(actor)
        entry = next(
            (s for s in person.statuses if s.id == status_id and s.deleted_at is None), None
        )
        if entry is None:
            return
        before = _current_status(person)
        entry.deleted_at = utcnow()
        entry.deleted_by_id = getattr(actor, "id", None)
        _refresh_status(actor, person)
        flush_or_conflict()
        changes = audit.diff(before, _current_status(person))
        changes["status_record"] = {
            "old": {"id": entry.id, "status": entry.status, "as_of": _iso(entry.as_of)},
            "new": None,
        }
        audit.record(actor, "status.withdraw", person, changes)


def _current_status(person: Person) -> dict[str, Any]:
    return {"status": person.status, "status_as_of": _iso(person.status_as_of)}


def _refresh_status(actor: Any, person: Person, newest: StatusRecord | None = None) -> None:
    """A person's current status: the live claim with the latest as-of (ties: the newest)."""
    live = [s for s in person.statuses if s.deleted_at is None]
    latest = max(live, key=lambda s: (s.as_of, s is newest, s.id or 0)) if live else None
    person.status = latest.status if latest else None
    person.status_as_of = latest.as_of if latest else None
    person.updated_by_id = getattr(actor, "id", None)
    person.updated_at = utcnow()


class ContactService(RecordService[Contact]):
    """A relative or witness of a person: identifying, so only for admins and researchers."""

    model = Contact

    def clean(self, values: dict[str, Any], record: Contact | None) -> dict[str, Any]:
        """Check a contact's values; every message is tied to its field."""
        check = Cleaner(values)
        cleaned: dict[str, Any] = {
            "person_id": check.reference(
                "person_id", Person, _l("person"), record.person_id if record else None
            ),
            "name": check.text("name", 200, required=True),
            "relation": check.text("relation", 100),
            "location": check.text("location", 300),
            "reach": check.text("reach", 2_000),
            "notes": check.text("notes", 5_000),
        }
        if cleaned["person_id"] is None and "person_id" not in check.errors:
            check.error("person_id", _("Choose the person this contact is for."))
        check.check()
        return cleaned

    def restore(self, actor: Any, record: Contact) -> Contact:
        """Contacts are identifying: only someone who may see them brings one back."""
        if not can_view_identity(actor):
            raise PermissionDenied(_("Your role may not see contacts."))
        return super().restore(actor, record)


persons = PersonService()
contacts = ContactService()


def _clean_detention(check: Cleaner, prefix: str, current: list[int]) -> dict[str, Any]:
    facility_id = check.reference(prefix + "facility_id", Facility, _l("facility"), current)
    if facility_id is None and prefix + "facility_id" not in check.errors:
        check.error(prefix + "facility_id", _("Choose the facility."))
    date_from = check.date(prefix + "date_from")
    date_to = check.date(prefix + "date_to")
    if date_from and date_to and date_to < date_from:
        check.error(prefix + "date_to", _("The end is before the start."))
    return {
        "facility_id": facility_id,
        "date_from": _iso(date_from),
        "date_to": _iso(date_to),
        "note": check.text(prefix + "note", 5_000),
    }


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _detention_values(detention: Detention) -> dict[str, Any]:
    return {
        "facility_id": detention.facility_id,
        "date_from": _iso(detention.date_from),
        "date_to": _iso(detention.date_to),
        "note": detention.note,
    }


def live_detentions_values(person: Person) -> list[dict[str, Any]]:
    """A person's detention rows (not removed), as plain values in date order."""
    rows = [_detention_values(d) for d in person.detentions if d.deleted_at is None]
    return sorted(rows, key=lambda row: (row["date_from"] or "", row["facility_id"] or 0))


def live_contacts(actor: Any, person: Person) -> list[Contact]:
    """A person's contacts, only for someone who may see identities."""
    if not can_view_identity(actor):
        raise PermissionDenied(_("Your role may not see contacts."))
    return [c for c in person.contacts if c.deleted_at is None]


def log_identity_view(actor: Any, person_ids: list[int], where: str) -> None:
    """Record that `actor` was shown the identifying fields of these persons."""
    if not person_ids or not can_view_identity(actor):
        return
    if len(person_ids) == 1:
        audit.record(
            actor,
            "person.view_identity",
            entity_type="persons",
            entity_id=person_ids[0],
            changes={"where": where},
        )
    else:
        audit.record(
            actor,
            "person.view_identity",
            entity_type="persons",
            changes={"where": where, "ids": person_ids},
        )


def status_timeline(person: Person) -> list[StatusRecord]:
    """A person's status claims in as-of order (ties: the order they were added)."""
    return sorted(
        (s for s in person.statuses if s.deleted_at is None), key=lambda s: (s.as_of, s.id)
    )
