"""What a preview or an import found, row by row, kept beside the upload (a preview) or the
batch (an import) in the instance folder (mode 0600), so that its pages list every row, not
the first thousand, and its rejected rows can be downloaded to correct and import again."""

import io
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import current_app

from tracker.imports.services import ImportReport, Problem

PER_PAGE = 50
SHOWS = ("created", "updated", "unchanged", "rejected")


@dataclass
class Results:
    """The rows of a preview or an import, by what happened to them."""

    headers: list[str]
    outcomes: list[tuple[int, str]]
    changes: dict[int, list[Any]]  # see ImportReport.changes
    problems: list[Problem]
    rejected_rows: list[tuple[int, list[str]]]
    report: ImportReport = field(init=False)
    options: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, report: ImportReport) -> "Results":
        """The results of a report."""
        found = cls(
            report.headers,
            report.outcomes,
            report.changes,
            report.problems,
            report.rejected_rows,
        )
        found.report = report
        return found

    def rows(self, show: str) -> list[int]:
        """The numbers of the rows that were (or would be) created, updated, unchanged or
        rejected."""
        if show == "rejected":
            return [number for number, _cells in self.rejected_rows]
        return [number for number, outcome in self.outcomes if outcome == show]

    def page(self, show: str, page: int) -> tuple[list[int], int]:
        """One page of those rows, and the number of pages."""
        numbers = self.rows(show)
        pages = max(1, -(-len(numbers) // PER_PAGE))
        page = min(max(page, 1), pages)
        return numbers[(page - 1) * PER_PAGE : page * PER_PAGE], pages

    def problems_of(self, numbers: list[int]) -> dict[int, list[Problem]]:
        wanted = set(numbers)
        found: dict[int, list[Problem]] = {}
        for problem in self.problems:
            if problem.row in wanted:
                found.setdefault(problem.row, []).append(problem)
        return found

    def rejects_csv(self) -> bytes:
        """The rejected rows as a CSV file (UTF-8 with a BOM, so Excel keeps Hangul)."""
        out = io.StringIO()
        self.report.write_rejects(out)
        return out.getvalue().encode("utf-8-sig")


def _dump(report: ImportReport, options: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "kind": report.kind,
        "filename": report.filename,
        "sha256": report.sha256,
        "dry_run": report.dry_run,
        "headers": report.headers,
        "mapping": report.mapping,
        "counts": report.counts(),
        "similar": report.similar,
        "outcomes": report.outcomes,
        "changes": {str(k): v for k, v in report.changes.items()},
        "problems": [[p.row, p.column, p.value, p.message] for p in report.problems],
        "rejected_rows": report.rejected_rows,
        "batch_id": report.batch_id,
        "earlier_batch_id": report.earlier_batch_id,
        "misstated": report.misstated,
        "options": options or {},
    }


def _load(data: dict[str, Any]) -> Results:
    counts = data["counts"]
    report = ImportReport(
        kind=data["kind"],
        filename=data["filename"],
        sha256=data["sha256"],
        dry_run=data["dry_run"],
        headers=data["headers"],
        mapping=data["mapping"],
        rows=counts["rows"],
        created=counts["created"],
        updated=counts["updated"],
        unchanged=counts["unchanged"],
        rejected=counts["rejected"],
        flagged=counts["flagged"],
        references_created=counts["references_created"],
        problems=[Problem(*item) for item in data["problems"]],
        similar=[tuple(item) for item in data["similar"]],  # type: ignore[misc]
        batch_id=data["batch_id"],
        rejected_rows=[(n, cells) for n, cells in data["rejected_rows"]],
        earlier_batch_id=data["earlier_batch_id"],
        misstated=tuple(data["misstated"]) if data.get("misstated") else None,  # type: ignore[arg-type]
        outcomes=[(n, outcome) for n, outcome in data["outcomes"]],
        changes={int(k): v for k, v in data["changes"].items()},
    )
    found = Results.of(report)
    found.options = data.get("options") or {}
    return found


def _write(path: Path, report: ImportReport, options: dict[str, Any] | None = None) -> None:
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump(_dump(report, options), out, ensure_ascii=False)
    temporary.replace(path)


def _read(path: Path) -> Results | None:
    try:
        return _load(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def save_preview(upload_path: Path, report: ImportReport, options: dict[str, Any]) -> None:
    """Keep a preview's rows (and the options it ran with) beside its upload."""
    _write(preview_path(upload_path), report, options)


def load_preview(upload_path: Path) -> Results | None:
    """The rows of the upload's last preview, if any."""
    return _read(preview_path(upload_path))


def discard_preview(upload_path: Path) -> None:
    """Forget the upload's last preview (a new one is on its way)."""
    preview_path(upload_path).unlink(missing_ok=True)


def preview_path(upload_path: Path) -> Path:
    return upload_path.with_suffix(".preview.json")


def cells_of(path: Path, sheet: str | None, numbers: list[int]) -> dict[int, list[str]]:
    """The cells of some rows of a file, as text (read up to the last of them)."""
    from tracker.imports.reading import cell_text
    from tracker.imports.services import read_file

    wanted, found = set(numbers), {}
    if not wanted:
        return {}
    last = max(wanted)
    table = read_file(path, sheet)
    try:
        for number, cells in table.rows:
            if number in wanted:
                found[number] = [cell_text(cell) for cell in cells]
            if number >= last:
                break
    finally:
        table.close()
    return found


def _batch_path(batch_id: int) -> Path:
    base = current_app.config.get("UPLOAD_FOLDER") or Path(current_app.instance_path) / "uploads"
    return Path(base) / "imports" / "batches" / f"{int(batch_id)}.json"


def save_batch(report: ImportReport) -> None:
    """Keep an import's rows beside its batch, for its page and its rejects download."""
    if report.batch_id is not None:
        _write(_batch_path(report.batch_id), report)


def load_batch(batch_id: int) -> Results | None:
    """The rows of an import, if they were kept."""
    return _read(_batch_path(batch_id))
