"""`tracker import`: the same import and report as the web pages, with a progress bar."""

import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
from sqlalchemy.exc import SQLAlchemyError

from tracker.exceptions import ServiceError
from tracker.imports import services
from tracker.unit_of_work import run_job


@dataclass
class ImportCommand:
    """What `tracker import` was asked to do."""

    path: Path
    kind: str
    map_path: Path | None
    sheet: str | None
    create_missing: bool
    allow_similar: bool
    dry_run: bool
    rejects_path: Path | None = None
    again: bool = False


def run_import_command(command: ImportCommand) -> None:
    """Import (or preview) one file, print the report, commit once; exit 1 if nothing came in.
    The rejected rows go to `rejects_path` when given (also when nothing came in)."""
    mapping = _load_mapping(command.map_path)
    path = command.path
    options = services.ImportOptions(
        create_missing=command.create_missing,
        allow_similar=command.allow_similar,
        sheet=command.sheet,
        allow_repeat=command.again,
    )

    def work() -> services.ImportReport:
        total = services.count_rows(path, command.sheet)
        with _Progress(total) as progress:
            return services.import_file(
                None,
                path,
                path.name,
                command.kind,
                mapping,
                options,
                progress.update,
                command.dry_run,
            )

    try:
        report = run_job(work, dry_run=command.dry_run)
    except services.AlreadyImported as error:
        raise click.ClickException(
            error.message.replace("tick 'import it again'", "give --again")
        ) from None
    except ServiceError as error:
        raise click.ClickException(error.message) from None
    except SQLAlchemyError as error:  # the values are hidden (hide_parameters): no names here
        raise click.ClickException(
            f"The database refused a write ({type(error).__name__}); nothing was imported."
        ) from None
    for line in report.lines():
        click.echo(line)
    if command.rejects_path is not None:
        with command.rejects_path.open("w", encoding="utf-8-sig", newline="") as out:
            written = report.write_rejects(out)
        click.echo(f"Wrote {written} rejected rows to {command.rejects_path}.")
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


class _Progress:
    """Progress on standard error: a bar on a terminal; elsewhere (a log, a pipe, a job
    runner) one line every LINE_EVERY seconds: rows done, rows per second, time left."""

    LINE_EVERY = 5.0

    def __init__(self, total: int, clock: Any = time.monotonic, stream: Any = None):
        self.total = total
        self.clock = clock
        self.stream = stream if stream is not None else sys.stderr
        self.started = clock()
        self.last_line = self.started
        self.terminal = bool(getattr(self.stream, "isatty", lambda: False)())
        self.bar: Any = None
        if self.terminal:
            self.bar = click.progressbar(
                length=max(total, 1),
                label="Importing",
                show_eta=True,
                show_percent=True,
                item_show_func=lambda rate: rate,
                file=self.stream,
            )
        self.done = 0

    def __enter__(self) -> "_Progress":
        if self.bar is not None:
            self.bar.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.__exit__(*exc)
        elif exc[0] is None:
            self._line(self.done)

    def update(self, rows: int) -> None:
        now = self.clock()
        if self.bar is not None:
            elapsed = max(now - self.started, 1e-6)
            rate = f"{rows:,}/{self.total:,} rows, {rows / elapsed:,.0f} rows/s"
            self.bar.update(rows - self.done, rate)
        elif now - self.last_line >= self.LINE_EVERY:
            self.last_line = now
            self._line(rows)
        self.done = rows

    def _line(self, rows: int) -> None:
        elapsed = max(self.clock() - self.started, 1e-6)
        speed = rows / elapsed
        left = (self.total - rows) / speed if speed and self.total > rows else 0
        percent = 100 * rows / self.total if self.total else 100
        click.echo(
            f"Importing: {rows:,}/{self.total:,} rows ({percent:.0f}%), {speed:,.0f} rows/s, "
            f"about {left:,.0f} s left",
            file=self.stream,
        )
