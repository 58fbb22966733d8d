"""A workbook whose <dimension> understates its rows is read to its real end, and the user is
told that the file declares something else (issue 16, finding 7)."""

import io
import re
import zipfile

from openpyxl import Workbook

from tests.conftest import csrf_token
from tests.imports.test_pages import MAPPING, upload
from tracker.imports.reading import read_bytes_table

ROWS = [
    ("A1", "9 Oct 2023", "Onsong", "300", "Witness A"),
    ("A2", "October 2023", "Dandong", "180", "Witness B"),
    ("A3", "2023-10-10", "Onsong", "5", "Witness A"),
    ("A4", "2023-10-11", "Onsong", "7", "Witness A"),
]


def understated_workbook() -> bytes:
    """Five rows (a header and four), but a <dimension> that claims two, as some exporters
    write it; the last column is beyond the claimed width too."""
    book = Workbook()
    sheet = book.active
    sheet.append(["Incident", "When", "Route", "Dead and missing", "Information Source"])
    for row in ROWS:
        sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data, count = re.subn(rb'<dimension ref="[^"]+"', b'<dimension ref="A1:D2"', data)
                assert count == 1
            target.writestr(item, data)
    return out.getvalue()


def test_every_row_and_column_is_read_and_the_misstatement_noted(app):
    table = read_bytes_table(understated_workbook())
    rows = list(table.rows)
    assert len(rows) == 4
    assert rows[-1][1][0] == "A4" and rows[-1][1][4] == "Witness A"
    assert table.misstated() == ("Sheet", 2, 5)


def test_the_preview_counts_every_row_and_says_the_file_claimed_fewer(client, login_as):
    login_as("researcher")
    response = upload(client, understated_workbook(), name="incidents.xlsx")
    assert response.status_code == 302
    map_path = response.headers["Location"]
    form = {"csrf_token": csrf_token(client, map_path), **MAPPING, "create_missing": "y"}
    html = client.post(map_path + "/preview", data=form, follow_redirects=True).get_data(
        as_text=True
    )
    assert re.search(r'data-count="rows">4<', html)
    notice = html[html.index('id="misstated"') :].split("</p>", 1)[0]
    assert "says it has 2 rows but holds 5" in notice


def test_the_command_line_report_says_so_too(app, runner, tmp_path):
    path = tmp_path / "incidents.xlsx"
    path.write_bytes(understated_workbook())
    mapping = tmp_path / "map.json"
    mapping.write_text(
        '{"external_id": "Incident", "date_start": "When", "crossing": "Route", '
        '"people_min": "Dead and missing", "sources": "Information Source"}'
    )
    result = runner.invoke(
        args=[
            "import",
            str(path),
            "--kind",
            "events",
            "--map",
            str(mapping),
            "--create-missing",
            "--dry-run",
        ]
    )
    assert "4 rows" in result.output
    assert "says it has 2 rows but holds 5" in result.output
