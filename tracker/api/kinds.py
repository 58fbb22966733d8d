"""The five kinds of record as the API shows them: DESIGN.md's field names, the filters each
list takes, and how API values map onto the services' (date ranges, related rows)."""

from datetime import date
from functools import partial
from typing import Any

import marshmallow as ma
from flask import Response, jsonify
from flask.views import MethodView
from marshmallow import fields, validate
from sqlalchemy import Select

from tracker.accounts.permissions import can_view_identity
from tracker.api import schemas as s
from tracker.api.auth import current_actor
from tracker.api.errors import service_error_response
from tracker.api.resources import ApiKind, FieldFactory, Handlers, expected_version
from tracker.dashboard.filters import Filters, event_conditions, person_conditions
from tracker.events.models import RepatriationEvent
from tracker.events.services import precision_of
from tracker.events.views import event_kind
from tracker.exceptions import ServiceError
from tracker.extensions import db
from tracker.persons.models import Person, StatusRecord
from tracker.persons.services import (
    live_detentions_values,
    log_identity_view,
    status_timeline,
)
from tracker.persons.services import persons as persons_service
from tracker.persons.views import person_kind
from tracker.places.models import CrossingPoint, Facility
from tracker.places.views import crossing_kind, facility_kind
from tracker.sources.models import RELIABILITY_GRADES, Source
from tracker.sources.views import source_kind


def _equal(model: Any, *names: str) -> Any:
    """Narrow a list by equality on each given filter."""

    def narrow(query: Select[Any], args: dict[str, Any]) -> Select[Any]:
        for name in names:
            if args.get(name) is not None:
                query = query.where(getattr(model, name) == args[name])
        return query

    return narrow


def _filters(args: dict[str, Any]) -> Filters:
    """The dashboard's filters, so lists select exactly what the summary counts."""
    return Filters(
        date_from=args.get("from"),
        date_to=args.get("to"),
        province=args.get("province"),
        crossing_id=args.get("crossing_id"),
        facility_id=args.get("facility_id"),
        status=args.get("status"),
        gender=args.get("gender"),
    )


# --- facilities and crossings ------------------------------------------------------------------

facilities = ApiKind(
    web=facility_kind,
    description="Detention facilities.",
    fields={
        "name": partial(s.text, 200),
        "name_local": partial(s.text, 200, "The name in Chinese or Korean."),
        "kind": partial(s.code, "facility_kind"),
        "province": partial(s.text, 100),
        "country": partial(s.text, 2, "ISO 3166 alpha-2, e.g. CN."),
        "latitude": partial(s.coordinate, 90),
        "longitude": partial(s.coordinate, 180),
        "notes": partial(s.text, 20_000),
    },
    required=frozenset({"name", "kind"}),
    filters={
        "kind": partial(s.code, "facility_kind"),
        "province": partial(s.text, 100),
        "country": partial(s.text, 2),
    },
    narrow=_equal(Facility, "kind", "province", "country"),
)

crossings = ApiKind(
    web=crossing_kind,
    description="Border crossing points.",
    fields={
        "name": partial(s.text, 200),
        "cn_side": partial(s.text, 200, "The Chinese side, e.g. Tumen."),
        "kp_side": partial(s.text, 200, "The North Korean side, e.g. Namyang."),
        "province": partial(s.text, 100),
        "latitude": partial(s.coordinate, 90),
        "longitude": partial(s.coordinate, 180),
    },
    required=frozenset({"name"}),
    filters={"province": partial(s.text, 100)},
    narrow=_equal(CrossingPoint, "province"),
)

# --- sources -----------------------------------------------------------------------------------


def _narrow_sources(query: Select[Any], args: dict[str, Any]) -> Select[Any]:
    query = _equal(Source, "kind", "reliability")(query, args)
    if args.get("confidential") is not None:
        query = query.where(Source.confidential.is_(args["confidential"]))
    return query


