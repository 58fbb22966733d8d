"""Facilities and crossing points: the rules their fields cannot state alone."""

from typing import Any

from flask_babel import gettext as _

from tracker.kinds.fields import Problems
from tracker.places.kind import CROSSINGS, FACILITIES
from tracker.places.models import CrossingPoint, Facility
from tracker.records.service import RecordService


def check_coordinates(cleaned: dict[str, Any], problems: Problems) -> None:
    """A place is located by both latitude and longitude, or by neither."""
    latitude, longitude = cleaned.get("latitude"), cleaned.get("longitude")
    if (latitude is None) != (longitude is None):
        missing = "longitude" if longitude is None else "latitude"
        problems.setdefault(missing, _("Give both latitude and longitude, or neither."))


class FacilityService(RecordService[Facility]):
    """A detention facility: name, local name, kind, province, country, coordinates, notes."""

    kind = FACILITIES

    def check(self, cleaned: dict[str, Any], record: Facility | None, problems: Problems) -> None:
        """Coordinates come in pairs."""
        check_coordinates(cleaned, problems)


class CrossingService(RecordService[CrossingPoint]):
    """A border crossing named by its two sides."""

    kind = CROSSINGS

    def check(
        self, cleaned: dict[str, Any], record: CrossingPoint | None, problems: Problems
    ) -> None:
        """Coordinates come in pairs."""
        check_coordinates(cleaned, problems)


facilities = FacilityService()
crossings = CrossingService()
