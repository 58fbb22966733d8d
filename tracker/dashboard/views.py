"""The dashboard, the front page for every role."""

import functools
from collections.abc import Iterable
from typing import Any, NamedTuple
from urllib.parse import urlencode

from flask import Blueprint, render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from tracker.accounts.permissions import can_view_identity
from tracker.caching.conditional import kept_until_the_data_changes, rendered_once_per_version
from tracker.dashboard import charts, geo, services
from tracker.dashboard.filters import QUERY_LABELS, FilterError, Filters, parse_filters
from tracker.estimates.panel import asks_for_estimate
from tracker.estimates.panel import panel as estimate_panel
from tracker.places.models import CrossingPoint, Facility
from tracker.sources.models import RELIABILITY_GRADES
from tracker.vocab.labels import labels_by_code

bp = Blueprint("dashboard", __name__)
# Rows a long table shows before its "show all" link: those its chart draws.
TABLE_ROWS = charts.CHART_ROWS


class Option(NamedTuple):
    """One choice of a filter's list, as the form shows it."""

    value: str
    label: str
    selected: bool


def _options(pairs: Iterable[tuple[str, str]], chosen: str | None) -> list[Option]:
    return [Option(value, label, value == chosen) for value, label in pairs]


def _filter_choices(
    crossings: list[services.Place],
    facilities: list[services.Place],
    labels: dict[str, dict[str, str]],
    args: Any,
) -> dict[str, list[Option]]:
    """What the filter form offers (from the places the summary read), with the chosen ones
    marked: each list is built once here, not compared option by option in the template
    (the facilities alone are hundreds)."""
    provinces = sorted({place.province for place in crossings + facilities if place.province})
    return {
        "province": _options(((p, p) for p in provinces), args.get("province")),
        # Ids as the query string has them.
        "crossing_id": _options(
            ((str(p.id), p.shown_name) for p in crossings), args.get("crossing_id")
        ),
        "facility_id": _options(
            ((str(p.id), p.shown_name) for p in facilities), args.get("facility_id")
        ),
        "status": _options(labels["status"].items(), args.get("status")),
        "gender": _options(labels["gender"].items(), args.get("gender")),
        "min_reliability": _options(
            ((g, g) for g in RELIABILITY_GRADES), args.get("min_reliability")
        ),
    }


@bp.route("/")
@kept_until_the_data_changes()
def index() -> tuple[str, int]:
    try:
        filters = parse_filters(request.args)
    except FilterError as error:
        return _page(_content(None, error.fields)), 400
    if can_view_identity(current_user) or asks_for_estimate(request.args):
        # Names a confidential source, or carries the session's token in its save form.
        return _page(_content(filters)), 200
    return _page(rendered_once_per_version(lambda: _content(filters))), 200


def _page(content: str) -> str:
    """The dashboard's content in the page around it (menu, account, language)."""
    # The content is a template's own output, escaped as it was rendered.
    return render_template("dashboard/index.html", content=Markup(content))  # noqa: S704


def _content(filters: Filters | None, errors: dict[str, str] | None = None) -> str:
    """The dashboard's content for these filters (None: the filters were refused, `errors`
    says why, and only the form is shown)."""
    can_see = can_view_identity(current_user)
    summary = services.cached_summary(filters, can_see) if filters is not None else None
    crossings = summary.crossings if summary else services.live_places(CrossingPoint)
    facilities = summary.facilities if summary else services.live_places(Facility)
    labels = labels_by_code(["status", "gender"])
    page = {
        "choices": _filter_choices(crossings, facilities, labels, request.args),
        "labels": labels,
        "args": request.args,
        "query_labels": QUERY_LABELS,
        "errors": errors or {},
        "filters": filters or Filters(),
    }
    if summary is None or filters is None:
        return render_template("dashboard/_page.html", summary=None, **page)
    markers, off_map = geo.markers(summary)
    full = request.args.get("all")
    return render_template(
        "dashboard/_page.html",
        summary=summary,
        outline=geo.outline(),
        markers=markers,
        off_map=off_map,
        tables=_tables(summary, full),
        full=full,
        table_rows=TABLE_ROWS,
        estimate=estimate_panel(request.args, filters, can_see),
        un_urgent=_un_urgent(),
        **page,
    )


