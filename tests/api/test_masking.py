"""Analysts get every resource without a single identifying value; researchers get them, and
each such read is in the audit log, as on the web pages."""

import json

import pytest
from sqlalchemy import select

from tests import factories
from tests.workspace.records import (
    ALIAS,
    FAMILY_NAME,
    GIVEN_NAME,
    IDENTIFYING_VALUES,
    NAME_HANGUL,
    SECRET_SOURCE,
    october_case,
)
from tracker.audit.models import AuditEntry
from tracker.extensions import db


@pytest.fixture
def recorded(app):
    researcher = factories.make_user("researcher")
    case = october_case(researcher)
    db.session.commit()
    return case


def _text(response) -> str:
    """The body as a reader sees it: JSON decoded, so Hangul is not hidden by escapes."""
    return json.dumps(response.get_json(), ensure_ascii=False)


def _every_read(api, case) -> list:
    person, secret = case["person"], case["secret"]
    return [
        api.get("/persons"),
        api.get(f"/persons/{person.id}"),
        api.get(f"/persons/{person.id}/statuses"),
        api.post("/persons/search", json={"q": FAMILY_NAME}),
        api.get("/sources"),
        api.get(f"/sources/{secret.id}"),
        api.post("/sources/search", json={"q": "Marrowgate"}),
        api.get("/events"),
        api.get(f"/events/{case['event'].id}"),
        api.get("/facilities"),
        api.get("/crossings"),
        api.get("/summary"),
    ]


def test_an_analyst_never_gets_an_identifying_value(api_as, recorded):
    analyst = api_as("analyst")
    for response in _every_read(analyst, recorded):
        assert response.status_code == 200, response.get_data(as_text=True)
        body = _text(response).lower()
        leaked = [value for value in IDENTIFYING_VALUES if value.lower() in body]
        assert leaked == [], f"{response.request.path} shows {leaked}"
    person = analyst.get(f"/persons/{recorded['person'].id}").get_json()
    assert person["case_code"] == recorded["person"].case_code
    assert (person["gender"], person["birth_year"], person["status"]) == (
        "female",
        "1990-1994",  # a five-year band for analysts (issue 16)
        "vanished",
    )
    for field in ("family_name", "given_name", "name_hangul", "aliases", "origin", "external_id"):
        assert person[field] is None, field
    secret = analyst.get(f"/sources/{recorded['secret'].id}").get_json()
    assert secret["confidential"] is True
    assert (secret["title"], secret["organisation"], secret["url"]) == (None, None, None)
    public = analyst.get(f"/sources/{recorded['public'].id}").get_json()
    assert public["title"] == "China is sending escapers back"


def test_an_analysts_search_never_matches_a_name(api_as, recorded):
    analyst = api_as("analyst")
    for response in (
        analyst.post("/persons/search", json={"q": GIVEN_NAME}),
        analyst.get("/persons", query_string={"q": FAMILY_NAME}),
        analyst.post("/sources/search", json={"q": SECRET_SOURCE}),
    ):
        assert response.get_json()["total"] == 0


def test_a_researcher_gets_identities_and_each_read_is_audited(api_as, recorded):
    researcher = api_as("researcher")
    person_id = recorded["person"].id

    def views() -> list:
        return list(
            db.session.execute(
                select(AuditEntry).where(
                    AuditEntry.action == "person.view_identity",
                    AuditEntry.actor_id == researcher.user.id,
                )
            ).scalars()
        )

    one = researcher.get(f"/persons/{person_id}").get_json()
    assert (one["family_name"], one["given_name"], one["name_hangul"], one["aliases"]) == (
        FAMILY_NAME,
        GIVEN_NAME,
        NAME_HANGUL,
        [ALIAS],
    )
    assert len(views()) == 1 and views()[0].entity_id == person_id
    listed = researcher.get("/persons").get_json()
    assert listed["items"][0]["family_name"] == FAMILY_NAME
    found = researcher.post("/persons/search", json={"q": GIVEN_NAME}).get_json()
    assert [item["id"] for item in found["items"]] == [person_id]
    history = researcher.get(f"/persons/{person_id}/statuses").get_json()
    assert history["items"][0]["note"]
    assert [entry.changes["where"] for entry in views()] == [
        "api.read",
        "api.list",
        "api.list",
        "api.statuses",
    ]
    secret = researcher.get(f"/sources/{recorded['secret'].id}").get_json()
    assert secret["title"] == SECRET_SOURCE


def test_a_name_in_a_url_matches_nothing_even_for_a_researcher(api_as, recorded):
    researcher = api_as("researcher")
    by_url = researcher.get("/persons", query_string={"q": FAMILY_NAME}).get_json()
    assert by_url["total"] == 0
    by_code = researcher.get("/persons", query_string={"q": recorded["person"].case_code})
    assert by_code.get_json()["total"] == 1
