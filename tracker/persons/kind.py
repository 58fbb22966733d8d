"""Persons (cases), their status records and their contacts as kinds of record: lists,
filters, names and search. Their fields are declared on the models' columns."""

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import not_, or_
from sqlalchemy.orm import selectinload

from tracker.dashboard.filters import person_conditions
from tracker.events.kind import event_label
from tracker.events.models import RepatriationEvent
from tracker.kinds.kind import Column, Computed, Filter, Kind, shown, shown_to
from tracker.kinds.listing import picker_choices
from tracker.kinds.registry import register
from tracker.persons.models import Contact, Person, StatusRecord
from tracker.search.services import name_sounds_like, search_persons
from tracker.vocab.labels import choices, label


def full_name(person: Person) -> str:
    return " ".join(part for part in (person.family_name, person.given_name) if part)


def person_label(person: Person, can_see: bool) -> str:
    """A case's name: its code, and for those who may see it, the person's name."""
    if can_see and (full_name(person) or person.name_hangul):
        name = full_name(person) or ""
        hangul = f" ({person.name_hangul})" if person.name_hangul else ""
        return f"{person.case_code} – {name}{hangul}".replace("–  (", "– (")
    return person.case_code


def _search(q: str, can_see: bool) -> Any:
    pattern = f"%{q}%"
    if not can_see:
        # An analyst's search never looks at names: a match would reveal one.
        return Person.case_code.ilike(pattern)
    # Names by sound, through the stored keys (any spelling); the list and pickers rank
    # with `rank` instead, and this serves whoever filters in SQL (the API's q).
    return or_(Person.case_code.ilike(pattern), name_sounds_like(q))


def log_identity_view(actor: Any, person_ids: list[int], where: str) -> None:
    """Record that `actor` was shown the identifying fields of these persons."""
    from tracker.accounts.permissions import can_view_identity
    from tracker.audit import services as audit

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


def _un_filter(key: str) -> Any:
    """A filter of the "Ready for the UN" view (tracker/un/readiness.py holds the rules)."""
    from tracker.un import readiness as un

    def apply(query: Any, value: Any) -> Any:
        if key == "missing":
            return query.where(not_(un.present_conditions(un.current_submitter())[value]))
        condition = {
            "ready": lambda: un.ready_condition(un.current_submitter()),
            "urgent": lambda: un.urgent_condition(),
            "submitted": un.submitted_condition,
        }[key]()
        return query.where(condition if value else not_(condition))

    return apply


def _yes_no(can_see: bool) -> list[tuple[str, str]]:
    from flask_babel import gettext as _

    return [("yes", _("Yes")), ("no", _("No"))]


def _un_elements(can_see: bool) -> list[tuple[str, str]]:
    from tracker.un.readiness import ELEMENT_LABELS

    return [(code, str(text)) for code, text in ELEMENT_LABELS.items()]


def _un_readiness(person: Person, can_see: bool) -> dict[str, Any]:
    from tracker.un.readiness import check

    return check(person).as_api(can_see)


def _events(can_see: bool) -> list[tuple[str, str]]:
    from tracker.kinds.registry import kind

    return picker_choices(kind("events"), can_see)


PERSONS = register(
    Kind(
        name="persons",
        model=Person,
        singular=_l("person"),
        plural=_l("Persons"),
        description="Individual cases. Identifying fields (names, aliases, detailed origin, "
        "free text, external_id) are null for analysts; status and status_as_of follow from "
        "the status history.",
        label=person_label,
        columns=[
            Column("case_code", _l("Case code"), lambda r: r.case_code, Person.case_code),
            Column("name", _l("Name"), full_name, Person.family_name, identifying=True),
            Column(
                "name_hangul",
                _l("Hangul"),
                lambda r: r.name_hangul or "",
                Person.name_hangul,
                identifying=True,
            ),
            Column("gender", _l("Gender"), lambda r: label("gender", r.gender), Person.gender),
            Column(
                "birth_year",
                _l("Born"),
                shown(Person, "birth_year"),
                Person.birth_year,
                for_viewer=shown_to(Person, "birth_year"),
            ),
            Column("status", _l("Status"), lambda r: label("status", r.status), Person.status),
            Column(
                "status_as_of",
                _l("As of"),
                shown(Person, "status_as_of"),
                Person.status_as_of,
                for_viewer=shown_to(Person, "status_as_of"),
            ),
            Column("event", _l("Event"), lambda r: event_label(r.event) if r.event else ""),
        ],
        scope=person_conditions,
        eager=lambda: [selectinload(Person.event).joinedload(RepatriationEvent.crossing)],
        filters=[
            Filter(
                "status",
                _l("Status"),
                lambda q, v: q.where(Person.status == v),
                lambda can_see: choices("status"),
            ),
            Filter(
                "gender",
                _l("Gender"),
                lambda q, v: q.where(Person.gender == v),
                lambda can_see: choices("gender"),
            ),
            Filter(
                "event_id",
                _l("Event"),
                lambda q, v: q.where(Person.event_id == v),
                _events,
                is_id=True,
            ),
            Filter("un_ready", _l("Ready for the UN"), _un_filter("ready"), _yes_no, is_flag=True),
            Filter(
                "un_urgent", _l("Urgent for the UN"), _un_filter("urgent"), _yes_no, is_flag=True
            ),
            Filter(
                "un_submitted",
                _l("Submitted to the UN"),
                _un_filter("submitted"),
                _yes_no,
                is_flag=True,
            ),
            Filter(
                "un_missing",
                _l("Missing for the UN"),
                _un_filter("missing"),
                _un_elements,
                identifying=True,
            ),
        ],
        computed={
            "un_readiness": Computed(
                "Readiness for the UN Working Group on Enforced or Involuntary Disappearances: "
                "`ready` (every element present), `urgent` (vanished within the last three "
                "months, not yet submitted), `missing` (the gaps; not shown to analysts).",
                {"ready": "bool", "urgent": "bool", "missing": "strings"},
                _un_readiness,
                ("name", "date", "place", "responsible", "steps", "submitter", "consent"),
            )
        },
        search=_search,
        # Names are searched by sound, ranked; an analyst's search stays on case codes (_search).
        rank=lambda q, can_see, within: search_persons(q, within) if can_see else None,
        default_sort="case_code",
        picker_order=Person.case_code,
        ranked_by=lambda can_see: Person.family_name if can_see else Person.case_code,
        shown=log_identity_view,
        key_field="case_code",
    )
)

STATUSES = register(
    Kind(
        name="statuses",
        model=StatusRecord,
        singular=_l("status record"),
        plural=_l("Status records"),
        description="Dated, sourced status claims about a person; the latest as_of is current.",
        label=lambda r, can_see: f"{label('status', r.status)} ({r.as_of})",
        columns=[],
        search=lambda q, can_see: StatusRecord.status.ilike(f"%{q}%"),
    )
)

CONTACTS = register(
    Kind(
        name="contacts",
        model=Contact,
        singular=_l("contact"),
        plural=_l("Contacts"),
        label=lambda r, can_see: f"{r.name} ({r.person.case_code})",
        columns=[
            Column("name", _l("Name"), lambda r: r.name, Contact.name, identifying=True),
            Column("relation", _l("Relation"), lambda r: r.relation or "", Contact.relation),
            Column("person", _l("Person"), lambda r: r.person.case_code),
        ],
        search=lambda q, can_see: or_(
            Contact.name.ilike(f"%{q}%"), Contact.relation.ilike(f"%{q}%")
        ),
        eager=lambda: [selectinload(Contact.person)],
        identity_only=True,
    )
)

from tracker.persons import services as _services  # noqa: E402,F401
