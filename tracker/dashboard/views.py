"""The dashboard, the front page for every role."""

import functools
from urllib.parse import urlencode

from flask import Blueprint, render_template, request
from flask_babel import gettext as _
from sqlalchemy import select

from tracker.dashboard import charts, geo, services
from tracker.dashboard.filters import QUERY_LABELS, FilterError, Filters, parse_filters
from tracker.extensions import db
from tracker.places.models import CrossingPoint, Facility
from tracker.sources.models import RELIABILITY_GRADES
from tracker.vocab.labels import term_label, terms

bp = Blueprint("dashboard", __name__)


def _filter_choices() -> dict:
    """What the filter form offers, and the vocabularies' labels (one query each, per page)."""
    live_crossings = select(CrossingPoint.id, CrossingPoint.name).where(
        CrossingPoint.deleted_at.is_(None)
    )
    live_facilities = select(Facility.id, Facility.name).where(Facility.deleted_at.is_(None))
    provinces = (
        select(CrossingPoint.province)
        .where(CrossingPoint.province.is_not(None))
        .union(select(Facility.province).where(Facility.province.is_not(None)))
    )
    statuses, genders = terms("status"), terms("gender")
    return {
        "crossings": db.session.execute(live_crossings.order_by(CrossingPoint.name)).all(),
        "facilities": db.session.execute(live_facilities.order_by(Facility.name)).all(),
        "provinces": sorted(db.session.execute(provinces).scalars()),
        "statuses": statuses,
        "genders": genders,
        "grades": RELIABILITY_GRADES,
    }


@bp.route("/")
def index() -> tuple[str, int]:
    choices = _filter_choices()
    page = {
        "choices": choices,
        "labels": {
            "status": {term.code: term_label(term) for term in choices["statuses"]},
            "gender": {term.code: term_label(term) for term in choices["genders"]},
        },
        "args": request.args,
        "query_labels": QUERY_LABELS,
    }
    try:
        filters = parse_filters(request.args)
    except FilterError as error:
        return render_template(
            "dashboard/index.html", summary=None, filters=Filters(), errors=error.fields, **page
        ), 400
    summary = services.summarise(filters)
    markers, off_map = geo.markers(summary)
    return render_template(
        "dashboard/index.html",
        summary=summary,
        filters=filters,
        errors={},
        outline=geo.outline(),
        markers=markers,
        off_map=off_map,
        **page,
    ), 200


@bp.app_template_global()
def list_url(path: str, query: dict) -> str:
    """A link to a list page with these filters (filters hold ids and codes, never names)."""
    pairs = [_encoded(key, str(value)) for key, value in query.items() if value not in (None, "")]
    return path + ("?" + "&".join(pairs) if pairs else "")


@bp.app_template_global()
def links_by(query: dict, key: str) -> dict[str, str]:
    """The links behind one table's numbers, each ending where a row's `key` value goes
    (events, persons, vanished persons): the filters are encoded once per table, not once
    for each of the hundreds of cells a filtered dashboard links."""
    rest = {name: value for name, value in query.items() if name != key}

    def ending_in_key(path: str, extra: dict) -> str:
        url = list_url(path, rest | extra)
        return url + ("&" if "?" in url else "?") + urlencode({key: ""})

    return {
        "events": ending_in_key("/events", {}),
        "persons": ending_in_key("/persons", {}),
        "vanished": ending_in_key("/persons", {"status": "vanished"}),
    }


@functools.lru_cache(maxsize=4096)
def _encoded(key: str, value: str) -> str:
    """One `key=value` of a query string. A filtered dashboard links every number to its list,
    hundreds of links repeating the same few filter values: each is encoded once."""
    return urlencode({key: value})


bp.app_template_filter("largest")(charts.largest)
bp.app_template_filter("timeline")(charts.timeline)


@bp.app_template_global()
def biggest_note(rows: list) -> str:
    """A chart caption's note when the chart shows fewer rows than its table."""
    if len(rows) <= charts.CHART_ROWS:
        return ""
    return " " + _(
        "(the %(shown)s largest of %(total)s; all are in the table)",
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
