"""Each resource through the API: create, read, list, update, delete — the same services, rules,
audit and versioning as the web pages."""

import pytest
from sqlalchemy import select

from tests.api.conftest import assert_error
from tracker.api.resources import API_KINDS
from tracker.audit.models import AuditEntry
from tracker.extensions import db
from tracker.kinds.registry import kinds
from tracker.places.services import crossings, facilities
from tracker.sources.services import sources

TABLES = {name: kinds()[name].model.__tablename__ for name in API_KINDS}


def _refs():
    """Records other kinds point at, made through the services."""
    facility = facilities.create(None, {"name": "Shenyang Prison", "kind": "prison"})
    crossing = crossings.create(None, {"name": "Onsong", "province": "Jilin"})
    source = sources.create(None, {"title": "Report", "kind": "ngo_report"})
    db.session.commit()
    return facility, crossing, source


# (kind, what to create, a change, the field the change shows in)
CASES = {
    "facilities": (
        lambda refs: {"name": "Changchun Tiebei Prison", "kind": "prison", "country": "cn"},
        {"province": "Jilin"},
        {"country": "CN", "province": "Jilin"},
    ),
    "crossings": (
        lambda refs: {"name": "Dandong", "cn_side": "Dandong", "kp_side": "Sinuiju"},
        {"latitude": 40.1, "longitude": 124.4},
        {"latitude": 40.1, "longitude": 124.4},
    ),
    "sources": (
        lambda refs: {"title": "Witness account", "kind": "interview", "reliability": "b"},
        {"credibility": 2, "published_on": "2023-10-10"},
        {"reliability": "B", "credibility": 2, "published_on": "2023-10-10"},
    ),
    "events": (
        lambda refs: {
            "date_start": "2023-10-01",
            "date_end": "2023-10-31",
            "crossing_id": refs[1].id,
            "facility_ids": [refs[0].id],
            "people_min": 180,
            "people_max": 180,
            "source_ids": [refs[2].id],
        },
        {"people_max": 200, "description": "Buses at night"},
        {"date_end": "2023-10-31", "people_max": 200, "source_ids": None},
    ),
    "persons": (
        lambda refs: {"family_name": "Kim", "gender": "female", "facility_ids": [refs[0].id]},
        {"birth_year": 1990, "aliases": ["Gim"]},
        {"birth_year": 1990, "aliases": ["Gim"], "status": None},
    ),
}


@pytest.mark.parametrize("kind", list(CASES))
def test_a_researcher_creates_reads_lists_updates_and_deletes(api_as, kind):
    refs = _refs()
    api = api_as("researcher")
    new, change, expected = CASES[kind]

    created = api.post(f"/{kind}", json=new(refs))
    assert created.status_code == 201, created.get_json()
    record = created.get_json()
    assert created.headers["ETag"] == f'"{record["version"]}"'
    assert created.headers["Location"].endswith(f"/api/v1/{kind}/{record['id']}")

    read = api.get(f"/{kind}/{record['id']}")
    assert read.status_code == 200 and read.get_json() == record

    listed = api.get(f"/{kind}").get_json()
    assert set(listed) == {"items", "total", "page", "per_page"}
    assert record["id"] in [item["id"] for item in listed["items"]]

    updated = api.patch(f"/{kind}/{record['id']}", json={**change, "version": record["version"]})
    assert updated.status_code == 200, updated.get_json()
    after = updated.get_json()
    assert after["version"] > record["version"]
    for key, value in expected.items():
        if value is not None:
            assert after[key] == value, key

    stale = api.patch(f"/{kind}/{record['id']}", json={**change, "version": record["version"]})
    error = assert_error(stale, 409, "conflict")
    assert error["fields"] == {}
    assert stale.get_json()["current"] == after

    gone = api.delete(f"/{kind}/{record['id']}", headers={"If-Match": f'"{after["version"]}"'})
    assert gone.status_code == 204
    assert_error(api.get(f"/{kind}/{record['id']}"), 404, "not_found")
    assert record["id"] not in [item["id"] for item in api.get(f"/{kind}").get_json()["items"]]

    actions = db.session.execute(
        select(AuditEntry.action, AuditEntry.actor_id).where(
            AuditEntry.entity_id == record["id"],
            AuditEntry.entity_type == TABLES[kind],
            AuditEntry.action.in_(["create", "update", "delete"]),
        )
    ).all()
    assert sorted(actions) == sorted(
        [("create", api.user.id), ("update", api.user.id), ("delete", api.user.id)]
    )


