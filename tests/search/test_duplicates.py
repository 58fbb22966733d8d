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
    unknown = _person(researcher, "Kim", "Chul-ok")  # no birth year: may be either
    older = _person(researcher, "Kim", "Cheol-ok", birth_year=1950)  # another person: too old
    _person(researcher, "Park", "Sun-hee")
    db.session.commit()
    page = client.get("/persons/duplicates").get_data(as_text=True)
    pairs = page.split('class="duplicate"')[1:]
    assert len(pairs) == 4  # Kim–Gim, and the one of unknown age with each of the three
    assert kim.case_code in pairs[0] and same.case_code in pairs[0]
    assert "born within 2 years" in pairs[0]
    assert "Park" not in page
    with_older = [pair for pair in pairs if older.case_code in pair]
    assert len(with_older) == 1 and unknown.case_code in with_older[0]
    token = csrf_token(client, "/persons/duplicates")
    reply = client.post(
        "/persons/duplicates/different",
        data={"first": str(unknown.id), "second": str(kim.id), "csrf_token": token},
    )
    assert reply.status_code == 302
    page = client.get("/persons/duplicates").get_data(as_text=True)
    assert page.count('class="duplicate"') == 3


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
