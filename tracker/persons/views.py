"""Person pages: the shared record views for cases, plus status history and contacts."""

from typing import Any

from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response

from tracker.accounts.permissions import can_edit_records, can_view_identity
from tracker.dashboard.filters import person_conditions
from tracker.events.models import RepatriationEvent
from tracker.events.views import event_label
from tracker.exceptions import ValidationFailed
from tracker.extensions import db
from tracker.i18n import format_day
from tracker.persons.forms import ContactForm, PersonForm, StatusForm
from tracker.persons.models import PERSON_IDENTITY_FIELDS, Contact, Person
from tracker.persons.services import (
    contacts,
    live_contacts,
    live_detentions_values,
    log_identity_view,
    persons,
    status_timeline,
)
from tracker.places.models import Facility
from tracker.search.services import name_sounds_like, search_persons
from tracker.sources.services import source_label
from tracker.vocab.labels import choices, label
from tracker.workspace.masking import masked
from tracker.workspace.views import (
    Column,
    Filter,
    RecordKind,
    RecordViews,
    fill_choices,
    picker_choices,
)


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


def _details(person: Person, can_see: bool) -> list[tuple[str, Any]]:
    birth = ""
    if person.birth_year:
        birth = (
            _("around %(year)s", year=person.birth_year)
            if person.birth_year_approximate
            else str(person.birth_year)
        )
    return [
        (_l("Case code"), person.case_code),
        (_l("Family name"), masked(person.family_name, can_see)),
        (_l("Given name"), masked(person.given_name, can_see)),
        (_l("Name in Hangul"), masked(person.name_hangul, can_see)),
        (_l("Aliases"), masked(", ".join(person.aliases or []), can_see)),
        (_l("Gender"), label("gender", person.gender)),
        (_l("Birth year"), birth),
        (_l("Place of origin"), masked(person.origin, can_see)),
        (_l("Region of origin"), person.origin_region),
        (_l("Arrested"), format_day(person.arrest_date)),
        (_l("Place of arrest"), person.arrest_place),
        (_l("Repatriation event"), event_label(person.event) if person.event else ""),
        (_l("Status"), label("status", person.status)),
        (_l("Status as of"), format_day(person.status_as_of)),
        (_l("Last seen"), format_day(person.last_seen_date)),
        (_l("Last seen at"), person.last_seen_place),
        (_l("Parties believed responsible"), masked(person.responsible_parties, can_see)),
        (_l("Steps relatives have taken"), masked(person.relatives_actions, can_see)),
        (_l("Notes"), masked(person.notes, can_see)),
    ]


def _extra(person: Person, user: Any) -> dict[str, Any]:
    can_see = can_view_identity(user)
    facilities = {
        f.id: f.name
        for f in db.session.execute(
            select(Facility).where(Facility.id.in_([d.facility_id for d in person.detentions]))
        ).scalars()
    }
    detentions = [
        {
            "facility": facilities.get(row["facility_id"], ""),
            "facility_id": row["facility_id"],
            "date_from": row["date_from"] or "",
            "date_to": row["date_to"] or "",
            "note": masked(row["note"], can_see),
        }
        for row in live_detentions_values(person)
    ]
    timeline = [
        {
            "status": label("status", entry.status),
            "as_of": entry.as_of.isoformat(),
            "as_of_text": format_day(entry.as_of),
            "source": entry.source,
            "source_label": source_label(entry.source, can_see) if entry.source else "",
            "note": masked(entry.note, can_see),
        }
        for entry in reversed(status_timeline(person))
    ]
    status_form = None
    if can_edit_records(user):
        status_form = StatusForm(formdata=None)
        fill_choices(status_form, can_see)
    return {
        "detentions": detentions,
        "timeline": timeline,
        "status_form": status_form,
        "contacts": live_contacts(user, person) if can_see else None,
    }


