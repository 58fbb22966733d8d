"""Facilities and crossing points as kinds of record: their lists, filters, names and search.
Their fields are declared on their models' columns."""

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select

from tracker.extensions import db
from tracker.kinds.kind import Column, Filter, Kind
from tracker.kinds.registry import register
from tracker.places.models import CrossingPoint, Facility
from tracker.search.services import place_named, search_places
from tracker.vocab.labels import choices, label


def provinces(model: Any) -> Any:
    """The provinces live records of a kind are in, as filter options."""

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


def _province_filter(model: Any) -> Filter:
    return Filter(
        "province",
        _l("Province"),
        lambda q, v: q.where(model.province == v),
        provinces(model),
    )


FACILITIES = register(
    Kind(
        name="facilities",
        model=Facility,
        singular=_l("facility"),
        plural=_l("Facilities"),
        description="Detention facilities.",
        label=lambda r, can_see: r.shown_name,
        columns=[
            Column("name", _l("Name"), lambda r: r.shown_name, Facility.name),
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
            _province_filter(Facility),
            Filter(
                "country",
                _l("Country"),
                lambda q, v: q.where(Facility.country == v),
                lambda can_see: [
                    (str(code), str(code))
                    for code in db.session.execute(
                        select(Facility.country)
                        .distinct()
                        .where(Facility.deleted_at.is_(None), Facility.country.is_not(None))
                        .order_by(Facility.country)
                    ).scalars()
                ],
            ),
        ],
        search=_name_search(Facility),
        rank=lambda q, can_see, within: search_places(Facility, q, within),
        picker_order=Facility.name,
        ranked_by=lambda can_see: Facility.name,
        named_by="name",
    )
)

CROSSINGS = register(
    Kind(
        name="crossings",
        model=CrossingPoint,
        singular=_l("crossing point"),
        plural=_l("Crossing points"),
        description="Border crossing points.",
        label=lambda r, can_see: r.shown_name,
        columns=[
            Column("name", _l("Name"), lambda r: r.shown_name, CrossingPoint.name),
            Column("cn_side", _l("Chinese side"), lambda r: r.cn_side or "", CrossingPoint.cn_side),
            Column(
                "kp_side",
                _l("North Korean side"),
                lambda r: r.kp_side or "",
                CrossingPoint.kp_side,
            ),
            Column("province", _l("Province"), lambda r: r.province or "", CrossingPoint.province),
        ],
        filters=[_province_filter(CrossingPoint)],
        search=_name_search(CrossingPoint),
        rank=lambda q, can_see, within: search_places(CrossingPoint, q, within),
        picker_order=CrossingPoint.name,
        ranked_by=lambda can_see: CrossingPoint.name,
        named_by="name",
    )
)

# The services hold the rules; importing them here gives each kind its service.
from tracker.places import services as _services  # noqa: E402,F401
