"""A report writer, in a real browser: loads the sample, filters the dashboard to October 2023,
exports the persons CSV and the summary XLSX with the defaults, downloads the summary CSV the
report's hash stands for, and prints the report to PDF. The PDF holds the figures, the
bibliography and the hash, and the hash is the downloaded file's.

Screenshots (git-ignored, tests/screenshots/) of the dashboard and of the report's first two
pages, at 1366 px and 390 px, in English and Korean, are written for a person to look at."""

import csv
import hashlib
import io
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from tests import factories
from tests.browser.session import log_in
from tracker.events.models import RepatriationEvent
from tracker.extensions import db
from tracker.persons.services import persons
from tracker.places.models import CrossingPoint, Facility
from tracker.sample.services import SOURCES, load_october_2023

pytestmark = pytest.mark.browser

SHOTS = Path(__file__).resolve().parents[1] / "screenshots"
OCTOBER = {"from": "2023-10-01", "to": "2023-10-31"}


def _pdf_pages(body: bytes, name: str, width: int = 1366) -> list[str]:
    """The text of each page of a PDF; its first two pages drawn to PNGs `width` px wide."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(body)
    texts = []
    for number in range(len(document)):
        page = document[number]
        texts.append(page.get_textpage().get_text_range())
        if number < 2:
            scale = width / page.get_width()
            page.render(scale=scale).to_pil().save(SHOTS / f"{name}-page{number + 1}.png")
    return texts


def _download(page: Page, button: str = "Download") -> bytes:
    with page.expect_download() as info:
        page.get_by_role("button", name=button).click()
    return Path(info.value.path()).read_bytes()


def _filter_to_october(page: Page) -> None:
    page.goto("/")
    page.get_by_label("From").fill(OCTOBER["from"])
    page.get_by_label("To", exact=True).fill(OCTOBER["to"])
    page.get_by_role("button", name="Apply filters").click()
    expect(page.locator('[data-figure="reported"]')).to_have_text("~480–?")


def _print(page: Page) -> bytes:
    page.emulate_media(media="print")
    body = page.pdf(format="A4", print_background=True)
    page.emulate_media(media="screen")
    return body


def test_a_report_writer_exports_and_prints_a_report_that_checks_out(app, page):
    SHOTS.mkdir(exist_ok=True)
    writer = factories.make_user("researcher", "writer@example.org")
    load_october_2023(writer)
    onsong = db.session.query(CrossingPoint).filter_by(name="Onsong").one()
    prison = db.session.query(Facility).filter_by(name="Changchun Tiebei Prison").one()
    event = db.session.query(RepatriationEvent).filter_by(crossing_id=onsong.id).one()
    case = persons.create(
        writer,
        {
            "gender": "female",
            "event_id": event.id,
            "origin_region": "North Hamgyong",
            "detentions": [
                {"facility_id": prison.id, "date_from": "2023-03", "date_to": "2023-10-09"}
            ],
        },
    )
    db.session.commit()
    page.set_viewport_size({"width": 1366, "height": 900})
    log_in(page, writer.email)
    _filter_to_october(page)
    page.screenshot(path=SHOTS / "dashboard-1366-en.png", full_page=True)

    # The persons CSV, with the form's defaults.
    page.get_by_role("link", name="Export the case list").click()
    persons_csv = _download(page)
    rows = list(csv.DictReader(io.StringIO(persons_csv.decode("utf-8-sig"))))
    header = list(rows[0])
    assert header[:8] == [
        "case_code",
        "event_crossing",
        "event_date",
        "event_date_start",
        "event_date_end",
        "event_date_precision",
        "facilities",
        "detentions",
    ]
    assert "family_name" not in header
    assert [r["case_code"] for r in rows] == [case.case_code]
    assert (rows[0]["event_crossing"], rows[0]["event_date"]) == ("Onsong", "9 October 2023")
    assert rows[0]["facilities"] == "Changchun Tiebei Prison"
    # a redacted export: a person's dates to the month, as every other date of the person
    assert rows[0]["detentions"] == "Changchun Tiebei Prison 2023-03 to 2023-10"

    # The summary XLSX: a total row under each table.
    _filter_to_october(page)
    page.get_by_role("link", name="Export the tables").click()
    page.get_by_label("Excel workbook (XLSX)").check()
    book = load_workbook(io.BytesIO(_download(page)))
    crossings = [[cell.value for cell in row] for row in book["by_crossing"].iter_rows()]
    total = dict(zip(crossings[0], crossings[-1], strict=True))
    assert (total["table"], total["name"]) == (
        "total",
        "Total (each event and person counted once)",
    )
    assert (total["events"], total["people_min"], total["people_max"]) == (2, 480, None)
    assert total["people_reported"] == "~480–?" and total["persons"] == 1

    # The summary CSV, with every default the form has: the file the report's hash stands for.
    _filter_to_october(page)
    page.get_by_role("link", name="Export the tables").click()
    summary_csv = _download(page)
    assert summary_csv.startswith(b"\xef\xbb\xbf")  # the default ticks the byte-order mark
    downloaded = hashlib.sha256(summary_csv).hexdigest()

    # The report, printed to PDF as a browser's "Save as PDF" does.
    _filter_to_october(page)
    page.get_by_role("link", name="Printable report").click()
    expect(page.get_by_role("heading", name="Forced repatriations: summary report")).to_be_visible()
    page.screenshot(path=SHOTS / "report-1366-en.png", full_page=True)
    pages = _pdf_pages(_print(page), "report-1366-en")
    text = "\n".join(pages)
    flat = re.sub(r"\s+", "", text)  # a long hash or address may wrap across lines
    assert "300–?" in text and "~180" in text
    for source in SOURCES:
        assert re.sub(r"\s+", "", source["title"]) in flat, source["title"]
        assert source["url"] in flat, source["url"]
    assert downloaded in flat  # the hash printed is the downloaded file's
    assert "sha256sum" in text
    assert "Up to about 600 people" in text and "[1, 7 December 2023]" in text
    # No navigation, search box or language switch on paper; the title page stands alone.
    assert "Search" not in pages[0] and "Log out" not in text and "한국어" not in text
    assert "Forced repatriations: summary report" in pages[0] and "Method" not in pages[0]
    # The button the page offers downloads the very same bytes.
    with page.expect_download() as info:
        page.get_by_role("link", name="Download the summary file (CSV)").click()
    assert hashlib.sha256(Path(info.value.path()).read_bytes()).hexdigest() == downloaded

    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=SHOTS / "report-390-en.png", full_page=True)
    _filter_to_october(page)
    page.screenshot(path=SHOTS / "dashboard-390-en.png", full_page=True)

    # The same in Korean: months, countries and the report in the reader's language.
    page.set_viewport_size({"width": 1366, "height": 900})
    page.get_by_role("button", name="한국어").click()
    expect(page.get_by_role("heading", name="대시보드")).to_be_visible()
    expect(page.locator("#chart-month-desc")).to_contain_text("2023년 10월")
    expect(page.locator(".map-country").first).to_have_text("중국")
    page.screenshot(path=SHOTS / "dashboard-1366-ko.png", full_page=True)
    page.goto("/exports/report?" + "&".join(f"{k}={v}" for k, v in OCTOBER.items()))
    page.screenshot(path=SHOTS / "report-1366-ko.png", full_page=True)
    korean = "\n".join(_pdf_pages(_print(page), "report-1366-ko"))
    assert "300–?" in korean and "~180" in korean
    assert downloaded in re.sub(r"\s+", "", korean)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=SHOTS / "report-390-ko.png", full_page=True)
    page.goto("/?" + "&".join(f"{k}={v}" for k, v in OCTOBER.items()))
    page.screenshot(path=SHOTS / "dashboard-390-ko.png", full_page=True)
