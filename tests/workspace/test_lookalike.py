"""One rule for "looks like the same person": the person form and the API warn before saving
a new case like an existing one (naming it by its code) and save it when the researcher
confirms; the rule is the importer's and the duplicates page's."""

from sqlalchemy import func, select

from tests.api.conftest import new_token
from tests.conftest import csrf_token
from tracker.extensions import db
from tracker.persons.models import Person
from tracker.persons.services import persons


def _count():
    return db.session.execute(select(func.count(Person.id))).scalar_one()


def test_the_form_warns_of_a_look_alike_and_saves_when_confirmed(client, login_as):
    researcher = login_as("researcher")
    existing = persons.create(
        researcher, {"family_name": "Kim", "given_name": "Young-hee", "birth_year": 1985}
    )
    db.session.commit()
    values = {"family_name": "Gim", "given_name": "Yeong-hui", "birth_year": "1985"}
    warned = client.post(
        "/persons/new", data={"csrf_token": csrf_token(client, "/persons/new"), **values}
    )
    page = warned.get_data(as_text=True)
    assert warned.status_code == 422
    assert existing.case_code in page and "This is another person: save anyway" in page
    assert "Young-hee" not in page.split('class="warning"')[1].split("</div>")[0]
    assert _count() == 1
    saved = client.post(
        "/persons/new",
        data={"csrf_token": csrf_token(client, "/persons/new"), "confirm": "y", **values},
    )
    assert saved.status_code == 302 and _count() == 2


def test_a_different_age_or_name_is_no_look_alike(client, login_as):
    researcher = login_as("researcher")
    persons.create(
        researcher, {"family_name": "Kim", "given_name": "Young-hee", "birth_year": 1985}
    )
    db.session.commit()
    for values in (
        {"family_name": "Kim", "given_name": "Young-hee", "birth_year": "1978"},
        {"family_name": "Park", "given_name": "Young-hee", "birth_year": "1985"},
    ):
        response = client.post(
            "/persons/new", data={"csrf_token": csrf_token(client, "/persons/new"), **values}
        )
        assert response.status_code == 302


def test_editing_a_name_into_a_look_alike_warns_too(client, login_as):
    researcher = login_as("researcher")
    kim = persons.create(researcher, {"family_name": "Kim", "given_name": "Cheol-ok"})
    other = persons.create(researcher, {"family_name": "Pak", "given_name": "Mi-ran"})
    db.session.commit()
    edit = f"/persons/{other.id}/edit"
    response = client.post(
        edit,
        data={
            "csrf_token": csrf_token(client, edit),
            "version": str(other.version),
            "family_name": "Gim",
            "given_name": "Chol Ok",
        },
    )
    assert response.status_code == 422 and kim.case_code in response.get_data(as_text=True)


def test_the_api_refuses_a_look_alike_until_it_is_confirmed(client, login_as):
    researcher = login_as("researcher")
    existing = persons.create(researcher, {"family_name": "Lee", "given_name": "Sun-ja"})
    db.session.commit()
    headers = {"Authorization": f"Bearer {new_token(researcher)}"}
    body = {"family_name": "Ri", "given_name": "Sun Ja"}
    refused = client.post("/api/v1/persons", json=body, headers=headers)
    assert refused.status_code == 422
    assert existing.case_code in refused.get_json()["error"]["fields"]["similar"]
    confirmed = client.post("/api/v1/persons", json=body | {"confirmed": True}, headers=headers)
    assert confirmed.status_code == 201
