"""The OpenAPI document: valid, generated from the request schemas, covering every /api/v1 route;
and the browsable docs, served from the app itself."""

import re
from pathlib import Path

from openapi_spec_validator import validate

from tests.api.conftest import PREFIX, assert_error
from tracker.api.resources import Handlers

STATIC = Path(__file__).resolve().parents[2] / "tracker" / "static"


def _spec(api_as) -> dict:
    response = api_as("analyst").get("/openapi.json")
    assert response.status_code == 200
    return response.get_json()


def test_the_document_is_valid_openapi_3(api_as):
    spec = _spec(api_as)
    assert spec["openapi"].startswith("3.")
    validate(spec)
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


def test_every_api_route_is_in_the_document(app, api_as):
    spec = _spec(api_as)
    documented = {
        (path, method.upper())
        for path, operations in spec["paths"].items()
        for method in operations
        if method in {"get", "post", "patch", "put", "delete"}
    }
    served = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(PREFIX) or rule.endpoint == "api-docs.openapi_json":
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        served |= {(path, method) for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}}
    assert len(served) >= 30
    assert served == documented


def test_the_document_uses_designs_field_names(api_as):
    schemas = _spec(api_as)["components"]["schemas"]
    expected = {
        "Facility": "id, name, name_local, kind, province, country, latitude, longitude, notes",
        "CrossingPoint": "id, name, cn_side, kp_side, province, latitude, longitude",
        "Source": "id, title, kind, organisation, published_on, url, reliability, credibility, "
        "confidential",
        "Event": "id, date_start, date_end, crossing_id, facility_ids, people_min, people_max, "
        "transport, description, source_ids, external_id",
        "Person": "id, case_code, family_name, given_name, name_hangul, aliases, gender, "
        "birth_year, origin, event_id, facility_ids, status, status_as_of, external_id",
        "StatusRecord": "id, person_id, status, as_of, source_id, note",
    }
    for name, field_names in expected.items():
        fields = set(field_names.split(", "))
        if name != "StatusRecord":
            fields.add("version")
        assert fields <= set(schemas[name]["properties"]), name
    # The second round's fields (DESIGN.md), each declared once on its model.
    assert {"handed_over_by", "received_by"} <= set(schemas["Event"]["properties"])
    person = set(schemas["Person"]["properties"])
    assert {"date_of_death", "date_of_death_precision", "nationality"} <= person


def test_requests_are_validated_by_the_documented_schemas(app, api_as):
    """The schema a route documents is the object that validates its body: change it and the
    API's answer changes with it."""
    spec = _spec(api_as)
    body = spec["paths"][f"{PREFIX}/crossings"]["post"]["requestBody"]["content"]
    assert body["application/json"]["schema"]["$ref"].endswith("/CrossingPointNew")
    name = spec["components"]["schemas"]["CrossingPointNew"]["properties"]["name"]
    assert name["maxLength"] == 200
    api = api_as("researcher")
    error = assert_error(api.post("/crossings", json={"name": "x" * 201}), 422)
    assert "200" in error["fields"]["name"]
    assert Handlers


def test_the_docs_page_is_served_locally_with_its_licence(client, login_as):
    login_as("analyst")
    page = client.get("/api/docs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    # Every link and asset is on this server (the app's frame adds "#main", its skip link).
    local = [src for src in sources if not src.startswith("#")]
    assert local and all(src.startswith("/") and not src.startswith("//") for src in local)
    assert "<script>" not in html and "onload" not in html
    for name in ("swagger-ui-bundle.js", "swagger-ui.css", "LICENSE"):
        assert (STATIC / "vendor" / "swagger-ui" / name).is_file()
    css = (STATIC / "vendor" / "swagger-ui" / "swagger-ui.css").read_text(encoding="utf-8")
    assert "data:" not in css and "http" not in css.replace("http://www.w3.org", "")
    for asset in ("vendor/swagger-ui/swagger-ui-bundle.js", "api-docs.js"):
        with client.get(f"/static/{asset}") as response:
            assert response.status_code == 200
    spec = client.get("/api/docs/openapi.json")
    assert spec.status_code == 200 and spec.get_json()["paths"]
    assert "Content-Security-Policy" in page.headers


def test_anonymous_visitors_get_no_docs(client):
    assert client.get("/api/docs").status_code == 302
    assert client.get("/api/docs/openapi.json").status_code == 302
