"""Duplicate candidates: likely pairs first, "different people" remembered, researchers only."""

from tests.conftest import csrf_token
from tracker.extensions import db
from tracker.persons.services import persons


def _person(actor, family, given, **values):
    values = {"family_name": family, "given_name": given, "gender": "female", **values}
    return persons.create(actor, values)


def test_candidates_best_first_and_different_people_never_again(client, login_as):
    researcher = login_as("researcher")
    kim = _person(researcher, "Kim", "Cheol-ok", birth_year=1985)
    same = _person(researcher, "Gim", "Chol Ok", birth_year=1986, name_hangul="김철옥")
    older = _person(researcher, "Kim", "Chul-ok", birth_year=1950)
    _person(researcher, "Park", "Sun-hee")
    db.session.commit()
    page = client.get("/persons/duplicates").get_data(as_text=True)
    assert page.count('class="duplicate"') == 3
    first = page.split('class="duplicate"')[1]
    assert kim.case_code in first and same.case_code in first and "born within 2 years" in first
    assert "Park" not in page
    token = csrf_token(client, "/persons/duplicates")
    reply = client.post(
        "/persons/duplicates/different",
        data={"first": str(older.id), "second": str(kim.id), "csrf_token": token},
    )
    assert reply.status_code == 302
    page = client.get("/persons/duplicates").get_data(as_text=True)
    assert page.count('class="duplicate"') == 2


def test_bad_pairs_are_refused_without_a_500(client, login_as):
    login_as("researcher")
    token = csrf_token(client, "/persons/duplicates")
    for first, second in (("1", "1"), ("x", "2"), ("99999999999", "1"), ("", "")):
        reply = client.post(
            "/persons/duplicates/different",
            data={"first": first, "second": second, "csrf_token": token},
            follow_redirects=True,
        )
        assert reply.status_code == 200
        assert "Choose two different persons" in reply.get_data(as_text=True)


def test_analysts_never_see_duplicates(client, login_as):
    login_as("analyst")
    assert client.get("/persons/duplicates").status_code == 403
