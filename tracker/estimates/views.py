"""The overlap table as CSV, for the lists and filters of the dashboard's estimate panel."""

from flask import Blueprint, Response, request

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
    rows = panel.read_rows(request.args)
    lists = services.parse_lists({row.name or f"#{row.number}": row.source_ids for row in rows})
    text = services.overlaps_csv(services.overlap_table(lists, filters))
    return Response(
        text,
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="overlaps.csv"'},
    )


@bp.app_template_global()
def method_note() -> str:
    """The estimates' method note, in the page's language."""
    return services.method_note()