def _un_urgent() -> int | None:
    """Cases urgent for the UN, counted for those who work on cases (never for analysts)."""
    if not can_view_identity(current_user):
        return None
    from tracker.un.services import urgent_count

    return urgent_count()


class Table(NamedTuple):
    """The rows one table shows, out of how many: the largest few, or all when asked for."""

    rows: list[services.Row]
    total: int

    @property
    def cut(self) -> bool:
        return len(self.rows) < self.total


def _tables(summary: services.Summary, full: str | None) -> dict[str, Table]:
    """The long tables (a million persons mean hundreds of facilities and months) show their
    largest rows, in their own order, unless the viewer asked for one in full (`?all=`)."""
    tables = {
        "crossing": summary.by_crossing,
        "facility": summary.by_facility,
        "month": summary.by_month,
    }
    return {
        name: Table(rows if name == full else charts.largest(rows, TABLE_ROWS), len(rows))
        for name, rows in tables.items()
    }


@bp.app_template_global()
def list_url(path: str, query: dict) -> str:
    """A link to a list page with these filters (filters hold ids and codes, never names)."""
    pairs = [_encoded(key, str(value)) for key, value in query.items() if value not in (None, "")]
    return path + ("?" + "&".join(pairs) if pairs else "")


class TableLinks(NamedTuple):
    """A table's links, each ending where a row's key goes (attributes, read hundreds of
    times a page: a template reads an attribute faster than a dict's item)."""

    events: str
    persons: str
    vanished: str


@bp.app_template_global()
def links_by(query: dict, key: str) -> TableLinks:
    """The links behind one table's numbers, each ending where a row's `key` value goes
    (events, persons, vanished persons): the filters are encoded once per table, not once
    for each of the hundreds of cells a filtered dashboard links."""
    rest = {name: value for name, value in query.items() if name != key}

    def ending_in_key(path: str, extra: dict) -> str:
        url = list_url(path, rest | extra)
        return url + ("&" if "?" in url else "?") + urlencode({key: ""})

    return TableLinks(
        events=ending_in_key("/events", {}),
        persons=ending_in_key("/persons", {}),
        vanished=ending_in_key("/persons", {"status": "vanished"}),
    )


@functools.lru_cache(maxsize=4096)
def _encoded(key: str, value: str) -> str:
    """One `key=value` of a query string. A filtered dashboard links every number to its list,
    hundreds of links repeating the same few filter values: each is encoded once."""
    return urlencode({key: value})


bp.app_template_filter("largest")(charts.largest)
bp.app_template_filter("timeline")(charts.timeline)
bp.app_template_filter("chart_layout")(charts.layout)
bp.app_template_filter("named_months")(charts.named_months)
bp.app_template_global("country_labels")(geo.country_labels)


@bp.app_template_global()
def biggest_note(rows: list) -> str:
    """A chart caption's note when the chart shows fewer rows than its table."""
    if len(rows) <= charts.CHART_ROWS:
        return ""
    return " " + _(
        "(the %(shown)s largest of %(total)s)",
        shown=charts.CHART_ROWS,
        total=len(rows),
    )


@bp.app_template_filter("combine")
def combine(query: dict, extra: dict) -> dict:
    """A copy of `query` with `extra` laid over it."""
    return {**query, **extra}


@bp.app_template_filter("labelled")
def labelled(row: services.Row, labels: dict[str, str]) -> services.Row:
    """The row with its name replaced by its display label (codes are what is stored)."""
    name = labels.get(row.key, row.key) if row.key else _("None recorded")
    return services.Row(row.key, name, row.reported, row.persons, row.vanished)
