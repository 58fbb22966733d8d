"""One list / detail / create / edit / delete / restore / revert pattern for every kind of
record, parameterised by a `RecordKind`. Views stay thin: load, check access, call the
service, commit, redirect; the rules are in the services."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from types import FunctionType
from typing import Any

from flask import (
    Blueprint,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from flask_login import current_user
from sqlalchemy import Select, case, func, select
from werkzeug.wrappers import Response
from wtforms.fields import FieldList
from wtforms.fields.core import UnboundField

from tracker.accounts.permissions import can_edit_records, can_view_identity
from tracker.dashboard.filters import QUERY_LABELS, FilterError, Filters, parse_filters
from tracker.exceptions import Conflict, NotFound, ServiceError, ValidationFailed
from tracker.extensions import db
from tracker.records import RecordService, Version
from tracker.search.names import Match
from tracker.search.services import CANDIDATES
from tracker.security.converters import parse_id
from tracker.vocab.labels import choices as vocabulary_choices
from tracker.vocab.labels import label as vocabulary_label
from tracker.workspace.forms import (
    ChoiceField,
    MultiPickerField,
    PickerField,
    RecordForm,
    VocabularyField,
)
from tracker.workspace.masking import MASKED, masked

PAGE_SIZE = 25
PICKER_LIMIT = 1000  # more records than this are searched, not listed in a select
LOOKUP_LIMIT = 20


@dataclass
class Column:
    """A list column: how to show it, how to sort by it, whether it identifies someone."""

    key: str
    label: Any  # lazy_gettext: read in the page's language
    value: Callable[[Any], Any]
    sort: Any = None
    identifying: bool = False


@dataclass
class Filter:
    """A list filter: a select (choices for this viewer) or a date, and how it narrows."""

    key: str
    label: Any  # lazy_gettext
    apply: Callable[[Select[Any], Any], Select[Any]]
    choices: Callable[[bool], list[tuple[str, str]]] | None = None
    is_date: bool = False
    is_id: bool = False  # a record number (a select when the records are few, else typed)


@dataclass
class RecordKind:
    """Everything the shared views need to know about one kind of record."""

    name: str  # the URL and blueprint name: "facilities"
    singular: Any  # "facility" (lazy_gettext: in the page's language; the API reads English)
    title: Any  # "Facilities"
    service: RecordService[Any]
    form: type[RecordForm]
    columns: list[Column]
    label: Callable[[Any, bool], str]  # the record's name for this viewer
    details: Callable[[Any, bool], list[tuple[str, Any]]]
    search: Callable[[str, bool], Any]
    filters: list[Filter] = field(default_factory=list)
    default_sort: str = "name"
    picker_order: Any = None
    # The text column a search ranks by for this viewer (exact, then prefix matches first).
    ranked_by: Callable[[bool], Any] | None = None
    # History values an analyst must not see (names, free text about persons, ...).
    identifying_fields: frozenset[str] = frozenset()
    extra_template: str | None = None
    extra_context: Callable[[Any, Any], dict[str, Any]] | None = None
    references: dict[str, str] = field(default_factory=dict)  # field -> kind name
    # Called with what a page showed, before the commit (persons log identity views).
    shown_in_list: Callable[[list[Any]], None] | None = None
    shown_in_detail: Callable[[Any], None] | None = None
    # Every page of the kind is identifying (contacts): nobody else gets any of it.
    identity_only: bool = False
    # The dashboard's filters as WHERE clauses for this kind (events, persons), so a number
    # on the dashboard opens exactly the records behind it.
    scope: Callable[[Filters], list[Any]] | None = None
    # Loader options for the list's rows (the relations its columns show), against N+1.
    eager: list[Any] = field(default_factory=list)
    # Fields a "new" link may fill in from the query string (ids only, never a name).
    prefill: frozenset[str] = frozenset()
    # Ranked name search (tracker/search): (term, viewer sees identities, the filtered list
    # query) → [(record, Match)] best first; None where `search` serves this viewer instead.
    rank: Callable[[str, bool, Select[Any]], list[tuple[Any, Match]] | None] | None = None

    @property
    def model(self) -> Any:
        return self.service.model

    def field_labels(self) -> dict[str, str]:
        labels = {}
        for name in dir(self.form):
            unbound = getattr(self.form, name, None)
            if isinstance(unbound, UnboundField):
                label = unbound.kwargs.get("label") or (unbound.args[:1] or [None])[0]
                if isinstance(label, str | LazyString):
                    labels[name] = str(label)
        return {**{k: str(v) for k, v in HISTORY_LABELS.items()}, **labels}

    def value_labels(self) -> dict[str, Callable[[Any], Any]]:
        """How a field's stored code reads: a vocabulary term or a fixed choice by its label
        (the same for every request: the labels are looked up, or lazy, when called)."""
        cached = _VALUE_LABELS.get(self.name)
        if cached is not None:
            return cached
        found: dict[str, Callable[[Any], Any]] = {"status": lambda v: vocabulary_label("status", v)}
        for name in dir(self.form):
            unbound = getattr(self.form, name, None)
            if not isinstance(unbound, UnboundField) or len(unbound.args) < 2:
                continue
            if issubclass(unbound.field_class, VocabularyField):
                found[name] = partial(vocabulary_label, unbound.args[1])
            elif issubclass(unbound.field_class, ChoiceField):
                found[name] = partial(_option_label, dict(unbound.args[1]))
        _VALUE_LABELS[self.name] = found
        return found


KINDS: dict[str, RecordKind] = {}
_VALUE_LABELS: dict[str, dict[str, Callable[[Any], Any]]] = {}


def viewer_sees_identity() -> bool:
    return can_view_identity(current_user)


def require_editor() -> None:
    if not can_edit_records(current_user):
        abort(403)


def reference_label(kind_name: str, record_id: Any, can_see: bool) -> str:
    """A referenced record's name (masked for this viewer as needed), or '#id' if gone."""
    kind = KINDS.get(kind_name)
    if kind is None or record_id in (None, ""):
        return "—"
    number = parse_id(record_id)
    if number is None:
        return f"#{record_id}"
    record = db.session.get(kind.model, number)
    return kind.label(record, can_see) if record is not None else f"#{record_id}"


