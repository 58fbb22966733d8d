"""Exports that stand on their own in a report: every reference named beside its id, every
fuzzy value with its precision or flag, a total row and a name on every row of the summary, the
columns a table of cases needs first, and a chosen subset of columns in a chosen order."""

import csv
import io
import json

from openpyxl import load_workbook

from tests.exports.test_exports import csv_rows, download, world  # noqa: F401  (the fixture)
from tracker.exports.datasets import PERSON_LEAD
from tracker.persons.services import persons
from tracker.sample.services import load_october_2023


def test_the_persons_export_reads_as_a_table_of_cases(world, client, login_as):  # noqa: F811
    login_as("analyst")
    body = client.get("/exports/file", query_string={"what": "persons"}).data
    header = next(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert header[: len(PERSON_LEAD)] == list(PERSON_LEAD)
    assert "family_name" not in header  # identifying columns only in identifying exports
    case = next(r for r in csv_rows(body) if r["case_code"] == world["person"].case_code)
    assert case["event_crossing"] == "Onsong"
    assert case["event_date"] == "9 October 2023"
    assert (case["event_date_start"], case["event_date_end"]) == ("2023-10-09", "2023-10-09")
    assert case["event_date_precision"] == "day"
    assert case["facilities"] == "Shenyang Prison"
    assert case["detentions"] == "Shenyang Prison 2023-06 to 2023-10"  # to the month
    assert (case["status"], case["status_as_of"][:7]) == ("vanished", "2023-12")
    assert case["status_as_of_precision"] == "month"  # a person's dates, to the month for analysts
    assert case["origin_region"] == "North Hamgyong"


def test_the_summary_has_a_total_and_names_every_row(world, client, login_as):  # noqa: F811
    persons.create(None, {"family_name": "Statusless", "gender": "male"})
    from tracker.extensions import db

    db.session.commit()
    login_as("analyst")
    rows = csv_rows(client.get("/exports/file", query_string={"what": "summary"}).data)
    total = rows[0]
    assert (total["table"], total["key"]) == ("total", "all")
    assert (total["events"], total["people_reported"], total["persons"]) == ("1", "300–?", "3")
    assert all(row["name"] for row in rows), [row for row in rows if not row["name"]]
    by_status = {row["name"]: row["persons"] for row in rows if row["table"] == "by_status"}
    assert by_status == {"Vanished": "1", "No status recorded": "2"}

    book = load_workbook(io.BytesIO(download(client, False, "summary", "xlsx").data))
    for table in ("by_crossing", "by_facility", "by_status", "by_month", "by_gender"):
        last = [cell.value for cell in list(book[table].iter_rows())[-1]]
        assert last[:3] == ["total", "all", "Total (each event and person counted once)"], table


def test_approximate_counts_are_flagged_in_the_summary(app, client, login_as):
    load_october_2023()
    from tracker.extensions import db

    db.session.commit()
    login_as("analyst")
    rows = csv_rows(client.get("/exports/file", query_string={"what": "summary"}).data)
    dandong = next(r for r in rows if r["table"] == "by_crossing" and r["name"] == "Dandong")
    assert (dandong["people_min"], dandong["people_approximate"]) == ("180", "true")
    assert dandong["people_reported"] == "~180"
    events = csv_rows(client.get("/exports/file", query_string={"what": "events"}).data)
    by_crossing = {row["crossing"]: row for row in events}
    assert by_crossing["Dandong"]["facilities"] == "Shenyang Prison"
    assert by_crossing["Dandong"]["date_precision"] == "month"
    assert by_crossing["Dandong"]["people_approximate"] == "true"
    assert by_crossing["Onsong"]["handed_over_by"] == "Chinese authorities (China)"
    assert by_crossing["Onsong"]["received_by"] == "North Korean authorities (North Korea)"
    assert by_crossing["Onsong"]["sources"] == (
        "China is sending escapers back to North Korea;"
        "China repatriates N Korean escapees after Asian Games: source"
    )


def test_chosen_columns_come_in_the_chosen_order(world, client, login_as):  # noqa: F811
    login_as("analyst")
    chosen = "status, case_code;event_crossing record_url"
    body = client.get("/exports/file", query_string={"what": "persons", "columns": chosen}).data
    reader = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert reader[0] == ["status", "case_code", "event_crossing", "record_url"]
    assert len(reader) == 3

    summary = client.get(
        "/exports/file",
        query_string={"what": "summary", "format": "xlsx", "columns": "name,persons"},
    )
    book = load_workbook(io.BytesIO(summary.data))
    assert [c.value for c in next(book["by_status"].iter_rows())] == ["name", "persons"]


def test_bad_columns_are_named_and_nothing_is_written(world, client, login_as):  # noqa: F811
    login_as("analyst")
    for chosen, message in [
        ("case_code,shoe_size", "Unknown columns: shoe_size"),
        ("case_code,family_name", "family_name: identifying"),
        ("case_code,case_code", "Name each column once: case_code"),
    ]:
        response = client.get("/exports/file", query_string={"what": "persons", "columns": chosen})
        assert response.status_code == 400, chosen
        assert message in response.get_data(as_text=True)


def test_the_command_line_takes_columns(world, runner, tmp_path):  # noqa: F811
    output = tmp_path / "cases.csv"
    result = runner.invoke(
        args=["export", "--what", "persons", "--columns", "case_code,facilities", "-o", output]
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(output.read_text("utf-8"))))
    assert rows[0] == ["case_code", "facilities"]
    manifest = json.loads((tmp_path / "cases.csv.manifest.json").read_text())
    assert manifest["columns"] == ["case_code", "facilities"]
    bad = runner.invoke(args=["export", "--what", "persons", "--columns", "nope", "-o", output])
    assert bad.exit_code != 0 and "Unknown columns: nope" in bad.output


def test_the_command_line_writes_the_report_whose_hash_its_summary_file_has(app, runner, tmp_path):
    import hashlib
    import shutil

    load_october_2023()
    from tracker.extensions import db

    db.session.commit()
    page = tmp_path / "report.html"
    result = runner.invoke(
        args=["export", "--what", "report", "--from", "2023-10-01", "--language", "ko", "-o", page]
    )
    assert result.exit_code == 0, result.output
    html = page.read_text("utf-8")
    assert "강제송환 요약 보고서" in html and "~180" in html and "<style>" in html
    summary = tmp_path / "summary.csv"
    made = runner.invoke(
        args=["export", "--what", "summary", "--bom", "--from", "2023-10-01", "-o", summary]
    )
    assert made.exit_code == 0, made.output
    assert hashlib.sha256(summary.read_bytes()).hexdigest() in html
    assert runner.invoke(args=["export", "--what", "report", "-o", tmp_path / "r.txt"]).exit_code
    if shutil.which("chromium"):
        pdf = tmp_path / "report.pdf"
        printed = runner.invoke(args=["export", "--what", "report", "-o", pdf])
        assert printed.exit_code == 0, printed.output
        assert pdf.read_bytes().startswith(b"%PDF")
