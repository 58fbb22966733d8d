"""The real data sets in ../shared/data, imported with the mapping a researcher would write.

Expected figures are computed here from the raw files (csv module, openpyxl), never taken
from the importer. The big files are sampled so the default suite stays quick; set
TRACKER_IMPORT_FULL=1 to import them whole."""

import csv
import json
import os
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import func, select

from tracker.events.models import EventSource, RepatriationEvent
from tracker.extensions import db
from tracker.imports.models import ImportBatch
from tracker.persons.models import Person, StatusRecord
from tracker.places.models import CrossingPoint

DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
if not DATA.exists():
    DATA = Path("/work/shared/data")
IOM = DATA / "iom-missing-migrants" / "MissingMigrants-Global-2020-01-08T14-05-32.csv"
UNHCR = DATA / "unhcr-returns" / "solutions.csv"
HRDAG = DATA / "hrdag-philippines" / "Manila_Complete_Sources_clean.xlsx"
FULL = os.environ.get("TRACKER_IMPORT_FULL") == "1"

pytestmark = pytest.mark.skipif(not DATA.exists(), reason="shared/data is not beside the repo")

IOM_MAPPING = {
    "external_id": "Web ID",
    "date_start": "Reported Date",
    "crossing": "Migration Route",
    "people_min": "Total Dead and Missing",
    "description": "Location Description",
    "sources": "Information Source",
    "source_url": "URL",
    # IOM grades 5 best; the Admiralty credibility grades 1 best.
    "source_credibility": {
        "column": "Source Quality",
        "values": {"1": "5", "2": "4", "3": "3", "4": "2", "5": "1"},
    },
    "source_key": "IOM Missing Migrants",
}


def sample_csv(source: Path, target: Path, pick) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    """Write the rows `pick` chooses (all of them with TRACKER_IMPORT_FULL=1) to `target`."""
    with source.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        rows = list(reader)
        fields = reader.fieldnames
    chosen = rows if FULL else pick(rows)
    with target.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields)
        writer.writeheader()
        writer.writerows(chosen)
    return chosen


def run(runner, path: Path, kind: str, mapping: dict, *flags: str):  # type: ignore[no-untyped-def]
    map_path = path.with_suffix(".map.json")
    map_path.write_text(json.dumps(mapping), encoding="utf-8")
    return runner.invoke(args=["import", str(path), "--kind", kind, "--map", str(map_path), *flags])


def count(model) -> int:  # type: ignore[no-untyped-def]
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def test_iom_incidents_become_events_with_their_route_count_and_source(runner, tmp_path):
    def pick(rows):  # type: ignore[no-untyped-def]
        separated = [r for r in rows if "," in r["Total Dead and Missing"]]
        return rows[:150] + [r for r in separated if r not in rows[:150]][:10]

    rows = sample_csv(IOM, tmp_path / "iom.csv", pick)
    with_route = [r for r in rows if r["Migration Route"].strip()]
    assert any("," in r["Total Dead and Missing"] for r in with_route)  # "1,022" is exercised

    result = run(runner, tmp_path / "iom.csv", "events", IOM_MAPPING, "--create-missing")

    assert result.exit_code == 0, result.output
    assert count(RepatriationEvent) == len(with_route)
    assert f"{len(rows) - len(with_route)} rejected" in result.output
    expected_total = sum(
        int(r["Total Dead and Missing"].replace(",", ""))
        for r in with_route
        if r["Total Dead and Missing"].strip()
    )
    assert db.session.execute(select(func.sum(RepatriationEvent.people_min))).scalar() == (
        expected_total
    )
    routes = {r["Migration Route"].strip() for r in with_route}
    assert set(db.session.execute(select(CrossingPoint.name)).scalars()) == routes
    # Every event cites its information sources (";" separates several), graded.
    cited = [
        {" ".join(part.split()).casefold() for part in r["Information Source"].split(";")} - {""}
        for r in with_route
    ]
    assert count(EventSource) == sum(len(names) for names in cited)
    first = with_route[0]
    event = db.session.execute(
        select(RepatriationEvent).where(RepatriationEvent.external_id == first["Web ID"])
    ).scalar_one()
    assert event.claims[0].source.title == first["Information Source"].strip()
    assert event.claims[0].source.credibility == 6 - int(first["Source Quality"])
    assert event.date_precision == "day"


def versions_of_events() -> dict[int, int]:
    rows = db.session.execute(select(RepatriationEvent.id, RepatriationEvent.version))
    return {row.id: row.version for row in rows}


