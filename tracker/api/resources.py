"""One resource pattern for every kind of record — list, search, create, read, update,
delete — read from the kind's declaration. Handlers stay thin: parse (the schemas), load, call
the same service as the web pages, serialise (masked for the viewer). Service errors become
JSON in one place (tracker.errors) and the unit of work commits at the edge."""

from collections.abc import Callable
from typing import Any

import marshmallow as ma
from flask import Flask, Response, jsonify, request, url_for
from flask.views import MethodView
from flask_babel import force_locale
from flask_smorest import Api, Blueprint
from marshmallow import fields
from sqlalchemy import func, select

from tracker.accounts.permissions import can_view_identity
from tracker.api import PREFIX, declared
from tracker.api.auth import READ_ONLY_POSTS, current_actor
from tracker.api.declared import VERSION_FIELD
from tracker.api.errors import error_response
from tracker.api.schemas import ErrorBodySchema, ErrorSchema, make, page_fields
from tracker.exceptions import Conflict, ValidationFailed
from tracker.extensions import db
from tracker.kinds.kind import Kind
from tracker.kinds.listing import list_query
from tracker.kinds.registry import kinds
from tracker.security.converters import MAX_ID, BoundedIntConverter, parse_id

ERRORS = (400, 401, 403, 404, 413, 429)
CONFLICT = "Stale version: the current record is in `current`."
# The kinds of record the API serves, in the order DESIGN.md lists them.
API_KINDS = ("facilities", "crossings", "sources", "events", "persons")


def api_title(kind: Kind) -> str:
    """The kind's name in the OpenAPI document: "CrossingPoint"."""
    with force_locale("en"):
        return str(kind.singular).title().replace(" ", "")


# --- versions ----------------------------------------------------------------------------------


def expected_version(body: dict[str, Any], required: bool = True) -> int | None:
    """The version the client read: If-Match ("3", W/"3" or 3) or the body's `version`."""
    from_body = body.pop(VERSION_FIELD, None)
    header = request.headers.get("If-Match")
    from_header = None
    if header is not None:
        value = header.strip().removeprefix("W/").strip('"')
        from_header = parse_id(value)  # ASCII digits only: '²' is a digit to isdigit()
        if from_header is None:
            raise ValidationFailed(
                'If-Match must be the record\'s version, e.g. "3".',
                {"If-Match": 'Send the version you read, e.g. "3".'},
            )
    if from_body is not None and from_header is not None and from_body != from_header:
        raise ValidationFailed(
            "The body and If-Match name different versions.",
            {VERSION_FIELD: "Send one version: in the body or as If-Match."},
        )
    version = from_body if from_body is not None else from_header
    if version is None and required:
        raise ValidationFailed(
            "Send the version you read, so that no one else's change is overwritten.",
            {VERSION_FIELD: "Required: the record's version, in the body or as If-Match."},
        )
    return version


def with_etag(response: Response, record: Any) -> Response:
    response.headers["ETag"] = f'"{record.version}"'
    return response


# --- the handlers, once for every kind -------------------------------------------------------


