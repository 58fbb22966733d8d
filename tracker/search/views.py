"""The global search box: persons, facilities and crossing points by any spelling of a name.

Only for roles that see identities (names are searched), and only by POST, so a name never
lands in a URL, a server log or the browser history."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from tracker.accounts.permissions import role_required
from tracker.exceptions import ValidationFailed
from tracker.extensions import db
from tracker.persons.services import log_identity_view
from tracker.search.duplicates import duplicate_candidates, mark_different
from tracker.search.services import search_everywhere
from tracker.security.converters import parse_id
from tracker.workspace.views import KINDS

bp = Blueprint("search", __name__)


@bp.route("/search", methods=["GET", "POST"])
@role_required("admin", "researcher")
def index() -> str:
    q = (request.form.get("q") or "").strip()[:200] if request.method == "POST" else ""
    sections = [(KINDS[name], found) for name, found in search_everywhere(q).items()] if q else []
    page = render_template("search/index.html", q=q, sections=sections)
    shown = [record.id for kind, found in sections if kind.name == "persons" for record, _ in found]
    if shown:
        log_identity_view(current_user, shown, "search")
        db.session.commit()
    return page


@bp.route("/persons/duplicates")
@role_required("admin", "researcher")
def duplicates() -> str:
    candidates = duplicate_candidates(current_user)
    page = render_template("search/duplicates.html", candidates=candidates)
    shown = sorted({p.id for c in candidates for p in (c.first, c.second)})
    if shown:
        log_identity_view(current_user, shown, "duplicates")
        db.session.commit()
    return page


@bp.route("/persons/duplicates/different", methods=["POST"])
@role_required("admin", "researcher")
def different() -> Response:
    first, second = parse_id(request.form.get("first")), parse_id(request.form.get("second"))
    try:
        if first is None or second is None:
            raise ValidationFailed("Choose two different persons from the list.", {})
        mark_different(current_user, first, second)
        db.session.commit()
    except ValidationFailed as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        flash("Noted: these are different people. They will not be suggested again.", "success")
    return redirect(url_for(".duplicates"))
