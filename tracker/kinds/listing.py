"""The list of a kind of record for a set of parameters: one query that the list page, the
API's list and every export of it share, so each holds exactly the rows the others show."""

from dataclasses import dataclass, replace
from types import FunctionType
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select, case, func, select

from tracker.caching.services import cached
from tracker.dashboard.filters import QUERY_LABELS, FilterError, parse_filters
from tracker.extensions import db
from tracker.i18n import current_language
from tracker.kinds.kind import Column, Kind
from tracker.kinds.references import reference_label
from tracker.kinds.values import ValueProblem, parse_date
from tracker.security.converters import parse_id
from tracker.vocab.labels import label as vocabulary_label

PICKER_LIMIT = 1000  # more records than this are searched, not listed in a select


@dataclass
class Listing:
    """A list as the viewer asked for it: the ordered query and what narrowed it."""

    query: Select[Any]
    columns: list[Column]
    q: str
    sort: str
    descending: bool
    active: dict[str, str]  # the kind's own filters that apply
    scoped: dict[str, tuple[str, str]]  # dashboard filters that apply: key -> (value, label)
    problems: dict[str, str]  # filter values that could not be understood, with why


def search_rank(column: Any, q: str) -> Any:
    """Best match first: the exact name, then names that start with the term, then the rest."""
    lowered = func.lower(column)
    return case((lowered == q.lower(), 0), (lowered.like(f"{q.lower()}%"), 1), else_=2)


def list_query(kind: Kind, params: Any, can_see: bool, post_search: bool) -> Listing:
    """The live records of a kind that a list shows for these parameters, in its order.

    A name search only counts when it came in a POST body (never a URL)."""
    q = str(params.get("q") or "").strip()[:200]
    if can_see and not post_search:
        q = ""
    columns = [
        c if can_see or not c.hides_values() else replace(c, sort=None)
        for c in kind.columns
        if can_see or not c.identifying
    ]
    sortable = {c.key: c for c in columns if c.sort is not None}
    problems: dict[str, str] = {}
    sort, direction = params.get("sort"), params.get("dir")
    if params.get("order"):  # a column heading was pressed: "name:desc"
        sort, _colon, direction = str(params["order"]).partition(":")
    hidden = {c.key for c in kind.columns if c.sort is not None} - set(sortable)
    if sort in hidden:
        problems["sort"] = _("You cannot sort by a field that is hidden from you.")
    sort = sort if sort in sortable else kind.default_sort
    descending = direction == "desc"
    query = select(kind.model).where(kind.model.deleted_at.is_(None))
    active: dict[str, str] = {}
    for item in kind.filters:
        raw = params.get(item.key)
        value = "" if raw is None else str(raw).strip()
        if not value:
            continue
        if item.identifying and not can_see:
            problems[item.key] = _("You cannot filter by a field that is hidden from you.")
            continue
        if item.is_date:
            try:
                parsed_date = parse_date(value)
            except ValueProblem as problem:
                problems[item.key] = f"{item.label}: {problem}"
                continue
            assert parsed_date is not None
            # "from October 2023" starts on its first day; "to October 2023" ends on its last.
            parsed: Any = parsed_date.end if item.key == "to" else parsed_date.start
        elif item.is_id:
            parsed = parse_id(value)
            if parsed is None:
                problems[item.key] = _("%(filter)s: enter a record number.", filter=item.label)
                continue
        elif item.is_flag:
            if value.lower() not in ("yes", "no", "true", "false"):
                continue
            parsed = value.lower() in ("yes", "true")
        else:
            allowed = {code for code, _label in (item.choices(can_see) if item.choices else [])}
            if value not in allowed:
                continue
            parsed = value
        query = item.apply(query, parsed)
        active[item.key] = value
    conditions, scoped, unread = dashboard_scope(kind, params, can_see)
    problems.update(unread)
    query = query.where(*conditions)
    if q:
        query = query.where(kind.search(q, can_see))
    order = sortable[sort].sort if sort in sortable else kind.model.id
    if isinstance(order, FunctionType):
        order = order(can_see)
    if q and kind.ranked_by and not (params.get("sort") or params.get("order")):
        query = query.order_by(search_rank(kind.ranked_by(can_see), q))
    query = query.order_by(order.desc() if descending else order, kind.model.id)
    return Listing(query, columns, q, sort, descending, active, scoped, problems)


def dashboard_scope(
    kind: Kind, params: Any, can_see: bool
) -> tuple[list[Any], dict[str, tuple[str, str]], dict[str, str]]:
    """The dashboard's filters this list has no control for (province, source grade, ...):
    their conditions, {key: (value, what to show)} to keep and display them, and a message
    for each value that could not be read."""
    if kind.scope is None:
        return [], {}, {}
    own = {item.key for item in kind.filters}
    wanted = {
        key: str(params.get(key)).strip()
        for key in QUERY_LABELS
        if key not in own and str(params.get(key) or "").strip()
    }
    if not wanted:
        return [], {}, {}
    try:
        filters = parse_filters(wanted)
    except FilterError as error:
        problems = {k: f"{QUERY_LABELS.get(k, k)}: {m}" for k, m in error.fields.items()}
        return [], {}, problems
    shown = {}
    for key, value in wanted.items():
        if key == "crossing_id":
            value_label = reference_label("crossings", value, can_see)
        elif key == "facility_id":
            value_label = reference_label("facilities", value, can_see)
        elif key in ("status", "gender"):
            value_label = vocabulary_label(key, value)
        else:
            value_label = value
        shown[key] = (value, f"{QUERY_LABELS[key]}: {value_label}")
    return kind.scope(filters), shown, {}


def count_live(kind: Kind) -> int:
    """How many live records of a kind there are."""
    live = kind.model.deleted_at.is_(None)
    return int(
        db.session.execute(select(func.count()).select_from(kind.model).where(live)).scalar_one()
    )


def picker_choices(kind: Kind, can_see: bool) -> list[tuple[str, str]]:
    """Every live record of a kind as select options (the picker's fallback without script) —
    unless there are too many to list (100,000 events): then none, and the search-as-you-type
    picker asks the server. The masked options are built once per data version and language
    (every analyst's form offers the same); options naming identities are never kept."""
    if can_see:
        return _picker_choices(kind, can_see)
    parts = (kind.name, current_language())
    return cached("picker", parts, lambda: _picker_choices(kind, can_see))


def _picker_choices(kind: Kind, can_see: bool) -> list[tuple[str, str]]:
    if count_live(kind) > PICKER_LIMIT:
        return []
    query = select(kind.model).where(kind.model.deleted_at.is_(None))
    query = query.order_by(kind.picker_order if kind.picker_order is not None else kind.model.id)
    return [(str(r.id), kind.label(r, can_see)) for r in db.session.execute(query).scalars()]
