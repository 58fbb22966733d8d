"""The `tracker` command: Flask's CLI for the app, plus the project's own commands."""

import sys
from pathlib import Path
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext

from tracker.exceptions import ServiceError
from tracker.extensions import db

# Literal here so that `tracker --help` does not import the app's models.
EXPORT_KINDS = ["persons", "events", "facilities", "crossings", "sources", "statuses", "summary"]
FORMATS = ["csv", "xlsx", "json"]


def _create_app() -> Flask:
    from tracker import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app)
def main() -> None:
    """Repatriation Tracker."""


def _commit_or_fail(action):  # type: ignore[no-untyped-def]
    """Run a command's work as one unit of work (tracker.unit_of_work); exit 1 with the
    service's message when a rule refused it."""
    from tracker.unit_of_work import run_command

    try:
        return run_command(action)
    except ServiceError as error:
        details = "; ".join(f"{field}: {message}" for field, message in error.fields.items())
        raise click.ClickException(error.message + (f" ({details})" if details else "")) from None


users = click.Group("users", help="Manage accounts.")


@users.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice(["admin", "researcher", "analyst"]), required=True)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@with_appcontext
def users_create(email: str, role: str, password_stdin: bool) -> None:
    """Create an account."""
    from tracker.accounts import services

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    user = _commit_or_fail(lambda: services.create_user(None, email, password, role))
    click.echo(f"Created {user.role} account {user.email}.")


@users.command("token")
@click.argument("email")
@click.option("--name", required=True, help="What the token is for.")
@with_appcontext
def users_token(email: str, name: str) -> None:
    """Create an API token for an account and print it once."""
    from tracker.accounts import services

    user = services.find_user(email)
    if user is None:
        raise click.ClickException("No account with that email.")
    _, plain = _commit_or_fail(lambda: services.create_api_token(None, user, name))
    click.echo(plain)
    click.echo("Store it now: it is not shown again.", err=True)


sample = click.Group("sample", help="The publicly reported October 2023 events.")


@sample.command("load")
@with_appcontext
def sample_load() -> None:
    """Load the publicly reported facts of October 2023 (idempotent)."""
    from tracker.sample.services import load_october_2023

    created = _commit_or_fail(load_october_2023)
    if created:
        click.echo(f"Loaded {created} records.")
    else:
        click.echo("The sample is already loaded; nothing changed.")


@click.command("import")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--kind",
    required=True,
    type=click.Choice(["persons", "events", "facilities", "crossings", "sources", "statuses"]),
)
@click.option("--map", "map_path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--sheet", help="The sheet of a workbook (default: the first).")
@click.option("--create-missing", is_flag=True, help="Create unknown places and sources.")
@click.option("--allow-similar", is_flag=True, help="Add persons that look like existing cases.")
@click.option("--dry-run", is_flag=True, help="Report what would happen; write nothing.")
@click.option(
    "--rejects",
    "rejects_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the rejected rows here (CSV: the file's columns, then row and problems).",
)
@click.option("--again", is_flag=True, help="Import a file that was imported before.")
@with_appcontext
def import_command(
    path: Path,
    kind: str,
    map_path: Path | None,
    sheet: str | None,
    create_missing: bool,
    allow_similar: bool,
    dry_run: bool,
    rejects_path: Path | None,
    again: bool,
) -> None:
    """Import a CSV or XLSX file, all rows or none; exit 1 when nothing could be imported."""
    from tracker.imports.cli import ImportCommand, run_import_command

    run_import_command(
        ImportCommand(
            path, kind, map_path, sheet, create_missing, allow_similar, dry_run, rejects_path, again
        )
    )


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_command(path: Path) -> None:
    """Write a consistent, portable dump of every table to PATH."""
    from tracker.backup.services import write_backup

    counts = write_backup(db.engine, path)
    click.echo(f"Wrote {sum(counts.values())} rows from {len(counts)} tables to {path}.")


