"""The global search box: persons, facilities and crossing points by any spelling of a name.

Only for roles that see identities (names are searched), and only by POST, so a name never
lands in a URL, a server log or the browser history."""

from flask import Blueprint, render_template, request
from flask_login import current_user

from tracker.accounts.permissions import role_required
from tracker.extensions import db
from tracker.persons.services import log_identity_view
from tracker.search.services import search_everywhere
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
