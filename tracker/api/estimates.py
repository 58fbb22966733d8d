"""POST /api/v1/estimates: how many no list documented, for named lists of sources and the
dashboard's filters. Counts only; analysts may run it."""

from typing import Any

import marshmallow as ma
from flask_smorest import Api, Blueprint
from marshmallow import fields, validate
from werkzeug.datastructures import MultiDict

from tracker.api import PREFIX
from tracker.api import schemas as s
from tracker.api.auth import READ_ONLY_POSTS, current_actor
from tracker.api.errors import error_response
from tracker.dashboard.filters import QUERY_LABELS, FilterError, parse_filters
from tracker.estimates import services

bp = Blueprint(
    "api_estimates",
    __name__,
    url_prefix=f"{PREFIX}/estimates",
    description="Multiple systems estimation: the estimated total including persons no list "
    "documented, with a 95% profile likelihood interval. Apart from the reported and "
    "documented counts, never added to them.",
)


class SourceOrKind(fields.Field):
    """A source id, or "kind:CODE" for every source of that kind."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Any:
        if isinstance(value, bool):
            raise ma.ValidationError("A source id or kind:CODE.")
        if isinstance(value, int) or (isinstance(value, str) and value.startswith("kind:")):
            return value
        raise ma.ValidationError("A source id or kind:CODE.")


EstimateBody = s.make(
    "EstimateRequest",
    {
        "lists": fields.Dict(
            keys=fields.String(validate=validate.Length(min=1, max=60)),
            values=fields.List(
                SourceOrKind(),
                validate=validate.Length(min=1, max=500),
            ),
            load_default=dict,
            metadata={
                "description": 'Named lists: {"NAME": [source ids, or "kind:media" for every '
                "source of a kind]}."
            },
        ),
        "saved_lists": fields.List(
            fields.String(validate=validate.Length(min=1, max=60)),
            load_default=list,
            metadata={"description": "Names of saved lists to add (three or more in all)."},
        ),
        "filters": fields.Dict(
            keys=fields.String(validate=validate.OneOf(sorted(QUERY_LABELS))),
            values=fields.Raw(),
            load_default=dict,
            metadata={"description": "The dashboard's filters: from, to, status, ..."},
        ),
        "model": fields.String(load_default="stepwise", validate=validate.OneOf(services.MODELS)),
        "max_order": fields.Integer(load_default=2, validate=validate.OneOf([2, 3])),
    },
)

EstimateResult = s.make(
    "EstimateResult",
    {
        "documented": fields.Integer(required=True),
        "estimate": fields.Integer(required=True),
        "undocumented": fields.Integer(required=True),
        "lower": fields.Integer(required=True),
        "upper": fields.Integer(required=True),
        "interval": fields.String(required=True),
        "model": fields.String(required=True),
        "model_description": fields.String(required=True),
        "max_order": fields.Integer(required=True),
        "terms": fields.List(fields.List(fields.String()), required=True),
        "empty_terms": fields.List(fields.List(fields.String()), required=True),
        "aic": fields.Float(required=True),
        "bic": fields.Float(required=True),
        "lists": fields.List(fields.Dict(), required=True),
        "overlaps": fields.List(
            fields.Dict(keys=fields.String(), values=fields.Integer()), required=True
        ),
        "warnings": fields.List(fields.String(), required=True),
        "filters": fields.Dict(keys=fields.String(), values=fields.String(), required=True),
        "method_note": fields.String(required=True),
    },
)


@bp.route("", methods=["POST"], endpoint="estimates")
@bp.arguments(EstimateBody, location="json", unknown=ma.RAISE)
@bp.response(200, EstimateResult)
def create_estimate(body: dict[str, Any]) -> Any:
    """Estimate the total including the undocumented; 422 names the reason when no honest
    figure can be given (fewer than three lists, a list overlapping no other, an infinite or
    open-ended estimate, too few persons)."""
    try:
        filters = parse_filters(MultiDict({k: str(v) for k, v in body["filters"].items()}))
    except FilterError as error:
        return error_response(422, "Please correct the filters.", error.fields)
    request = services.EstimateRequest(
        lists=services.parse_lists(body["lists"], body["saved_lists"]),
        filters=filters,
        model=body["model"],
        max_order=body["max_order"],
    )
    return services.estimate(request)


SavedListSchema = s.make(
    "SavedList",
    {
        "id": fields.Integer(dump_only=True),
        "name": fields.String(required=True),
        "source_ids": fields.List(fields.Integer(), required=True),
    },
)
SaveListsBody = s.make(
    "SaveLists",
    {
        "lists": fields.Dict(
            keys=fields.String(validate=validate.Length(min=1, max=60)),
            values=fields.List(fields.Integer(strict=True), validate=validate.Length(min=1)),
            required=True,
            metadata={"description": 'Lists to save by name: {"NAME": [source ids]}.'},
        )
    },
)


@bp.route("/lists", methods=["GET"], endpoint="saved_lists")
@bp.response(200, SavedListSchema(many=True))
def list_saved() -> Any:
    """The lists saved by name for reuse."""
    return services.saved_lists()


@bp.route("/lists", methods=["POST"], endpoint="save_lists")
@bp.arguments(SaveListsBody, location="json", unknown=ma.RAISE)
@bp.response(201, SavedListSchema(many=True))
def save_lists(body: dict[str, Any]) -> Any:
    """Save lists by name (a list of the same name is replaced); any role may."""
    return services.save_lists(current_actor(), services.parse_lists(body["lists"]))


def register(api: Api) -> None:
    """Add the estimates to the API and its document. An estimate only reads counts, so
    analysts may run it though it is a POST."""
    api.register_blueprint(bp)
    READ_ONLY_POSTS.add(f"{bp.name}.estimates")
    # Saving a list writes no record about anyone: analysts may save the lists they use.
    READ_ONLY_POSTS.add(f"{bp.name}.save_lists")
