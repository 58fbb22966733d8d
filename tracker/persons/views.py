"""Person pages: the shared record views for cases, plus status history and contacts."""

from typing import Any

from flask import abort, flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from tracker import unit_of_work
from tracker.accounts.permissions import can_edit_records, can_view_identity, is_admin
from tracker.exceptions import Conflict, ValidationFailed
from tracker.kinds.fields import Rows
from tracker.persons.forms import CorrectionForm, correction_form
from tracker.persons.kind import CONTACTS, PERSONS, STATUSES, person_label
from tracker.persons.models import Person
from tracker.persons.services import live_contacts, persons, status_fields, status_timeline
from tracker.sources.kind import source_label
from tracker.workspace.forms import RecordForm, form_for, input_values
from tracker.workspace.masking import masked
from tracker.workspace.views import RecordViews, WebKind, fill_choices, keep_current, show_value


def status_form(submitted: bool = True) -> RecordForm:
    """The form that adds a status to a person's timeline (from the status record's fields);
    empty unless it is the one submitted."""
    form_class = form_for(STATUSES)
    form = form_class() if submitted else form_class(formdata=None)
    form.submit.label.text = _("Add status")
    return form


def _stays() -> Rows:
    return PERSONS.field("detentions")  # type: ignore[return-value]


def _correction(
    name: str,
    fields: list[Any],
    prefix: str,
    values: dict[str, Any] | None,
    version: int,
    choices: dict[str, Any] | None = None,
) -> CorrectionForm:
    """One entry's correction form: filled from the entry, or from the request if it is the
    form submitted (`values` None)."""
    form_class = correction_form(name, tuple(fields))
    if values is None:
        form = form_class(prefix=prefix)
    else:
        data: dict[str, Any] = {}
        for field in fields:
            data.update(input_values(field, values.get(field.name)))
        form = form_class(formdata=None, prefix=prefix, data=data)
        form.version.data = str(version)
    if choices is None:
        fill_choices(form, True)
    else:
        _reuse_choices(form, choices)
    return form


def _reuse_choices(form: CorrectionForm, choices: dict[str, Any]) -> None:
    """Give a form the select options another form of its kind loaded (one query per page, not
    one per entry), keeping each select's current value offered."""
    for item in form:
        if not hasattr(item, "choices"):
            continue
        if item.short_name not in choices:
            fill_choices([item], True)
            choices[item.short_name] = item.choices
        else:
            item.choices = list(choices[item.short_name])
            keep_current(item, True)


def _extra(person: Person, user: Any) -> dict[str, Any]:
    can_see = can_view_identity(user)
    can_edit = can_edit_records(user) and not person.is_deleted
    stays = _stays()
    row_fields = {field.name: field for field in stays.fields}
    submitted = getattr(g, "correction_form", None)
    detention_choices: dict[str, Any] = {}
    status_choices: dict[str, Any] = {}
    detentions = []
    for position, row in enumerate(stays.read(person)):
        prefix = f"detention-{position}"
        form = None
        if can_edit:
            form = (
                submitted
                if submitted is not None and submitted._prefix == prefix + "-"
                else _correction(
                    "detention", stays.fields, prefix, row, person.version, detention_choices
                )
            )
        detentions.append(
            {
                "facility": show_value(row_fields["facility_id"], row["facility_id"], can_see),
                "facility_id": row["facility_id"],
                "date_from": show_value(row_fields["date_from"], row["date_from"], can_see),
                "date_to": show_value(row_fields["date_to"], row["date_to"], can_see),
                "note": masked(row["note"], can_see),
                "position": position,
                "form": form,
            }
        )
    as_of = STATUSES.field("as_of")

    def when(entry: Any) -> Any:  # to the month for those who may not see identities
        read = as_of.read(entry)
        return read if can_see else as_of.coarse(read)

    timeline = []
    for entry in reversed(status_timeline(person)):
        prefix = f"status-{entry.id}"
        form = None
        if can_edit:
            form = (
                submitted
                if submitted is not None and submitted._prefix == prefix + "-"
                else _correction(
                    "status",
                    status_fields(),
                    prefix,
                    {field.name: field.read(entry) for field in status_fields()},
                    person.version,
                    status_choices,
                )
            )
        timeline.append(
            {
                "id": entry.id,
                "status": show_value(STATUSES.field("status"), entry.status, can_see),
                "as_of": when(entry).start.isoformat() if entry.as_of else "",
                "as_of_text": as_of.show(when(entry)),
                "source": entry.source,
                "source_label": source_label(entry.source, can_see) if entry.source else "",
                "note": masked(entry.note, can_see),
                "form": form,
            }
        )
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


