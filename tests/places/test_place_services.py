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
        (
            {"country": "Atlantis"},
            "country",
            "Use a two-letter country code such as CN or KP, or its name.",
        ),
        (
            {"country": "4X"},
            "country",
            "Use a two-letter country code such as CN or KP, or its name.",
        ),
        (
            {"kind": "hotel"},
            "kind",
            "Choose one of: prison (Prison / 교도소), "
            "detention_centre (Detention centre / 구류장), "
            "border_post (Border post / 국경 초소), "
            "labour_camp (Labour camp / 노동교화소), "
            "other (Other / 기타).",
        ),
        ({"name": "  "}, "name", "This field is required."),
    ],
)
def test_facility_rules_name_the_field(researcher, values, field, message):
    with pytest.raises(ValidationFailed) as caught:
        facilities.create(researcher, {"name": "Tumen", "kind": "prison", **values})
    assert caught.value.fields[field] == message


@pytest.mark.parametrize(
    ("written", "stored"),
    [("cn", "CN"), ("China", "CN"), ("North Korea", "KP"), ("북한", "KP"), ("중국", "CN")],
)
def test_countries_are_taken_by_code_or_by_name_in_either_language(researcher, written, stored):
    facility = facilities.create(
        researcher, {"name": "Tumen", "kind": "prison", "country": written}
    )
    assert facility.country == stored


@pytest.mark.parametrize(
    ("written", "stored"),
    [
        ("prison", "prison"),
        ("Prison", "prison"),
        ("교도소", "prison"),
        ("감옥", "prison"),
        ("Detention centre", "detention_centre"),
        ("detention-centre", "detention_centre"),
    ],
)
def test_kinds_are_taken_by_code_label_or_other_name(researcher, written, stored):
    facility = facilities.create(researcher, {"name": "Tumen", "kind": written})
    assert facility.kind == stored


def test_aliases_are_kept_one_per_line(researcher):
    crossing = crossings.create(researcher, {"name": "Onsong", "aliases": "Onsŏng\n온성\n\n"})
    assert crossing.aliases == ["Onsŏng", "온성"]


def test_an_update_that_changes_nothing_writes_no_history(researcher):
    crossing = crossings.create(researcher, {"name": "Dandong", "cn_side": "Dandong"})
    version = crossing.version
    crossings.update(researcher, crossing, version, {"name": "Dandong"})
    assert crossing.version == version
    assert [v.entry.action for v in crossings.history(crossing)] == ["create"]
