"""Analysts see every page of the workspace without a single identifying value in it.

Each page type is rendered as an analyst after a researcher recorded a named case with a
contact, a confidential source (with a file) and edits in the history; no identifying
value of that fixture may appear anywhere in any response body."""

import io
import re

import pytest

from tests import factories
from tests.conftest import csrf_token, log_in
from tests.workspace.records import IDENTIFYING_VALUES, SECRET_FILE, october_case
from tracker.extensions import db
from tracker.sources.services import attach_file

KINDS = ["facilities", "crossings", "sources", "events", "persons"]


@pytest.fixture
def recorded(app):
    researcher = factories.make_user("researcher")
    case = october_case(researcher)
    attach_file(researcher, case["secret"], SECRET_FILE, io.BytesIO(b"Marrowgate's own notes\n"))
    db.session.commit()
    return case


@pytest.fixture
def analyst_client(client, recorded):
    analyst = factories.make_user("analyst")
    db.session.commit()
    assert log_in(client, analyst.email).status_code == 302
    return client


def assert_nothing_identifying(response, where):
    body = response.get_data(as_text=True)
    leaked = [value for value in IDENTIFYING_VALUES if value.lower() in body.lower()]
    assert leaked == [], f"{where} shows {leaked}"


def test_every_page_type_hides_identities_from_an_analyst(analyst_client, recorded):
    client = analyst_client
    visited = 0
    for kind in KINDS:
        listing = client.get(f"/{kind}")
        assert listing.status_code == 200
        assert_nothing_identifying(listing, f"/{kind}")
        for record_id in sorted(
            set(re.findall(rf'href="/{kind}/(\d+)"', listing.get_data(as_text=True)))
        ):
            page = client.get(f"/{kind}/{record_id}")
            assert page.status_code == 200
            assert_nothing_identifying(page, f"/{kind}/{record_id}")
            visited += 1
            for suffix in ("/edit",):
                refused = client.get(f"/{kind}/{record_id}{suffix}")
                assert refused.status_code == 403
                assert_nothing_identifying(refused, f"/{kind}/{record_id}{suffix}")
        # (a search box shows back what the analyst typed: that is tested on its own below)
        for path in (f"/{kind}/new", f"/{kind}?sort=title", f"/{kind}?sort=name&dir=desc"):
            response = client.get(path)
            assert_nothing_identifying(response, path)
        token = csrf_token(client, "/")
        for path in (f"/{kind}", f"/{kind}/lookup"):
            response = client.post(path, data={"csrf_token": token, "q": "Zh"})
            assert response.status_code == 403
            assert_nothing_identifying(response, f"POST {path}")
    assert visited >= 6
    contact = recorded["person"].contacts[0]
    for path in (
        "/contacts",
        f"/contacts/{contact.id}",
        f"/contacts/{contact.id}/edit",
        f"/contacts/new?person_id={recorded['person'].id}",
    ):
        response = client.get(path)
        assert response.status_code == 403
        assert_nothing_identifying(response, path)
    for path in ("/", "/trash"):
        assert_nothing_identifying(client.get(path), path)


def test_an_analyst_sees_the_case_code_and_the_facts_that_stay(analyst_client, recorded):
    person = recorded["person"]
    page = analyst_client.get(f"/persons/{person.id}").get_data(as_text=True)
    assert person.case_code in page
    assert "Female" in page and "1990" in page and "Vanished" in page
    assert "North Hamgyong" in page  # the region stays; the detailed origin does not
    assert "hidden" in page
    assert "Contacts" not in page


def test_an_analysts_search_does_not_find_a_person_by_name(analyst_client, recorded):
    page = analyst_client.get("/persons?q=Zhuvanko").get_data(as_text=True)
    assert "0 persons match" in page
    page = analyst_client.get("/sources?q=Nightjar").get_data(as_text=True)
    assert "0 sources match" in page


def test_an_analyst_cannot_download_attached_files(analyst_client, recorded):
    source = recorded["secret"]
    file_id = source.files[0].id
    response = analyst_client.get(f"/sources/{source.id}/files/{file_id}")
    assert response.status_code == 403
    assert_nothing_identifying(response, "file download")


def test_the_same_pages_show_identities_to_a_researcher_and_log_that_they_did(client, recorded):
    from sqlalchemy import select

    from tests.workspace.records import CONTACT_NAME, FAMILY_NAME, NAME_HANGUL, SECRET_SOURCE
    from tracker.audit.models import AuditEntry

    researcher = factories.make_user("researcher")
    db.session.commit()
    log_in(client, researcher.email)
    person, secret = recorded["person"], recorded["secret"]
    page = client.get(f"/persons/{person.id}").get_data(as_text=True)
    assert FAMILY_NAME in page and NAME_HANGUL in page and CONTACT_NAME in page
    source_page = client.get(f"/sources/{secret.id}").get_data(as_text=True)
    assert SECRET_SOURCE in source_page and SECRET_FILE in source_page
    viewed = (
        db.session.execute(
            select(AuditEntry).where(
                AuditEntry.action == "person.view_identity", AuditEntry.actor_id == researcher.id
            )
        )
        .scalars()
        .all()
    )
    assert [entry.entity_id for entry in viewed] == [person.id]
    with client.get(f"/sources/{secret.id}/files/{secret.files[0].id}") as download:
        assert download.status_code == 200
        assert download.data == b"Marrowgate's own notes\n"
        assert download.headers["X-Content-Type-Options"] == "nosniff"
