"""CSV cells a spreadsheet cannot split into a formula: every text cell quoted, and a formula
start neutralised after any separator a spreadsheet might split at (issue 16, finding 4)."""

import csv
import io

import pytest

from tracker.extensions import db
from tracker.places.services import facilities

DANGEROUS = ["safe;=1+1", "Jilin,+cmd", "a\t@SUM(A1)", "x|-2+3", "ok; =1"]


@pytest.fixture
def exported(app, client, login_as):
    login_as("analyst")
    for n, province in enumerate(DANGEROUS):
        facilities.create(None, {"name": f"Facility {n}", "kind": "prison", "province": province})
    db.session.commit()
    response = client.get("/exports/file", query_string={"what": "facilities", "format": "csv"})
    assert response.status_code == 200
    return response.data.decode("utf-8-sig")


def test_every_text_cell_is_quoted(exported):
    header, first, *_rest = exported.split("\r\n")
    assert header.startswith('"id","name"')
    assert '"Facility 0"' in first


@pytest.mark.parametrize("separator", [",", ";", "\t", "|"])
def test_no_piece_between_separators_starts_a_formula(exported, separator):
    """Read the file the way a spreadsheet with this list separator would, ignoring quotes:
    no piece may start with a formula character."""
    for line in exported.split("\r\n")[1:]:
        for piece in line.replace('"', "").split(separator):
            assert not piece.lstrip().startswith(("=", "+", "-", "@")), (separator, line)


def test_the_values_read_back_with_only_an_apostrophe_added(exported):
    provinces = {row["province"] for row in csv.DictReader(io.StringIO(exported))}
    assert provinces >= {"safe;'=1+1", "Jilin,'+cmd", "a\t'@SUM(A1)", "x|'-2+3", "ok; '=1"}


def test_xlsx_keeps_the_value_as_text(app, client, login_as):
    from openpyxl import load_workbook

    login_as("analyst")
    facilities.create(None, {"name": "F", "kind": "prison", "province": "safe;=1+1"})
    db.session.commit()
    response = client.get("/exports/file", query_string={"what": "facilities", "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.data))["Data"]
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value == "safe;=1+1"]
    assert cells and all(cell.data_type == "s" for cell in cells)
