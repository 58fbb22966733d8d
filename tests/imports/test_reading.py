"""Files that are not readable tables get a clear message, and the values researchers
write are understood; hypothesis checks that no bytes or cells make the parser crash."""

import csv
import io
from datetime import date

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracker.imports.mapping import propose_mapping
from tracker.imports.reading import FileRejected, read_bytes_table
from tracker.kinds.values import FuzzyDate as ParsedDate
from tracker.kinds.values import parse_birth_year, parse_date
from tracker.kinds.values import parse_count as parse_count_range


def parse_count(value):
    counted = parse_count_range(value)
    return (None, None) if counted is None else (counted.low, counted.high)


def parse_year(value):
    born = parse_birth_year(value)
    return None if born is None else (born.year, born.approximate)


def xlsx(rows, formula: str | None = None, title: str = "Cases") -> bytes:  # type: ignore[no-untyped-def]
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    if formula:
        sheet["B2"] = formula
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"   \n", "empty"),
        (b"%PDF-1.4\x00\x01\x02binary", "not a CSV or XLSX"),
        (b"PK\x03\x04 not really a zip", "not a CSV or XLSX"),
        (b"2023,300\n2024,180\n", "column names"),
        (b"name,name\nOnsong,1\n", "Two columns are named 'name'"),
        (b"Name,name \nOnsong,1\n", "Two columns"),
        (b"name,people\nOnsong,300,extra\n", "Row 2 has 3 cells"),
        ("name\n김영희\n이순자\n".encode() + b"\xe1\x84 broken\n", "not valid UTF-8 (line 4)"),
        (b",,\n1,2,3\n", "column names"),
    ],
)
def test_unreadable_files_are_refused_with_a_clear_message(data, message):
    with pytest.raises(FileRejected) as refused:
        read_bytes_table(data)
    assert message in refused.value.message


def test_a_formula_cell_refuses_the_workbook():
    data = xlsx([["name", "people"], ["Onsong", 300]], formula="=SUM(1,2)")
    with pytest.raises(FileRejected, match="B2 holds a formula"):
        read_bytes_table(data)


def test_a_missing_sheet_names_the_sheets_there_are():
    data = xlsx([["name"], ["Onsong"]])
    with pytest.raises(FileRejected, match="no sheet named 'Other'; the sheets are: Cases"):
        read_bytes_table(data, sheet="Other")
    assert read_bytes_table(data, sheet="Cases").headers == ["name"]


@pytest.mark.parametrize(
    ("encoding", "bom"),
    [("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"), ("utf-16", b""), ("cp949", b"")],
)
@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_csv_in_common_encodings_and_delimiters_keeps_hangul(encoding, bom, delimiter):
    text = delimiter.join(["family_name", "name_hangul", "notes"]) + "\r\n"
    for family, hangul in [("Kim", "김영희"), ("Lee", "이순자"), ("Park", "박철수")] * 5:
        text += delimiter.join([family, hangul, "온성에서 송환됨"]) + "\r\n"
    table = read_bytes_table(bom + text.encode(encoding))
    assert table.headers == ["family_name", "name_hangul", "notes"]
    rows = [cells for _, cells in table.rows]
    assert rows[0] == ["Kim", "김영희", "온성에서 송환됨"]
    assert len(rows) == 15


def test_cells_that_look_like_formulas_stay_text():
    table = read_bytes_table(b'name,notes\n=HYPERLINK("x"),+1\n@SUM(A1),-2\n')
    assert [cells for _, cells in table.rows] == [['=HYPERLINK("x")', "+1"], ["@SUM(A1)", "-2"]]


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("2023-10-09", ParsedDate(date(2023, 10, 9), "day")),
        ("9 Oct 2023", ParsedDate(date(2023, 10, 9), "day")),
        ("May 19, 2018", ParsedDate(date(2018, 5, 19), "day")),
        ("January 05, 2020", ParsedDate(date(2020, 1, 5), "day")),
        ("October 2023", ParsedDate(date(2023, 10, 1), "month")),
        ("Dec-2016", ParsedDate(date(2016, 12, 1), "month")),
        ("2023", ParsedDate(date(2023, 1, 1), "year")),
        ("1959.0", ParsedDate(date(1959, 1, 1), "year")),
        ("c. 2023", ParsedDate(date(2023, 1, 1), "year", approximate=True)),
        ("about October 2023", ParsedDate(date(2023, 10, 1), "month", approximate=True)),
        ("2023년 10월 9일", ParsedDate(date(2023, 10, 9), "day")),
        ("25/10/2023", ParsedDate(date(2023, 10, 25), "day")),
        ("", None),
    ],
)
def test_dates_as_researchers_write_them(written, expected):
    assert parse_date(written) == expected


def test_an_ambiguous_numeric_date_needs_the_date_order():
    with pytest.raises(ValueError, match="day-first or month-first"):
        parse_date("03/04/2023")
    assert parse_date("03/04/2023", day_first=True).start == date(2023, 4, 3)
    assert parse_date("03/04/2023", day_first=False).start == date(2023, 3, 4)


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("1,022", (1022, 1022)),
        ("about 180", (180, 180)),
        ("300+", (300, None)),
        ("over 300", (300, None)),
        ("150-200", (150, 200)),
        ("150 – 200", (150, 200)),
        ("up to about 600", (None, 600)),
        ("17.0", (17, 17)),
        (42, (42, 42)),
        ("", (None, None)),
    ],
)
def test_numbers_as_researchers_write_them(written, expected):
    assert parse_count(written) == expected


@pytest.mark.parametrize("written", ["many", "200-150", "-5", "1.5", "12,34"])
def test_numbers_that_are_not_counts_are_refused(written):
    with pytest.raises(ValueError):
        parse_count(written)


def test_birth_years_may_be_approximate():
    assert parse_year("c. 1985") == (1985, True)
    assert parse_year(1985.0) == (1985, False)


def test_the_proposed_mapping_matches_names_synonyms_case_and_spacing():
    headers = ["Reported Date", "Migration Route", " PEOPLE_min ", "Web ID", "Unrelated"]
    assert propose_mapping("events", headers) == {
        "date_start": "Reported Date",
        "crossing": "Migration Route",
        "people_min": " PEOPLE_min ",
        "external_id": "Web ID",
    }


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_never_crash_the_reader(data):
    try:
        table = read_bytes_table(data)
    except FileRejected as refused:
        assert refused.message
    else:
        assert table.headers


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.text(max_size=30), min_size=1, max_size=6), min_size=1, max_size=8))
def test_arbitrary_cells_never_crash_the_reader(rows):
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    try:
        table = read_bytes_table(out.getvalue().encode("utf-8"))
    except FileRejected as refused:
        assert refused.message
    else:
        list(table.rows)


@given(st.one_of(st.text(max_size=40), st.integers(), st.floats(), st.booleans(), st.none()))
def test_arbitrary_values_are_parsed_or_refused_with_a_message(value):
    for parser in (parse_date, parse_count, parse_year):
        try:
            parser(value)
        except ValueError as error:
            assert str(error)
