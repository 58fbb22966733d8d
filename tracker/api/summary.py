"""GET /api/v1/summary: the dashboard's numbers, from the same service and the same filters."""

from typing import Any

import marshmallow as ma
from flask import request
from flask_login import current_user
from flask_smorest import Api, Blueprint
from marshmallow import fields, validate

from tracker.accounts.permissions import can_view_identity
from tracker.api import PREFIX
from tracker.api import schemas as s
from tracker.api.declared import dashboard_filters
from tracker.api.errors import error_response
from tracker.caching.conditional import kept_until_the_data_changes
from tracker.dashboard.filters import FilterError, parse_filters
from tracker.dashboard.services import cached_summary

bp = Blueprint(
    "api_summary",
    __name__,
    url_prefix=f"{PREFIX}/summary",
    description="Reported ranges (sums of events' people_min / people_max) beside documented "
    "persons; the two are never added together.",
)

SummaryQuery = s.make("SummaryQuery", dashboard_filters())


def _row(key: str, key_field: fields.Field, named: bool = False, **more: fields.Field) -> Any:
    row = {
        key: key_field,
        "events": fields.Integer(required=True, metadata={"description": "Reported events."}),
        "people_min": fields.Integer(
            allow_none=True, required=True, metadata={"description": "Sum of reported minimums."}
        ),
        "people_max": fields.Integer(
            allow_none=True,
            required=True,
            metadata={"description": "Sum of reported maximums; null when any is unknown."},
        ),
        "persons": fields.Integer(required=True, metadata={"description": "Documented persons."}),
        "vanished": fields.Integer(
            required=True, metadata={"description": "Documented persons whose status is vanished."}
        ),
        **more,
    }
    if named:
        row["name"] = fields.String(required=True)
    return row


SummarySchema = s.make(
    "Summary",
    {
        "total": fields.Nested(
            s.make("SummaryTotal", _row("scope", fields.String(required=True))), required=True
        ),
        "by_crossing": fields.List(
            fields.Nested(s.make("SummaryByCrossing", _row("id", fields.Integer(), named=True))),
            required=True,
        ),
        "by_facility": fields.List(
            fields.Nested(s.make("SummaryByFacility", _row("id", fields.Integer(), named=True))),
            required=True,
        ),
        "by_status": fields.List(
            fields.Nested(
                s.make("SummaryByStatus", _row("status", fields.String(allow_none=True)))
            ),
            required=True,
        ),
        "by_month": fields.List(
            fields.Nested(
                s.make(
                    "SummaryByMonth",
                    _row(
                        "month",
                        fields.String(metadata={"description": "YYYY-MM (YYYY: month unknown)"}),
                        precision=fields.String(validate=validate.OneOf(["month", "year"])),
                    ),
                )
            ),
            required=True,
        ),
        "by_gender": fields.List(
            fields.Nested(
                s.make("SummaryByGender", _row("gender", fields.String(allow_none=True)))
            ),
            required=True,
        ),
    },
)


@bp.route("", methods=["GET"], endpoint="summary")
@kept_until_the_data_changes()
@bp.arguments(SummaryQuery, location="query", unknown=ma.RAISE)
@bp.response(200, SummarySchema)
def summary(args: dict[str, Any]) -> Any:
    """Counts per crossing point, facility, status and month, as on the dashboard."""
    try:
        filters = parse_filters(request.args)
    except FilterError as error:
        return error_response(422, "Please correct the filters.", error.fields)
    return cached_summary(filters, can_view_identity(current_user)).as_api()


def register(api: Api) -> None:
    """Add the summary to the API and its document."""
    api.register_blueprint(bp)
