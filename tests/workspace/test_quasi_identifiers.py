"""What could single a person out with other facts reaches analysts only coarsely, in pages,
the API and exports alike: dates to the month, birth years as five-year bands, free-text places
hidden with the province shown instead (issue 16, finding 8). The rule is read from the field
declarations, so it is tested there too."""

import csv
import io
import re
from datetime import date

import pytest

from tests import factories
from tests.conftest import csrf_token
from tracker.extensions import db
from tracker.kinds import fields as f
from tracker.kinds.registry import kind
from tracker.persons.services import persons
from tracker.places.services import facilities
from tracker.sources.services import sources

ARREST_PLACE = "Yanji, Kwangmyong street market"
LAST_SEEN_PLACE = "Tumen bridge checkpoint"
# Exact days and the year that must not reach an analyst, in every way a page or file writes
# them: ISO, English, and the day numbers beside their month.
EXACT = ["1987", "2023-10-03", "2023-10-09", "2023-08-14", "2023-10-12", "3 October 2023"]


@pytest.fixture
def case(app):
    facility = facilities.create(None, {"name": "Tumen Detention Centre", "kind": "prison"})
    person = persons.create(
        None,
        {
            "gender": "female",
            "birth_year": 1987,
            "arrest_date": "2023-10-03",
            "arrest_place": ARREST_PLACE,
            "arrest_region": "Jilin",
            "last_seen_date": "2023-10-09",
            "last_seen_place": LAST_SEEN_PLACE,
            "last_seen_region": "North Hamgyong",
            "detentions": [{"facility_id": facility.id, "date_from": "2023-08-14"}],
        },
    )
    source = sources.create(None, {"title": "NGO report", "kind": "ngo_report"})
    persons.add_status(
        None,
        person,
        {"status": "detained", "as_of": date(2023, 10, 12), "source_id": source.id},
    )
    db.session.commit()
    return person


def _no_exact_values(text: str) -> None:
    for value in [*EXACT, ARREST_PLACE, LAST_SEEN_PLACE, "Yanji", "Tumen bridge"]:
        assert value not in text, value


def test_the_rule_is_declared_with_each_field():
    declared = {field.name: field for field in kind("persons").fields}
    assert declared["birth_year"].coarsened
    for name in ("arrest_date", "last_seen_date", "date_of_death", "status_as_of"):
        assert isinstance(declared[name], f.FuzzyDate) and declared[name].analysts == "month"
    for name in ("arrest_place", "last_seen_place"):
        assert declared[name].identifying
    for name in ("arrest_region", "last_seen_region", "origin_region"):
        assert not declared[name].identifying
    stays = {field.name: field for field in declared["detentions"].fields}  # type: ignore[attr-defined]
    assert stays["date_from"].analysts == "month" and stays["date_to"].analysts == "month"


def test_an_analyst_s_pages_show_months_bands_and_provinces(case, client, login_as):
    login_as("analyst")
    page = client.get(f"/persons/{case.id}").get_data(as_text=True)
    _no_exact_values(page)
    assert "1985–1989" in page
    assert "October 2023" in page and "August 2023" in page
    assert "Jilin" in page and "North Hamgyong" in page
    listing = client.get("/persons").get_data(as_text=True)
    _no_exact_values(listing)
    assert "1985–1989" in listing
    # the exact year cannot be learnt from the order either
    assert "order=birth_year" not in listing


def test_a_researcher_sees_the_exact_values(case, client, login_as):
    login_as("researcher")
    page = client.get(f"/persons/{case.id}").get_data(as_text=True)
    assert "1987" in page and ARREST_PLACE in page and "3 October 2023" in page


def test_the_api_gives_an_analyst_the_coarse_values(case, client):
    from tracker.accounts.services import create_api_token

    user = factories.make_user("analyst")
    db.session.commit()
    _token, plain = create_api_token(None, user, "test")
    db.session.commit()
    headers = {"Authorization": f"Bearer {factories.sensitive(plain)}"}
    body = client.get(f"/api/v1/persons/{case.id}", headers=headers).get_json()
    assert body["birth_year"] == "1985-1989"
    assert (body["arrest_date"], body["arrest_date_precision"]) == ("2023-10-01", "month")
    assert (body["last_seen_date"], body["last_seen_date_precision"]) == ("2023-10-01", "month")
    assert body["arrest_place"] is None and body["last_seen_place"] is None
    assert (body["arrest_region"], body["last_seen_region"]) == ("Jilin", "North Hamgyong")
    assert body["status_as_of"] == "2023-10-01"
    statuses = client.get(f"/api/v1/persons/{case.id}/statuses", headers=headers).get_json()
    _no_exact_values(str(statuses))
    _no_exact_values(str(body))


@pytest.mark.parametrize("what", ["persons", "statuses"])
def test_an_analyst_s_export_is_coarse_too(case, client, login_as, what):
    login_as("analyst")
    response = client.get("/exports/file", query_string={"what": what, "format": "csv"})
    assert response.status_code == 200
    text = response.data.decode("utf-8-sig")
    _no_exact_values(text)
    if what == "persons":
        (row,) = csv.DictReader(io.StringIO(text))
        assert row["birth_year"] == "1985-1989"
        assert row["arrest_date"] == "2023-10-01" and row["arrest_date_precision"] == "month"
        assert row["arrest_region"] == "Jilin"
        assert "arrest_place" not in row


def test_a_researcher_s_identifying_export_keeps_the_exact_values(case, client, login_as):
    login_as("researcher")
    token = csrf_token(client, "/exports/new?what=persons")
    response = client.post(
        "/exports/file",
        data={
            "what": "persons",
            "format": "csv",
            "identifying": "1",
            "reason": "UN case file",
            "password": factories.PASSWORD,
            "csrf_token": token,
        },
    )
    (row,) = csv.DictReader(io.StringIO(response.data.decode("utf-8-sig")))
    assert (row["birth_year"], row["arrest_date"], row["arrest_place"]) == (
        "1987",
        "2023-10-03",
        ARREST_PLACE,
    )
    assert re.fullmatch(r"\d+", row["id"])
