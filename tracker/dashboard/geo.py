"""The offline map: a vendored Natural Earth outline, and the places projected onto it."""

import json
import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from tracker.dashboard.services import Row, Summary
from tracker.extensions import db
from tracker.places.models import CrossingPoint, Facility

OUTLINE = Path(__file__).with_name("region_outline.json")
MAX_RADIUS = 22.0


@cache
def outline() -> dict[str, Any]:
    """The region's country shapes (SVG paths), projected by tools/build_region_outline.py."""
    return json.loads(OUTLINE.read_text())


def project(latitude: float, longitude: float) -> tuple[float, float] | None:
    """Where a coordinate falls on the outline, or None when it is outside the region."""
    data = outline()
    lon_min, lat_min, lon_max, lat_max = data["bbox"]
    if not (lon_min <= longitude <= lon_max and lat_min <= latitude <= lat_max):
        return None
    x = (longitude - lon_min) / (lon_max - lon_min) * data["width"]
    y = (lat_max - latitude) / (lat_max - lat_min) * data["height"]
    return x, y


@dataclass(frozen=True)
class Marker:
    kind: str  # "crossing" or "facility"
    id: int
    name: str
    x: float
    y: float
    radius: float
    text: str


def _weight(row: Row) -> int:
    return max(row.reported.people_min or 0, row.persons)


def markers(summary: Summary) -> tuple[list[Marker], list[str]]:
    """Markers sized by people (reported minimum or documented), and the places not drawn."""
    wanted: dict[str, tuple[Any, list[Row]]] = {
        "crossing": (CrossingPoint, summary.by_crossing),
        "facility": (Facility, summary.by_facility),
    }
    top = max([_weight(row) for _, rows in wanted.values() for row in rows] + [1])
    placed: list[Marker] = []
    missing: list[str] = []
    # Translated once, filled in for each of the hundreds of markers (no variables: the
    # catalogue's text itself, placeholders and all).
    described = _("%(name)s: reported %(reported)s, documented %(documented)s")
    for kind, (model, rows) in wanted.items():
        by_id = {row.key: row for row in rows}
        if not by_id:
            continue
        query = select(model.id, model.latitude, model.longitude).where(model.id.in_(by_id))
        for id_, latitude, longitude in db.session.execute(query):
            row = by_id[id_]
            point = None if latitude is None or longitude is None else project(latitude, longitude)
            if point is None:
                missing.append(row.name)
                continue
            radius = 4 + (MAX_RADIUS - 4) * math.sqrt(_weight(row) / top)
            text = described % {
                "name": row.name,
                "reported": row.reported.label,
                "documented": row.persons,
            }
            placed.append(Marker(kind, id_, row.name, point[0], point[1], radius, text))
    placed.sort(key=lambda marker: -marker.radius)  # small ones drawn last, on top
    return placed, sorted(missing)
