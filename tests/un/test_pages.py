"""The UN pages through the HTTP client: the person page's panel, the "Ready for the UN" list,
the document (reason, password, audit, read back), the batch, the CSV, the submitter page, the
dashboard's count, and what analysts never see."""

import csv
import io
import json
import zipfile

import pytest
from docx import Document
from sqlalchemy import select

from tests import factories
from tests.conftest import csrf_token, log_in
from tests.un import cases
from tracker.audit.models import AuditEntry
from tracker.extensions import db
from tracker.persons.services import persons


@pytest.fixture
def world(app):
    researcher = factories.make_user("researcher")
    admin = factories.make_user("admin")
    cases.submitter(admin)
    ready = cases.ready_case(researcher)
    gap = cases.ready_case(researcher, family_name="Gapcase", given_name="Holoseq")
    persons.update(researcher, gap, gap.version, {"relatives_actions": None, "arrest_place": None})
    db.session.commit()
    return {"ready": ready, "gap": gap, "researcher": researcher}


def document_text(content: bytes) -> str:
    doc = Document(io.BytesIO(content))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


def ask_document(client, person_id, **values):
    token = csrf_token(client, f"/un/persons/{person_id}/document")
    data = {"csrf_token": token, "language": "en"} | values
    return client.post(f"/un/persons/{person_id}/document", data=data)


def test_the_person_page_shows_the_checklist_with_links_to_fill_in(world, client, login_as):
    login_as("researcher")
    gap = world["gap"]
    page = client.get(f"/persons/{gap.id}").get_data(as_text=True)
    assert "UN submission" in page
    assert "Not ready for the UN" in page
    assert "No steps taken by relatives (inquiries, petitions) are recorded." in page
    assert f"/persons/{gap.id}/edit#relatives_actions" in page
    assert f"/persons/{gap.id}/edit#arrest_place" in page
    assert f"/un/persons/{gap.id}/document" in page
    ready_page = client.get(f"/persons/{world['ready'].id}").get_data(as_text=True)
    assert "Ready for the UN" in ready_page
    assert "days left for the urgent procedure" in ready_page


def test_the_ready_view_filters_by_ready_missing_urgent_and_submitted(world, client, login_as):
    login_as("researcher")
    ready, gap = world["ready"], world["gap"]
    everything = client.get("/un/").get_data(as_text=True)
    assert ready.case_code in everything and gap.case_code in everything
    only_ready = client.get("/un/?un_ready=yes").get_data(as_text=True)
    assert ready.case_code in only_ready and gap.case_code not in only_ready
    missing_steps = client.get("/un/?un_missing=steps").get_data(as_text=True)
    assert gap.case_code in missing_steps and ready.case_code not in missing_steps
    urgent = client.get("/un/?un_urgent=yes").get_data(as_text=True)
    assert ready.case_code in urgent and "days left" in urgent
    assert ready.case_code not in client.get("/un/?un_submitted=yes").get_data(as_text=True)
    # The persons list takes the same filters.
    listing = client.get("/persons?un_ready=yes").get_data(as_text=True)
    assert ready.case_code in listing and gap.case_code not in listing


def test_the_document_needs_a_reason_and_the_password_and_is_audited(world, client, login_as):
    login_as("researcher")
    ready = world["ready"]
    sources = [str(s.statuses[0].source_id) for s in (ready,)]
    no_reason = ask_document(client, ready.id, password=factories.PASSWORD, sources=sources)
    assert no_reason.status_code == 422
    wrong = ask_document(client, ready.id, password="wrong", reason="UN", sources=sources)
    assert wrong.status_code == 403
    assert not db.session.execute(
        select(AuditEntry).where(AuditEntry.action == "un.document")
    ).first()
    reason = "Urgent appeal to the WGEID"
    interview = next(s for s in ready.statuses if s.source.title == cases.SOURCE_TITLE).source
    response = ask_document(
        client, ready.id, password=factories.PASSWORD, reason=reason, sources=[str(interview.id)]
    )
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert f"wgeid-{ready.case_code}-en.docx" in response.headers["Content-Disposition"]
    text = document_text(response.data)
    for value in (
        cases.FAMILY,
        cases.GIVEN,
        cases.HANGUL,
        cases.ARREST_PLACE,
        cases.RESPONSIBLE,
        cases.STEPS,
        cases.CONSENT_BY,
        cases.ORGANISATION,
        cases.CONTACT_PERSON,
        cases.SOURCE_TITLE,
        "Tumen Border Defence",
        "Ministry of State Security",
        "CONFIDENTIAL",
    ):
        assert value in text, value
    assert cases.OTHER_SOURCE not in text  # not chosen: not named
    assert "a source not named here" in text
    entry = db.session.execute(
        select(AuditEntry).where(AuditEntry.action == "un.document")
    ).scalar_one()
    assert entry.changes["reason"] == reason
    assert entry.changes["source_ids"] == [interview.id]
    assert entry.entity_id == ready.id
    import hashlib

    assert entry.changes["sha256"] == hashlib.sha256(response.data).hexdigest()


def test_a_source_not_of_the_case_is_refused(world, client, login_as):
    login_as("researcher")
    response = ask_document(
        client, world["ready"].id, password=factories.PASSWORD, reason="UN", sources=["99999"]
    )
    assert response.status_code == 422
    assert "among the case" in response.get_data(as_text=True)


