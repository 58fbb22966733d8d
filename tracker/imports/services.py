"""Importing a file: one audited batch, every row through its kind's own service, all or
nothing (the edge commits once, or rolls back), updates instead of duplicates."""

import csv
import gc
import hashlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select, text
from sqlalchemy.exc import OperationalError

from tracker.audit import services as audit
from tracker.audit.models import AuditEntry
from tracker.db import utcnow
from tracker.exceptions import NotFound, ValidationFailed
from tracker.exports.services import FORMULA_START
from tracker.extensions import db
from tracker.i18n import kind_label
from tracker.imports.columns import several_valued
from tracker.imports.kinds import RowContext, RowRejected, importer_for, services_by_table
from tracker.imports.lookalikes import lookalike_name
from tracker.imports.mapping import compile_mapping, propose_mapping
from tracker.imports.models import ImportBatch, SavedMapping
from tracker.imports.reading import Table, cell_text, open_table
from tracker.records.bulk import cached_lookups, forget_lookups
from tracker.records.service import check_can_edit

MAX_SIMILAR = 1000  # a report lists this many look-alike rows; the count covers all of them
MAX_PRINTED = 1000  # the CLI prints this many problems; --rejects writes every rejected row
PROGRESS_EVERY = 200
# Rows read, looked up and written together: existing records and similar names are looked
# up for the whole chunk in one query each, and its new records go out in one INSERT per table.
CHUNK_ROWS = 500
DEFAULT_MAX_IMPORT_BYTES = 100 * 1024 * 1024
# PostgreSQL's statistics of the tables an import looks rows up in are refreshed when it has
# written this many rows, then twice as many, and so on.
FIRST_STATISTICS_REFRESH = 5_000


@dataclass(frozen=True)
class Problem:
    """Why one row was not imported: row number, column, the value there, and the reason."""

    row: int
    column: str
    value: str
    message: str


@dataclass
class ImportOptions:
    """What the user chose beside the mapping."""

    create_missing: bool = False
    allow_similar: bool = False
    sheet: str | None = None
    allow_repeat: bool = False  # import a file whose SHA-256 an earlier batch has


class AlreadyImported(ValidationFailed):
    """The same file (by SHA-256) was imported before and not reverted; nothing was written."""

    def __init__(self, batch: ImportBatch):
        self.batch_id = batch.id
        message = _(
            "This file was already imported on %(when)s UTC (import #%(id)s); nothing was "
            "written. Importing it again would add its rows without ids a second time: revert "
            "that import first, or tick 'import it again'.",
            when=batch.created_at.strftime("%Y-%m-%d %H:%M"),
            id=batch.id,
        )
        super().__init__(message, {"file": message})


def earlier_import(sha256: str, kind: str, sheet: str | None = None) -> ImportBatch | None:
    """The latest import of the same file (and sheet of a workbook) as the same kind that
    brought rows in and was not reverted."""
    same_sheet = ImportBatch.sheet.is_(None) if sheet is None else ImportBatch.sheet == sheet
    batches = db.session.execute(
        select(ImportBatch)
        .where(
            ImportBatch.sha256 == sha256,
            ImportBatch.kind == kind,
            same_sheet,
            ImportBatch.reverted_at.is_(None),
        )
        .order_by(ImportBatch.id.desc())
    ).scalars()
    for batch in batches:
        counts = batch.counts or {}
        if any(counts.get(key) for key in ("created", "updated", "unchanged")):
            return batch
    return None


