"""Large imports go in chunks: the records, name keys and audit entries are those the service
writes for one record at a time, rejected rows in a later chunk are left out alone, a key
repeated across chunks is refused, and an error anywhere leaves nothing written."""

import csv
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import OperationalError

from tracker.audit.models import AuditEntry
from tracker.extensions import db
from tracker.imports import services
from tracker.imports.models import ImportBatch
from tracker.persons.models import Detention, Person, PersonNameKey, StatusRecord
from tracker.persons.services import persons, status_values
from tracker.places.services import facilities
from tracker.search.names import iter_keys, person_readings
from tracker.sources.services import sources

ROWS = 3_000  # six chunks of CHUNK_ROWS
FAMILIES = ["Kim", "Ri", "Pak", "Choe", "Jong", "Han"]
SYLLABLES = ["chol", "ok", "sun", "hui", "yong", "nam", "gil", "hwa", "bok", "myong", "su", "il"]


def person_row(number: int) -> dict[str, str]:
    given = SYLLABLES[number % 12].capitalize() + "-" + SYLLABLES[(number // 12) % 12]
    return {
        "external_id": f"P{number}",
        "family_name": FAMILIES[number % 6],
        "given_name": given,
        "gender": ["female", "male", "unknown"][number % 3],
        "birth_year": str(1940 + number % 60),
        "origin_region": ["North Hamgyong", "Ryanggang", ""][number % 3],
        "facilities": "Shenyang Prison" if number % 4 == 0 else "",
    }


def write_people(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def count(model, *where) -> int:  # type: ignore[no-untyped-def]
    return db.session.execute(select(func.count()).select_from(model).where(*where)).scalar_one()


def import_people(tmp_path: Path, rows: list[dict[str, str]], **options) -> services.ImportReport:  # type: ignore[no-untyped-def]
    path = write_people(tmp_path / "people.csv", rows)
    return services.import_file(
        None, path, path.name, "persons", None, services.ImportOptions(**options)
    )


def comparable(values: dict) -> dict:  # type: ignore[type-arg]
    """A person's audited values without what differs between any two records (id, code)."""
    skip = {"id", "case_code", "external_source", "external_id"}
    return {key: value for key, value in values.items() if key not in skip}


def test_a_large_import_writes_what_the_service_writes_one_record_at_a_time(app, tmp_path):
    prison = facilities.create(None, {"name": "Shenyang Prison", "kind": "prison"})
    db.session.commit()
    rows = [person_row(n) for n in range(ROWS)]
    report = import_people(tmp_path, rows, allow_similar=True)
    db.session.commit()
    assert (report.created, report.rejected, report.rows) == (ROWS, 0, ROWS)
    batch = db.session.get(ImportBatch, report.batch_id)

    imported = list(db.session.execute(select(Person).order_by(Person.id)).scalars())
    # File order is case-code order: one year's codes handed out row after row.
    assert [p.external_id for p in imported] == [row["external_id"] for row in rows]
    codes = [p.case_code for p in imported]
    assert codes == sorted(codes) and len(set(codes)) == ROWS
    assert all(p.version == 1 and p.created_at and p.updated_at for p in imported)
    assert count(Detention) == len([r for r in rows if r["facilities"]])

    # Every name key the search would store, and no other.
    stored = {}
    for person_id, key in db.session.execute(
        select(PersonNameKey.person_id, PersonNameKey.name_key)
    ):
        stored.setdefault(person_id, set()).add(key)
    for person, row in zip(imported, rows, strict=True):
        readings = person_readings(row["family_name"], row["given_name"])
        assert stored[person.id] == set(iter_keys(readings))

    # One create entry per record, of this batch, holding the record's values.
    entries = {
        e.entity_id: e
        for e in db.session.execute(
            select(AuditEntry).where(AuditEntry.import_batch_id == batch.id)
        ).scalars()
        if e.action == "create"
    }
    assert set(entries) == {p.id for p in imported}
    for person in imported:
        assert entries[person.id].changes == {"new": persons.snapshot(person)}

    # The same values through the service, one at a time, give the same record and entry.
    for number in (0, 1, 1_999, ROWS - 1):
        row = rows[number]
        values = {key: value for key, value in row.items() if key != "facilities"}
        values["external_id"] = f"again-{number}"
        values["detentions"] = [{"facility_id": prison.id}] if row["facilities"] else []
        alone = persons.create(None, values)
        alone_entry = db.session.execute(
            select(AuditEntry).where(
                AuditEntry.entity_id == alone.id, AuditEntry.entity_type == "persons"
            )
        ).scalar_one()
        mine = entries[imported[number].id].changes["new"]
        assert comparable(alone_entry.changes["new"]) == comparable(mine)
        assert {k.name_key for k in alone.name_keys} == stored[imported[number].id]
    db.session.rollback()

    # And the batch reverts as a whole.
    assert services.revert_batch(None, batch) == ROWS
    db.session.commit()
    assert count(Person, Person.deleted_at.is_(None)) == 0


def test_rows_rejected_in_a_later_chunk_and_a_key_repeated_across_chunks(app, tmp_path):
    facilities.create(None, {"name": "Shenyang Prison", "kind": "prison"})
    db.session.commit()
    rows = [person_row(n) for n in range(1_200)]
    rows[1_050]["birth_year"] = "1850"  # the service refuses it
    rows[1_100]["facilities"] = "Nowhere Prison"  # no such facility
    rows[1_150]["external_id"] = rows[10]["external_id"]  # the same key as a row two chunks up
    report = import_people(tmp_path, rows, allow_similar=True)
    db.session.commit()
    assert (report.created, report.rejected) == (1_197, 3)
    problems = {p.row: p for p in report.problems}  # file lines: the header is line 1
    assert set(problems) == {1_052, 1_102, 1_152}
    assert problems[1_052].column == "birth_year"
    assert problems[1_102].column == "facilities"
    assert problems[1_152].message == "Row 12 above has the same key."
    written = set(db.session.execute(select(Person.external_id)).scalars())
    assert written == {row["external_id"] for n, row in enumerate(rows) if n not in (1_050, 1_100)}
    assert count(Person) == 1_197


def status_entries(batch_id: int) -> dict[int, list[AuditEntry]]:
    """The batch's status.add entries by person."""
    found: dict[int, list[AuditEntry]] = {}
    query = select(AuditEntry).where(
        AuditEntry.import_batch_id == batch_id, AuditEntry.action == "status.add"
    )
    for entry in db.session.execute(query.order_by(AuditEntry.id)).scalars():
        found.setdefault(entry.entity_id, []).append(entry)
    return found


def without_ids(changes: dict) -> dict:  # type: ignore[type-arg]
    claim = changes["status_record"]["new"]
    return changes | {"status_record": {"old": None, "new": {**claim, "id": None}}}


def test_statuses_imported_with_their_persons_are_what_add_status_writes(app, tmp_path):
    report_source = sources.create(None, {"title": "NGO report", "kind": "ngo_report"})
    relative = sources.create(None, {"title": "Relative abroad", "kind": "relative"})
    db.session.commit()
    rows = [
        {
            **person_row(n),
            "facilities": "",
            "status": ["detained", "vanished", "repatriated"][n % 3],
            "status_as_of": f"2023-{n % 12 + 1:02d}-{n % 28 + 1:02d}",
            "sources": "NGO report; Relative abroad" if n % 5 == 0 else "NGO report",
        }
        for n in range(1_200)
    ]
    report = import_people(tmp_path, rows, allow_similar=True)
    db.session.commit()
    assert (report.created, report.rejected) == (1_200, 0)
    imported = list(db.session.execute(select(Person).order_by(Person.id)).scalars())
    assert count(StatusRecord) == 1_200 + 240  # a claim per source
    added = status_entries(report.batch_id)  # type: ignore[arg-type]

    for number in (0, 1, 5, 1_199):
        row, person = rows[number], imported[number]
        assert person.status == row["status"]
        assert person.status_as_of.isoformat() == row["status_as_of"]
        claims = [status_values(s) | {"id": s.id} for s in person.statuses]
        assert len(claims) == (2 if number % 5 == 0 else 1)
        # Each claim's entry holds the claim as stored.
        assert sorted(e.changes["status_record"]["new"]["id"] for e in added[person.id]) == sorted(
            c["id"] for c in claims
        )
        for entry in added[person.id]:
            claim = entry.changes["status_record"]["new"]
            assert claim == next(c for c in claims if c["id"] == claim["id"])
        # The same person and claims through the service, one at a time: the same entries.
        values = {k: v for k, v in row.items() if k not in ("facilities", "status", "sources")}
        values.pop("status_as_of")
        alone = persons.create(None, values | {"external_id": f"again-{number}"})
        used = [report_source.id, relative.id] if number % 5 == 0 else [report_source.id]
        for source_id in used:
            claim = {"status": row["status"], "as_of": row["status_as_of"], "source_id": source_id}
            persons.add_status(None, alone, claim)
        db.session.flush()
        alone_added = db.session.execute(
            select(AuditEntry)
            .where(AuditEntry.entity_id == alone.id, AuditEntry.action == "status.add")
            .order_by(AuditEntry.id)
        ).scalars()
        assert [without_ids(e.changes) for e in alone_added] == [
            without_ids(e.changes) for e in added[person.id]
        ]
        assert (alone.status, alone.status_as_of) == (person.status, person.status_as_of)
    db.session.rollback()

    # Reverting the batch withdraws the claims with the persons.
    batch = db.session.get(ImportBatch, report.batch_id)
    services.revert_batch(None, batch)
    db.session.commit()
    assert count(Person, Person.deleted_at.is_(None)) == 0
    assert count(StatusRecord, StatusRecord.deleted_at.is_(None)) == 0


def test_an_error_in_a_later_chunk_leaves_nothing_written(app, tmp_path, monkeypatch):
    insert_many = persons.insert_many
    calls = {"n": 0}

    def failing(actor, cleaned_rows, *statuses):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 3:
            raise OperationalError("INSERT", {}, Exception("disk I/O error"))
        return insert_many(actor, cleaned_rows, *statuses)

    monkeypatch.setattr(persons, "insert_many", failing)
    rows = [{**person_row(n), "facilities": ""} for n in range(1_200)]
    with pytest.raises(OperationalError):
        import_people(tmp_path, rows, allow_similar=True)
    db.session.rollback()  # what the CLI and the view do on any error
    assert calls["n"] == 3
    assert count(Person) == 0 and count(ImportBatch) == 0 and count(AuditEntry) == 0


def test_cells_with_tabs_newlines_backslashes_and_null_markers_are_stored_as_written(app, tmp_path):
    # PostgreSQL loads a chunk by COPY, whose text format gives these characters meaning.
    awkward = ["a\tb", "line one\nline two", "C:\\path\\N", "\\N", "", "김\\.ok", "\\."]
    rows = [
        {"external_id": f"W{n}", "family_name": "Kim", "given_name": "Ok", "notes": note}
        for n, note in enumerate(awkward)
    ]
    report = import_people(tmp_path, rows, allow_similar=True)
    db.session.commit()
    assert report.created == len(awkward)
    stored = dict(db.session.execute(select(Person.external_id, Person.notes)).all())
    assert stored == {f"W{n}": note or None for n, note in enumerate(awkward)}
    changes = db.session.execute(
        select(AuditEntry.changes).where(AuditEntry.action == "create")
    ).scalars()
    assert sorted(c["new"]["notes"] or "" for c in changes) == sorted(awkward)


def test_an_import_refreshes_the_statistics_of_the_tables_it_fills(app, tmp_path, monkeypatch):
    # Left with an empty table's statistics, PostgreSQL plans each chunk's look-ups as scans
    # of every row written so far: the import refreshes them as the tables grow.
    refreshed: list[tuple[int, bool]] = []
    real = services.refresh_statistics

    def counted(tables):  # type: ignore[no-untyped-def]
        done = real(tables)
        refreshed.append((count(Person), done))
        return done

    monkeypatch.setattr(services, "refresh_statistics", counted)
    monkeypatch.setattr(services, "FIRST_STATISTICS_REFRESH", 1_000)
    rows = [person_row(n) | {"facilities": ""} for n in range(ROWS)]
    assert import_people(tmp_path, rows, allow_similar=True).created == ROWS
    assert [written for written, _ in refreshed] == [1_000, 2_000]  # then at 4,000: past the end
    postgres = db.engine.dialect.name == "postgresql"
    assert all(done == postgres for _, done in refreshed)
    if postgres:
        estimate = db.session.execute(
            text("SELECT reltuples FROM pg_class WHERE relname = 'persons'")
        ).scalar_one()
        assert estimate >= 2_000  # as written inside the import's own transaction


@pytest.mark.postgres_only
def test_a_refresh_never_waits_for_another_import_holding_the_statistics_lock(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only: SQLite's imports do not refresh statistics")
    from tracker.persons.models import Person as PersonModel

    with db.engine.connect() as other:  # another import, mid-way: its ANALYZE holds the lock
        other.execute(text("ANALYZE persons"))
        tables = (PersonModel.__table__,)
        assert services.refresh_statistics(tables) is False
        # The import's transaction goes on as if nothing happened (the savepoint took the error).
        facilities.create(None, {"name": "Tumen Detention Centre", "kind": "prison"})
        db.session.flush()
        other.rollback()
    assert services.refresh_statistics(tables) is True
    db.session.rollback()
