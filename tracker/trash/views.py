"""The Trash page: what was deleted, by whom and when, with a button to restore it."""

from flask import Blueprint, render_template

from tracker.accounts.permissions import role_required
from tracker.records.service import deleted_records
from tracker.workspace.views import WEB_KINDS

bp = Blueprint("trash", __name__)


@bp.route("/trash")
@role_required("admin", "researcher")
def index() -> str:
    sections = [(kind, deleted_records(kind.model)) for kind in WEB_KINDS.values()]
    return render_template(
        "trash/index.html",
        sections=sections,
        empty=not any(records for _, records in sections),
    )