@dataclass
class ImportReport:
    """What an import did (or, in a preview, would do), row by row."""

    kind: str
    filename: str
    sha256: str
    dry_run: bool
    headers: list[str] = field(default_factory=list)
    mapping: dict[str, Any] = field(default_factory=dict)
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    flagged: int = 0
    references_created: dict[str, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    # Rows that look like an existing person: (row number, case code of that person).
    similar: list[tuple[int, str]] = field(default_factory=list)
    batch_id: int | None = None
    # Every rejected row as the file has it: (row number, its cells as text).
    rejected_rows: list[tuple[int, list[str]]] = field(default_factory=list)
    # An earlier import of the same file (same SHA-256, not reverted), if any.
    earlier_batch_id: int | None = None
    # Every accepted row: (row number, "created" | "updated" | "unchanged").
    outcomes: list[tuple[int, str]] = field(default_factory=list)
    # What each updated row changes: row number → the changes as the audit keeps them (see
    # RowContext.changes). A report saved before 7 December 2026 has [field, before, after].
    changes: dict[int, list[Any]] = field(default_factory=dict)
    # A workbook that misstates its size: (sheet, rows it declares, rows it holds).
    misstated: tuple[str, int, int] | None = None

    @property
    def accepted(self) -> int:
        return self.created + self.updated + self.unchanged

    def counts(self) -> dict[str, Any]:
        """The figures an audit entry and the batch keep."""
        return {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "flagged": self.flagged,
            "references_created": dict(self.references_created),
        }

    def add_problems(self, number: int, problems: list[tuple[str, str, str]]) -> None:
        for column, value, message in problems:
            self.problems.append(Problem(number, column, value[:200], message))

    def reject(self, number: int, cells: list[Any], problems: list[tuple[str, str, str]]) -> None:
        """Keep a rejected row, its cells and every problem it has."""
        self.rejected += 1
        # Once each: a cell two fields read (one sources column documents a person and the
        # status claim) is refused by both with the same words.
        self.add_problems(number, list(dict.fromkeys(problems)))
        self.rejected_rows.append((number, [cell_text(cell) for cell in cells]))

    def problems_by_row(self) -> dict[int, list[Problem]]:
        """Each rejected row's problems, in file order."""
        found: dict[int, list[Problem]] = {}
        for problem in self.problems:
            found.setdefault(problem.row, []).append(problem)
        return found

    def write_rejects(self, out: IO[str]) -> int:
        """The rejected rows as CSV: the file's own columns, then `row` and `problems` (the
        file to correct and import again); returns the number of rows written."""
        writer = csv.writer(out)
        writer.writerow([*self.headers, "row", "problems"])
        by_row = self.problems_by_row()
        for number, cells in self.rejected_rows:
            reasons = " | ".join(
                f"{p.column}: {p.message}" if p.column else p.message
                for p in by_row.get(number, [])
            )
            writer.writerow([*(_as_text(cell) for cell in cells), number, reasons])
        return len(self.rejected_rows)

    def lines(self) -> list[str]:
        """The report as text in the interface's language: the CLI prints it (in English), and
        it says what the web preview and the import's page show."""
        kind = kind_label(self.kind).lower()
        counts = {
            "kind": kind,
            "file": self.filename,
            "sha256": self.sha256[:16],
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
        }
        if self.dry_run:
            summary = _(
                "Would import %(kind)s from %(file)s (SHA-256 %(sha256)s…): %(rows)s rows: "
                "%(created)s created, %(updated)s updated, %(unchanged)s unchanged, "
                "%(rejected)s rejected",
                **counts,
            )
        else:
            summary = _(
                "Imported %(kind)s from %(file)s (SHA-256 %(sha256)s…): %(rows)s rows: "
                "%(created)s created, %(updated)s updated, %(unchanged)s unchanged, "
                "%(rejected)s rejected",
                **counts,
            )
        if self.flagged and self.kind == "events":
            summary += " " + _("(%(count)s look like existing events)", count=self.flagged)
        elif self.flagged:
            summary += " " + _("(%(count)s look like existing persons)", count=self.flagged)
        out = [summary + "."]
        if self.misstated:
            sheet, declared, held = self.misstated
            out.append(
                _(
                    "The sheet “%(sheet)s” says it has %(declared)s rows but holds %(held)s; "
                    "every row it holds was read.",
                    sheet=sheet,
                    declared=declared,
                    held=held,
                )
            )
        for name, number in sorted(self.references_created.items()):
            label = kind_label(name).lower()
            if self.dry_run:
                out.append(_("Would also create %(count)s %(kind)s.", count=number, kind=label))
            else:
                out.append(_("Also created %(count)s %(kind)s.", count=number, kind=label))
        if self.earlier_batch_id is not None:
            out.append(
                _(
                    "This file was imported before, as batch #%(id)s (%(link)s).",
                    id=self.earlier_batch_id,
                    link="/imports/" + str(self.earlier_batch_id),
                )
            )
        for problem in self.problems[:MAX_PRINTED]:
            out.append(
                _(
                    "Row %(row)s, column %(column)s, value %(value)s: %(message)s",
                    row=problem.row,
                    column=repr(problem.column),
                    value=repr(problem.value),
                    message=problem.message,
                )
            )
        if len(self.problems) > MAX_PRINTED:
            out.append(
                _(
                    "… and %(count)s more problems (--rejects PATH writes every rejected row).",
                    count=len(self.problems) - MAX_PRINTED,
                )
            )
        rejected_rows = {problem.row for problem in self.problems}
        for number, label in self.similar:
            if number in rejected_rows:
                continue
            like = lookalike_name(label)
            if self.kind == "events":
                out.append(
                    _(
                        "Row %(row)s looks like %(like)s; added as a new event.",
                        row=number,
                        like=like,
                    )
                )
            else:
                out.append(
                    _(
                        "Row %(row)s looks like %(like)s; added as a new case.",
                        row=number,
                        like=like,
                    )
                )
        if self.batch_id is not None and not self.dry_run:
            out.append(_("Batch #%(id)s.", id=self.batch_id))
            if self.flagged and self.created and self.kind == "persons":
                out.append(
                    _(
                        "Review the persons that look like existing ones at %(link)s",
                        link="/persons/duplicates?batch=" + str(self.batch_id),
                    )
                )
        return out


def _as_text(cell: str) -> str:
    """A cell written back to a CSV file, never read as a formula by a spreadsheet."""
    return "'" + cell if cell.startswith(FORMULA_START) else cell


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


def count_rows(path: Path, sheet: str | None) -> int:
    """The number of non-blank rows, for a progress bar's total (one streaming pass)."""
    table = read_file(path, sheet)
    try:
        return sum(1 for _, cells in table.rows if any(cell_text(cell) for cell in cells))
    finally:
        table.close()


def read_file(path: Path, sheet: str | None = None) -> Table:
    """Open an uploaded or named file as a table, within the configured size limit."""
    limit = current_app.config.get("IMPORT_MAX_BYTES", DEFAULT_MAX_IMPORT_BYTES)
    return open_table(path, sheet, max_bytes=limit)


def import_file(
    actor: Any,
    path: Path,
    filename: str,
    kind: str,
    mapping: dict[str, Any] | None,
    options: ImportOptions,
    progress: Callable[[int], None] | None = None,
    dry_run: bool = False,
) -> ImportReport:
    """Import every acceptable row of a file as one audited batch; the edge commits it, or
    rolls it back for a preview (`dry_run`: the report then says what would be done)."""
    check_can_edit(actor)
    table = read_file(path, options.sheet)
    try:
        sha256 = file_sha256(path)
        earlier = earlier_import(sha256, kind, _sheet_read(table))
        if earlier is not None and not dry_run and not options.allow_repeat:
            raise AlreadyImported(earlier)
        report = _import_table(actor, table, sha256, filename, kind, mapping, options, progress)
        report.earlier_batch_id = earlier.id if earlier is not None else None
    finally:
        table.close()
    if dry_run:
        report.dry_run, report.batch_id = True, None
    return report


def _sheet_read(table: Table) -> str | None:
    """The workbook's sheet a table was read from (None for a CSV file)."""
    return table.sheet[:100] if table.sheet else None


def repeated_import(path: Path, kind: str, sheet: str | None) -> ImportBatch | None:
    """The earlier import of this file's sheet (the first, unless one is named), if any."""
    table = read_file(path, sheet)
    try:
        return earlier_import(file_sha256(path), kind, _sheet_read(table))
    finally:
        table.close()


def _import_table(
    actor: Any,
    table: Table,
    sha256: str,
    filename: str,
    kind: str,
    mapping: dict[str, Any] | None,
    options: ImportOptions,
    progress: Callable[[int], None] | None,
) -> ImportReport:
    chosen = mapping if mapping is not None else propose_mapping(kind, table.headers)
    compiled = compile_mapping(kind, chosen, table.headers)
    report = ImportReport(
        kind=kind,
        filename=filename[:255],
        sha256=sha256,
        dry_run=False,
        headers=table.headers,
        mapping=chosen,
    )
    batch = ImportBatch(
        kind=kind,
        filename=report.filename,
        sha256=report.sha256,
        sheet=_sheet_read(table),
        actor_id=getattr(actor, "id", None),
        counts={},
    )
    db.session.add(batch)
    db.session.flush()  # also begins the transaction before the first savepoint (SQLite)
    report.batch_id = batch.id
    default_key = compiled.source_key or Path(filename).stem[:100] or "import"
    importer = importer_for(kind, actor, compiled, options, default_key)
    several = several_valued(kind)
    db.session.info[audit.IMPORT_BATCH_KEY] = batch.id
    refresh_at = FIRST_STATISTICS_REFRESH
    try:
        with cached_lookups(), fewer_collections():
            for chunk in _chunks(table.rows, CHUNK_ROWS):
                if report.rows >= refresh_at:
                    refresh_statistics(importer.looked_up)
                    refresh_at *= 2
                rows = [
                    RowContext(n, compiled.read(cells), compiled, several, cells)
                    for n, cells in chunk
                ]
                importer.prefetch(rows)
                for row in rows:
                    row.before_write = importer.write_pending
                    report.rows += 1
                    _import_row(importer, report, row)
                    if progress is not None and report.rows % PROGRESS_EVERY == 0:
                        progress(report.rows)
                importer.write_pending()
            db.session.flush()  # the last chunk's audit entries, while ids are handed out
        report.misstated = table.misstated()
        report.flagged = len(importer.similar)
        report.similar = importer.similar[:MAX_SIMILAR]
        report.references_created = {k: n for k, n in importer.references.created.items() if n}
        batch.counts = report.counts()
        audit.record(
            actor,
            "import",
            batch,
            {"file": filename[:255], "sha256": report.sha256, "kind": kind, **report.counts()},
        )
    finally:
        db.session.info.pop(audit.IMPORT_BATCH_KEY, None)
    if progress is not None:
        progress(report.rows)
    return report


# While an import runs, Python's cyclic garbage collector runs once per this many new objects
# (700 by default): a chunk's rows hold tens of thousands of young objects that live until it
# is written, and scanning them over and over took a third of an import's time.
IMPORT_GC_THRESHOLD = 10_000


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Collect cyclic garbage less often until the block ends (see IMPORT_GC_THRESHOLD)."""
    before = gc.get_threshold()
    gc.set_threshold(IMPORT_GC_THRESHOLD, *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)


def refresh_statistics(tables: tuple[Any, ...]) -> bool:
    """ANALYZE tables an import is filling, on PostgreSQL, so that each chunk's look-ups are
    planned for the table as it now is: left with the statistics of an empty table, the
    planner scans every row written so far for each chunk. ANALYZE keeps a lock until the
    import commits; another import already holding it is not waited for (the look-ups stay
    correct, only slower). Whether the statistics were refreshed."""
    if not tables or db.session.get_bind().dialect.name != "postgresql":
        return False
    names = ", ".join(table.name for table in tables)
    savepoint = db.session.begin_nested()
    try:
        db.session.execute(text("SET LOCAL lock_timeout = '100ms'"))
        db.session.execute(text(f"ANALYZE {names}"))  # our own table names
        db.session.execute(text("SET LOCAL lock_timeout = DEFAULT"))
    except OperationalError:
        savepoint.rollback()  # also undoes the SET LOCAL
        return False
    savepoint.commit()
    return True


def _chunks(rows: Iterable[tuple[int, list[Any]]], size: int) -> Iterator[list[Any]]:
    """The file's non-empty rows, `size` at a time (memory stays flat however long it is)."""
    chunk: list[Any] = []
    for number, cells in rows:
        if any(cell_text(cell) for cell in cells):
            chunk.append((number, cells))
            if len(chunk) == size:
                yield chunk
                chunk = []
    if chunk:
        yield chunk


def _import_row(importer: Any, report: ImportReport, row: RowContext) -> None:
    """One row, or none of it: the services validate before they write, and a row that writes
    more than one record (a new reference, a person's statuses) does so in a savepoint."""
    try:
        outcome = importer.import_row(row)
    except (RowRejected, ValidationFailed) as error:
        if row.savepoint is not None:
            row.savepoint.rollback()
            forget_lookups()
        importer.references.forget_row()
        importer.forget_row(row)
        if isinstance(error, RowRejected):
            report.reject(row.number, row.cells, row.problems)
        else:
            report.reject(row.number, row.cells, importer.explain(row, error))
        return
    if row.savepoint is not None:
        row.savepoint.commit()
    importer.references.keep_row()
    setattr(report, outcome, getattr(report, outcome) + 1)
    report.outcomes.append((row.number, outcome))
    if outcome == "updated" and row.changes:
        report.changes[row.number] = row.changes


# --- batches: list, revert ------------------------------------------------------------


def recent_batches(limit: int = 50) -> list[ImportBatch]:
    """The latest imports, newest first."""
    return list(
        db.session.execute(
            select(ImportBatch).order_by(ImportBatch.id.desc()).limit(limit)
        ).scalars()
    )


def get_batch(batch_id: int) -> ImportBatch:
    """An import batch, or NotFound."""
    batch = db.session.get(ImportBatch, batch_id)
    if batch is None:
        raise NotFound(_("There is no such import."))
    return batch


def revert_batch(actor: Any, batch: ImportBatch) -> int:
    """Undo a whole import: records it created go to the Trash, records it changed go back
    to their state before it, statuses it added are withdrawn. Returns the records touched."""
    from tracker.persons.services import persons

    check_can_edit(actor)
    services = services_by_table()
    if batch.reverted_at is not None:
        raise ValidationFailed(_("This import was already reverted."))
    entries = list(
        db.session.execute(
            select(AuditEntry)
            .where(AuditEntry.import_batch_id == batch.id)
            .order_by(AuditEntry.id.desc())
        ).scalars()
    )
    first: dict[tuple[str, int], AuditEntry] = {}
    for entry in entries:  # newest first, so the last seen is the batch's first on the record
        if entry.entity_type in services and entry.entity_id is not None:
            first[(entry.entity_type, entry.entity_id)] = entry
    for entry in entries:
        if entry.action == "status.add" and entry.entity_id is not None:
            status_id = ((entry.changes or {}).get("status_record") or {}).get("new", {}).get("id")
            if status_id:
                persons.withdraw_status(actor, persons.get(entry.entity_id, True), status_id)
    for (table, record_id), entry in sorted(first.items(), key=lambda item: -item[1].id):
        service = services[table]
        record = service.get(record_id, include_deleted=True)
        if entry.action == "create":
            service.delete(actor, record)
            continue
        before = _version_before(service, record, entry.id)
        if before is not None:
            service.revert(actor, record, before, None)
    batch.reverted_at = utcnow()
    batch.reverted_by_id = getattr(actor, "id", None)
    db.session.flush()
    audit.record(actor, "import.revert", batch, {"records": len(first)})
    return len(first)


def _version_before(service: Any, record: Any, entry_id: int) -> int | None:
    """The audit entry of the record's state just before entry `entry_id`."""
    for version in service.history(record):
        if version.entry.id < entry_id:
            return int(version.entry.id)
    return None


# --- saved mappings ---------------------------------------------------------------------


def save_mapping(actor: Any, kind: str, name: str, mapping: dict[str, Any]) -> SavedMapping:
    """Keep a mapping by name for this kind of record (replacing one of the same name)."""
    check_can_edit(actor)
    name = " ".join((name or "").split())[:100]
    if not name:
        raise ValidationFailed(
            _("Give the mapping a name."), {"mapping_name": _("Give it a name.")}
        )
    saved = db.session.execute(
        select(SavedMapping).where(SavedMapping.kind == kind, SavedMapping.name == name)
    ).scalar_one_or_none()
    if saved is None:
        saved = SavedMapping(kind=kind, name=name, created_by_id=getattr(actor, "id", None))
        db.session.add(saved)
    saved.mapping = {k: v for k, v in mapping.items() if v not in (None, "")}
    db.session.flush()
    audit.record(actor, "import.mapping", saved, {"name": name, "kind": kind})
    return saved


def saved_mappings(kind: str | None = None) -> list[SavedMapping]:
    """Saved mappings, by kind then name."""
    query = select(SavedMapping).order_by(SavedMapping.kind, SavedMapping.name)
    if kind:
        query = query.where(SavedMapping.kind == kind)
    return list(db.session.execute(query).scalars())
