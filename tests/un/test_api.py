"""`un_readiness` in the API: what researchers and analysts get, the list filters, and the
OpenAPI document describing both."""

import pytest

from tests import factories
from tests.api.conftest import api_as  # noqa: F401  (the fixture)
from tests.un import cases
from tracker.extensions import db
from tracker.persons.services import persons


@pytest.fixture
def world(app):
    researcher = factories.make_user("researcher")
    cases.submitter(factories.make_user("admin"))
    ready = cases.ready_case(researcher)
    gap = cases.ready_case(researcher, family_name="Gapcase")
    persons.update(
        researcher, gap, gap.version, {"relatives_actions": None, "consent_given_by": None}
    )
    db.session.commit()
    return {"ready": ready, "gap": gap}


def test_researchers_get_the_gaps_and_analysts_only_ready_and_urgent(world, api_as):  # noqa: F811
    researcher, analyst = api_as("researcher"), api_as("analyst")
    ready, gap = world["ready"], world["gap"]
    assert researcher.get(f"/persons/{ready.id}").get_json()["un_readiness"] == {
        "ready": True,
        "urgent": True,
        "missing": [],
    }
    assert researcher.get(f"/persons/{gap.id}").get_json()["un_readiness"] == {
        "ready": False,
        "urgent": True,
        "missing": ["steps", "consent"],
    }
    seen = analyst.get(f"/persons/{gap.id}").get_json()
    assert seen["un_readiness"] == {"ready": False, "urgent": True}
    assert seen["consent_given_by"] is None and seen["family_name"] is None


def test_the_list_filters_by_readiness_and_urgency(world, api_as):  # noqa: F811
    api = api_as("analyst")
    ready, gap = world["ready"], world["gap"]
    ids = lambda query: {item["id"] for item in api.get(f"/persons?{query}").get_json()["items"]}  # noqa: E731
    assert ids("un_ready=true") == {ready.id}
    assert ids("un_ready=false") == {gap.id}
    assert ids("un_urgent=true") == {ready.id, gap.id}
    persons.update(
        factories.make_user("researcher"), ready, ready.version, {"un_submitted_on": "2026-12-01"}
    )
    db.session.commit()
    assert ids("un_urgent=true") == {gap.id}
    refused = api.get("/persons?un_ready=perhaps")
    assert refused.status_code == 422


def test_the_openapi_document_describes_readiness_and_its_filters(world, api_as):  # noqa: F811
    document = api_as("researcher").get("/openapi.json").get_json()
    person = document["components"]["schemas"]["Person"]["properties"]
    assert "un_readiness" in person
    readiness = document["components"]["schemas"]["UnReadiness"]["properties"]
    assert set(readiness) == {"ready", "urgent", "missing"}
    assert readiness["missing"]["items"]["enum"] == [
        "name", "date", "place", "responsible", "steps", "submitter", "consent"
    ]  # fmt: skip
    parameters = {p["name"] for p in document["paths"]["/api/v1/persons"]["get"]["parameters"]}
    assert {"un_ready", "un_urgent"} <= parameters