def test_an_event_keeps_dandongs_month_and_onsongs_day(api_as):
    refs = _refs()
    api = api_as("researcher")
    month = api.post(
        "/events",
        json={"date_start": "2023-10-01", "date_end": "2023-10-31", "crossing_id": refs[1].id},
    ).get_json()
    day = api.post("/events", json={"date_start": "2023-10-09", "crossing_id": refs[1].id})
    assert day.status_code == 201
    assert (day.get_json()["date_start"], day.get_json()["date_end"]) == ("2023-10-09",) * 2
    assert (month["date_start"], month["date_end"]) == ("2023-10-01", "2023-10-31")
    assert day.get_json()["people_max"] is None


def test_updating_without_a_version_is_refused_and_if_match_works(api_as):
    refs = _refs()
    api = api_as("researcher")
    path = f"/crossings/{refs[1].id}"
    error = assert_error(api.patch(path, json={"province": "Liaoning"}), 422)
    assert "version" in error["fields"]
    assert_error(api.patch(path, json={"province": "Liaoning"}, headers={"If-Match": '"9"'}), 409)
    ok = api.patch(path, json={"province": "Liaoning"}, headers={"If-Match": 'W/"1"'})
    assert ok.status_code == 200 and ok.get_json()["province"] == "Liaoning"
    assert ok.headers["ETag"] == '"2"'
    mixed = api.patch(path, json={"province": "Jilin", "version": 2}, headers={"If-Match": '"1"'})
    assert_error(mixed, 422)


def test_service_rules_answer_with_per_field_messages(api_as):
    refs = _refs()
    api = api_as("researcher")
    error = assert_error(api.post("/facilities", json={"name": "", "kind": "castle"}), 422)
    assert set(error["fields"]) == {"name", "kind"}
    error = assert_error(
        api.post(
            "/events",
            json={"date_start": "2023-10-09", "crossing_id": 999, "people_min": 5, "people_max": 2},
        ),
        422,
    )
    assert set(error["fields"]) >= {"crossing_id", "people_max"}
    error = assert_error(api.post("/persons", json={"facility_ids": [refs[0].id, 424242]}), 422)
    assert error["fields"]


@pytest.mark.parametrize("kind", list(CASES))
def test_an_analyst_reads_but_never_writes(api_as, kind):
    refs = _refs()
    researcher = api_as("researcher")
    record = researcher.post(f"/{kind}", json=CASES[kind][0](refs)).get_json()
    analyst = api_as("analyst")
    before = db.session.execute(select(AuditEntry.id)).all()
    assert analyst.get(f"/{kind}/{record['id']}").status_code == 200
    assert analyst.get(f"/{kind}").status_code == 200
    assert_error(analyst.post(f"/{kind}", json=CASES[kind][0](refs)), 403, "forbidden")
    assert_error(analyst.patch(f"/{kind}/{record['id']}", json={"version": record["version"]}), 403)
    assert_error(analyst.delete(f"/{kind}/{record['id']}"), 403)
    # Refused before the body is read: even a malformed one gets 403, not 422.
    assert_error(analyst.post(f"/{kind}", json={"nonsense": True}), 403)
    assert researcher.get(f"/{kind}/{record['id']}").get_json()["version"] == record["version"]
    writes = db.session.execute(
        select(AuditEntry.id).where(AuditEntry.action.in_(["create", "update", "delete"]))
    ).all()
    assert len(writes) == len([row for row in before if row in writes])


def test_an_admin_writes_like_a_researcher(api_as):
    api = api_as("admin")
    created = api.post("/crossings", json={"name": "Hyesan"})
    assert created.status_code == 201
    assert api.delete(f"/crossings/{created.get_json()['id']}").status_code == 204


