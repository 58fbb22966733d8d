"""Facility and crossing point pages: the shared record views, described for each kind."""

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select

from tracker.events.models import RepatriationEvent, event_facilities
from tracker.extensions import db
from tracker.places.forms import CrossingForm, FacilityForm
from tracker.places.models import CrossingPoint, Facility
from tracker.places.services import crossings, facilities
from tracker.records import live_records
from tracker.search.services import place_named, search_places
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
        # Names and aliases by sound and script (Dandong, 丹东, 단둥), or the province.
        return or_(model.province.ilike(f"%{q}%"), place_named(model, q))

    return search


def _coordinates(record: Any) -> str:
    if record.latitude is None:
        return ""
    return f"{record.latitude:.4f}, {record.longitude:.4f}"


def _events_here(where: Any) -> list[RepatriationEvent]:
    return live_records(RepatriationEvent, where, order_by=RepatriationEvent.date_start)


facility_kind = RecordKind(
    name="facilities",
    singular=_l("facility"),
    title=_l("Facilities"),
    service=facilities,
    form=FacilityForm,
    columns=[
        Column("name", _l("Name"), lambda r: r.name, Facility.name),
        Column("kind", _l("Kind"), lambda r: label("facility_kind", r.kind), Facility.kind),
        Column("province", _l("Province"), lambda r: r.province or "", Facility.province),
        Column("country", _l("Country"), lambda r: r.country or "", Facility.country),
    ],
    filters=[
        Filter(
            "kind",
            _l("Kind"),
            lambda q, v: q.where(Facility.kind == v),
            lambda can_see: choices("facility_kind"),
        ),
        Filter(
            "province",
            _l("Province"),
            lambda q, v: q.where(Facility.province == v),
            _provinces(Facility),
        ),
    ],
    label=lambda r, can_see: r.name,
    details=lambda r, can_see: [
        (_l("Local name"), r.name_local),
        (_l("Other names"), ", ".join(r.aliases or [])),
        (_l("Kind"), label("facility_kind", r.kind)),
        (_l("Province"), r.province),
        (_l("Country"), r.country),
        (_l("Coordinates"), _coordinates(r)),
        (_l("Notes"), r.notes),
    ],
    search=_name_search(Facility),
    rank=lambda q, can_see, within: search_places(Facility, q, within),
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
    singular=_l("crossing point"),
    title=_l("Crossing points"),
    service=crossings,
    form=CrossingForm,
    columns=[
        Column("name", _l("Name"), lambda r: r.name, CrossingPoint.name),
        Column("cn_side", _l("Chinese side"), lambda r: r.cn_side or "", CrossingPoint.cn_side),
        Column(
            "kp_side", _l("North Korean side"), lambda r: r.kp_side or "", CrossingPoint.kp_side
        ),
        Column("province", _l("Province"), lambda r: r.province or "", CrossingPoint.province),
    ],
    filters=[
        Filter(
            "province",
            _l("Province"),
            lambda q, v: q.where(CrossingPoint.province == v),
            _provinces(CrossingPoint),
        ),
    ],
    label=lambda r, can_see: r.name,
    details=lambda r, can_see: [
        (_l("Other names"), ", ".join(r.aliases or [])),
        (_l("Chinese side"), r.cn_side),
        (_l("North Korean side"), r.kp_side),
        (_l("Province"), r.province),
        (_l("Coordinates"), _coordinates(r)),
        (_l("Notes"), r.notes),
    ],
    search=_name_search(CrossingPoint),
    rank=lambda q, can_see, within: search_places(CrossingPoint, q, within),
    picker_order=CrossingPoint.name,
    ranked_by=lambda can_see: CrossingPoint.name,
    extra_template="places/events_here.html",
    extra_context=lambda r, user: {
        "events_here": _events_here(RepatriationEvent.crossing_id == r.id)
    },
)

facility_views = RecordViews(facility_kind)
crossing_views = RecordViews(crossing_kind)