class Handlers:
    """The API of one kind of record, on its own blueprint and documented from its schemas,
    which follow the kind's field declarations."""

    def __init__(self, kind: Kind):
        self.kind = kind
        title = api_title(kind)
        writable = declared.writable_fields(kind)
        self.out = make(
            title,
            {"id": fields.Integer(dump_only=True)}
            | declared.read_only_fields(kind)
            | declared.writable_fields(kind)
            | declared.computed_fields(kind)
            | {VERSION_FIELD: fields.Integer(metadata={"description": "Send it back to update."})},
        )
        required = declared.required_on_create(kind)
        for name in required:
            writable[name].required = True
        self.new = make(f"{title}New", writable | {CONFIRMED: _confirmed_field()})
        changes = declared.writable_fields(kind) | {CONFIRMED: _confirmed_field()}
        changes[VERSION_FIELD] = fields.Integer(
            strict=True,
            validate=ma.validate.Range(min=0, max=MAX_ID),
            metadata={"description": "The version you read (or send If-Match)."},
        )
        self.changes = make(f"{title}Changes", changes)
        self.query = make(
            f"{title}Query", {"q": _query_text()} | declared.filter_fields(kind) | page_fields()
        )
        self.search = make(
            f"{title}Search", {"q": _query_text()} | declared.filter_fields(kind) | page_fields()
        )
        self.page = make(
            f"{title}Page",
            {
                "items": fields.List(fields.Nested(self.out), required=True),
                "total": fields.Integer(required=True),
                "page": fields.Integer(required=True),
                "per_page": fields.Integer(required=True),
            },
        )
        self.conflict = make(
            f"{title}Conflict",
            {
                "error": fields.Nested(ErrorBodySchema, required=True),
                "current": fields.Nested(self.out, required=True),
            },
        )
        with force_locale("en"):
            self.names = str(kind.singular), str(kind.plural).lower()
        self.blueprint = Blueprint(
            f"api_{kind.name}",
            __name__,
            url_prefix=f"{PREFIX}/{kind.name}",
            description=kind.description,
        )
        HANDLERS[kind.name] = self
        self._route()

    def _route(self) -> None:
        """One MethodView per URL, so that every method of a URL is one rule: a too-large id
        then fails to match for every method alike (404), never as a wrong method (405)."""
        bp, handlers = self.blueprint, self
        name, plural = self.names

        @bp.route("", endpoint="collection")
        class Collection(MethodView):
            @bp.arguments(handlers.query, location="query", unknown=ma.RAISE)
            @bp.response(200, handlers.page)
            @_errors(bp)
            def get(self, args: dict[str, Any]) -> Response:
                return handlers.list_page(args, can_search_identity=False)

            @bp.arguments(handlers.new)
            @bp.response(201, handlers.out)
            @_errors(bp, 422)
            def post(self, body: dict[str, Any]) -> Response:
                return handlers.create(body)

        Collection.get.__doc__ = f"List {plural}: filters, `q` (never on identifying text), pages."
        Collection.post.__doc__ = f"Create a {name}."

        @bp.route("/search", endpoint="search")
        class Search(MethodView):
            @bp.arguments(handlers.search)
            @bp.response(200, handlers.page)
            @_errors(bp)
            def post(self, body: dict[str, Any]) -> Response:
                return handlers.list_page(body, can_search_identity=True)

        Search.post.__doc__ = (
            f"Search {plural} with the terms in the body, never in a URL; those who may see "
            "identities also match names."
        )
        READ_ONLY_POSTS.add(f"{bp.name}.search")

        @bp.route("/<int:record_id>", endpoint="item")
        class Item(MethodView):
            @bp.response(200, handlers.out)
            @_errors(bp)
            def get(self, record_id: int) -> Response:
                return handlers.read(record_id)

            @bp.arguments(handlers.changes)
            @bp.response(200, handlers.out)
            @bp.alt_response(409, schema=handlers.conflict, description=CONFLICT)
            @_errors(bp, 422)
            def patch(self, body: dict[str, Any], record_id: int) -> Response:
                return handlers.update(record_id, body)

            @bp.response(204)
            @bp.alt_response(409, schema=handlers.conflict, description=CONFLICT)
            @_errors(bp, 422)
            def delete(self, record_id: int) -> Response:
                return handlers.delete(record_id)

        Item.get.__doc__ = f"Read one {name}; its `version` is also the ETag."
        Item.patch.__doc__ = (
            f"Change fields of a {name}. Send the version you read (body or If-Match); a stale "
            "one gets 409 and the current record."
        )
        Item.delete.__doc__ = f"Move a {name} to the Trash (If-Match optional); it can be restored."

    # --- the work ----------------------------------------------------------------------

    def load(self, record_id: int) -> Any:
        return self.kind.service.get(record_id)

    def list_page(self, args: dict[str, Any], can_search_identity: bool) -> Response:
        """A page of the list, from the same query as the list page and the exports. A `q` in
        a URL never matches identifying values; in a search body it does, for those who may
        see them."""
        kind, actor = self.kind, current_actor()
        can_see = can_view_identity(actor)
        listing = list_query(kind, args, can_see and can_search_identity, post_search=True)
        if listing.problems:
            raise ValidationFailed("Please correct the filters.", listing.problems)
        query = listing.query.order_by(None).order_by(kind.model.id)
        total = db.session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
        page, per_page = args["page"], args["per_page"]
        # The relations the list page loads with its rows (a person's event: its readiness
        # for the UN reads it), once per page rather than once per record.
        paged = query.options(*kind.eager()).limit(per_page).offset((page - 1) * per_page)
        records = list(db.session.execute(paged).scalars())
        if kind.shown and records and can_see:
            kind.shown(actor, [r.id for r in records], "api.list")
        return jsonify(
            items=[declared.serialise(kind, r, can_see) for r in records],
            total=total,
            page=page,
            per_page=per_page,
        )

    def respond(self, record: Any, status: int = 200) -> Response:
        """The record for this viewer, with its version as the ETag; identity views audited."""
        actor = current_actor()
        can_see = can_view_identity(actor)
        if self.kind.shown and can_see:
            self.kind.shown(actor, [record.id], "api.read")
        response = jsonify(declared.serialise(self.kind, record, can_see))
        response.status_code = status
        return with_etag(response, record)

    def read(self, record_id: int) -> Response:
        return self.respond(self.load(record_id))

    def create(self, body: dict[str, Any]) -> Response:
        confirmed = bool(body.pop(CONFIRMED, False))
        record = self.kind.service.create(current_actor(), body, confirmed)
        response = self.respond(record, 201)
        response.headers["Location"] = url_for(".item", record_id=record.id)
        return response

    def update(self, record_id: int, body: dict[str, Any]) -> Response:
        record = self.load(record_id)
        version = expected_version(body)
        confirmed = bool(body.pop(CONFIRMED, False))
        self.kind.service.update(current_actor(), record, version, body, confirmed=confirmed)
        return self.respond(record)

    def delete(self, record_id: int) -> Response:
        record = self.load(record_id)
        self.kind.service.delete(current_actor(), record, expected_version({}, required=False))
        return Response(status=204)


