"""The issue's "done when": a researcher's script loads the October 2023 events and a case
through the API; an analyst's script reads the summary and the masked lists, with the numbers
the web dashboard shows."""

from tests.workspace.records import FAMILY_NAME, NAME_HANGUL
from tracker.dashboard.filters import Filters
from tracker.dashboard.services import summarise


def test_a_researcher_loads_october_2023_and_an_analyst_reads_the_same_numbers(api_as):
    researcher = api_as("researcher")

    def create(kind: str, body: dict) -> dict:
        response = researcher.post(f"/{kind}", json=body)
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    shenyang = create(
        "facilities",
        {"name": "Shenyang Prison", "kind": "prison", "province": "Liaoning", "country": "CN"},
    )
    tiebei = create(
        "facilities",
        {"name": "Changchun Tiebei Prison", "kind": "prison", "province": "Jilin", "country": "CN"},
    )
    onsong = create("crossings", {"name": "Onsong", "cn_side": "Tumen", "province": "Jilin"})
    dandong = create("crossings", {"name": "Dandong", "kp_side": "Sinuiju", "province": "Liaoning"})
    report = create("sources", {"title": "NGO report", "kind": "ngo_report", "reliability": "B"})
    first = create(
        "events",
        {
            "date_start": "2023-10-09",
            "crossing_id": onsong["id"],
            "facility_ids": [shenyang["id"], tiebei["id"]],
            "people_min": 300,
            "source_ids": [report["id"]],
        },
    )
    create(
        "events",
        {
            "date_start": "2023-10-01",
            "date_end": "2023-10-31",
            "crossing_id": dandong["id"],
            "people_min": 180,
            "people_max": 180,
            "source_ids": [report["id"]],
        },
    )
    case = create(
        "persons",
        {
            "family_name": FAMILY_NAME,
            "name_hangul": NAME_HANGUL,
            "gender": "female",
            "event_id": first["id"],
            "facility_ids": [shenyang["id"]],
        },
    )
    status = researcher.post(
        f"/persons/{case['id']}/statuses",
        json={"status": "vanished", "as_of": "2023-11-01", "source_id": report["id"]},
    )
    assert status.status_code == 201

    analyst = api_as("analyst")
    summary = analyst.get("/summary").get_json()
    rows = {row["name"]: row for row in summary["by_crossing"]}
    assert (rows["Onsong"]["people_min"], rows["Onsong"]["people_max"]) == (300, None)
    assert (rows["Dandong"]["people_min"], rows["Dandong"]["people_max"]) == (180, 180)
    assert (rows["Onsong"]["persons"], rows["Onsong"]["vanished"]) == (1, 1)
    assert summary == summarise(Filters()).as_api()

    persons = analyst.get("/persons", query_string={"crossing_id": onsong["id"]}).get_json()
    assert persons["total"] == 1
    shown = persons["items"][0]
    assert shown["case_code"] == case["case_code"] and shown["status"] == "vanished"
    assert shown["family_name"] is None and shown["name_hangul"] is None