person_kind = RecordKind(
    name="persons",
    singular=_l("person"),
    title=_l("Persons"),
    service=persons,
    form=PersonForm,
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
        Column("birth_year", _l("Born"), lambda r: r.birth_year or "", Person.birth_year),
        Column("status", _l("Status"), lambda r: label("status", r.status), Person.status),
        Column(
            "status_as_of", _l("As of"), lambda r: format_day(r.status_as_of), Person.status_as_of
        ),
        Column("event", _l("Event"), lambda r: event_label(r.event) if r.event else ""),
    ],
    scope=person_conditions,
    eager=[selectinload(Person.event).joinedload(RepatriationEvent.crossing)],
    filters=[
        Filter(
            "status",
            _l("Status"),
            lambda q, v: q.where(Person.status == v),
            lambda c: choices("status"),
        ),
        Filter(
            "gender",
            _l("Gender"),
            lambda q, v: q.where(Person.gender == v),
            lambda c: choices("gender"),
        ),
        Filter(
            "event_id",
            _l("Event"),
            lambda q, v: q.where(Person.event_id == int(v)),
            lambda can_see: picker_choices("events", can_see),
            is_id=True,
        ),
    ],
    label=person_label,
    details=_details,
    search=_search,
    # Names are searched by sound, ranked; an analyst's search stays on case codes (_search).
    rank=lambda q, can_see, within: search_persons(q, within) if can_see else None,
    default_sort="case_code",
    picker_order=Person.case_code,
    ranked_by=lambda can_see: Person.family_name if can_see else Person.case_code,
    identifying_fields=PERSON_IDENTITY_FIELDS,
    references={"event_id": "events", "facility_id": "facilities", "source_id": "sources"},
    extra_template="persons/extra.html",
    extra_context=_extra,
    shown_in_list=lambda records: log_identity_view(current_user, [p.id for p in records], "list"),
    shown_in_detail=lambda record: log_identity_view(current_user, [record.id], "detail"),
)

person_views = RecordViews(person_kind)
bp = person_views.blueprint

contact_kind = RecordKind(
    name="contacts",
    singular=_l("contact"),
    title=_l("Contacts"),
    service=contacts,
    form=ContactForm,
    columns=[
        Column("name", _l("Name"), lambda r: r.name, Contact.name, identifying=True),
        Column("relation", _l("Relation"), lambda r: r.relation or "", Contact.relation),
        Column("person", _l("Person"), lambda r: r.person.case_code),
    ],
    label=lambda r, can_see: f"{r.name} ({r.person.case_code})",
    details=lambda r, can_see: [
        (_l("Person"), person_label(r.person, can_see)),
        (_l("Name"), r.name),
        (_l("Relation"), r.relation),
        (_l("Where"), r.location),
        (_l("How to reach"), r.reach),
        (_l("Notes"), r.notes),
    ],
    search=lambda q, can_see: or_(Contact.name.ilike(f"%{q}%"), Contact.relation.ilike(f"%{q}%")),
    references={"person_id": "persons"},
    identity_only=True,
    prefill=frozenset({"person_id"}),
)
contact_views = RecordViews(contact_kind)


@bp.route("/<int:record_id>/statuses", methods=["POST"])
def add_status(record_id: int) -> Response | tuple[str, int]:
    if not can_edit_records(current_user):
        abort(403)
    person = person_views.load(record_id)
    form = StatusForm()
    fill_choices(form, True)
    if form.validate_on_submit():
        try:
            persons.add_status(current_user, person, form.data)
            db.session.commit()
        except ValidationFailed as error:
            db.session.rollback()
            for key, message in error.fields.items():
                if key in form:
                    form[key].errors = [*form[key].errors, message]
        else:
            flash(_("The status was added to the timeline."), "success")
            return redirect(url_for(".detail", record_id=record_id))
    flash(_("The status was not added; see the messages beside the fields."), "error")
    return person_views.detail_page(person, status_form=form), 422