sources = ApiKind(
    web=source_kind,
    description="Sources of facts, graded A–F (reliability) and 1–6 (credibility). A "
    "confidential source's title, organisation and url are null for analysts.",
    fields={
        "title": partial(s.text, 300),
        "kind": partial(s.code, "source_kind"),
        "organisation": partial(s.text, 200),
        "published_on": s.day,
        "url": partial(s.text, 2000),
        "reliability": partial(s.text, 1, "A (completely reliable) to F (cannot be judged)."),
        "credibility": partial(s.count, "1 (confirmed) to 6 (cannot be judged)."),
        "confidential": partial(s.flag, "Its identity is hidden from analysts."),
    },
    required=frozenset({"title", "kind"}),
    filters={
        "kind": partial(s.code, "source_kind"),
        "reliability": lambda: fields.String(validate=validate.OneOf(RELIABILITY_GRADES)),
        "confidential": partial(s.flag, "true: confidential sources only; false: the others."),
    },
    narrow=_narrow_sources,
    masks=lambda source: source.confidential,
)

# --- events ------------------------------------------------------------------------------------


def _event_values(event: RepatriationEvent) -> dict[str, Any]:
    return {
        "facility_ids": sorted(f.id for f in event.facilities),
        "source_ids": sorted(claim.source_id for claim in event.claims),
    }


def _event_to_service(body: dict[str, Any], event: RepatriationEvent | None) -> dict[str, Any]:
    """DESIGN.md's first and last day become the service's precision; source_ids keep what
    each listed source already claimed."""
    values = dict(body)
    if "date_start" in values or "date_end" in values:
        start = values.get("date_start", event.date_start if event else None)
        end = values.get("date_end") if "date_end" in values else None
        if "date_start" in values and end is None:
            end = start  # a first day alone is that precise day
        elif end is None and event is not None:
            end = event.date_end
        if isinstance(start, date) and isinstance(end, date):
            values["date_precision"] = precision_of(start, end)
        values["date_start"], values["date_end"] = start, end
    if "facility_ids" in values:
        values["facility_ids"] = sorted(set(values["facility_ids"] or []))
    if "source_ids" in values:
        claimed = {claim.source_id: claim for claim in event.claims} if event else {}
        values["claims"] = [
            _claim_values(claimed[source_id]) if source_id in claimed else {"source_id": source_id}
            for source_id in sorted(set(values.pop("source_ids") or []))
        ]
    return values


def _claim_values(claim: Any) -> dict[str, Any]:
    return {
        "source_id": claim.source_id,
        "people_min": claim.people_min,
        "people_max": claim.people_max,
        "quote": claim.quote,
        "page_ref": claim.page_ref,
    }


def _narrow_events(query: Select[Any], args: dict[str, Any]) -> Select[Any]:
    return query.where(*event_conditions(_filters(args)))


events = ApiKind(
    web=event_kind,
    description="Repatriation events: a transfer across a border on a date range, with the "
    "reported number of people (people_max null when unknown).",
    fields={
        "date_start": partial(s.day, "First day (a month: its first day)."),
        "date_end": partial(s.day, "Last day; omitted, the first day (a precise day)."),
        "crossing_id": partial(s.record_id, "The crossing point."),
        "facility_ids": partial(s.record_ids, "Origin facilities."),
        "people_min": s.count,
        "people_max": s.count,
        "transport": partial(s.text, 200),
        "description": partial(s.text, 20_000),
        "source_ids": partial(s.record_ids, "Sources that report the event."),
        "external_id": partial(s.text, 100, "Its identifier in the system it came from."),
    },
    required=frozenset({"date_start", "crossing_id"}),
    filters={
        **s.date_filters(),
        "province": partial(s.text, 100),
        "crossing_id": partial(s.record_id, strict=False),
        "facility_id": partial(s.record_id, strict=False),
    },
    narrow=_narrow_events,
    extra_values=_event_values,
    to_service=_event_to_service,
)

# --- persons -----------------------------------------------------------------------------------


def _person_values(person: Person) -> dict[str, Any]:
    return {"facility_ids": sorted({row["facility_id"] for row in live_detentions_values(person)})}


def _person_to_service(body: dict[str, Any], person: Person | None) -> dict[str, Any]:
    """facility_ids become detention rows; rows already there for a listed facility stay."""
    values = dict(body)
    if person is None and values.get("gender") is None:
        values["gender"] = "unknown"
    if "aliases" in values:
        values["aliases"] = values["aliases"] or []
    if "facility_ids" in values:
        wanted = set(values.pop("facility_ids") or [])
        rows = live_detentions_values(person) if person else []
        kept = [row for row in rows if row["facility_id"] in wanted]
        have = {row["facility_id"] for row in kept}
        kept += [{"facility_id": fid} for fid in sorted(wanted - have)]
        values["detentions"] = kept
    return values


