"""Person pages: the shared record views for cases, plus status history and contacts."""

from typing import Any

from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from tracker.accounts.permissions import can_edit_records, can_view_identity, is_admin
from tracker.exceptions import ValidationFailed
from tracker.persons.kind import CONTACTS, PERSONS, STATUSES, person_label
from tracker.persons.models import Person
from tracker.persons.services import live_contacts, persons, status_timeline
from tracker.sources.kind import source_label
from tracker.workspace.forms import RecordForm, form_for
from tracker.workspace.masking import masked
from tracker.workspace.views import RecordViews, WebKind, fill_choices, show_value


def status_form(submitted: bool = True) -> RecordForm:
    """The form that adds a status to a person's timeline (from the status record's fields);
    empty unless it is the one submitted."""
    form_class = form_for(STATUSES)
    form = form_class() if submitted else form_class(formdata=None)
    form.submit.label.text = _("Add status")
    return form


def _extra(person: Person, user: Any) -> dict[str, Any]:
    can_see = can_view_identity(user)
    stays = PERSONS.field("detentions")
    row_fields = {field.name: field for field in stays.fields}  # type: ignore[attr-defined]
    detentions = [
        {
            "facility": show_value(row_fields["facility_id"], row["facility_id"], can_see),
            "facility_id": row["facility_id"],
            "date_from": show_value(row_fields["date_from"], row["date_from"], can_see),
            "date_to": show_value(row_fields["date_to"], row["date_to"], can_see),
            "note": masked(row["note"], can_see),
        }
        for row in stays.read(person)
    ]
    as_of = STATUSES.field("as_of")

    def when(entry: Any) -> Any:  # to the month for those who may not see identities
        read = as_of.read(entry)
        return read if can_see else as_of.coarse(read)

    timeline = [
        {
            "status": show_value(STATUSES.field("status"), entry.status, can_see),
            "as_of": when(entry).start.isoformat() if entry.as_of else "",
            "as_of_text": as_of.show(when(entry)),
            "source": entry.source,
            "source_label": source_label(entry.source, can_see) if entry.source else "",
            "note": masked(entry.note, can_see),
        }
        for entry in reversed(status_timeline(person))
    ]
    form = None
    if can_edit_records(user):
        form = status_form(submitted=False)
        fill_choices(form, can_see)
    from tracker.un.readiness import STATE_LABELS, SUBMISSION_LABELS, check

    return {
        "un_check": check(person),
        "un_submission_labels": SUBMISSION_LABELS,
        "un_state_labels": STATE_LABELS,
        "un_is_admin": is_admin(user),
        "un_can_see": can_see,
        "detentions": detentions,
        "timeline": timeline,
        "status_form": form,
        "contacts": live_contacts(user, person) if can_see else None,
    }


person_views = RecordViews(
    WebKind(PERSONS, extra_template="persons/extra.html", extra_context=_extra)
)
bp = person_views.blueprint

contact_views = RecordViews(
    WebKind(CONTACTS, prefill=frozenset({"person_id"}), rows_in_extra=False)
)


@bp.route("/<int:record_id>/statuses", methods=["POST"])
def add_status(record_id: int) -> Response | tuple[str, int]:
    if not can_edit_records(current_user):
        abort(403)
    person = person_views.load(record_id)
    form = status_form()
    fill_choices(form, True)
    if form.validate_on_submit():
        try:
            persons.add_status(current_user, person, form.values())
        except ValidationFailed as error:
            form.set_errors(error.fields)
        else:
            flash(_("The status was added to the timeline."), "success")
            return redirect(url_for(".detail", record_id=record_id))
    flash(_("The status was not added; see the messages beside the fields."), "error")
    return person_views.detail_page(person, status_form=form), 422


__all__ = ["contact_views", "person_label", "person_views"]