def _corrected(
    record_id: int, name: str, fields: list[Any], prefix: str, act: Any
) -> Response | tuple[str, int]:
    """Handle a submitted correction form: `act(form)` corrects or withdraws the entry
    through the service; a refusal shows the page again with the form open and its messages."""
    if not can_edit_records(current_user):
        abort(403)
    person = person_views.load(record_id)
    form = _correction(name, fields, prefix, None, person.version)
    if form.validate_on_submit():
        try:
            act(person, form, _int(form.version.data))
        except Conflict:
            unit_of_work.rollback()
            flash(
                _("Someone else changed this person meanwhile. Here is the page as it is now."),
                "error",
            )
            return redirect(url_for(".detail", record_id=record_id))
        except ValidationFailed as error:
            unit_of_work.rollback()
            form.set_errors({f"{prefix}-{key}": text for key, text in error.fields.items()})
        else:
            flash(
                _("The entry was withdrawn; the history keeps it.")
                if form.withdrawing
                else _("The correction was saved; the history keeps the earlier values."),
                "success",
            )
            return redirect(url_for(".detail", record_id=record_id))
    g.correction_form = form
    flash(_("Nothing was changed; see the messages in the form."), "error")
    return person_views.detail_page(person_views.load(record_id)), 422


@bp.route("/<int:record_id>/statuses/<int:status_id>/correct", methods=["POST"])
def correct_status(record_id: int, status_id: int) -> Response | tuple[str, int]:
    def act(person: Person, form: CorrectionForm, version: int | None) -> None:
        if form.withdrawing:
            persons.withdraw_status_with_reason(
                current_user,
                person,
                status_id,
                form.reason.data,
                version,  # type: ignore[attr-defined]
            )
        else:
            persons.correct_status(
                current_user,
                person,
                status_id,
                form.values(),
                form.reason.data,
                version,  # type: ignore[attr-defined]
            )

    return _corrected(record_id, "status", status_fields(), f"status-{status_id}", act)


@bp.route("/<int:record_id>/detentions/<int:position>", methods=["POST"])
def correct_detention(record_id: int, position: int) -> Response | tuple[str, int]:
    def act(person: Person, form: CorrectionForm, version: int | None) -> None:
        values = None if form.withdrawing else form.values()
        persons.correct_detention(
            current_user,
            person,
            position,
            values,
            form.reason.data,
            version,  # type: ignore[attr-defined]
        )

    return _corrected(record_id, "detention", _stays().fields, f"detention-{position}", act)


@bp.route("/<int:record_id>/statuses/undo/<int:entry_id>", methods=["POST"])
def undo_status(record_id: int, entry_id: int) -> Response:
    """Undo one step of the status history (from the History beside the record)."""
    if not can_edit_records(current_user):
        abort(403)
    person = person_views.load(record_id)
    try:
        persons.undo_status_step(current_user, person, entry_id, _int(request.form.get("version")))
    except (ValidationFailed, Conflict) as error:
        unit_of_work.rollback()
        flash(error.message, "error")
    else:
        flash(_("The change was undone; the history shows both steps."), "success")
    return redirect(url_for(".detail", record_id=record_id))


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


__all__ = ["contact_views", "person_label", "person_views"]
