"""The overlap table as CSV, for the lists and filters of the dashboard's estimate panel."""

from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from tracker.dashboard.filters import FilterError, parse_filters
from tracker.estimates import panel, services
from tracker.exceptions import ValidationFailed

bp = Blueprint("estimates", __name__, url_prefix="/estimates")


@bp.route("/overlaps.csv")
def overlaps_csv() -> Response:
    """One 0/1 column per list and `count`: the table the estimate reads, to check in R."""
    try:
        filters = parse_filters(request.args)
    except FilterError as error:
        raise ValidationFailed("; ".join(error.fields.values()), error.fields) from None
    lists = panel.lists_of(panel.read_rows(request.args))
    text = services.overlaps_csv(services.overlap_table(lists, filters))
    return Response(
        text,
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="overlaps.csv"'},
    )


@bp.route("/lists", methods=["POST"])
def save_lists() -> Any:
    """Save the panel's lists by name for reuse, then show the panel again."""
    rows = panel.read_rows(request.form)
    services.save_lists(current_user, panel.lists_of(rows))
    # Back to the dashboard with the same filters and lists, now chosen as saved lists.
    try:
        query = parse_filters(request.form).as_query()
    except FilterError:
        query = {}
    saved = {entry.name: entry.id for entry in services.saved_lists()}
    pairs = list(query.items()) + [
        (f"list{row.number}_saved", str(saved[row.name])) for row in rows if row.name in saved
    ]
    pairs.append(("model", request.form.get("model") or "stepwise"))
    flash(_("The lists are saved: choose them by name next time."), "success")
    return redirect(url_for("dashboard.index") + "?" + urlencode(pairs) + "#estimate")


@bp.app_template_global()
def method_note() -> str:
    """The estimates' method note, in the page's language."""
    return services.method_note()
