"""A researcher takes a vanished person's case to the UN: completes what the checklist says is
missing through its links, downloads the submission document, and the document holds every
element from the record, the sources chosen and the confidentiality notice; the audit log
shows the download with its reason."""

import io
from datetime import date, timedelta
from pathlib import Path

import pytest
from docx import Document

from tests import factories
from tests.un import cases
from tracker.extensions import db
from tracker.persons.services import persons

pytestmark = pytest.mark.browser

REASON = "Urgent appeal to the Working Group for the Quorvath family"
STEPS = "Her brother asked the Ministry of Unification and petitioned the UN office in Seoul"
PLACE = "Helong bus station, Jilin"
CONSENT_BY = "Talvesk Quorvath, brother"


def _log_in(page, email: str) -> None:
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Log in").click()


def _document_text(content: bytes) -> str:
    doc = Document(io.BytesIO(content))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


def test_a_researcher_completes_a_case_and_downloads_its_document(page, app):
    researcher = factories.make_user("researcher")
    admin = factories.make_user("admin")
    cases.submitter(admin)
    person = cases.ready_case(researcher, arrested=date.today() - timedelta(days=20))
    persons.update(
        researcher,
        person,
        person.version,
        {
            "relatives_actions": None,
            "arrest_place": None,
            "consent_given_by": None,
            "consent_date": None,
            "consent_note": None,
            "consent_source_id": None,
        },
    )
    db.session.commit()
    _log_in(page, researcher.email)

    page.goto(f"/persons/{person.id}")
    panel = page.locator("section.un-panel")
    assert "Not ready for the UN" in panel.text_content()
    assert "days left for the urgent procedure" in panel.text_content()
    values = {
        "relatives_actions": STEPS,
        "arrest_place": PLACE,
        "consent_given_by": CONSENT_BY,
        "consent_date": date.today().isoformat(),
        "consent_note": "Agreed by phone; note written the same day",
    }
    filled = []
    while panel.get_by_role("link", name="Fill in").count():
        link = panel.get_by_role("link", name="Fill in").first
        anchor = link.get_attribute("href").split("#")[1]
        link.click()
        # The link lands on the field to fill in.
        assert page.url.endswith(f"#{anchor}")
        page.locator(f"#{anchor}").fill(values[anchor])
        if anchor == "consent_given_by":
            page.locator("#consent_date").fill(values["consent_date"])
            page.locator("#consent_note").fill(values["consent_note"])
        page.get_by_role("button", name="Save person").click()
        filled.append(anchor)
        assert len(filled) <= 3, filled
    assert filled == ["arrest_place", "relatives_actions", "consent_given_by"]  # (c), (e), consent
    assert "Ready for the UN" in panel.text_content()

    panel.get_by_role("link", name="Submission document").click()
    # Name the interview, not the broadcast notes.
    page.get_by_label(cases.SOURCE_TITLE).check()
    page.get_by_label(cases.OTHER_SOURCE).uncheck()
    page.get_by_label("Why you need it").fill(REASON)
    page.get_by_label("Your password").fill(factories.PASSWORD)
    with page.expect_download() as info:
        page.get_by_role("button", name="Download the document").click()
    assert info.value.suggested_filename == f"wgeid-{person.case_code}-en.docx"
    text = _document_text(Path(info.value.path()).read_bytes())
    for value in (
        cases.FAMILY,
        cases.GIVEN,
        cases.HANGUL,
        PLACE,
        STEPS,
        CONSENT_BY,
        cases.RESPONSIBLE,
        cases.ORGANISATION,
        cases.CONTACT_PERSON,
        cases.SOURCE_TITLE,
        (date.today() - timedelta(days=20)).strftime("%-d %B %Y"),
        "CONFIDENTIAL. This document identifies a disappeared person",
        "The identity of the source is confidential.",
    ):
        assert value in text, value
    assert cases.OTHER_SOURCE not in text

    # The admin's audit log shows the download with its reason.
    page.context.clear_cookies()
    _log_in(page, admin.email)
    page.goto("/admin/audit?action=un.document")
    log = page.content()
    assert "un.document" in log
    assert REASON in log