def test_reimporting_the_same_file_creates_and_updates_nothing(runner, tmp_path):
    sample_csv(IOM, tmp_path / "iom.csv", lambda rows: rows[:60])
    first = run(runner, tmp_path / "iom.csv", "events", IOM_MAPPING, "--create-missing")
    assert first.exit_code == 0, first.output
    events_before = count(RepatriationEvent)
    versions = versions_of_events()

    refused = run(runner, tmp_path / "iom.csv", "events", IOM_MAPPING, "--create-missing")
    assert refused.exit_code != 0
    assert "already imported" in refused.output and "(import #1)" in refused.output
    assert count(ImportBatch) == 1

    again = run(runner, tmp_path / "iom.csv", "events", IOM_MAPPING, "--create-missing", "--again")

    assert again.exit_code == 0, again.output
    assert "0 created, 0 updated" in again.output
    assert "imported before, as batch #1" in again.output
    assert count(RepatriationEvent) == events_before
    assert versions_of_events() == versions
    assert count(ImportBatch) == 2


def test_unhcr_returns_become_year_precision_events(runner, tmp_path):
    rows = sample_csv(UNHCR, tmp_path / "unhcr.csv", lambda rows: rows[::100][:150])
    mapping = {
        "external_id": {"columns": ["year", "coo", "coa"], "join": "/"},
        "date_start": "year",
        "crossing": {"columns": ["coa_name", "coo_name"], "join": " to "},
        "people": "returned_refugees",
        "sources": {"value": "UNHCR refugee statistics"},
        "source_key": "UNHCR solutions",
    }

    result = run(runner, tmp_path / "unhcr.csv", "events", mapping, "--create-missing")

    assert result.exit_code == 0, result.output
    assert count(RepatriationEvent) == len(rows)
    precisions = set(db.session.execute(select(RepatriationEvent.date_precision)).scalars())
    assert precisions == {"year"}
    expected = sum(int(float(r["returned_refugees"])) for r in rows if r["returned_refugees"])
    assert db.session.execute(select(func.sum(RepatriationEvent.people_min))).scalar() == (
        expected or None
    )
    years = {int(float(r["year"])) for r in rows}
    starts = set(db.session.execute(select(RepatriationEvent.date_start)).scalars())
    assert {d.year for d in starts} == years
    assert all(d.month == 1 and d.day == 1 for d in starts)


def test_hrdag_killings_become_persons_with_several_sources_each(runner, tmp_path):
    book = openpyxl.load_workbook(HRDAG, read_only=True)
    sheet = book.worksheets[0]
    table = [list(row) for row in sheet.iter_rows(values_only=True)]
    headers = [h for h in table[0] if h]
    source_columns = headers[5:]
    rows = [dict(zip(headers, row, strict=False)) for row in table[1:] if row[0] is not None]
    flags = [sum(1 for c in source_columns if row[c] is True) for row in rows]
    mapping = {
        "external_id": "ID",
        "last_seen_place": {
            "columns": ["Police Station", "Police District", "Location"],
            "join": ", ",
        },
        "status": {"value": "deceased"},
        "status_as_of": "Date",
        "sources": {"flags": source_columns},
        "source_key": "HRDAG Manila",
    }

    result = run(runner, HRDAG, "persons", mapping, "--create-missing", "--sheet", sheet.title)

    assert result.exit_code == 0, result.output
    with_source = [n for n in flags if n]
    assert count(Person) == len(with_source)
    assert count(StatusRecord) == sum(with_source)
    assert max(with_source) > 1  # several sources for one person
    assert f"{len(flags) - len(with_source)} rejected" in result.output
    statuses = set(db.session.execute(select(Person.status)).scalars())
    assert statuses == {"deceased"}


def test_another_sheet_of_an_imported_workbook_is_not_the_same_file(runner, tmp_path):
    """A workbook keeps a city per sheet: its second sheet is imported after the first, and
    only the sheet imported before is refused as imported again."""
    import openpyxl

    from tracker.persons.models import Person

    book = openpyxl.Workbook()
    first = book.active
    first.title = "Manila"
    first.append(["family_name", "given_name"])
    first.append(["Cruz", "Maria"])
    second = book.create_sheet("Caloocan")
    second.append(["family_name", "given_name"])
    second.append(["Santos", "Jose"])
    path = tmp_path / "cities.xlsx"
    book.save(path)

    def sheet(name: str):  # type: ignore[no-untyped-def]
        return runner.invoke(args=["import", str(path), "--kind", "persons", "--sheet", name])

    assert sheet("Manila").exit_code == 0
    caloocan = sheet("Caloocan")
    assert caloocan.exit_code == 0, caloocan.output
    assert count(Person) == 2
    refused = sheet("Manila")
    assert refused.exit_code != 0 and "already imported" in refused.output
    assert count(Person) == 2
