"""What users notice at once: a favicon, "API" in everyone's menu and its docs inside the
app's frame, the duplicates page's values as the record page shows them, and a merge named by
case codes, never "Record #2"."""

import pytest

from tests import factories
from tests.conftest import csrf_token
from tracker.extensions import db
from tracker.persons.services import persons


def test_the_favicon_is_served_to_anyone(client):
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200 and icon.mimetype == "image/vnd.microsoft.icon"
    assert icon.data[:4] == b"\x00\x00\x01\x00"  # an ICO file
    factories.make_user("analyst")
    db.session.commit()
    assert 'rel="icon"' in client.get("/login").get_data(as_text=True)


@pytest.mark.parametrize("role", ["admin", "researcher", "analyst"])
def test_every_role_finds_the_api_in_the_menu_and_its_docs_in_the_frame(client, login_as, role):
    login_as(role)
    page = client.get("/").get_data(as_text=True)
    menu = page[page.index('<nav id="main-menu"') : page.index("</nav>")]
    assert 'href="/api/docs" >API</a>' in menu
    docs = client.get("/api/docs").get_data(as_text=True)
    assert '<nav id="main-menu"' in docs and 'href="/persons"' in docs  # the way back
    assert 'aria-current="page">API</a>' in docs and 'href="/account/tokens"' in docs


def test_duplicates_show_values_as_the_record_page_does(client, login_as):
    researcher = login_as("researcher")
    persons.create(researcher, {"family_name": "Kim", "given_name": "Cheol-ok", "gender": "female"})
    persons.create(researcher, {"family_name": "Gim", "given_name": "Chol Ok", "gender": "female"})
    db.session.commit()
    page = client.get("/persons/duplicates").get_data(as_text=True)
    pair = page[page.index('class="duplicate"') :]
    assert "<td>Female</td>" in pair and "<td>female</td>" not in pair
    researcher.locale = "ko"
    db.session.commit()
    korean = client.get("/persons/duplicates").get_data(as_text=True)
    assert "<td>여성</td>" in korean and "female" not in korean


def test_a_merge_is_reported_by_case_codes(client, login_as):
    researcher = login_as("researcher")
    first = persons.create(researcher, {"family_name": "Kim", "given_name": "Cheol-ok"})
    second = persons.create(researcher, {"family_name": "Gim", "given_name": "Chol Ok"})
    db.session.commit()
    path = f"/persons/merge?first={first.id}&second={second.id}"
    token = csrf_token(client, path)
    reply = client.post(
        "/persons/merge", data={"first": first.id, "second": second.id, "csrf_token": token}
    )
    assert reply.status_code == 302
    page = client.get(reply.headers["Location"]).get_data(as_text=True)
    assert f"{second.case_code} was merged into" in page and first.case_code in page
    assert "Record #" not in page and "record #" not in page


def test_an_analyst_never_gets_the_person_correction_routes(client, login_as):
    researcher = factories.make_user("researcher", "maker@example.org")
    person = persons.create(researcher, {"family_name": "Ri", "given_name": "Sun"})
    db.session.commit()
    login_as("analyst")
    token = csrf_token(client, "/account")
    for path in (f"/persons/{person.id}/detentions/0", f"/persons/{person.id}/statuses/undo/1"):
        assert client.post(path, data={"csrf_token": token}).status_code == 403