HANDLERS: dict[str, Handlers] = {}


def conflict_body(error: Conflict) -> Response:
    """409 with the record as it is now (the unit of work was rolled back), so the client can
    merge and send it again."""
    record: Any = error.record
    kind = next((k for k in kinds().values() if isinstance(record, k.model)), None)
    if kind is None:
        return error_response(409, error.message)
    actor = current_actor()
    can_see = can_view_identity(actor)
    current = declared.serialise(kind, record, can_see)
    if kind.shown and can_see:
        kind.shown(actor, [record.id], "api.conflict")
    return with_etag(error_response(409, error.message, current=current), record)


CONFIRMED = "confirmed"


def _confirmed_field() -> fields.Boolean:
    return fields.Boolean(
        load_only=True,
        metadata={
            "description": "true to save a record the server refused as looking like a mistake "
            "(a person like an existing case: 422 with `fields.similar`)."
        },
    )


def _query_text() -> fields.String:
    return fields.String(
        validate=ma.validate.Length(max=200),
        metadata={
            "description": "Text search. In a URL it never matches identifying values (names, "
            "confidential sources); send it to POST …/search to match those."
        },
    )


def _errors(bp: Blueprint, *extra: int) -> Callable[[Any], Any]:
    """Document the error responses every operation may give, in the one error shape."""

    def decorate(view: Any) -> Any:
        for status in (*ERRORS, *extra):
            view = bp.alt_response(status, schema=ErrorSchema, description=_REASONS[status])(view)
        return view

    return decorate


_REASONS = {
    400: "Not JSON, or not understood.",
    401: "No valid token.",
    403: "Your role may not do this.",
    404: "No such record.",
    413: "The body is too large.",
    422: "Fields refused; `fields` says which and why.",
    429: "Too many requests for this token.",
}


# --- the Api -----------------------------------------------------------------------------------


class TrackerApi(Api):
    """flask-smorest's Api documenting our error shape; tracker.errors renders the errors."""

    ERROR_SCHEMA = ErrorSchema

    def _register_error_handlers(self) -> None:
        """tracker.errors answers every error, as JSON for API requests."""


API_CONFIG = {
    "API_TITLE": "Repatriation Tracker API",
    "API_VERSION": "v1",
    "OPENAPI_VERSION": "3.0.3",
    "OPENAPI_URL_PREFIX": PREFIX,
    "OPENAPI_JSON_PATH": "openapi.json",
}


def create_api(app: Flask) -> TrackerApi:
    """The Api object: its spec is built from the schemas of every registered route."""
    for key, value in API_CONFIG.items():
        app.config.setdefault(key, value)
    api = TrackerApi(
        spec_kwargs={
            "info": {
                "description": "Records of forced repatriations. Authenticate with "
                "`Authorization: Bearer <token>` (create one under Your account → API tokens). "
                "Identifying fields are null for analysts."
            },
            "security": [{"bearerAuth": []}],
        }
    )
    api.init_app(app)
    api.spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer"})
    api.register_converter(
        BoundedIntConverter, lambda converter: {"type": "integer", "minimum": 0, "maximum": MAX_ID}
    )
    return api


def register_resources(api: TrackerApi) -> list[Handlers]:
    """One blueprint per kind of record, in the order DESIGN.md lists them."""
    from tracker.api.kinds import register_statuses

    handlers = []
    for name in API_KINDS:
        resource = Handlers(kinds()[name])
        if name == "persons":
            register_statuses(resource)
        api.register_blueprint(resource.blueprint)
        handlers.append(resource)
    return handlers
