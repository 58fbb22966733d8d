"""Search where researchers look: the persons list (POST), the pickers, places; never in a URL."""

import pytest

from tests.conftest import csrf_token
from tracker.extensions import db
from tracker.persons.services import persons
from tracker.places.services import crossings


@pytest.fixture
def cases(app, login_as):
    researcher = login_as("researcher")
    wanted = persons.create(
        researcher,
        {
            "family_name": "Kim",
            "given_name": "Cheol-ok",
            "name_hangul": "김철옥",
            "aliases": ["Rim Ok-hui"],
            "gender": "female",
        },
    )
    persons.create(researcher, {"family_name": "Kim", "given_name": "Cheol-uk", "gender": "male"})
    persons.create(researcher, {"family_name": "Pak", "given_name": "Sun-hui", "gender": "female"})
    crossings.create(researcher, {"name": "Dandong", "aliases": ["丹东", "단둥"]})
    db.session.commit()
    return wanted


def _rows(page: str) -> list[str]:
    return [line for line in page.split("<tr>")[2:]]


@pytest.mark.parametrize("term", ["kim chol ok", "김철옥", "Kim Ch'ŏr-ok"])
def test_the_persons_list_finds_any_spelling_best_first(client, cases, term):
    token = csrf_token(client, "/persons")
    response = client.post("/persons", data={"q": term, "csrf_token": token})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    rows = _rows(page)
    assert cases.case_code in rows[0]
    assert "Matched as" in page and "Best match first" in page
    assert "Pak" not in page
    assert term not in response.headers.get("Location", "")


def test_filters_and_sorting_still_apply_to_a_name_search(client, cases):
    token = csrf_token(client, "/persons")
    page = client.post(
        "/persons", data={"q": "kim chol ok", "gender": "male", "csrf_token": token}
    ).get_data(as_text=True)
    assert cases.case_code not in page and "Cheol-uk" in page
    page = client.post(
        "/persons", data={"q": "kim chol ok", "order": "case_code:desc", "csrf_token": token}
    ).get_data(as_text=True)
    assert cases.case_code in page


def test_the_picker_lookup_ranks_and_says_what_matched(client, cases):
    token = csrf_token(client, "/persons")
    reply = client.post(
        "/persons/lookup", data={"q": "김철옥"}, headers={"X-CSRFToken": token}
    ).get_json()
    assert reply["items"][0]["id"] == cases.id
    assert "matched" not in reply["items"][0]  # the label shows the Hangul name already
    reply = client.post(
        "/persons/lookup", data={"q": "Lim Ok-hee"}, headers={"X-CSRFToken": token}
    ).get_json()
    assert reply["items"][0]["id"] == cases.id
    assert reply["items"][0]["matched"] == "Rim Ok-hui"
    reply = client.post(
        "/crossings/lookup", data={"q": "丹东"}, headers={"X-CSRFToken": token}
    ).get_json()
    assert [item["label"] for item in reply["items"]] == ["Dandong"]


def test_a_name_in_the_url_is_ignored(client, cases):
    page = client.get("/persons?q=kim+chol+ok").get_data(as_text=True)
    assert "Matched as" not in page


def test_analysts_search_case_codes_only(app, client, cases, login_as):
    client.post("/logout", data={"csrf_token": csrf_token(client, "/account")})
    login_as("analyst")
    page = client.get("/persons", query_string={"q": "kim chol ok"}).get_data(as_text=True)
    assert cases.case_code not in page
    page = client.get("/persons", query_string={"q": cases.case_code}).get_data(as_text=True)
    assert cases.case_code in page
    page = client.get("/crossings", query_string={"q": "단둥"}).get_data(as_text=True)
    assert "Dandong" in page


def test_the_global_search_box_finds_persons_and_places(client, cases):
    home = client.get("/").get_data(as_text=True)
    assert 'action="/search"' in home and 'method="post"' in home
    token = csrf_token(client, "/search")
    page = client.post("/search", data={"q": "단둥", "csrf_token": token}).get_data(as_text=True)
    assert "Dandong" in page and "No persons match" in page
    page = client.post("/search", data={"q": "Gim Cheolok", "csrf_token": token}).get_data(
        as_text=True
    )
    assert cases.case_code in page and "Kim Cheol-ok" in page
    assert page.index(cases.case_code) < page.index("Cheol-uk")


def test_the_global_search_ignores_a_term_in_the_url_and_audits_what_it_showed(client, cases):
    from sqlalchemy import select

    from tracker.audit.models import AuditEntry

    page = client.get("/search?q=kim").get_data(as_text=True)
    assert cases.case_code not in page
    token = csrf_token(client, "/search")
    client.post("/search", data={"q": "kim chol ok", "csrf_token": token})
    entry = (
        db.session.execute(select(AuditEntry).where(AuditEntry.action == "person.view_identity"))
        .scalars()
        .all()[-1]
    )
    assert entry.changes["where"] == "search"


def test_analysts_have_no_global_search(client, login_as):
    login_as("analyst")
    assert 'action="/search"' not in client.get("/").get_data(as_text=True)
    assert client.get("/search").status_code == 403