def dashboard_scope(
    kind: RecordKind, params: Any, can_see: bool
) -> tuple[list[Any], dict[str, tuple[str, str]], dict[str, str]]:
    """The dashboard's filters this list has no control for (province, source grade, ...):
    their conditions, {key: (value, what to show)} to keep and display them, and a message
    for each value that could not be read."""
    if kind.scope is None:
        return [], {}, {}
    own = {item.key for item in kind.filters}
    wanted = {
        key: params.get(key).strip()
        for key in QUERY_LABELS
        if key not in own and (params.get(key) or "").strip()
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


def search_rank(column: Any, q: str) -> Any:
    """Best match first: the exact name, then names that start with the term, then the rest."""
    lowered = func.lower(column)
    return case((lowered == q.lower(), 0), (lowered.like(f"{q.lower()}%"), 1), else_=2)


def picker_choices(kind_name: str, can_see: bool) -> list[tuple[str, str]]:
    """Every live record of a kind as select options (the picker's fallback without JS) —
    unless there are too many to list (100,000 events): then none, and the search-as-you-type
    picker asks the server, while the field's current value is kept (keep_current)."""
    kind = KINDS[kind_name]
    live = kind.model.deleted_at.is_(None)
    count = db.session.execute(select(func.count()).select_from(kind.model).where(live))
    if count.scalar_one() > PICKER_LIMIT:
        return []
    query = select(kind.model).where(live)
    query = query.order_by(kind.picker_order if kind.picker_order is not None else kind.model.id)
    return [(str(r.id), kind.label(r, can_see)) for r in db.session.execute(query).scalars()]


def fill_choices(form: Any, can_see: bool) -> None:
    """Load vocabulary and record choices into every select of a form, rows included."""
    for item in form:
        if isinstance(item, VocabularyField):
            item.choices = vocabulary_choices(item.vocabulary)
            keep_current(item, can_see)
        elif isinstance(item, MultiPickerField | PickerField):
            empty = [] if isinstance(item, MultiPickerField) else [("", _("— choose —"))]
            item.choices = [*empty, *picker_choices(item.picker, can_see)]
            keep_current(item, can_see)
        elif hasattr(item, "entries"):
            for entry in item.entries:
                fill_choices(entry, can_see)


def keep_current(item: Any, can_see: bool) -> None:
    """Offer the field's current value even when it is no longer a choice (a facility in
    the Trash, a retired vocabulary term), so that saving the form never drops it silently."""
    current = item.data if isinstance(item.data, list) else [item.data]
    offered = {str(value) for value, *_ in item.choices}
    for value in current:
        if value in (None, "") or str(value) in offered:
            continue
        if isinstance(item, VocabularyField):
            name = vocabulary_label(item.vocabulary, str(value))
        elif parse_id(value) is not None:
            name = reference_label(item.picker, value, can_see)
        else:
            continue  # not a record id at all: the service will say so
        item.choices.append((str(value), _("%(name)s (no longer listed)", name=name)))


def form_data(value: Any) -> Any:
    """Stored (JSON-ready) values in the types form fields expect: ISO strings become dates."""
    if isinstance(value, dict):
        return {key: form_data(item) for key, item in value.items()}
    if isinstance(value, list):
        return [form_data(item) for item in value]
    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        try:
            return date.fromisoformat(value)
        except ValueError:
            return value
    return value


def add_blank_rows(form: Any) -> None:
    """Give each row list an empty row at the end, for the next claim or detention."""
    for item in form:
        if isinstance(item, FieldList):
            last = item.entries[-1].data if item.entries else {}
            if not item.entries or any(v not in (None, "", [], False) for v in last.values()):
                item.append_entry()


def format_value(kind: RecordKind, key: str, value: Any, can_see: bool) -> Any:
    """A stored value as a reader wants to see it in the history or on a conflict page."""
    if not can_see and key in kind.identifying_fields:
        return MASKED
    if key in kind.references:
        if isinstance(value, list):
            return ", ".join(reference_label(kind.references[key], v, can_see) for v in value)
        return reference_label(kind.references[key], value, can_see)
    labelled = kind.value_labels().get(key)
    if labelled is not None and isinstance(value, str) and value:
        return labelled(value)
    if isinstance(value, list):
        if value and isinstance(value[0], dict):
            return "; ".join(_row_text(kind, row, can_see) for row in value)
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return _row_text(kind, {k: v for k, v in value.items() if k != "id"}, can_see)
    if value is None or value == "":
        return "—"
    if value is True:
        return _("yes")
    if value is False:
        return _("no")
    return value


def _row_text(kind: RecordKind, row: dict[str, Any], can_see: bool) -> str:
    """One claim or detention row as a line of text, references by name."""
    parts = []
    for key, value in row.items():
        if value in (None, ""):
            continue
        if key.endswith("_id"):
            value = reference_label(kind.references.get(key, ""), value, can_see)
        elif key == "status":
            value = vocabulary_label("status", value)
        name = HISTORY_LABELS.get(key) or key.removesuffix("_id").replace("_", " ")
        parts.append(f"{name}: {value}")
    return ", ".join(parts)


ACTION_LABELS = {
    "create": _l("Created"),
    "update": _l("Edited"),
    "delete": _l("Moved to the Trash"),
    "restore": _l("Restored from the Trash"),
    "revert": _l("Earlier version restored"),
    "status.add": _l("Status added"),
    "file.add": _l("File attached"),
}

# Names in the history of fields that are not on the form, or are inside its rows.
HISTORY_LABELS = {
    "case_code": _l("Case code"),
    "status": _l("Status"),
    "status_as_of": _l("Status as of"),
    "status_record": _l("Status record"),
    "as_of": _l("As of"),
    "source_id": _l("Source"),
    "people_min": _l("Says at least"),
    "people_max": _l("Says at most"),
    "quote": _l("Quote"),
    "page_ref": _l("Page or timestamp"),
    "facility_id": _l("Facility"),
    "date_from": _l("From"),
    "date_to": _l("To"),
    "note": _l("Note"),
    "file": _l("File"),
    "person_id": _l("Person"),
}

HIDDEN_IN_HISTORY = {"id", "deleted_at", "deleted_by_id"}
EMPTY: tuple[Any, ...] = (None, "", [])


def _shown_in_history(key: str, change: Any) -> bool:
    return (
        isinstance(change, dict)
        and key not in HIDDEN_IN_HISTORY
        and (change.get("old") not in EMPTY or change.get("new") not in EMPTY)
    )


def history_rows(kind: RecordKind, record: Any, can_see: bool) -> list[dict[str, Any]]:
    """The History tab: each step with who, when, and old → new values (masked as needed)."""
    labels = kind.field_labels()
    rows = []
    versions: list[Version] = kind.service.history(record)
    for position, version in enumerate(versions):
        entry = version.entry
        raw = entry.changes or {}
        if entry.action == "create":
            raw = {k: {"old": None, "new": v} for k, v in (raw.get("new") or {}).items()}
        changes = [
            (
                labels.get(key, key.replace("_", " ").capitalize()),
                format_value(kind, key, change.get("old"), can_see),
                format_value(kind, key, change.get("new"), can_see),
            )
            for key, change in sorted(raw.items())
            if _shown_in_history(key, change)
        ]
        rows.append(
            {
                "entry": entry,
                "actor": entry.actor.email if entry.actor else _("system"),
                "action": ACTION_LABELS.get(entry.action, entry.action),
                "changes": changes,
                "revertable": position > 0 and entry.action in ("create", "update", "revert"),
            }
        )
    return rows


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


def list_query(kind: RecordKind, params: Any, can_see: bool, post_search: bool) -> Listing:
    """The live records of a kind that a list page shows for these parameters, in its order.

    The list page and every export of it call this, so an export holds exactly the rows the
    filtered list shows. A name search only counts when it came in a POST body."""
    q = (params.get("q") or "").strip()[:200]
    if can_see and not post_search:
        q = ""
    columns = [c for c in kind.columns if can_see or not c.identifying]
    sortable = {c.key: c for c in columns if c.sort is not None}
    sort, direction = params.get("sort"), params.get("dir")
    if params.get("order"):  # a column heading was pressed: "name:desc"
        sort, _colon, direction = params["order"].partition(":")
    sort = sort if sort in sortable else kind.default_sort
    descending = direction == "desc"
    query = select(kind.model).where(kind.model.deleted_at.is_(None))
    active: dict[str, str] = {}
    problems: dict[str, str] = {}
    for item in kind.filters:
        value = (params.get(item.key) or "").strip()
        if not value:
            continue
        if item.is_date:
            try:
                parsed: Any = date.fromisoformat(value)
            except ValueError:
                problems[item.key] = _("%(filter)s: enter a date as YYYY-MM-DD.", filter=item.label)
                continue
        elif item.is_id:
            parsed = parse_id(value)
            if parsed is None:
                problems[item.key] = _("%(filter)s: enter a record number.", filter=item.label)
                continue
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


class RecordViews:
    """The shared pages of one kind of record, on its own blueprint."""

    def __init__(self, kind: RecordKind):
        self.kind = kind
        KINDS[kind.name] = kind
        self.blueprint = Blueprint(kind.name, __name__, url_prefix=f"/{kind.name}")
        bp = self.blueprint
        if kind.identity_only:
            bp.before_request(self.require_identity)
        bp.add_url_rule("", "index", self.index, methods=["GET", "POST"])
        bp.add_url_rule("/new", "create", self.create, methods=["GET", "POST"])
        bp.add_url_rule("/lookup", "lookup", self.lookup, methods=["POST"])
        bp.add_url_rule("/<int:record_id>", "detail", self.detail)
        bp.add_url_rule("/<int:record_id>/edit", "edit", self.edit, methods=["GET", "POST"])
        bp.add_url_rule("/<int:record_id>/delete", "delete", self.delete, methods=["POST"])
        bp.add_url_rule("/<int:record_id>/restore", "restore", self.restore, methods=["POST"])
        bp.add_url_rule(
            "/<int:record_id>/revert/<int:entry_id>", "revert", self.revert, methods=["POST"]
        )

    def require_identity(self) -> None:
        if not viewer_sees_identity():
            abort(403)

    # --- loading -------------------------------------------------------------------

    def load(self, record_id: int) -> Any:
        """The record, or 404; deleted ones only for those who may restore them."""
        try:
            return self.kind.service.get(record_id, include_deleted=can_edit_records(current_user))
        except NotFound:
            abort(404)

    def new_form(self, values: dict[str, Any] | None = None) -> RecordForm:
        """The kind's form: from the request when submitted, else from `values`, with one
        empty row to fill in each row list (claims, detentions)."""
        if values is None and request.method == "POST":
            form = self.kind.form()
        else:
            form = self.kind.form(data=form_data(values or {}))
            add_blank_rows(form)
        fill_choices(form, viewer_sees_identity())
        return form

    # --- list ----------------------------------------------------------------------

    def index(self) -> str:
        kind, can_see = self.kind, viewer_sees_identity()
        # Someone who may see identities may search by name, so their search term only ever
        # comes in a POST body, never a URL. An analyst's search never looks at identifying
        # fields, so their list is a plain GET (and they never POST to a list).
        if request.method == "POST" and not can_see:
            abort(403)
        params = request.form if request.method == "POST" else request.args
        listing = list_query(kind, params, can_see, post_search=request.method == "POST")
        for message in listing.problems.values():
            flash(message, "error")
        query, columns = listing.query, listing.columns
        ranked = kind.rank(listing.q, can_see, query) if listing.q and kind.rank else None
        matched = {record.id: match for record, match in ranked} if ranked is not None else {}
        if ranked is not None and not (params.get("sort") or params.get("order")):
            # Best match first, as ranked by the name score (a column heading re-sorts).
            total = len(ranked)
            pages = max(1, -(-total // PAGE_SIZE))
            page = min(max(_int(params.get("page"), 1), 1), pages)
            start = (page - 1) * PAGE_SIZE
            records = [record for record, _match in ranked[start : start + PAGE_SIZE]]
        else:
            counted = query.order_by(None).subquery()
            total = db.session.execute(select(func.count()).select_from(counted)).scalar_one()
            pages = max(1, -(-total // PAGE_SIZE))
            page = min(max(_int(params.get("page"), 1), 1), pages)
            records = list(
                db.session.execute(
                    query.options(*kind.eager).limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)
                ).scalars()
            )
        rows = [
            (record, [column.value(record) for column in columns], matched.get(record.id))
            for record in records
        ]
        page_html = render_template(
            "records/list.html",
            kind=kind,
            columns=columns,
            rows=rows,
            filters=[(f, f.choices(can_see) if f.choices else None) for f in kind.filters],
            active=listing.active,
            scoped=listing.scoped,
            q=listing.q,
            sort=listing.sort,
            descending=listing.descending,
            page=page,
            pages=pages,
            total=total,
            can_edit=can_edit_records(current_user),
            post_search=can_see,
            ranked=ranked is not None,
            capped=ranked is not None and len(ranked) >= CANDIDATES,
        )
        # Logged after rendering: the commit expires every loaded row, and the page would
        # otherwise load each one again.
        if kind.shown_in_list and records:
            kind.shown_in_list(records)
            db.session.commit()
        return page_html

    def lookup(self) -> Response:
        """Search-as-you-type: up to 20 live records whose name matches (POST, never a URL)."""
        require_editor()  # the pickers are in the forms, which only editors get
        kind, can_see = self.kind, viewer_sees_identity()
        q = (request.form.get("q") or "").strip()[:200]
        query = select(kind.model).where(kind.model.deleted_at.is_(None))
        ranked = kind.rank(q, can_see, query) if q and kind.rank else None
        if ranked is not None:
            return jsonify(
                items=[
                    _lookup_item(kind.label(r, can_see), r.id, m) for r, m in ranked[:LOOKUP_LIMIT]
                ]
            )
        if q:
            query = query.where(kind.search(q, can_see))
            if kind.ranked_by:
                query = query.order_by(search_rank(kind.ranked_by(can_see), q))
        if kind.picker_order is not None:
            query = query.order_by(kind.picker_order)
        records = db.session.execute(query.limit(LOOKUP_LIMIT)).scalars()
        return jsonify(items=[{"id": r.id, "label": kind.label(r, can_see)} for r in records])

    # --- one record ----------------------------------------------------------------

    def detail(self, record_id: int) -> str | Response:
        target = self.kind.service.forwarded(record_id)
        if target is not None:
            flash(_("That %(kind)s was merged into this one.", kind=self.kind.singular), "success")
            return redirect(url_for(".detail", record_id=target))
        return self.detail_page(self.load(record_id))

    def detail_page(self, record: Any, **overrides: Any) -> str:
        """The record with its details, its kind's extra sections and its history."""
        kind, can_see = self.kind, viewer_sees_identity()
        extra = kind.extra_context(record, current_user) if kind.extra_context else {}
        extra.update(overrides)
        page = render_template(
            "records/detail.html",
            kind=kind,
            record=record,
            label=kind.label(record, can_see),
            details=kind.details(record, can_see),
            history=history_rows(kind, record, can_see),
            can_edit=can_edit_records(current_user),
            **extra,
        )
        if kind.shown_in_detail:
            kind.shown_in_detail(record)
            db.session.commit()
        return page

    def create(self) -> Response | str | tuple[str, int]:
        require_editor()
        prefill = {key: request.args[key] for key in self.kind.prefill if key in request.args}
        form = self.new_form(prefill if request.method == "GET" else None)
        if form.validate_on_submit():
            try:
                record = self.kind.service.create(current_user, form.values())
                db.session.commit()
            except ValidationFailed as error:
                db.session.rollback()
                return self.form_page(form, None, error), 422
            flash(_("The %(kind)s was saved.", kind=self.kind.singular), "success")
            return redirect(url_for(".detail", record_id=record.id))
        status = 422 if form.is_submitted() else 200
        return self.form_page(form, None), status

    def edit(self, record_id: int) -> Response | str | tuple[str, int]:
        require_editor()
        kind = self.kind
        record = self.load(record_id)
        if record.deleted_at is not None:
            return self.in_trash(record)
        if request.method == "GET":
            form = self.new_form(kind.service.editable_values(record))
            form.version.data = str(record.version)
            return self.form_page(form, record)
        form = self.new_form()
        if not form.validate_on_submit():
            return self.form_page(form, record), 422
        expected = _int(form.version.data, None)
        try:
            kind.service.update(current_user, record, expected, form.values())
            db.session.commit()
        except Conflict:
            db.session.rollback()
            return self.conflict_page(form, self.load(record_id)), 409
        except ValidationFailed as error:
            db.session.rollback()
            return self.form_page(form, self.load(record_id), error), 422
        flash(_("The %(kind)s was saved.", kind=kind.singular), "success")
        return redirect(url_for(".detail", record_id=record.id))

    def in_trash(self, record: Any) -> Response:
        """A deleted record is changed only after it is restored (nothing happens in the Trash)."""
        message = _(
            "This %(kind)s is in the Trash. Restore it before editing it.", kind=self.kind.singular
        )
        flash(message, "error")
        return redirect(url_for(".detail", record_id=record.id))

    def form_page(
        self, form: RecordForm, record: Any, error: ValidationFailed | None = None
    ) -> str:
        if error is not None and not form.set_errors(error.fields):
            flash(error.message, "error")
        elif error is not None:
            flash(_("The form has errors; see the messages beside the fields."), "error")
        return render_template(
            "records/form.html",
            kind=self.kind,
            form=form,
            record=record,
            label=self.kind.label(record, True) if record is not None else None,
        )

    def conflict_page(self, form: RecordForm, record: Any) -> str:
        """Show the user's values beside the current ones; they may re-apply theirs."""
        kind = self.kind
        labels = kind.field_labels()
        current = kind.service.editable_values(record)
        try:
            mine = kind.service.clean(current | form.values(), record)
        except ServiceError:
            mine = form.values()
        rows = [
            (
                labels.get(key, key),
                format_value(kind, key, mine.get(key), True),
                format_value(kind, key, current.get(key), True),
            )
            for key in current
            if key in mine and _comparable(mine.get(key)) != _comparable(current.get(key))
        ]
        submitted = [
            (key, value)
            for key, value in request.form.items(multi=True)
            if key not in ("csrf_token", "version")
        ]
        return render_template(
            "records/conflict.html",
            kind=kind,
            record=record,
            label=kind.label(record, True),
            rows=rows,
            submitted=submitted,
        )

    def delete(self, record_id: int) -> Response:
        require_editor()
        record = self.load(record_id)
        self.kind.service.delete(current_user, record)
        db.session.commit()
        flash(
            _(
                "The %(kind)s was moved to the Trash. You can restore it there.",
                kind=self.kind.singular,
            ),
            "success",
        )
        return redirect(url_for(".index"))

    def restore(self, record_id: int) -> Response:
        require_editor()
        record = self.load(record_id)
        try:
            self.kind.service.restore(current_user, record)
            db.session.commit()
        except ServiceError as error:  # a merged-away person comes back by undoing the merge
            db.session.rollback()
            flash(error.message, "error")
            return redirect(url_for(".detail", record_id=record.id))
        flash(_("The %(kind)s was restored.", kind=self.kind.singular), "success")
        return redirect(url_for(".detail", record_id=record.id))

    def revert(self, record_id: int, entry_id: int) -> Response | str | tuple[str, int]:
        require_editor()
        record = self.load(record_id)
        if record.deleted_at is not None:
            return self.in_trash(record)
        expected = _int(request.form.get("version"), None)
        try:
            self.kind.service.revert(current_user, record, entry_id, expected)
            db.session.commit()
        except Conflict:
            db.session.rollback()
            flash(
                _("Someone else changed this record meanwhile. Look at the history again."),
                "error",
            )
        except NotFound:
            db.session.rollback()
            abort(404)
        except ValidationFailed as error:
            db.session.rollback()
            reasons = "; ".join(error.fields.values())
            flash(
                _("That version cannot be restored as it is: %(reasons)s", reasons=reasons), "error"
            )
        else:
            flash(_("The earlier version was restored; the change is in the history."), "success")
        return redirect(url_for(".detail", record_id=record_id))


def _option_label(options: dict[str, Any], value: Any) -> Any:
    """A fixed choice's label (the value itself when it is not one of the options)."""
    return options.get(value, value)


def _lookup_item(label: str, record_id: int, match: Match) -> dict[str, Any]:
    """A picker's option; with the written form that matched when the label does not show it."""
    item: dict[str, Any] = {"id": record_id, "label": label}
    if match.variant not in label:
        item["matched"] = match.variant
    return item


def _int(value: Any, default: Any) -> Any:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _comparable(value: Any) -> Any:
    if value in (None, "", []):
        return None
    if isinstance(value, date):
        return value.isoformat()
    return value


__all__ = ["MASKED", "Column", "Filter", "RecordKind", "RecordViews", "masked"]
