"""The import service and `tracker import`: keys, updates, near-duplicates, dry runs,
revert, the audit, and a kill mid-import (all or nothing)."""

import csv
import io
import os
import signal
import subprocess
import sys
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from bench.imports import write_rows
from tests import factories
from tracker.audit.models import AuditEntry
from tracker.events.models import RepatriationEvent
from tracker.extensions import db
from tracker.imports import services
from tracker.imports.models import ImportBatch
from tracker.imports.reading import FileRejected
from tracker.persons.models import Person, StatusRecord
from tracker.persons.services import persons
from tracker.places.models import CrossingPoint, Facility
from tracker.places.services import crossings, facilities
from tracker.sources.models import Source
from tracker.sources.services import sources
from tracker.unit_of_work import run_job


def preview(*args):
    """What importing would do: the import as a dry run, rolled back (as the edges do)."""
    return run_job(lambda: services.import_file(*args, dry_run=True), dry_run=True)


def count(model, *where) -> int:  # type: ignore[no-untyped-def]
    query = select(func.count()).select_from(model)
    for condition in where:
        query = query.where(condition)
    return db.session.execute(query).scalar_one()


def write(tmp_path: Path, text: str, name: str = "file.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def run(actor, path, kind, mapping=None, **options):  # type: ignore[no-untyped-def]
    report = services.import_file(
        actor, path, path.name, kind, mapping, services.ImportOptions(**options)
    )
    db.session.commit()
    return report


EVENTS = (
    "external_id,date,crossing,people,sources,facilities\n"
    "E1,9 Oct 2023,Onsong,300+,Witness A,Shenyang Prison\n"
    "E2,October 2023,Dandong,about 180,Witness A,\n"
    "E3,c. 2023,Onsong,150-200,Witness B,Changchun Tiebei Prison\n"
)


def test_events_by_name_with_create_missing_and_a_report_per_row(app, tmp_path):
    researcher = factories.make_user("researcher")
    crossings.create(None, {"name": "Onsong", "aliases": ["Ŏnsŏng"]})
    db.session.commit()
    path = write(tmp_path, EVENTS + "E4,someday,Onsong,many,Witness A,\n")

    report = run(researcher, path, "events", create_missing=True)

    assert (report.created, report.rejected) == (3, 1)
    assert {(p.column, p.value) for p in report.problems} == {
        ("date", "someday"),
        ("people", "many"),
    }
    assert report.references_created == {"crossings": 1, "sources": 2, "facilities": 2}
    onsong = db.session.execute(
        select(RepatriationEvent).where(RepatriationEvent.external_id == "E1")
    ).scalar_one()
    assert (onsong.people_min, onsong.people_max, onsong.date_precision) == (300, None, "day")
    dandong = db.session.execute(
        select(RepatriationEvent).where(RepatriationEvent.external_id == "E2")
    ).scalar_one()
    assert (dandong.people_min, dandong.people_max, dandong.date_precision) == (180, 180, "month")
    approximate = db.session.execute(
        select(RepatriationEvent).where(RepatriationEvent.external_id == "E3")
    ).scalar_one()
    assert approximate.date_approximate and approximate.date_precision == "year"
    assert count(CrossingPoint) == 2  # Onsong was found by name, Dandong created
    batch = db.session.get(ImportBatch, report.batch_id)
    assert batch.actor_id == researcher.id and batch.counts["created"] == 3
    assert len(batch.sha256) == 64
    entries = count(AuditEntry, AuditEntry.import_batch_id == batch.id)
    assert entries == 3 + 5 + 1  # the events, the references, the batch's own entry


def test_unknown_references_are_rejected_without_create_missing(app, tmp_path):
    path = write(tmp_path, EVENTS)
    report = services.import_file(None, path, "file.csv", "events", None, services.ImportOptions())
    assert report.accepted == 0 and report.rejected == 3
    assert "create missing" in report.problems[0].message
    db.session.rollback()
    assert count(RepatriationEvent) == 0 and count(Source) == 0


def test_a_source_a_person_and_its_status_both_name_is_refused_once(app, tmp_path):
    """One "sources" cell documents the person and the status claim: an unknown source is one
    problem of the row, not the same line twice."""
    path = tmp_path / "people.csv"
    path.write_text(
        "external_id,family_name,status,status_as_of,sources\n"
        "P1,Kim,detained,2023-10-01,Nowhere\n"
        "P2,Ri,,,Nowhere;Elsewhere\n",
        encoding="utf-8",
    )
    options = services.ImportOptions()
    report = services.import_file(None, path, "people.csv", "persons", None, options)
    assert [(p.row, p.message.split("'")[1]) for p in report.problems] == [
        (2, "Nowhere"),
        (3, "Nowhere"),
        (3, "Elsewhere"),  # another source: a problem of its own
    ]
    db.session.rollback()


def test_a_changed_row_updates_its_record_through_the_versioned_service(app, tmp_path):
    run(None, write(tmp_path, EVENTS), "events", create_missing=True)
    changed = EVENTS.replace("300+", "320+")
    report = run(None, write(tmp_path, changed), "events", create_missing=True)
    assert (report.created, report.updated, report.unchanged) == (0, 1, 2)
    event = db.session.execute(
        select(RepatriationEvent).where(RepatriationEvent.external_id == "E1")
    ).scalar_one()
    assert event.people_min == 320 and event.version == 2
    actions = db.session.execute(
        select(AuditEntry.action).where(
            AuditEntry.entity_type == "repatriation_events", AuditEntry.entity_id == event.id
        )
    ).scalars()
    assert list(actions) == ["create", "update"]


def test_a_dry_run_writes_nothing(app, tmp_path):
    report = preview(
        None, write(tmp_path, EVENTS), "file.csv", "events", None, services.ImportOptions(True)
    )
    assert report.dry_run and report.created == 3
    assert count(RepatriationEvent) == 0 and count(ImportBatch) == 0 and count(AuditEntry) == 0


def test_a_whole_batch_can_be_reverted(app, tmp_path):
    researcher = factories.make_user("researcher")
    facilities.create(None, {"name": "Shenyang Prison", "kind": "prison"})
    db.session.commit()
    run(researcher, write(tmp_path, EVENTS), "events", create_missing=True)
    facility_file = "name,province\nShenyang Prison,Liaoning\n"
    report = run(researcher, write(tmp_path, facility_file, "f.csv"), "facilities")
    assert report.updated == 1

    services.revert_batch(researcher, services.get_batch(report.batch_id))
    db.session.commit()
    shenyang = db.session.execute(
        select(Facility).where(Facility.name == "Shenyang Prison")
    ).scalar_one()
    assert shenyang.province is None and shenyang.deleted_at is None

    first = db.session.execute(select(ImportBatch).order_by(ImportBatch.id)).scalars().first()
    services.revert_batch(researcher, first)
    db.session.commit()
    assert count(RepatriationEvent, RepatriationEvent.deleted_at.is_(None)) == 0
    assert count(Source, Source.deleted_at.is_(None)) == 0
    assert first.reverted_at is not None


def test_persons_by_case_code_update_and_near_duplicates_are_flagged(app, tmp_path):
    factories.sensitive("Kim Young-hee")
    sources.create(None, {"title": "Relative abroad", "kind": "relative"})
    existing = persons.create(
        None,
        {"family_name": "Kim", "given_name": "Young-hee", "birth_year": 1985, "gender": "female"},
    )
    db.session.commit()
    text = (
        "case_code,family_name,given_name,name_hangul,birth_year,status,status_as_of,sources\n"
        f"{existing.case_code},Kim,Young-hee,김영희,1985,vanished,October 2023,Relative abroad\n"
        ",KIM,Younghee,,1985,,,\n"
        ",Lee,Sun-ja,이순자,c. 1990,detained,2023-10-09,Relative abroad\n"
    )
    report = run(None, write(tmp_path, text), "persons")
    assert (report.created, report.updated, report.flagged, report.rejected) == (1, 1, 1, 1)
    assert existing.case_code in report.problems[0].message
    assert "Kim" not in report.problems[0].message  # the flag names the case, not the person
    db.session.refresh(existing)
    assert existing.name_hangul == "김영희" and existing.status == "vanished"
    lee = db.session.execute(select(Person).where(Person.family_name == "Lee")).scalar_one()
    assert (lee.birth_year, lee.birth_year_approximate, lee.status) == (1990, True, "detained")

    again = run(None, write(tmp_path, text), "persons", allow_repeat=True)
    assert (again.created, again.updated) == (0, 0)
    assert count(StatusRecord) == 2


def test_status_records_by_case_code(app, tmp_path):
    sources.create(None, {"title": "NGO report", "kind": "ngo_report"})
    person = persons.create(None, {"gender": "female"})
    db.session.commit()
    text = (
        "case_code,status,as_of,source,note\n"
        f"{person.case_code},repatriated,2023-10-09,NGO report,crossed at Onsong\n"
        "RT-1999-0001,vanished,2024,NGO report,\n"
    )
    report = run(None, write(tmp_path, text), "statuses")
    assert (report.created, report.rejected) == (1, 1)
    db.session.refresh(person)
    assert person.status == "repatriated"


def test_the_cli_exit_status_and_report(runner, tmp_path):
    result = runner.invoke(args=["import", str(write(tmp_path, "")), "--kind", "events"])
    assert result.exit_code != 0 and "empty" in result.output
    assert "Traceback" not in result.output

    path = write(tmp_path, EVENTS)
    result = runner.invoke(args=["import", str(path), "--kind", "events"])
    assert result.exit_code != 0 and "Nothing could be imported" in result.output
    assert "Row 2, column 'crossing', value 'Onsong'" in result.output

    result = runner.invoke(
        args=["import", str(path), "--kind", "events", "--create-missing", "--dry-run"]
    )
    assert result.exit_code == 0 and "Would import" in result.output
    assert count(RepatriationEvent) == 0

    result = runner.invoke(args=["import", str(path), "--kind", "events", "--create-missing"])
    assert result.exit_code == 0 and "3 created" in result.output
    assert count(RepatriationEvent) == 3


def test_a_file_over_the_configured_limit_is_refused(app, tmp_path):
    app.config["IMPORT_MAX_BYTES"] = 100
    path = write(tmp_path, EVENTS * 3)
    try:
        services.import_file(None, path, "f.csv", "events", None, services.ImportOptions())
    except FileRejected as refused:
        assert "larger than" in refused.message
    else:
        raise AssertionError("the file was not refused")


# Runs an import in its own process; its progress hook, once rows are written inside the
# import's transaction, says so on standard output and waits to be killed.
KILLED_IMPORT = """
import sys, threading
from pathlib import Path
from tracker import create_app

def hook(rows):
    if rows >= 1000:
        db.session.flush()
        print("written", rows, flush=True)
        threading.Event().wait()  # until the test kills this process

with create_app().app_context():
    from tracker.extensions import db
    from tracker.imports import services
    from tracker.unit_of_work import run_job

    path = Path(sys.argv[1])
    options = services.ImportOptions(create_missing=True)
    run_job(lambda: services.import_file(None, path, path.name, "events", None, options, hook))
"""


def test_a_kill_mid_import_leaves_nothing(app, migrated, tmp_path):
    """SIGKILL the import process while it writes: no event, batch or audit entry remains.
    The import's own progress hook says when rows are written; nothing waits on a timer."""
    path = tmp_path / "big.csv"
    write_rows(path, 5_000)
    env = dict(os.environ)
    env.update(
        TRACKER_DATABASE_URL=migrated,
        TRACKER_INSTANCE_PATH=str(tmp_path / "instance"),
        PYTHONUNBUFFERED="1",
    )
    process = subprocess.Popen(
        [sys.executable, "-c", KILLED_IMPORT, str(path)],
        env=env,
        cwd=Path(__file__).resolve().parents[2],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        said = process.stdout.readline() if process.stdout else b""
        assert said.startswith(b"written"), said + (
            process.stdout.read() if process.stdout else b""
        )
        process.send_signal(signal.SIGKILL)
        process.wait(30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(30)
        if process.stdout:
            process.stdout.close()
    assert process.returncode == -signal.SIGKILL
    db.session.remove()
    assert count(RepatriationEvent) == 0
    assert count(ImportBatch) == 0
    assert count(AuditEntry) == 0
    assert count(CrossingPoint) == 0


CELL = st.one_of(
    st.text(max_size=25),
    st.sampled_from(["", "2023", "c. 2023", "300+", "1,022", "=1+1", "@x", "Onsong", "female"]),
)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    kind=st.sampled_from(["events", "persons", "facilities", "sources", "statuses"]),
    rows=st.lists(st.lists(CELL, min_size=5, max_size=5), min_size=1, max_size=4),
)
def test_arbitrary_cells_are_imported_or_rejected_never_crash(app, tmp_path, kind, rows):
    headers = {
        "events": ["external_id", "date_start", "crossing", "people", "sources"],
        "persons": ["family_name", "birth_year", "gender", "status", "status_as_of"],
        "facilities": ["name", "kind", "country", "latitude", "longitude"],
        "sources": ["title", "kind", "url", "credibility", "published_on"],
        "statuses": ["case_code", "status", "as_of", "source", "note"],
    }[kind]
    out = io.StringIO()
    csv.writer(out).writerows([headers, *rows])
    path = tmp_path / "fuzz.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    try:
        report = preview(
            None, path, "fuzz.csv", kind, None, services.ImportOptions(create_missing=True)
        )
    except FileRejected as refused:
        assert refused.message
    else:
        assert report.accepted + report.rejected == report.rows
    assert count(ImportBatch) == 0


def test_a_database_error_mid_import_leaves_the_database_as_it_was(runner, tmp_path, monkeypatch):
    from sqlalchemy.exc import OperationalError

    from tracker.events.services import events as event_service

    create_many = event_service.create_many
    calls = {"n": 0}

    def failing_create(actor, rows):  # type: ignore[no-untyped-def]
        calls["n"] += len(rows)
        if calls["n"] >= 3:  # the third event, whether written alone or with others
            raise OperationalError("INSERT", {}, Exception("disk I/O error"))
        return create_many(actor, rows)

    monkeypatch.setattr(event_service, "create_many", failing_create)
    path = write(tmp_path, EVENTS)
    result = runner.invoke(args=["import", str(path), "--kind", "events", "--create-missing"])
    assert result.exit_code != 0
    assert "nothing was imported" in result.output and "Traceback" not in result.output
    db.session.remove()
    assert count(RepatriationEvent) == 0 and count(Source) == 0 and count(ImportBatch) == 0


def test_persons_link_to_an_event_by_its_number_and_unknown_numbers_are_rejected(app, tmp_path):
    run(None, write(tmp_path, EVENTS), "events", create_missing=True)
    event_id = db.session.execute(select(func.min(RepatriationEvent.id))).scalar_one()
    text = f"external_id,event_id,gender\nP1,{event_id},female\nP2,999999,male\nP3,x,male\n"
    report = run(None, write(tmp_path, text, "p.csv"), "persons")
    assert (report.created, report.rejected) == (1, 2)
    assert {p.column for p in report.problems} == {"event_id"}
    person = db.session.execute(select(Person)).scalar_one()
    assert person.event_id == event_id and person.case_code.startswith("RT-2023-")


def test_record_numbers_beyond_any_column_are_rejected_rows(app, tmp_path):
    text = "id,name\n99999999999999999999,Somewhere\n2²,Elsewhere\n12,Nowhere\n"
    report = run(None, write(tmp_path, text), "facilities")
    assert report.rejected == 3 and {p.column for p in report.problems} == {"id"}
