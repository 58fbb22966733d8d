"""`tracker estimate`: the estimate of the undocumented from the command line, as JSON or the
overlap table as CSV; long model searches show their progress here, never in a request."""

import json
from pathlib import Path
from typing import Any

import click
from flask.cli import with_appcontext
from werkzeug.datastructures import MultiDict

from tracker.exceptions import ServiceError


@click.command("estimate")
@click.option(
    "--list",
    "lists",
    multiple=True,
    required=True,
    metavar="NAME=SOURCE_ID[,SOURCE_ID…]",
    help="A named list of sources, or NAME alone for a saved list; three or more in all.",
)
@click.option("--save", is_flag=True, help="Save the NAME=… lists by name for reuse.")
@click.option("--from", "date_from", help="Persons of events from this day: YYYY-MM-DD.")
@click.option("--to", "date_to", help="Persons of events up to this day: YYYY-MM-DD.")
@click.option("--province")
@click.option("--crossing-id")
@click.option("--facility-id")
@click.option("--status")
@click.option("--gender")
@click.option("--min-reliability")
@click.option(
    "--model",
    default="stepwise",
    show_default=True,
    type=click.Choice(["stepwise", "independence", "aic", "bic"]),
)
@click.option("--max-order", default=2, show_default=True, type=click.Choice(["2", "3"]))
@click.option(
    "--format", "fmt", default="json", show_default=True, type=click.Choice(["json", "csv"])
)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def estimate_command(
    lists: tuple[str, ...],
    save: bool,
    model: str,
    max_order: str,
    fmt: str,
    output: Path | None,
    **filters: Any,
) -> None:
    """Estimate how many persons no list documented (multiple systems estimation). JSON: the
    estimate, its interval, model and overlaps; CSV: the overlap table, one 0/1 column per
    list and `count`, for R."""
    from tracker.dashboard.filters import FilterError, parse_filters
    from tracker.estimates import mse, services

    named: dict[str, Any] = {}
    saved: list[str] = []
    for item in lists:
        name, sep, ids = item.partition("=")
        if not sep:
            saved.append(name.strip())
            continue
        if name.strip() in named:
            raise click.BadParameter(
                f"the list {name.strip()!r} is given twice", param_hint="--list"
            )
        named[name.strip()] = ids
    names = {"date_from": "from", "date_to": "to"}
    try:
        parsed = parse_filters(
            MultiDict({names.get(k, k): v for k, v in filters.items() if v not in (None, "")})
        )
    except FilterError as error:
        raise click.ClickException(
            "; ".join(f"{k}: {v}" for k, v in error.fields.items())
        ) from None

    def progress(done: int) -> None:
        click.echo(f"\rmodels fitted: {done}/{total[0]}", nl=False, err=True)

    total = [0]
    try:
        if save and named:
            from tracker.unit_of_work import run_command

            run_command(lambda: services.save_lists(None, services.parse_lists(named)))
            click.echo(f"Saved {len(named)} list(s): {', '.join(named)}.", err=True)
        request = services.EstimateRequest(
            services.parse_lists(named, saved), parsed, model, int(max_order)
        )
        if model in ("aic", "bic"):
            total[0] = mse.model_count(len(request.lists), int(max_order))
        result = services.estimate(request, in_request=False, progress=progress)
    except ServiceError as error:
        details = "; ".join(f"{field}: {message}" for field, message in error.fields.items())
        raise click.ClickException(error.message + (f" ({details})" if details else "")) from None
    if total[0]:
        click.echo("", err=True)
    text = (
        services.overlaps_csv(result)
        if fmt == "csv"
        else json.dumps(result, ensure_ascii=False, indent=2) + "\n"
    )
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        click.echo(
            f"Estimate {result['estimate']} ({result['lower']}–{result['upper']}), "
            f"documented {result['documented']}; written to {output}.",
            err=True,
        )
