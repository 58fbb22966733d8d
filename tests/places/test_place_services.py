"""Facility and crossing rules without HTTP."""

import pytest

from tests import factories
from tracker.exceptions import ValidationFailed
from tracker.places.services import crossings, facilities


@pytest.fixture
def researcher(app):
    return factories.make_user("researcher")


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"latitude": 91, "longitude": 10}, "latitude", "Enter a number between -90 and 90."),
        ({"latitude": 41.8}, "longitude", "Give both latitude and longitude, or neither."),
        ({"country": "China"}, "country", "Use at most 2 characters (this has 5)."),
        ({"country": "4X"}, "country", "Use a two-letter country code such as CN or KP."),
        ({"kind": "hotel"}, "kind", "Choose one of the listed values."),
        ({"name": "  "}, "name", "This field is required."),
    ],
)
def test_facility_rules_name_the_field(researcher, values, field, message):
    with pytest.raises(ValidationFailed) as caught:
        facilities.create(researcher, {"name": "Tumen", "kind": "prison", **values})
    assert caught.value.fields[field] == message


def test_aliases_are_kept_one_per_line(researcher):
    crossing = crossings.create(researcher, {"name": "Onsong", "aliases": "Onsŏng\n온성\n\n"})
    assert crossing.aliases == ["Onsŏng", "온성"]


def test_an_update_that_changes_nothing_writes_no_history(researcher):
    crossing = crossings.create(researcher, {"name": "Dandong", "cn_side": "Dandong"})
    version = crossing.version
    crossings.update(researcher, crossing, version, {"name": "Dandong"})
    assert crossing.version == version
    assert [v.entry.action for v in crossings.history(crossing)] == ["create"]
