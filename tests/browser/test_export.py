"""A report writer filters a list, exports it, and gets exactly the filtered rows (Hangul intact);
then exports the October 2023 summary from the dashboard, and the audit shows both."""

import csv
import io
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from tests import factories
from tests.workspace.records import FAMILY_NAME, NAME_HANGUL, october_case
from tracker.audit.models import AuditEntry
from tracker.extensions import db
from tracker.persons.services import persons

pytestmark = pytest.mark.browser


def _log_in(page, email: str) -> None:
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_export_a_filtered_list_and_the_dashboard_summary(page, app):
    writer = factories.make_user("researcher")
    records = october_case(writer)
    persons.create(writer, {"family_name": "Parkhollow", "name_hangul": "박호로", "gender": "male"})
    db.session.commit()
    _log_in(page, writer.email)

    page.goto("/persons")
    page.get_by_label("Status").select_option(label="Vanished")
    page.get_by_role("button", name="Apply").click()
    page.get_by_role("button", name="Export this list").click()
    page.get_by_label("Include identifying fields").check()
    page.get_by_label("Why you need them").fill("Submission to the UN Working Group")
    page.get_by_label("Your password").fill(factories.PASSWORD)
    with page.expect_download() as info:
        page.get_by_role("button", name="Download").click()
    body = Path(info.value.path()).read_bytes()
    assert body.startswith(b"\xef\xbb\xbf")  # Excel reads the Hangul as UTF-8
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    assert [(r["family_name"], r["name_hangul"]) for r in rows] == [(FAMILY_NAME, NAME_HANGUL)]
    assert rows[0]["record_url"].endswith(f"/persons/{records['person'].id}")

    page.goto("/?from=2023-10-01&to=2023-10-31")
    page.get_by_role("link", name="Export the tables").click()
    page.get_by_label("Excel workbook (XLSX)").check()
    with page.expect_download() as info:
        page.get_by_role("button", name="Download").click()
    book = load_workbook(io.BytesIO(Path(info.value.path()).read_bytes()))
    crossings = [[cell.value for cell in row] for row in book["by_crossing"].iter_rows()]
    assert ["by_crossing", records["crossing"].id, "Onsong"] == crossings[1][:3]

    # The case list from the dashboard: the password typed a minute ago still counts.
    page.goto("/?from=2023-10-01&to=2023-10-31")
    page.get_by_role("link", name="Export the case list").click()
    page.get_by_label("Include identifying fields").check()
    page.get_by_label("Why you need them").fill("Submission to the UN Working Group")
    with page.expect_download() as info:
        page.get_by_role("button", name="Download").click()
    cases = list(csv.DictReader(io.StringIO(Path(info.value.path()).read_text("utf-8-sig"))))
    assert [r["name_hangul"] for r in cases] == [NAME_HANGUL]  # the other case has no event

    db.session.expire_all()
    done = db.session.execute(
        select(AuditEntry).where(AuditEntry.action == "export").order_by(AuditEntry.id)
    ).scalars()
    assert [(e.actor_id, e.changes["what"], e.changes["redaction"]["profile"]) for e in done] == [
        (writer.id, "persons", "identifying"),
        (writer.id, "summary", "redacted"),
        (writer.id, "persons", "identifying"),
    ]
