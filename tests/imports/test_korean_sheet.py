"""A Seoul NGO's persons sheet, saved in CP949 with Korean headers and Korean ways of writing
dates, counts, birth years and terms (tests/imports/data/persons-ko-cp949.csv, 30 fictional
persons): every header is recognised, every value read, every problem of a row reported at
once, the rejected rows given back to fix, and a second import of the same rows refused or
matched, never doubled. Expected figures are worked out from the raw file."""

import csv
import io
import re
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests import factories
from tracker.extensions import db
from tracker.imports import services
from tracker.imports.cli import _Progress
from tracker.imports.mapping import propose_mapping
from tracker.persons.models import Detention, Person, StatusRecord
from tracker.places.models import Facility
from tracker.sample.services import load_october_2023

SHEET = Path(__file__).parent / "data" / "persons-ko-cp949.csv"
HEADERS = ["이름", "성별", "생년", "송환일", "송환 경로", "수용시설", "상태", "상태 기준일", "출처"]
GENDERS = {"여": "female", "여성": "female", "F": "female", "남": "male", "남성": "male"}
GENDERS |= {"M": "male", "모름": "unknown", "여(추정)": "female"}
STATUSES = {"강제송환": "repatriated", "행방불명": "vanished", "구금": "detained"}
STATUSES |= {"북한 내 구금": "detained_in_nk", "송환됨": "repatriated"}
BORN = {
    "1990년생": (1990, False),
    "약 1992": (1992, True),
    "1985": (1985, False),
    "1988(추정)": (1988, True),
    "1979년": (1979, False),
    "1995": (1995, False),
    "c. 1983": (1983, True),
    "2001년생": (2001, False),
    "1970": (1970, False),
    "1999": (1999, False),
}
# The two values no vocabulary knows, translated as a researcher would on the mapping page.
TRANSLATED = {"성별": {"여(추정)": "female"}, "상태": {"송환됨": "repatriated"}}


def sheet_rows() -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(SHEET.read_bytes().decode("cp949"))))


def mapping(translated: bool = True) -> dict:  # type: ignore[type-arg]
    headers = list(sheet_rows()[0])
    chosen: dict = propose_mapping("persons", headers)  # type: ignore[type-arg]
    if translated:
        chosen["gender"] = {"column": "성별", "values": TRANSLATED["성별"]}
        chosen["status"] = {"column": "상태", "values": TRANSLATED["상태"]}
    chosen["split_commas"] = ["facilities"]
    chosen["source_key"] = "Seoul NGO"  # the ids are this NGO's, whatever the file's name
    return chosen


def run(path: Path, chosen: dict, dry_run: bool = False, **options):  # type: ignore[no-untyped-def,type-arg]
    researcher = factories.make_user("researcher")
    report = services.import_file(
        researcher,
        path,
        path.name,
        "persons",
        chosen,
        services.ImportOptions(create_missing=True, **options),
        dry_run=dry_run,
    )
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    return report


def persons() -> dict[str, Person]:
    found = db.session.execute(select(Person).where(Person.deleted_at.is_(None))).scalars()
    return {person.external_id: person for person in found}


@pytest.fixture
def october(app):  # type: ignore[no-untyped-def]
    load_october_2023()
    db.session.commit()


def test_every_korean_header_is_proposed(app):
    proposal = propose_mapping("persons", list(sheet_rows()[0]))
    assert set(HEADERS) <= set(proposal.values())
    assert proposal["name_hangul"] == "이름"  # a Korean sheet's 이름 is the whole name
    assert proposal["gender"] == "성별" and proposal["birth_year"] == "생년"
    assert proposal["repatriation_date"] == "송환일" and proposal["crossing"] == "송환 경로"
    assert proposal["facilities"] == "수용시설" and proposal["external_id"] == "관리번호"
    assert len(set(proposal.values())) == len(sheet_rows()[0])  # all 16 columns


def test_the_cp949_sheet_imports_with_its_values_read_as_written(october):
    rows = sheet_rows()
    report = run(SHEET, mapping())
    bad_dates = [row for row in rows if row["체포일"] == "2023.13.5"]
    assert report.rejected == len(bad_dates) == 2
    assert report.created == len(rows) - 2

    found = persons()
    onsong_day = ("Onsong", date(2023, 10, 9), date(2023, 10, 9))
    dandong_month = ("Dandong", date(2023, 10, 1), date(2023, 10, 31))
    for row in rows:
        if row in bad_dates:
            assert row["관리번호"] not in found
            continue
        person = found[row["관리번호"]]
        assert person.name_hangul == row["이름"]
        assert person.gender == GENDERS[row["성별"]]
        assert (person.birth_year, person.birth_year_approximate) == BORN[row["생년"]]
        assert person.nationality == "KP"
        statuses = db.session.execute(
            select(StatusRecord).where(StatusRecord.person_id == person.id)
        ).scalars()
        assert [(s.status, s.as_of) for s in statuses] == [
            (STATUSES[row["상태"]], date(2023, 10, 9))
        ]
        names = {part.strip() for part in re.split("[;,]", row["수용시설"])}
        held = db.session.execute(
            select(Facility.name)
            .join(Detention, Detention.facility_id == Facility.id)
            .where(Detention.person_id == person.id)
        ).scalars()
        assert set(held) == names
        event = person.event
        span = (event.crossing.name, event.date_start, event.date_end)
        assert span == (onsong_day if row["송환 경로"] == "온성" else dandong_month)
    # Two facilities in one cell, whether split by ";" or ",", are two facilities.
    facilities = db.session.execute(select(Facility.name)).scalars().all()
    assert not any("," in name or ";" in name for name in facilities)