@click.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--replace", is_flag=True, help="Empty a database that already holds data first.")
@with_appcontext
def restore_command(path: Path, replace: bool) -> None:
    """Load a dump written by `tracker backup` into this database."""
    from tracker.backup.services import BackupError, restore_backup

    try:
        counts = restore_backup(db.engine, path, replace=replace)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Restored {sum(counts.values())} rows into {len(counts)} tables.")


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    help="Processes. Default: 1 while the limiter store is memory:// (limits exact), 2 with a "
    "shared store (TRACKER_RATELIMIT_STORAGE_URL=redis://…); more than 1 needs the shared store.",
)
@click.option("--threads", default=4, show_default=True, type=click.IntRange(1, 64))
@click.option(
    "--job-workers",
    default=1,
    show_default=True,
    type=click.IntRange(0, 16),
    help="Background job workers (imports) started beside the server; 0 when `tracker "
    "worker` runs elsewhere.",
)
@with_appcontext
def serve_command(
    host: str, port: int, workers: int | None, threads: int, job_workers: int
) -> None:
    """Serve the app with gunicorn (the production server): processes × threads, and a job
    worker beside it."""
    from tracker.jobs.worker import started_worker
    from tracker.serve import choose_workers, run_gunicorn

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    try:
        workers = choose_workers(app.config["RATELIMIT_STORAGE_URI"], workers)
    except ValueError as error:
        raise click.UsageError(str(error)) from None
    with started_worker(job_workers):
        run_gunicorn(app, host, port, workers, threads)


@click.command("worker")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 16))
@with_appcontext
def worker_command(workers: int) -> None:
    """Run background jobs (imports) from the queue (TRACKER_QUEUE_URL) until stopped."""
    from tracker.jobs.worker import run_worker

    run_worker(workers)


@click.command("export")
@click.option("--what", "what", required=True, type=click.Choice([*EXPORT_KINDS, "report"]))
@click.option("--format", "fmt", default="csv", show_default=True, type=click.Choice(FORMATS))
@click.option("--from", "date_from", help="Events (and their persons) from this day: YYYY-MM-DD.")
@click.option("--to", "date_to", help="Events (and their persons) up to this day: YYYY-MM-DD.")
@click.option("--province")
@click.option("--crossing-id")
@click.option("--facility-id")
@click.option("--status")
@click.option("--gender")
@click.option("--min-reliability")
@click.option("--filter", "extra", multiple=True, metavar="NAME=VALUE", help="A list's own filter.")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--bom", is_flag=True, help="CSV: start with a byte-order mark (Excel and Hangul).")
@click.option("--coarse-dates", is_flag=True, help="Dates to the month only.")
@click.option("--small-counts-below", type=int, help="Show documented counts below N as '<N'.")
@click.option("--base-url", help="Absolute links start with this (default: TRACKER_BASE_URL).")
@click.option(
    "--columns",
    help="Only these columns, in this order (comma-separated), e.g. case_code,event_crossing.",
)
@click.option("--identifying", is_flag=True, help="Include identifying fields (audited).")
@click.option("--user", "email", help="Who exports (required with --identifying).")
@click.option("--reason", default="", help="Why identifying fields are needed.")
@click.option(
    "--language",
    default="en",
    show_default=True,
    type=click.Choice(["en", "ko"]),
    help="The report's language (--what report).",
)
@with_appcontext
def export_command(
    what: str,
    fmt: str,
    output: Path,
    extra: tuple[str, ...],
    email: str | None,
    language: str,
    **options: Any,
) -> None:
    """Export a list or the dashboard summary, redacted unless --identifying; PATH.manifest.json
    is written beside it. `--what report -o report.pdf` (or .html) writes the printable report
    for the filters, as the report page shows it."""
    from tracker.accounts import services as accounts
    from tracker.exports import services

    names = {"date_from": "from", "date_to": "to"}
    flags = (
        "bom",
        "coarse_dates",
        "small_counts_below",
        "base_url",
        "identifying",
        "reason",
        "columns",
    )
    params = {
        names.get(key, key): value
        for key, value in options.items()
        if key not in flags and value not in (None, "")
    }
    for item in extra:
        name, _, value = item.partition("=")
        params[name.strip()] = value.strip()
    actor = None
    if email:
        actor = accounts.find_user(email)
        if actor is None or not actor.active:
            raise click.ClickException("No active account with that email.")
    elif options["identifying"]:
        raise click.ClickException("--identifying needs --user EMAIL (and --reason).")
    base_url = options["base_url"] or current_app.config["BASE_URL"]
    if what == "report":
        _write_report(params, base_url, language, output)
        return
    values = {key: options[key] for key in flags} | {"what": what, "format": fmt}
    values["base_url"] = base_url

    def run() -> dict[str, Any]:
        export = services.start_export(
            actor, services.clean_options(values), params, post_search=True
        )
        manifest = services.write_file(export, output)
        services.finish_export(actor, export)
        return manifest

    manifest = _commit_or_fail(run)
    click.echo(
        f"Wrote {manifest['rows']} rows to {output} ({manifest['redaction']['profile']}), "
        f"sha256 {manifest['sha256']}; manifest in {output}.manifest.json."
    )