def test_lists_filter_search_and_page(api_as):
    refs = _refs()
    api = api_as("researcher")
    for name, province in [("Namyang", "Jilin"), ("Sinuiju", "Liaoning"), ("Hyesan", "Jilin")]:
        assert api.post("/crossings", json={"name": name, "province": province}).status_code == 201
    jilin = api.get("/crossings", query_string={"province": "Jilin"}).get_json()
    assert {item["name"] for item in jilin["items"]} == {"Onsong", "Namyang", "Hyesan"}
    assert jilin["total"] == 3
    page = api.get("/crossings", query_string={"per_page": 2, "page": 2}).get_json()
    assert (page["total"], page["page"], page["per_page"], len(page["items"])) == (4, 2, 2, 2)
    found = api.get("/crossings", query_string={"q": "sinui"}).get_json()
    assert [item["name"] for item in found["items"]] == ["Sinuiju"]
    searched = api.post("/crossings/search", json={"q": "nam", "province": "Jilin"}).get_json()
    assert [item["name"] for item in searched["items"]] == ["Namyang"]
    assert refs


def test_event_and_person_lists_select_by_the_events_date_start(api_as):
    refs = _refs()
    api = api_as("researcher")
    october = api.post(
        "/events", json={"date_start": "2023-10-09", "crossing_id": refs[1].id}
    ).get_json()
    april = api.post(
        "/events", json={"date_start": "2024-04-02", "crossing_id": refs[1].id}
    ).get_json()
    in_october = api.post("/persons", json={"event_id": october["id"]}).get_json()
    api.post("/persons", json={"event_id": april["id"]})
    window = {"from": "2023-10-01", "to": "2023-10-31"}
    events = api.get("/events", query_string=window).get_json()
    assert [item["id"] for item in events["items"]] == [october["id"]]
    persons = api.get("/persons", query_string=window).get_json()
    assert [item["id"] for item in persons["items"]] == [in_october["id"]]
    other = api.post("/crossings", json={"name": "Namyang"}).get_json()
    api.post("/events", json={"date_start": "2023-10-10", "crossing_id": other["id"]})
    at_onsong = api.get("/events", query_string={"crossing_id": refs[1].id}).get_json()
    assert {item["id"] for item in at_onsong["items"]} == {october["id"], april["id"]}
    by_event = api.get("/persons", query_string={"event_id": april["id"]}).get_json()
    assert by_event["total"] == 1
    assert in_october["case_code"].startswith("RT-2023-")


def test_statuses_are_listed_and_added_and_make_the_current_status(api_as):
    refs = _refs()
    api = api_as("researcher")
    person = api.post("/persons", json={"gender": "female"}).get_json()
    added = api.post(
        f"/persons/{person['id']}/statuses",
        json={"status": "repatriated", "as_of": "2023-10-09", "source_id": refs[2].id},
    )
    assert added.status_code == 201, added.get_json()
    later = api.post(
        f"/persons/{person['id']}/statuses",
        json={"status": "vanished", "as_of": "2023-12-01", "source_id": refs[2].id, "note": "x"},
    ).get_json()
    assert set(later) == {
        "id",
        "person_id",
        "status",
        "as_of",
        "as_of_precision",
        "as_of_approximate",
        "source_id",
        "note",
    }
    history = api.get(f"/persons/{person['id']}/statuses").get_json()
    assert [item["status"] for item in history["items"]] == ["repatriated", "vanished"]
    current = api.get(f"/persons/{person['id']}").get_json()
    assert (current["status"], current["status_as_of"]) == ("vanished", "2023-12-01")
    error = assert_error(
        api.post(f"/persons/{person['id']}/statuses", json={"status": "gone", "as_of": "x"}), 422
    )
    assert {"as_of", "source_id"} <= set(error["fields"])
    read_only = api.patch(
        f"/persons/{person['id']}", json={"status": "released", "version": current["version"]}
    )
    assert "status" in assert_error(read_only, 422)["fields"]
    analyst = api_as("analyst")
    assert_error(
        analyst.post(
            f"/persons/{person['id']}/statuses",
            json={"status": "released", "as_of": "2024-01-01", "source_id": refs[2].id},
        ),
        403,
    )