def test_every_problem_of_a_row_is_reported_at_once(app):
    report = run(SHEET, mapping(translated=False), dry_run=True)
    rows = sheet_rows()
    expected_rejected = [
        number
        for number, row in enumerate(rows, start=2)
        if row["성별"] == "여(추정)" or row["상태"] == "송환됨" or row["체포일"] == "2023.13.5"
    ]
    assert sorted({p.row for p in report.problems}) == expected_rejected
    by_row = report.problems_by_row()
    both = next(
        number
        for number, row in enumerate(rows, start=2)
        if row["성별"] == "여(추정)" and row["체포일"] == "2023.13.5"
    )
    columns = [problem.column for problem in by_row[both]]
    assert sorted(columns) == ["성별", "체포일"]  # both at once, each once
    gender = next(problem for problem in by_row[both] if problem.column == "성별")
    assert gender.value == "여(추정)"
    assert "female (Female / 여성)" in gender.message  # the accepted values are named
    assert report.created == 0 or report.dry_run


def test_a_row_naming_nobody_is_refused(app, tmp_path):
    path = tmp_path / "nobody.csv"
    path.write_text("이름,성별,생년\n,여,1990\n김영희,여,1990\n", encoding="utf-8")
    report = run(path, {"name_hangul": "이름", "gender": "성별", "birth_year": "생년"})
    assert (report.created, report.rejected) == (1, 1)
    assert report.problems[0].row == 2 and "names nobody" in report.problems[0].message


def test_the_same_file_twice_is_refused_and_the_same_rows_in_another_case_change_nothing(
    october, tmp_path
):
    first = run(SHEET, mapping())
    before = db.session.execute(select(func.count()).select_from(Person)).scalar_one()

    with pytest.raises(services.AlreadyImported) as refused:
        run(SHEET, mapping())
    db.session.rollback()
    assert f"import #{first.batch_id}" in refused.value.message
    assert db.session.execute(select(func.count()).select_from(Person)).scalar_one() == before

    # The same rows, ids in lower case and spaced differently: another file, the same persons.
    text = SHEET.read_bytes().decode("cp949").replace("NK-0", " nk-0")
    lower = tmp_path / "lower.csv"
    lower.write_bytes(text.encode("cp949"))
    again = run(lower, mapping())
    assert again.created == 0 and again.unchanged == first.created
    assert db.session.execute(select(func.count()).select_from(Person)).scalar_one() == before


def test_the_rejected_rows_come_back_to_fix_and_import(october, tmp_path):
    report = run(SHEET, mapping())
    out = io.StringIO()
    assert report.write_rejects(out) == 2
    rejects = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert list(rejects[0])[:16] == list(sheet_rows()[0]) and list(rejects[0])[16:] == [
        "row",
        "problems",
    ]
    assert all("체포일" in row["problems"] for row in rejects)
    originals = {row["관리번호"]: row for row in sheet_rows()}
    for row in rejects:
        assert {k: v for k, v in row.items() if k in originals[row["관리번호"]]} == originals[
            row["관리번호"]
        ]

    fixed = tmp_path / "fixed.csv"
    fixed.write_text(out.getvalue().replace("2023.13.5", "2023.3.5"), encoding="utf-8-sig")
    second = run(fixed, mapping())
    assert (second.created, second.rejected) == (2, 0)
    assert len(persons()) == len(sheet_rows())


def test_the_cli_writes_the_rejected_rows(runner, october, tmp_path):
    rejects = tmp_path / "rejects.csv"
    result = runner.invoke(
        args=["import", str(SHEET), "--kind", "persons", "--create-missing"]
        + ["--rejects", str(rejects)]
    )
    assert result.exit_code == 0, result.output
    assert f"rejected rows to {rejects}" in result.output
    written = list(csv.DictReader(io.StringIO(rejects.read_text(encoding="utf-8-sig"))))
    without_translation = [
        row
        for row in sheet_rows()
        if row["성별"] == "여(추정)" or row["상태"] == "송환됨" or row["체포일"] == "2023.13.5"
    ]
    assert [row["관리번호"] for row in written] == [r["관리번호"] for r in without_translation]


def test_progress_off_a_terminal_is_a_line_every_few_seconds():
    now = [0.0]
    out = io.StringIO()
    with _Progress(1000, clock=lambda: now[0], stream=out) as progress:
        progress.update(200)  # no time has passed: no line yet
        now[0] = _Progress.LINE_EVERY
        progress.update(400)
        now[0] += 1
        progress.update(600)  # within the next interval: no line
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("Importing: 400/1,000 rows (40%), 80 rows/s, about 8 s left")
    assert lines[-1].startswith("Importing: 600/1,000 rows")
    assert len(lines) == 2