def _write_report(params: dict[str, Any], base_url: str, language: str, output: Path) -> None:
    """The printable report as HTML, or printed to PDF by a local Chromium, by the suffix."""
    from tracker.exports import report

    suffix = output.suffix.lower()
    if suffix not in (".pdf", ".html", ".htm"):
        raise click.ClickException("Write the report to a .pdf or an .html file.")
    html = _commit_or_fail(lambda: report.standalone_html(params, base_url, language))
    if suffix == ".pdf":
        _commit_or_fail(lambda: report.print_to_pdf(html, output))
    else:
        output.write_text(html, encoding="utf-8")
    click.echo(f"Wrote the report to {output}.")


vocab = click.Group("vocab", help="Controlled vocabularies: list, add, rename and retire terms.")


def _aliases(text: str | None) -> tuple[str, ...]:
    return tuple(part.strip() for part in (text or "").split(";") if part.strip())


@vocab.command("list")
@click.argument("vocabulary", required=False)
@with_appcontext
def vocab_list(vocabulary: str | None) -> None:
    """The vocabularies, or one vocabulary's terms (code, English, Korean, other names)."""
    from tracker.vocab import services

    if vocabulary is None:
        for name in services.vocabularies():
            click.echo(name)
        return
    terms = _commit_or_fail(lambda: services.terms_of(vocabulary))
    for term in terms:
        retired = "" if term.active else "  (retired)"
        names = "; ".join(term.aliases or [])
        click.echo(f"{term.code}\t{term.label_en}\t{term.label_ko}\t{names}{retired}")


@vocab.command("add")
@click.argument("vocabulary")
@click.argument("code")
@click.option("--en", "label_en", required=True, help="The English name.")
@click.option("--ko", "label_ko", required=True, help="The Korean name.")
@click.option("--aliases", help="Other names, ;-separated (what spreadsheets write).")
@with_appcontext
def vocab_add(vocabulary: str, code: str, label_en: str, label_ko: str, aliases: str) -> None:
    """Add a term to a vocabulary (e.g. facility_kind igsa --en IGSA --ko 'IGSA 시설')."""
    from tracker.vocab import services

    names = services.TermNames(label_en, label_ko, _aliases(aliases))
    term = _commit_or_fail(lambda: services.add_term(None, vocabulary, code, names))
    click.echo(f"Added {term.vocabulary} term {term.code}.")


@vocab.command("rename")
@click.argument("vocabulary")
@click.argument("code")
@click.option("--en", "label_en", help="The new English name.")
@click.option("--ko", "label_ko", help="The new Korean name.")
@click.option("--aliases", help="Other names, ;-separated (replaces the list).")
@with_appcontext
def vocab_rename(
    vocabulary: str, code: str, label_en: str | None, label_ko: str | None, aliases: str | None
) -> None:
    """Change a term's names; records keep its code."""
    from tracker.vocab import services

    def rename() -> object:
        term = next((t for t in services.terms_of(vocabulary) if t.code == code), None)
        current = (term.label_en, term.label_ko, term.aliases) if term else ("", "", [])
        names = services.TermNames(
            label_en if label_en is not None else current[0],
            label_ko if label_ko is not None else current[1],
            _aliases(aliases) if aliases is not None else tuple(current[2] or ()),
        )
        return services.rename_term(None, vocabulary, code, names)

    _commit_or_fail(rename)
    click.echo(f"Renamed {vocabulary} term {code}.")


@vocab.command("retire")
@click.argument("vocabulary")
@click.argument("code")
@click.option("--undo", is_flag=True, help="Bring a retired term back.")
@with_appcontext
def vocab_retire(vocabulary: str, code: str, undo: bool) -> None:
    """Retire a term: forms and imports no longer offer it; records keep it."""
    from tracker.vocab import services

    _commit_or_fail(lambda: services.retire_term(None, vocabulary, code, active=undo))
    click.echo(f"{'Brought back' if undo else 'Retired'} {vocabulary} term {code}.")


def register_commands(app: Flask) -> None:
    """Attach the project's commands to the app's CLI (so `flask --app tracker` has them too)."""
    from tracker.estimates.cli import estimate_command

    commands = (
        users,
        sample,
        vocab,
        import_command,
        worker_command,
        export_command,
        backup_command,
        restore_command,
        serve_command,
        estimate_command,
    )
    for command in commands:
        app.cli.add_command(command)