def test_the_korean_copy_for_the_family(world, client, login_as):
    login_as("researcher")
    response = ask_document(
        client, world["ready"].id, password=factories.PASSWORD, reason="Family review",
        language="ko",
    )  # fmt: skip
    assert response.status_code == 200
    text = document_text(response.data)
    assert cases.HANGUL in text
    assert "가족" in text  # the family's copy says so, in Korean


def test_the_batch_zips_every_ready_case_with_a_manifest(world, client, login_as):
    login_as("researcher")
    token = csrf_token(client, "/un/")
    response = client.post(
        "/un/batch",
        data={"csrf_token": token, "reason": "Quarterly submission", "language": "en",
              "password": factories.PASSWORD},
    )  # fmt: skip
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    manifest = json.loads(archive.read("manifest.json"))
    assert [d["case_code"] for d in manifest["documents"]] == [world["ready"].case_code]
    name = manifest["documents"][0]["file"]
    assert cases.FAMILY in document_text(archive.read(name))
    actions = set(db.session.execute(select(AuditEntry.action)).scalars())
    assert {"un.batch.start", "un.batch"} <= actions


def test_the_readiness_csv_has_case_codes_for_researchers_and_counts_for_analysts(
    world, client, login_as
):
    login_as("researcher")
    rows = list(csv.reader(io.StringIO(client.get("/un/readiness.csv").data.decode("utf-8-sig"))))
    assert rows[0][:3] == ["case_code", "ready", "urgent"]
    by_code = {row[0]: row for row in rows[1:]}
    assert by_code[world["ready"].case_code][1] == "true"
    assert by_code[world["gap"].case_code][rows[0].index("steps")] == "missing"
    # Listed with the other exports, its manifest at hand.
    entry = db.session.execute(select(AuditEntry).where(AuditEntry.action == "export")).scalar_one()
    manifest = client.get(f"/exports/{entry.id}/manifest.json")
    assert manifest.status_code == 200
    assert manifest.get_json()["what"] == "un_readiness"
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    analyst = factories.make_user("analyst")
    db.session.commit()
    log_in(client, analyst.email)
    text = client.get("/un/readiness.csv").data.decode("utf-8-sig")
    assert world["ready"].case_code not in text and cases.FAMILY not in text
    counts = {row[0]: row for row in csv.reader(io.StringIO(text))}
    assert counts["steps"][1:] == ["1", "0", "1"]
    assert counts["ready"][1] == "1"


def test_analysts_see_no_names_and_no_document_link(world, client):
    analyst = factories.make_user("analyst")
    db.session.commit()
    assert log_in(client, analyst.email).status_code == 302
    ready = world["ready"]
    pages = [
        client.get("/un/"),
        client.get(f"/persons/{ready.id}"),
        client.get("/un/?un_urgent=yes"),
    ]
    for page in pages:
        body = page.get_data(as_text=True)
        assert page.status_code == 200
        for value in cases.IDENTIFYING:
            assert value not in body
        assert "/document" not in body
    assert "Ready for the UN" in pages[1].get_data(as_text=True)
    assert client.get(f"/un/persons/{ready.id}/document").status_code == 403
    token = csrf_token(client, "/un/")
    refused = client.post(
        f"/un/persons/{ready.id}/document",
        data={"csrf_token": token, "reason": "x", "password": factories.PASSWORD},
    )
    assert refused.status_code == 403
    assert client.post("/un/batch", data={"csrf_token": token, "reason": "x"}).status_code == 403
    assert "Urgent for the UN:" not in client.get("/").get_data(as_text=True)


def test_the_dashboard_counts_urgent_cases_for_researchers(world, client, login_as):
    login_as("researcher")
    page = client.get("/").get_data(as_text=True)
    assert "Urgent for the UN: 2 (" in page  # both are recent and not submitted
    assert cases.FAMILY not in page


def test_only_an_admin_sets_the_submitter(world, client, login_as):
    login_as("researcher")
    assert client.get("/un/submitter").status_code == 403
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    login_as("admin")
    token = csrf_token(client, "/un/submitter")
    bad = client.post("/un/submitter", data={"csrf_token": token, "email": "not-an-address"})
    assert bad.status_code == 422
    saved = client.post(
        "/un/submitter",
        data={"csrf_token": token, "organisation": "New Org", "contact_name": "A. Kim",
              "email": "a@example.org", "confidential": "1"},
    )  # fmt: skip
    assert saved.status_code == 302
    assert "New Org" in client.get("/un/submitter").get_data(as_text=True)
    entry = (
        db.session.execute(
            select(AuditEntry)
            .where(AuditEntry.action == "un.submitter")
            .order_by(AuditEntry.id.desc())
        )
        .scalars()
        .first()
    )
    assert entry.changes["organisation"]["new"] == "New Org"


def test_the_submitter_page_opens_before_any_details_are_set(app, client, login_as):
    login_as("admin")
    page = client.get("/un/submitter")
    assert page.status_code == 200  # it was a 500: no details to show yet
    assert 'name="confidential" type="checkbox" value="1" checked' in page.get_data(as_text=True)
