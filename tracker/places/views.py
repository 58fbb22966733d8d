"""Facility and crossing point pages: the shared record views, described for each kind."""

from typing import Any

from sqlalchemy import String, cast, or_, select

from tracker.events.models import RepatriationEvent, event_facilities
from tracker.extensions import db
from tracker.places.forms import CrossingForm, FacilityForm
from tracker.places.models import CrossingPoint, Facility
from tracker.places.services import crossings, facilities
from tracker.records import live_records
from tracker.vocab.labels import choices, label
from tracker.workspace.views import Column, Filter, RecordKind, RecordViews


def _provinces(model: Any) -> Any:
    def load(can_see: bool) -> list[tuple[str, str]]:
        rows = db.session.execute(
            select(model.province)
            .distinct()
            .where(model.deleted_at.is_(None), model.province.is_not(None))
            .order_by(model.province)
        ).scalars()
        return [(row, row) for row in rows]

    return load


def _name_search(model: Any) -> Any:
    def search(q: str, can_see: bool) -> Any:
        pattern = f"%{q}%"
        return or_(
            model.name.ilike(pattern),
            model.province.ilike(pattern),
            cast(model.aliases, String).ilike(pattern),
        )

    return search


def _coordinates(record: Any) -> str:
    if record.latitude is None:
        return ""
    return f"{record.latitude:.4f}, {record.longitude:.4f}"


def _events_here(where: Any) -> list[RepatriationEvent]:
    return live_records(RepatriationEvent, where, order_by=RepatriationEvent.date_start)


facility_kind = RecordKind(
    name="facilities",
    singular="facility",
    title="Facilities",
    service=facilities,
    form=FacilityForm,
    columns=[
        Column("name", "Name", lambda r: r.name, Facility.name),
        Column("kind", "Kind", lambda r: label("facility_kind", r.kind), Facility.kind),
        Column("province", "Province", lambda r: r.province or "", Facility.province),
        Column("country", "Country", lambda r: r.country or "", Facility.country),
    ],
    filters=[
        Filter(
            "kind",
            "Kind",
            lambda q, v: q.where(Facility.kind == v),
            lambda can_see: choices("facility_kind"),
        ),
        Filter(
            "province",
            "Province",
            lambda q, v: q.where(Facility.province == v),
            _provinces(Facility),
        ),
    ],
    label=lambda r, can_see: r.name,
    details=lambda r, can_see: [
        ("Local name", r.name_local),
        ("Other names", ", ".join(r.aliases or [])),
        ("Kind", label("facility_kind", r.kind)),
        ("Province", r.province),
        ("Country", r.country),
        ("Coordinates", _coordinates(r)),
        ("Notes", r.notes),
    ],
    search=_name_search(Facility),
    picker_order=Facility.name,
    ranked_by=lambda can_see: Facility.name,
    extra_template="places/events_here.html",
    extra_context=lambda r, user: {
        "events_here": _events_here(
            RepatriationEvent.id.in_(
                select(event_facilities.c.event_id).where(event_facilities.c.facility_id == r.id)
            )
        )
    },
)

crossing_kind = RecordKind(
    name="crossings",
    singular="crossing point",
    title="Crossing points",
    service=crossings,
    form=CrossingForm,
    columns=[
        Column("name", "Name", lambda r: r.name, CrossingPoint.name),
        Column("cn_side", "Chinese side", lambda r: r.cn_side or "", CrossingPoint.cn_side),
        Column("kp_side", "North Korean side", lambda r: r.kp_side or "", CrossingPoint.kp_side),
        Column("province", "Province", lambda r: r.province or "", CrossingPoint.province),
    ],
    filters=[
        Filter(
            "province",
            "Province",
            lambda q, v: q.where(CrossingPoint.province == v),
            _provinces(CrossingPoint),
        ),
    ],
    label=lambda r, can_see: r.name,
    details=lambda r, can_see: [
        ("Other names", ", ".join(r.aliases or [])),
        ("Chinese side", r.cn_side),
        ("North Korean side", r.kp_side),
        ("Province", r.province),
        ("Coordinates", _coordinates(r)),
        ("Notes", r.notes),
    ],
    search=_name_search(CrossingPoint),
    picker_order=CrossingPoint.name,
    ranked_by=lambda can_see: CrossingPoint.name,
    extra_template="places/events_here.html",
    extra_context=lambda r, user: {
        "events_here": _events_here(RepatriationEvent.crossing_id == r.id)
    },
)

facility_views = RecordViews(facility_kind)
crossing_views = RecordViews(crossing_kind)
