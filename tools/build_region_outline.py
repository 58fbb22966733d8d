"""Build tracker/dashboard/region_outline.json: an offline outline of the China–North Korea border.

Source: Natural Earth 1:50m admin-0 countries (public domain), as TopoJSON in the npm
package world-atlas 2.0.2 (ISC, Mike Bostock). Run once, offline afterwards:

    npm pack world-atlas@2.0.2 && tar xzf world-atlas-2.0.2.tgz
    python tools/build_region_outline.py package/countries-50m.json

The outline is clipped to the region and projected (equirectangular, scaled by the cosine
of the middle latitude) into an SVG coordinate space; tracker.dashboard.geo projects the
facilities' and crossings' coordinates with the same numbers.
"""

import json
import math
import sys
from pathlib import Path

# lon_min, lat_min, lon_max, lat_max: Liaoning, Jilin and the North Korean border provinces
BBOX = (119.0, 37.5, 131.5, 46.0)
WIDTH = 800
COUNTRIES = {"156": "CN", "408": "KP", "410": "KR", "643": "RU"}
OUT = Path(__file__).resolve().parent.parent / "tracker" / "dashboard" / "region_outline.json"


def decode_arcs(topology: dict) -> list[list[tuple[float, float]]]:
    scale_x, scale_y = topology["transform"]["scale"]
    shift_x, shift_y = topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x += dx
            y += dy
            points.append((x * scale_x + shift_x, y * scale_y + shift_y))
        arcs.append(points)
    return arcs


def ring(indexes: list[int], arcs: list) -> list[tuple[float, float]]:
    points: list[tuple[float, float]] = []
    for index in indexes:
        arc = arcs[index] if index >= 0 else list(reversed(arcs[~index]))
        points.extend(arc[1:] if points else arc)
    return points


def clip(points: list[tuple[float, float]], box: tuple) -> list[tuple[float, float]]:
    """Sutherland–Hodgman clipping of a ring to a rectangle."""
    lon_min, lat_min, lon_max, lat_max = box
    edges = [
        (lambda p: p[0] >= lon_min, lambda a, b: _cross_x(a, b, lon_min)),
        (lambda p: p[0] <= lon_max, lambda a, b: _cross_x(a, b, lon_max)),
        (lambda p: p[1] >= lat_min, lambda a, b: _cross_y(a, b, lat_min)),
        (lambda p: p[1] <= lat_max, lambda a, b: _cross_y(a, b, lat_max)),
    ]
    for inside, cross in edges:
        if not points:
            break
        result = []
        previous = points[-1]
        for current in points:
            if inside(current):
                if not inside(previous):
                    result.append(cross(previous, current))
                result.append(current)
            elif inside(previous):
                result.append(cross(previous, current))
            previous = current
        points = result
    return points


def _cross_x(a, b, x):
    t = (x - a[0]) / (b[0] - a[0])
    return (x, a[1] + t * (b[1] - a[1]))


def _cross_y(a, b, y):
    t = (y - a[1]) / (b[1] - a[1])
    return (a[0] + t * (b[0] - a[0]), y)


def main(path: str) -> None:
    topology = json.loads(Path(path).read_text())
    arcs = decode_arcs(topology)
    lon_min, lat_min, lon_max, lat_max = BBOX
    kx = math.cos(math.radians((lat_min + lat_max) / 2))
    height = WIDTH * (lat_max - lat_min) / ((lon_max - lon_min) * kx)

    def project(lon: float, lat: float) -> tuple[float, float]:
        return (
            (lon - lon_min) / (lon_max - lon_min) * WIDTH,
            (lat_max - lat) / (lat_max - lat_min) * height,
        )

    shapes = []
    for geometry in topology["objects"]["countries"]["geometries"]:
        code = COUNTRIES.get(str(geometry.get("id")))
        if not code:
            continue
        polygons = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
        parts = []
        for polygon in polygons:
            for indexes in polygon:
                clipped = clip(ring(indexes, arcs), BBOX)
                if len(clipped) < 3:
                    continue
                projected = [project(lon, lat) for lon, lat in clipped]
                parts.append("M" + "L".join(f"{x:.1f},{y:.1f}" for x, y in projected) + "Z")
        if parts:
            shapes.append({"country": code, "d": "".join(parts)})
    OUT.write_text(
        json.dumps(
            {
                "source": "Natural Earth 1:50m admin-0 countries (public domain), "
                "via world-atlas 2.0.2 (ISC)",
                "bbox": BBOX,
                "width": WIDTH,
                "height": round(height, 1),
                "shapes": shapes,
            },
            separators=(",", ":"),
        )
    )
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes, {len(shapes)} countries)")


if __name__ == "__main__":
    main(sys.argv[1])
