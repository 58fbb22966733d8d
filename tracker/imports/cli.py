"""`tracker import`: the same import and report as the web pages, with a progress bar."""

import json
import sys
import time
from pathlib import Path
from typing import Any

import click
from sqlalchemy.exc import SQLAlchemyError

from tracker.exceptions import ServiceError
from tracker.imports import services
from tracker.imports.reading import cell_text
from tracker.unit_of_work import run_job


def run_import_command(
    path: Path,
    kind: str,
    map_path: Path | None,
    sheet: str | None,
    create_missing: bool,
    allow_similar: bool,
    dry_run: bool,
) -> None:
    """Import (or preview) one file, print the report, commit once; exit 1 if nothing came in."""
    mapping = _load_mapping(map_path)
    options = services.ImportOptions(
        create_missing=create_missing, allow_similar=allow_similar, sheet=sheet
    )

    def work() -> services.ImportReport:
        total = _count_rows(path, sheet)
        with _Progress(total) as progress:
            return services.import_file(
                None, path, path.name, kind, mapping, options, progress.update, dry_run
            )

    try:
        report = run_job(work, dry_run=dry_run)
    except ServiceError as error:
        raise click.ClickException(error.message) from None
    except SQLAlchemyError as error:  # the values are hidden (hide_parameters): no names here
        raise click.ClickException(
            f"The database refused a write ({type(error).__name__}); nothing was imported."
        ) from None
    for line in report.lines():
        click.echo(line)
    if report.accepted == 0:
        raise click.ClickException("Nothing could be imported.")


def _load_mapping(map_path: Path | None) -> dict[str, Any] | None:
    if map_path is None:
        return None
    try:
        mapping = json.loads(map_path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise click.ClickException(f"The mapping file cannot be read as JSON: {error}") from None
    if not isinstance(mapping, dict):
        raise click.ClickException('A mapping is a JSON object: {"field": "column header"}.')
    return mapping


def _count_rows(path: Path, sheet: str | None) -> int:
    """The number of non-blank rows, for the progress bar's ETA (one streaming pass)."""
    table = services.read_file(path, sheet)
    try:
        return sum(1 for _, cells in table.rows if any(cell_text(cell) for cell in cells))
    finally:
        table.close()


class _Progress:
    """A progress bar on standard error: rows done, rows per second, time left."""

    def __init__(self, total: int):
        self.total = total
        self.started = time.monotonic()
        self.bar: Any = click.progressbar(
            length=max(total, 1),
            label="Importing",
            show_eta=True,
            show_percent=True,
            item_show_func=lambda rate: rate,
            file=sys.stderr,
        )
        self.done = 0

    def __enter__(self) -> "_Progress":
        self.bar.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.bar.__exit__(*exc)

    def update(self, rows: int) -> None:
        elapsed = max(time.monotonic() - self.started, 1e-6)
        rate = f"{rows:,}/{self.total:,} rows, {rows / elapsed:,.0f} rows/s"
        self.bar.update(rows - self.done, rate)
        self.done = rows
