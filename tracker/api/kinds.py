"""A person's status history in the API: GET and POST /persons/{id}/statuses, with the status
record's fields from its declaration."""

from typing import Any

import marshmallow as ma
from flask import Response, jsonify
from flask.views import MethodView
from marshmallow import fields

from tracker.accounts.permissions import can_view_identity
from tracker.api import declared
from tracker.api import schemas as s
from tracker.api.auth import current_actor
from tracker.api.resources import Handlers, expected_version
from tracker.persons.kind import STATUSES, log_identity_view
from tracker.persons.models import StatusRecord
from tracker.persons.services import persons as persons_service
from tracker.persons.services import status_timeline


def status_values(entry: StatusRecord, can_see: bool) -> dict[str, Any]:
    """A status record in DESIGN.md's names; its note is identifying (masked as on the web)."""
    values: dict[str, Any] = {"id": entry.id}
    for field in STATUSES.fields:
        value = field.read(entry)
        values |= field.stored(value if can_see else field.for_analyst(value))
    return values


def register_statuses(resource: Handlers) -> None:
    """GET and POST /persons/{id}/statuses: the history, oldest first, and a new claim."""
    bp = resource.blueprint
    writable = declared.writable_fields(STATUSES)
    out = s.make(
        "StatusRecord",
        {"id": fields.Integer()} | declared.read_only_fields(STATUSES) | writable,
    )
    new_fields = declared.writable_fields(STATUSES)
    for name in declared.required_on_create(STATUSES):
        new_fields[name].required = True
    new = s.make("StatusRecordNew", new_fields)
    page_schema = s.make(
        "StatusRecordPage",
        {
            "items": fields.List(fields.Nested(out), required=True),
            "total": fields.Integer(required=True),
            "page": fields.Integer(required=True),
            "per_page": fields.Integer(required=True),
        },
    )
    query = s.make("StatusRecordQuery", s.page_fields())

    @bp.route("/<int:record_id>/statuses", endpoint="statuses")
    class Statuses(MethodView):
        @bp.arguments(query, location="query", unknown=ma.RAISE)
        @bp.response(200, page_schema)
        def get(self, args: dict[str, Any], record_id: int) -> Any:
            """A person's status history, oldest first (the last is the current status)."""
            actor = current_actor()
            person = resource.load(record_id)
            can_see = can_view_identity(actor)
            timeline = status_timeline(person)
            page, per_page = args["page"], args["per_page"]
            shown = timeline[(page - 1) * per_page : page * per_page]
            if can_see and shown:
                log_identity_view(actor, [person.id], "api.statuses")
            return jsonify(
                items=[status_values(entry, can_see) for entry in shown],
                total=len(timeline),
                page=page,
                per_page=per_page,
            )

        @bp.arguments(new)
        @bp.response(201, out)
        def post(self, body: dict[str, Any], record_id: int) -> Any:
            """Add a dated, sourced status claim; the latest as_of becomes the person's status.
            If-Match (the person's version) is optional."""
            person = resource.load(record_id)
            version = expected_version({}, required=False)
            entry = persons_service.add_status(current_actor(), person, body, version)
            response: Response = jsonify(status_values(entry, True))
            response.status_code = 201
            return response
