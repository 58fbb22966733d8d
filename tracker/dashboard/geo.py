"""The offline map: a vendored Natural Earth outline, and the places projected onto it."""

import json
import math
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple

from flask_babel import gettext as _

from tracker.dashboard.services import Place, Row, Summary

OUTLINE = Path(__file__).with_name("region_outline.json")
MAX_RADIUS = 22.0
LABELLED_MARKERS = 15  # per kind, the largest


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


class CountryLabel(NamedTuple):
    """A country's name where the map writes it."""

    name: str
    x: str
    y: str


# Where each country's name sits (latitude, longitude): inside its land, clear of the places.
COUNTRY_POINTS = {"CN": (45.2, 122.3), "KP": (40.9, 127.5)}


def country_labels() -> list[CountryLabel]:
    """China and North Korea named on the map, in the interface's language."""
    names = {"CN": _("China"), "KP": _("North Korea")}
    labels = []
    for code, (latitude, longitude) in COUNTRY_POINTS.items():
        point = project(latitude, longitude)
        if point is not None:
            labels.append(CountryLabel(names[code], f"{point[0]:.1f}", f"{point[1]:.1f}"))
    return labels


class Marker(NamedTuple):
    """A place on the map: a square for a crossing point, a circle for a facility, sized by
    people; positions in the outline's units, written as the SVG takes them."""

    kind: str  # "crossing" or "facility"
    id: int
    name: str
    x: str
    y: str
    radius: str
    corner_x: str  # a crossing's square: its top-left corner and side
    corner_y: str
    side: str
    label_x: str  # the name, right of the marker
    label_y: str
    text: str
    size: float
    labelled: bool  # named on the map; the rest by their title and the text alternative


def _weight(row: Row) -> int:
    return max(row.reported.people_min or 0, row.persons)


def markers(summary: Summary) -> tuple[list[Marker], list[str]]:
    """Markers sized by people (reported minimum or documented), and the places not drawn.

    Only the largest places of each kind are named on the map: a hundred names over one
    province hide each other (and the markers); every marker keeps its title, and the map
    its text alternative, which names them all."""
    wanted: dict[str, tuple[list[Place], list[Row]]] = {
        "crossing": (summary.crossings, summary.by_crossing),
        "facility": (summary.facilities, summary.by_facility),
    }
    top = max([_weight(row) for _, rows in wanted.values() for row in rows] + [1])
    placed: list[Marker] = []
    missing: list[str] = []
    # Translated once, filled in for each of the hundreds of markers (no variables: the
    # catalogue's text itself, placeholders and all).
    described = _("%(name)s: reported %(reported)s, documented %(documented)s")
    for kind, (places, rows) in wanted.items():
        by_id = {row.key: row for row in rows}
        on_map = []
        for place in places:
            row = by_id.get(place.id)
            if row is None:
                continue
            point = None
            if place.latitude is not None and place.longitude is not None:
                point = project(place.latitude, place.longitude)
            if point is None:
                missing.append(row.shown_name)
            else:
                on_map.append((row, place.id, point))
        on_map.sort(key=lambda found: -_weight(found[0]))
        for rank, (row, id_, (x, y)) in enumerate(on_map):
            r = 4 + (MAX_RADIUS - 4) * math.sqrt(_weight(row) / top)
            text = described % {
                "name": row.shown_name,
                "reported": row.reported.label,
                "documented": row.persons,
            }
            placed.append(
                Marker(
                    kind,
                    id_,
                    row.shown_name,
                    f"{x:.1f}",
                    f"{y:.1f}",
                    f"{r:.1f}",
                    f"{x - r:.1f}",
                    f"{y - r:.1f}",
                    f"{2 * r:.1f}",
                    f"{x + r + 3:.1f}",
                    f"{y + 4:.1f}",
                    text,
                    r,
                    rank < LABELLED_MARKERS,
                )  # fmt: skip
            )
    placed.sort(key=lambda marker: -marker.size)  # small ones drawn last, on top
    return placed, sorted(missing)
