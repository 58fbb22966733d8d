"""The global search box: persons, facilities and crossing points by any spelling of a name.

Only for roles that see identities (names are searched), and only by POST, so a name never
lands in a URL, a server log or the browser history."""

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from tracker import unit_of_work
from tracker.accounts.permissions import role_required
from tracker.audit.models import AuditEntry
from tracker.exceptions import Conflict, NotFound, ValidationFailed
from tracker.extensions import db
from tracker.persons.kind import PERSONS, log_identity_view
from tracker.persons.models import Person
from tracker.search.duplicates import duplicate_candidates, mark_different
from tracker.search.merge import conflicts, merge, undo_merge
from tracker.search.services import search_everywhere
from tracker.security.converters import parse_id
from tracker.workspace.views import WEB_KINDS, show_value

bp = Blueprint("search", __name__)


@bp.route("/search", methods=["GET", "POST"])
@role_required("admin", "researcher")
def index() -> str:
    q = (request.form.get("q") or "").strip()[:200] if request.method == "POST" else ""
    found = search_everywhere(q).items() if q else []
    sections = [(WEB_KINDS[name], records) for name, records in found]
    page = render_template("search/index.html", q=q, sections=sections)
    shown = [record.id for web, found in sections if web.name == "persons" for record, _ in found]
    log_identity_view(current_user, shown, "search")
    return page


@bp.route("/persons/duplicates")
@role_required("admin", "researcher")
def duplicates() -> str:
    batch = None
    if "batch" in request.args:  # the overlaps of one import, from its report
        batch = parse_id(request.args["batch"])
        if batch is None:
            abort(404)
    candidates = duplicate_candidates(current_user, batch=batch)
    page = render_template(
        "search/duplicates.html",
        candidates=[(c, _compared(c.first, c.second)) for c in candidates],
        batch=batch,
    )
    shown = sorted({p.id for c in candidates for p in (c.first, c.second)})
    log_identity_view(current_user, shown, "duplicates")
    return page


# What the duplicates page sets side by side, each value shown as the person page shows it.
COMPARED = (
    "family_name",
    "given_name",
    "name_hangul",
    "aliases",
    "birth_year",
    "gender",
    "origin_region",
    "status",
    "event_id",
)


def _compared(first: Person, second: Person) -> list[tuple[Any, list[Any]]]:
    """Rows of (field label, [first's value, second's value]) in the page's language."""
    rows = []
    for name in COMPARED:
        field = PERSONS.field(name)
        rows.append(
            (field.label, [show_value(field, field.read(p), True) for p in (first, second)])
        )
    return rows


@bp.route("/persons/duplicates/different", methods=["POST"])
@role_required("admin", "researcher")
def different() -> Response:
    first, second = parse_id(request.form.get("first")), parse_id(request.form.get("second"))
    try:
        if first is None or second is None:
            raise ValidationFailed(_("Choose two different persons from the list."), {})
        mark_different(current_user, first, second)
    except ValidationFailed as error:
        unit_of_work.rollback()
        flash(error.message, "error")
    else:
        flash(_("Noted: these are different people. They will not be suggested again."), "success")
    return redirect(url_for(".duplicates"))


def _pair() -> tuple[Person, Person]:
    """The two persons named by `first` (the survivor) and `second` in the request, or 404."""
    source = request.form if request.method == "POST" else request.args
    ids = [parse_id(source.get(key)) for key in ("first", "second")]
    people = [db.session.get(Person, i) if i else None for i in ids]
    if any(p is None or p.deleted_at is not None for p in people) or ids[0] == ids[1]:
        abort(404)
    return people[0], people[1]  # type: ignore[return-value]


@bp.route("/persons/merge", methods=["GET", "POST"])
@role_required("admin", "researcher")
def merge_pair() -> tuple[str, int] | Response:
    survivor, other = _pair()
    choices = conflicts(survivor, other)
    status = 200
    if request.method == "POST":
        take = {f.name for f in choices if request.form.get(f"keep-{f.name}") == "second"}
        versions = (
            parse_id(request.form.get("first_version")),
            parse_id(request.form.get("second_version")),
        )
        try:
            entry = merge(current_user, survivor, other, take, versions)
        except Conflict:
            unit_of_work.rollback()
            survivor, other = _pair()
            choices = conflicts(survivor, other)
            flash(
                _(
                    "Someone changed one of these records since you opened this page. "
                    "Here are their current values: choose again."
                ),
                "error",
            )
            status = 409
        else:
            flash(
                _(
                    "%(other)s was merged into %(survivor)s.",
                    other=other.case_code,
                    survivor=survivor.case_code,
                ),
                "success",
            )
            return redirect(url_for(".merged", entry_id=entry.id))
    page = render_template(
        "search/merge.html",
        survivor=survivor,
        other=other,
        choices=[
            (f, show_value(f, f.read(survivor), True), show_value(f, f.read(other), True))
            for f in choices
        ],
    )
    log_identity_view(current_user, [survivor.id, other.id], "merge")
    unit_of_work.keep_on_error()  # the identity view is logged even on a 409
    return page, status


@bp.route("/persons/merges/<int:entry_id>")
@role_required("admin", "researcher")
def merged(entry_id: int) -> str:
    entry = db.session.get(AuditEntry, entry_id)
    if entry is None or entry.action != "person.merge":
        abort(404)
    # The two cases by their case codes (a researcher's handle), never by database ids.
    survivor = db.session.get(Person, entry.entity_id)
    merged_away = db.session.get(Person, (entry.changes or {}).get("merged_id"))
    return render_template(
        "search/merged.html",
        entry=entry,
        survivor=survivor.case_code if survivor else "",
        merged=merged_away.case_code if merged_away else "",
    )


@bp.route("/persons/merges/<int:entry_id>/undo", methods=["POST"])
@role_required("admin", "researcher")
def undo(entry_id: int) -> Response:
    try:
        survivor, other = undo_merge(current_user, entry_id)
    except NotFound:
        abort(404)
    except (ValidationFailed, Conflict) as error:
        unit_of_work.rollback()
        flash(error.message, "error")
        return redirect(url_for(".merged", entry_id=entry_id))
    flash(
        _("The merge was undone: %(code)s is its own record again.", code=other.case_code),
        "success",
    )
    return redirect(url_for("persons.detail", record_id=survivor.id))
