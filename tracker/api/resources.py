"""One resource pattern for every kind of record — list, search, create, read, update,
delete — parameterised by an `ApiKind`. Handlers stay thin: parse (the schemas), load, check
access, call the same service as the web pages, commit, serialise (masked for the viewer)."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import marshmallow as ma
from flask import Flask, Response, jsonify, request, url_for
from flask.views import MethodView
from flask_smorest import Api, Blueprint
from marshmallow import fields
from sqlalchemy import Select, func, select

from tracker.accounts.permissions import can_view_identity
from tracker.api import PREFIX
from tracker.api.auth import READ_ONLY_POSTS, current_actor
from tracker.api.errors import error_response, service_error_response
from tracker.api.schemas import ErrorBodySchema, ErrorSchema, make, page_fields
from tracker.exceptions import Conflict, ServiceError, ValidationFailed
from tracker.extensions import db
from tracker.security.converters import MAX_ID, BoundedIntConverter, parse_id
from tracker.workspace.views import RecordKind

ERRORS = (400, 401, 403, 404, 413, 429)
CONFLICT = "Stale version: the current record is in `current`."
# Builds a fresh field (a field object belongs to one schema), e.g. partial(text, 200).
FieldFactory = Callable[..., fields.Field]
VERSION_FIELD = "version"


@dataclass
class ApiKind:
    """What the shared API handlers need to know about one kind of record."""

    web: RecordKind  # the web pages' description: service, search, identifying fields
    description: str
    fields: dict[str, FieldFactory]  # editable fields, DESIGN.md's names
    required: frozenset[str]  # on create
    filters: dict[str, FieldFactory]  # list filters, besides q / page / per_page
    narrow: Callable[[Select[Any], dict[str, Any]], Select[Any]]
    read_only: dict[str, FieldFactory] = field(default_factory=dict)  # derived values
    # Values that are not plain attributes of the record (facility_ids, source_ids, ...).
    extra_values: Callable[[Any], dict[str, Any]] = lambda record: {}
    # The API's values in the service's terms (date ranges, related rows, defaults).
    to_service: Callable[[dict[str, Any], Any], dict[str, Any]] = lambda body, record: body
    # Does this record hide the web kind's identifying fields from analysts? (sources: if
    # confidential)
    masks: Callable[[Any], bool] = lambda record: True
    # Called with the persons whose identifying fields a viewer was shown (audited).
    shown: Callable[[Any, list[int], str], None] | None = None

    @property
    def name(self) -> str:
        return self.web.name

    @property
    def service(self) -> Any:
        return self.web.service

    @property
    def model(self) -> Any:
        return self.web.model

    @property
    def title(self) -> str:
        return self.web.singular.title().replace(" ", "")


# --- serialising -----------------------------------------------------------------------------


def serialise(kind: ApiKind, record: Any, can_see: bool) -> dict[str, Any]:
    """The record in the API's field names; identifying values are null for those who may not
    see them (the same fields the web pages mask)."""
    names = ["id", *kind.read_only, *kind.fields, VERSION_FIELD]
    values = {name: getattr(record, name, None) for name in names}
    values.update(kind.extra_values(record))
    if not can_see and kind.masks(record):
        for name in kind.web.identifying_fields & set(values):
            values[name] = None
    return values


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
    """The API of one kind of record, on its own blueprint and documented from its schemas."""

    def __init__(self, kind: ApiKind):
        self.kind = kind
        title = kind.title
        self.out = make(title, {"id": fields.Integer(dump_only=True)} | self._output_fields())
        new = {name: f(required=name in kind.required) for name, f in kind.fields.items()}
        self.new = make(f"{title}New", new)
        changes = {name: f() for name, f in kind.fields.items()}
        changes[VERSION_FIELD] = fields.Integer(
            strict=True,
            validate=ma.validate.Range(min=0, max=MAX_ID),
            metadata={"description": "The version you read (or send If-Match)."},
        )
        self.changes = make(f"{title}Changes", changes)
        filters = {name: f() for name, f in kind.filters.items()}
        self.query = make(f"{title}Query", {"q": _query_text()} | filters | page_fields())
        filters = {name: f() for name, f in kind.filters.items()}
        self.search = make(f"{title}Search", {"q": _query_text()} | filters | page_fields())
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
        self.blueprint = Blueprint(
            f"api_{kind.name}",
            __name__,
            url_prefix=f"{PREFIX}/{kind.name}",
            description=kind.description,
        )
        self._route()

    def _output_fields(self) -> dict[str, fields.Field]:
        out = {name: f(dump_only=True) for name, f in self.kind.read_only.items()}
        out |= {name: f() for name, f in self.kind.fields.items()}
        out[VERSION_FIELD] = fields.Integer(metadata={"description": "Send it back to update."})
        return out

    def _route(self) -> None:
        """One MethodView per URL, so that every method of a URL is one rule: a too-large id
        then fails to match for every method alike (404), never as a wrong method (405)."""
        bp, handlers, kind = self.blueprint, self, self.kind
        name, plural = kind.web.singular, kind.web.title.lower()

        @bp.route("", endpoint="collection")
        class Collection(MethodView):
            @bp.arguments(handlers.query, location="query", unknown=ma.RAISE)
            @bp.response(200, handlers.page)
            @_errors(bp)
            def get(self, args: dict[str, Any]) -> dict[str, Any]:
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
            def post(self, body: dict[str, Any]) -> dict[str, Any]:
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

    def list_page(self, args: dict[str, Any], can_search_identity: bool) -> dict[str, Any]:
        kind, actor = self.kind, current_actor()
        can_see = can_view_identity(actor)
        query = select(kind.model).where(kind.model.deleted_at.is_(None))
        query = kind.narrow(query, args)
        q = (args.get("q") or "").strip()
        if q:
            query = query.where(kind.web.search(q, can_see and can_search_identity))
        total = db.session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
        page, per_page = args["page"], args["per_page"]
        records = list(
            db.session.execute(
                query.order_by(kind.model.id).limit(per_page).offset((page - 1) * per_page)
            ).scalars()
        )
        if kind.shown and records and can_see:
            kind.shown(actor, [r.id for r in records], "api.list")
            db.session.commit()
        return {
            "items": [serialise(kind, r, can_see) for r in records],
            "total": total,
            "page": page,
            "per_page": per_page,
        }

    def respond(self, record: Any, status: int = 200) -> Response:
        """The record for this viewer, with its version as the ETag; identity views audited."""
        actor = current_actor()
        can_see = can_view_identity(actor)
        if self.kind.shown and can_see:
            self.kind.shown(actor, [record.id], "api.read")
            db.session.commit()
        response = jsonify(self.out().dump(serialise(self.kind, record, can_see)))
        response.status_code = status
        return with_etag(response, record)

    def read(self, record_id: int) -> Response:
        try:
            return self.respond(self.load(record_id))
        except ServiceError as error:
            return service_error_response(error)

    def create(self, body: dict[str, Any]) -> Response:
        kind = self.kind
        try:
            record = kind.service.create(current_actor(), kind.to_service(body, None))
            db.session.commit()
        except ServiceError as error:
            db.session.rollback()
            return service_error_response(error)
        response = self.respond(record, 201)
        response.headers["Location"] = url_for(".item", record_id=record.id)
        return response

    def update(self, record_id: int, body: dict[str, Any]) -> Response:
        kind = self.kind

        def change(record: Any) -> None:
            version = expected_version(body)
            kind.service.update(current_actor(), record, version, kind.to_service(body, record))

        written = self.write(record_id, change)
        return written if isinstance(written, Response) else self.respond(written)

    def delete(self, record_id: int) -> Response:
        def remove(record: Any) -> None:
            version = expected_version({}, required=False)
            self.kind.service.delete(current_actor(), record, version)

        written = self.write(record_id, remove)
        return written if isinstance(written, Response) else Response(status=204)

    def write(self, record_id: int, change: Callable[[Any], None]) -> Any:
        """Load, change through the service, commit: the record, or the error to answer with
        (a stale version: 409 with the current record)."""
        try:
            record = self.load(record_id)
            change(record)
            db.session.commit()
        except Conflict as error:
            db.session.rollback()
            return self.conflict_response(record_id, error)
        except ServiceError as error:
            db.session.rollback()
            return service_error_response(error)
        return record

    def conflict_response(self, record_id: int, error: Conflict) -> Response:
        """409 with the record as it is now, so the client can merge and send it again."""
        db.session.expire_all()
        try:
            record = self.load(record_id)
        except ServiceError as gone:
            return service_error_response(gone)
        actor = current_actor()
        can_see = can_view_identity(actor)
        current = self.out().dump(serialise(self.kind, record, can_see))
        if self.kind.shown and can_see:
            self.kind.shown(actor, [record.id], "api.conflict")
            db.session.commit()
        return with_etag(error_response(409, error.message, current=current), record)


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
    from tracker.api.kinds import KINDS, register_statuses

    handlers = []
    for kind in KINDS:
        resource = Handlers(kind)
        if kind.name == "persons":
            register_statuses(resource)
        api.register_blueprint(resource.blueprint)
        handlers.append(resource)
    return handlers