def _narrow_persons(query: Select[Any], args: dict[str, Any]) -> Select[Any]:
    query = query.where(*person_conditions(_filters(args)))
    if args.get("event_id") is not None:
        query = query.where(Person.event_id == args["event_id"])
    return query


persons = ApiKind(
    web=person_kind,
    description="Individual cases. Names, Hangul name, aliases, origin and external_id are null "
    "for analysts; status and status_as_of follow from the status history.",
    fields={
        "family_name": partial(s.text, 100),
        "given_name": partial(s.text, 100),
        "name_hangul": partial(s.text, 100),
        "aliases": partial(s.texts, 100, "Other names and romanisations."),
        "gender": partial(s.code, "gender"),
        "birth_year": partial(s.count, "May be approximate."),
        "origin": partial(s.text, 300, "Detailed place of origin."),
        "event_id": partial(s.record_id, "The repatriation event."),
        "facility_ids": partial(s.record_ids, "Facilities in the detention history."),
        "external_id": partial(s.text, 100, "Its identifier in the system it came from."),
    },
    read_only={
        "case_code": partial(s.text, 20, "Given by the server, e.g. RT-2023-0001."),
        "status": partial(s.code, "status"),
        "status_as_of": s.day,
    },
    required=frozenset(),
    filters={
        **s.date_filters(),
        "province": partial(s.text, 100),
        "crossing_id": partial(s.record_id, strict=False),
        "facility_id": partial(s.record_id, strict=False),
        "event_id": partial(s.record_id, strict=False),
        "status": partial(s.code, "status"),
        "gender": partial(s.code, "gender"),
    },
    narrow=_narrow_persons,
    extra_values=_person_values,
    to_service=_person_to_service,
    shown=log_identity_view,
)

KINDS = [facilities, crossings, sources, events, persons]

# --- a person's status history -----------------------------------------------------------------

STATUS_FIELDS: dict[str, FieldFactory] = {
    "status": partial(s.code, "status"),
    "as_of": partial(s.day, "The date the status was reported for."),
    "source_id": partial(s.record_id, "The source that reports it."),
    "note": partial(s.text, 5_000, "Free text; null for analysts."),
}


def status_values(entry: StatusRecord, can_see: bool) -> dict[str, Any]:
    """A status record in DESIGN.md's names; its note is identifying (masked as on the web)."""
    return {
        "id": entry.id,
        "person_id": entry.person_id,
        "status": entry.status,
        "as_of": entry.as_of,
        "source_id": entry.source_id,
        "note": entry.note if can_see else None,
    }


def register_statuses(resource: Handlers) -> None:
    """GET and POST /persons/{id}/statuses: the history, oldest first, and a new claim."""
    bp = resource.blueprint
    out = s.make(
        "StatusRecord",
        {"id": fields.Integer(), "person_id": fields.Integer()}
        | {name: f() for name, f in STATUS_FIELDS.items()},
    )
    new = s.make(
        "StatusRecordNew",
        {name: f(required=name != "note") for name, f in STATUS_FIELDS.items()},
    )
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
            try:
                person = resource.load(record_id)
            except ServiceError as error:
                return service_error_response(error)
            can_see = can_view_identity(actor)
            timeline = status_timeline(person)
            page, per_page = args["page"], args["per_page"]
            shown = timeline[(page - 1) * per_page : page * per_page]
            if can_see and shown:
                log_identity_view(actor, [person.id], "api.statuses")
                db.session.commit()
            return {
                "items": [status_values(entry, can_see) for entry in shown],
                "total": len(timeline),
                "page": page,
                "per_page": per_page,
            }

        @bp.arguments(new)
        @bp.response(201, out)
        def post(self, body: dict[str, Any], record_id: int) -> Any:
            """Add a dated, sourced status claim; the latest as_of becomes the person's status.
            If-Match (the person's version) is optional."""
            try:
                person = resource.load(record_id)
                version = expected_version({}, required=False)
                entry = persons_service.add_status(current_actor(), person, body, version)
                db.session.commit()
            except ServiceError as error:
                db.session.rollback()
                return service_error_response(error)
            response: Response = jsonify(out().dump(status_values(entry, True)))
            response.status_code = 201
            return response
