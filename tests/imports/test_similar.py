"""A partner's list of persons, spelled its own way, against the cases already recorded: the
importer flags exactly the rows that look like the same person by the one rule (a name the
search takes for the same name, in any script or romanisation, and birth years at most two
apart), names the case each looks like, adds them when allowed,
and the duplicates page of that import lists them for review and merging."""

from pathlib import Path

from sqlalchemy import select

from tracker.dashboard.filters import Filters
from tracker.dashboard.services import summarise
from tracker.extensions import db
from tracker.imports import services
from tracker.persons.models import Person
from tracker.persons.services import persons
from tracker.search.duplicates import duplicate_candidates
from tracker.search.merge import merge
from tracker.search.names import same_name
from tracker.unit_of_work import run_job

EXISTING = [
    {"family_name": "Kim", "given_name": "Cheol-ok", "name_hangul": "김철옥", "birth_year": 1990},
    {"family_name": "Lee", "given_name": "Sun-ja", "birth_year": 1985},
    {"family_name": "Park", "given_name": "Young-hee", "name_hangul": "박영희", "birth_year": 1978},
    {"family_name": "Choi", "given_name": "Min-su", "birth_year": 1990},
]
# family_name, given_name, name_hangul, birth_year: McCune–Reischauer, North Korean and
# Revised Romanisation spellings, Hangul alone, and near misses that are other people.
PARTNER = [
    ("Kim", "Chol Ok", "", "1990"),  # Kim Cheol-ok in MR without breves
    ("", "", "김철옥", "1990"),  # the same, in Hangul only
    ("Ri", "Sun Ja", "", "1985"),  # Lee, as North Korea spells it
    ("Pak", "Yong Hui", "", "1978"),  # Park Young-hee, MR
    ("Choe", "Min Su", "", "1990"),  # Choi, MR
    ("Kim", "Chol Ok", "", "1991"),  # a year off: the same age (birth years are approximate)
    ("Kim", "Chol Ok", "", "1993"),  # three years apart: another person
    ("Kim", "Chol Uk", "", "1990"),  # Uk is not Ok (the same search key, a different name)
    ("Jang", "Myong Il", "", "1970"),  # nobody like this yet
]


def preview(*args):
    """What importing would do: the import as a dry run, rolled back (as the edges do)."""
    return run_job(lambda: services.import_file(*args, dry_run=True), dry_run=True)


def written_names(family: str, given: str, hangul: str | None) -> list[str]:
    return [name for name in (f"{family} {given}".strip(), hangul or "") if name]


def expected_pairs() -> set[tuple[int, int]]:
    """(partner row index, existing index) by the search's own rule for two written names."""
    pairs = set()
    for i, (family, given, hangul, year) in enumerate(PARTNER):
        for j, person in enumerate(EXISTING):
            if abs(int(year) - person["birth_year"]) > 2:
                continue
            theirs = written_names(
                person["family_name"], person["given_name"], person.get("name_hangul")
            )
            if any(same_name(a, b) for a in written_names(family, given, hangul) for b in theirs):
                pairs.add((i, j))
    return pairs


def write_partner(tmp_path: Path) -> Path:
    path = tmp_path / "partner.csv"
    lines = ["family_name,given_name,name_hangul,birth_year,gender"]
    lines += [f"{f},{g},{h},{y},unknown" for f, g, h, y in PARTNER]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run(actor, path: Path, allow_similar: bool) -> services.ImportReport:  # type: ignore[no-untyped-def]
    options = services.ImportOptions(allow_similar=allow_similar)
    return services.import_file(actor, path, path.name, "persons", None, options)


def test_a_partner_list_flags_exactly_the_true_overlaps_then_imports_them_for_review(
    client, login_as, tmp_path
):
    researcher = login_as("researcher")
    existing = [persons.create(researcher, {**values, "gender": "female"}) for values in EXISTING]
    db.session.commit()
    expected = expected_pairs()
    # the rule agrees with a reader
    assert expected == {(0, 0), (1, 0), (2, 1), (3, 2), (4, 3), (5, 0)}
    path = write_partner(tmp_path)

    previewed = preview(researcher, path, path.name, "persons", None, services.ImportOptions())
    flagged = {number - 2: code for number, code in previewed.similar}  # line 2 is PARTNER[0]
    assert flagged == {i: existing[j].case_code for i, j in expected}
    assert (previewed.created, previewed.rejected, previewed.flagged) == (3, 6, 6)
    for problem in previewed.problems:
        assert flagged[problem.row - 2] in problem.message
        assert "Kim" not in problem.message and "Chol" not in problem.message

    report = run(researcher, path, allow_similar=True)
    db.session.commit()
    # Added anyway, the 1991 row is a row above the 1993 one, born two years before: 7 flagged.
    assert (report.created, report.rejected, report.flagged) == (9, 0, 7)
    assert f"/persons/duplicates?batch={report.batch_id}" in "\n".join(report.lines())
    new = select(Person.id).where(Person.id > existing[-1].id, Person.deleted_at.is_(None))
    assert len(db.session.execute(new).all()) == len(PARTNER)
    batch_page = client.get(f"/imports/{report.batch_id}").get_data(as_text=True)
    assert f"/persons/duplicates?batch={report.batch_id}" in batch_page

    candidates = duplicate_candidates(researcher, batch=report.batch_id)
    pairs = {frozenset((c.first.case_code, c.second.case_code)) for c in candidates}
    batch_codes = {
        code
        for code in db.session.execute(
            select(Person.case_code).where(Person.id > existing[-1].id)
        ).scalars()
    }
    assert all(pair & batch_codes for pair in pairs)  # each pair has a person of this import
    rows_to_codes = dict(zip(range(len(PARTNER)), sorted(batch_codes), strict=True))
    for i, j in expected:
        assert frozenset((rows_to_codes[i], existing[j].case_code)) in pairs
    page = client.get(f"/persons/duplicates?batch={report.batch_id}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert all(rows_to_codes[i] in text and existing[j].case_code in text for i, j in expected)
    assert client.get("/persons/duplicates?batch=abc").status_code == 404

    documented = summarise(Filters()).total.persons
    survivor = existing[1]
    other = db.session.execute(
        select(Person).where(Person.case_code == rows_to_codes[2])
    ).scalar_one()
    merge(researcher, survivor, other, set())
    db.session.commit()
    assert summarise(Filters()).total.persons == documented - 1


def test_a_second_row_like_one_above_it_is_flagged_too(app, tmp_path):
    path = tmp_path / "twice.csv"
    path.write_text(
        "family_name,given_name,birth_year\nKim,Cheol-ok,1990\nGim,Chol Ok,1990\n",
        encoding="utf-8",
    )
    report = run(None, path, allow_similar=False)
    db.session.commit()
    assert (report.created, report.rejected, report.flagged) == (1, 1, 1)
    assert "row 2 above" in report.problems[0].message
