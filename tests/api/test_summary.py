"""The summary endpoint answers the dashboard service's numbers for the same filters."""

import pytest

from tracker.dashboard.filters import parse_filters
from tracker.dashboard.services import summarise
from tracker.extensions import db
from tracker.sample.services import load_october_2023


@pytest.fixture
def sample(app):
    load_october_2023(None)
    db.session.commit()


def _by_name(rows):
    return {row["name"]: row for row in rows}


def test_october_2023_as_reported(api_as, sample):
    summary = api_as("analyst").get("/summary").get_json()
    crossings = _by_name(summary["by_crossing"])
    assert (crossings["Onsong"]["people_min"], crossings["Onsong"]["people_max"]) == (300, None)
    assert (crossings["Dandong"]["people_min"], crossings["Dandong"]["people_max"]) == (180, 180)
    assert {"id", "name", "events", "people_min", "people_max", "persons", "vanished"} <= set(
        crossings["Onsong"]
    )
    assert [row["month"] for row in summary["by_month"]] == ["2023-10"]
    assert {"by_crossing", "by_facility", "by_status", "by_month"} <= set(summary)
    assert all("id" in row and "name" in row for row in summary["by_facility"])


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"from": "2023-10-01", "to": "2023-10-31"},
        {"from": "2023-10-09", "to": "2023-10-09"},
        {"province": "Liaoning"},
        {"from": "2024-01-01"},
    ],
)
def test_the_same_numbers_as_the_dashboard_service(api_as, sample, query):
    answer = api_as("analyst").get("/summary", query_string=query)
    assert answer.status_code == 200
    expected = summarise(parse_filters(query)).as_api()
    assert answer.get_json() == expected


def test_crossing_and_facility_filters(api_as, sample):
    api = api_as("researcher")
    onsong = next(
        row for row in api.get("/summary").get_json()["by_crossing"] if row["name"] == "Onsong"
    )
    only = api.get("/summary", query_string={"crossing_id": onsong["id"]}).get_json()
    assert [row["name"] for row in only["by_crossing"]] == ["Onsong"]
    assert only["total"]["people_min"] == 300 and only["total"]["people_max"] is None
