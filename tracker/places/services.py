"""Facilities and crossing points: the rules for their values (the rest is records.py)."""

from typing import Any

from flask_babel import gettext as _

from tracker.places.models import CrossingPoint, Facility
from tracker.records import Cleaner, RecordService


def _clean_location(check: Cleaner) -> dict[str, Any]:
    latitude = check.number("latitude", -90, 90)
    longitude = check.number("longitude", -180, 180)
    if (latitude is None) != (longitude is None) and not check.errors:
        missing = "longitude" if longitude is None else "latitude"
        check.error(missing, _("Give both latitude and longitude, or neither."))
    return {
        "province": check.text("province", 100),
        "latitude": latitude,
        "longitude": longitude,
        "notes": check.text("notes", 20_000),
        "aliases": check.text_list("aliases", 200),
    }


class FacilityService(RecordService[Facility]):
    """A detention facility: name, local name, kind, province, country, coordinates, notes."""

    model = Facility

    def clean(self, values: dict[str, Any], record: Facility | None) -> dict[str, Any]:
        """Check a facility's values; every message is tied to its field."""
        check = Cleaner(values)
        cleaned: dict[str, Any] = {
            "name": check.text("name", 200, required=True),
            "name_local": check.text("name_local", 200),
            "kind": check.choice("kind", "facility_kind", record.kind if record else None),
            "country": check.text("country", 2),
            **_clean_location(check),
        }
        country = cleaned["country"]
        if country and not (len(country) == 2 and country.isalpha()):
            check.error("country", _("Use a two-letter country code such as CN or KP."))
        cleaned["country"] = country.upper() if country else None
        check.check()
        return cleaned


class CrossingService(RecordService[CrossingPoint]):
    """A border crossing named by its two sides."""

    model = CrossingPoint

    def clean(self, values: dict[str, Any], record: CrossingPoint | None) -> dict[str, Any]:
        """Check a crossing point's values; every message is tied to its field."""
        check = Cleaner(values)
        cleaned: dict[str, Any] = {
            "name": check.text("name", 200, required=True),
            "cn_side": check.text("cn_side", 200),
            "kp_side": check.text("kp_side", 200),
            **_clean_location(check),
        }
        check.check()
        return cleaned


facilities = FacilityService()
crossings = CrossingService()
