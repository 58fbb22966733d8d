"""One list / detail / create / edit / delete / restore / revert pattern for every kind of
record, read from the kind's declaration. Views stay thin: load, check access, call the
service, answer; the rules are in the services, and the unit of work commits at the edge."""

from collections.abc import Callable
from dataclasses import dataclass
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
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import func, select
from werkzeug.wrappers import Response
from wtforms.fields import FieldList

from tracker import unit_of_work
from tracker.accounts.permissions import can_edit_records, can_view_identity
from tracker.caching.conditional import kept_until_the_data_changes, rendered_once_per_version
from tracker.caching.services import cached
from tracker.db import utcnow
from tracker.exceptions import (
    Conflict,
    NeedsConfirmation,
    NotFound,
    ServiceError,
    ValidationFailed,
)
from tracker.extensions import db
from tracker.kinds import fields as f
from tracker.kinds.fields import Snapshot
from tracker.kinds.kind import Kind
from tracker.kinds.listing import list_query, picker_choices, search_rank
from tracker.kinds.references import reference_label
from tracker.kinds.registry import kind as kind_named
from tracker.records.service import REASON, Version
from tracker.search.names import Match
from tracker.search.services import CANDIDATES
from tracker.security.converters import parse_id
from tracker.vocab.labels import choices as vocabulary_choices
from tracker.vocab.labels import label as vocabulary_label
from tracker.workspace.forms import (
    MultiPickerField,
    PickerField,
    RecordForm,
    VocabularyField,
    form_for,
    form_values,
    shown_in_forms,
)
from tracker.workspace.masking import MASKED, masked

PAGE_SIZE = 25
LOOKUP_LIMIT = 20


@dataclass(eq=False)
class WebKind:
    """A kind of record as the web pages show it: its declaration, and the page sections
    only the web has (a person's timeline, an event's claims)."""

    kind: Kind
    extra_template: str | None = None
    extra_context: Callable[[Any, Any], dict[str, Any]] | None = None
    # Fields a "new" link may fill in from the query string (ids only, never a name).
    prefill: frozenset[str] = frozenset()
    # Rows shown by the extra template rather than among the details.
    rows_in_extra: bool = True

    def __getattr__(self, name: str) -> Any:
        return getattr(self.kind, name)

    @property
    def form(self) -> type[RecordForm]:
        return form_for(self.kind)


def viewer_sees_identity() -> bool:
    return can_view_identity(current_user)


def require_editor() -> None:
    if not can_edit_records(current_user):
        abort(403)


def fill_choices(form: Any, can_see: bool) -> None:
    """Load vocabulary and record choices into every select of a form, rows included."""
    for item in form:
        if isinstance(item, VocabularyField):
            item.choices = vocabulary_choices(item.vocabulary)
            keep_current(item, can_see)
        elif isinstance(item, MultiPickerField | PickerField):
            empty = [] if isinstance(item, MultiPickerField) else [("", _("— choose —"))]
            item.choices = [*empty, *picker_choices(kind_named(item.picker), can_see)]
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


def add_blank_rows(form: Any) -> None:
    """Give each row list an empty row at the end, for the next claim or detention."""
    for item in form:
        if isinstance(item, FieldList):
            last = item.entries[-1].data if item.entries else {}
            if not item.entries or any(v not in (None, "", [], False) for v in last.values()):
                item.append_entry()


# --- showing values ------------------------------------------------------------------------


def show_value(field: f.Field, value: Any, can_see: bool) -> Any:
    """A field's value as this viewer reads it: references by name, rows as lines, and as
    coarse as the field's declaration says for viewers who may not see identities."""
    if not can_see:
        value = field.coarse(value)
    if isinstance(field, f.Ref):
        return reference_label(field.kind, value, can_see) if value is not None else ""
    if isinstance(field, f.Refs):
        return ", ".join(reference_label(field.kind, item, can_see) for item in value or [])
    if isinstance(field, f.Rows):
        return "; ".join(row_text(field, row, can_see) for row in value or [])
    return field.show(value)


def row_text(field: f.Rows, row: dict[str, Any], can_see: bool) -> str:
    """One claim or detention as a line of text, references by name, masked as needed."""
    parts = []
    for row_field in field.fields:
        value = row.get(row_field.name)
        value = value if can_see else row_field.coarse(value)
        shown = MASKED if row_field.identifying and not can_see and value else None
        text = str(shown) if shown is not None else show_value(row_field, value, can_see)
        if text:
            parts.append(f"{row_field.label}: {text}")
    return ", ".join(parts)


def hidden_from(kind: Kind, record: Any, can_see: bool) -> bool:
    """Whether this viewer must not see the record's identifying fields."""
    return not can_see and kind.masks(record)


def details(web: WebKind, record: Any, can_see: bool) -> list[tuple[Any, Any]]:
    """The record's fields as (label, value) for its page, identifying ones masked."""
    hide = hidden_from(web.kind, record, can_see)
    shown = []
    for field in web.kind.fields:
        if field.internal or (isinstance(field, f.Rows) and web.rows_in_extra):
            continue
        value = field.read(record)
        if not can_see:
            value = field.coarse(value)  # a person's dates to the month, birth year to a band
        if hide and field.identifying:
            shown.append((field.label, masked(value, False) if value not in (None, "", []) else ""))
        else:
            shown.append((field.label, show_value(field, value, can_see)))
    return shown


ACTION_LABELS = {
    "create": _l("Created"),
    "update": _l("Edited"),
    "delete": _l("Moved to the Trash"),
    "restore": _l("Restored from the Trash"),
    "revert": _l("Earlier version restored"),
    "status.add": _l("Status added"),
    "status.withdraw": _l("Status withdrawn"),
    "status.correct": _l("Status corrected"),
    "status.restore": _l("Status brought back"),
    "file.add": _l("File attached"),
    "person.merge": _l("Merged with another record"),
    "person.unmerge": _l("Merge undone"),
    "person.merged_into": _l("Merged into another record"),
    "person.not_duplicate": _l("Marked as a different person"),
}

# Names in the history of values that are not fields of the record, and the kind whose
# fields describe a value that is a row of another kind (a person's status record).
HISTORY_LABELS = {
    "status_record": _l("Status record"),
    "file": _l("File"),
}
HISTORY_ROWS = {"status_record": "statuses"}
UNDOABLE_STEPS = frozenset({"status.add", "status.withdraw", "status.correct", "status.restore"})
HIDDEN_IN_HISTORY = {"id", "deleted_at", "deleted_by_id", "external_source", "merged_into_id"}
EMPTY: tuple[Any, ...] = (None, "", [])


def history_rows(web: WebKind, record: Any, can_see: bool) -> list[dict[str, Any]]:
    """The History tab: each step with who, when, and old → new values (masked as needed)."""
    kind = web.kind
    hide = hidden_from(kind, record, can_see)
    rows = []
    versions: list[Version] = kind.service.history(record)
    for position, version in enumerate(versions):
        entry = version.entry
        raw = entry.changes or {}
        if entry.action == "create":
            raw = {k: {"old": None, "new": value} for k, value in (raw.get("new") or {}).items()}
        rows.append(
            {
                "entry": entry,
                "actor": entry.actor.email if entry.actor else _("system"),
                "action": ACTION_LABELS.get(entry.action, entry.action),
                "changes": history_changes(kind, raw, hide, can_see),
                "revertable": position > 0 and entry.action in ("create", "update", "revert"),
                # A status step is undone on its own (the statuses are not the record's values).
                "undoable": entry.action in UNDOABLE_STEPS,
                "reason": masked(raw.get(REASON), can_see)
                if isinstance(raw.get(REASON), str)
                else None,
            }
        )
    return rows


def history_changes(
    kind: Kind, raw: dict[str, Any], hide: bool, can_see: bool
) -> list[tuple[Any, Any, Any]]:
    """One step's changes as (field, before, after): a field's stored parts read together."""
    changes: dict[str, dict[str, Any]] = {
        key: change
        for key, change in raw.items()
        if isinstance(change, dict) and "old" in change and key not in HIDDEN_IN_HISTORY
    }
    shown = []
    for field in kind.fields:
        parts = [column for column in field.columns if column in changes]
        if not parts or field.internal:
            continue
        old = field.read(Snapshot({c: changes[c]["old"] for c in field.columns if c in changes}))
        new = field.read(Snapshot({c: changes[c]["new"] for c in field.columns if c in changes}))
        for column in parts:
            changes.pop(column)
        if not can_see:
            old, new = field.coarse(old), field.coarse(new)
        if old in EMPTY and new in EMPTY:
            continue
        if hide and field.identifying:
            before = MASKED if old not in EMPTY else "—"
            after = MASKED if new not in EMPTY else "—"
        else:
            before = show_value(field, old, can_see) or "—"
            after = show_value(field, new, can_see) or "—"
        shown.append((field.label, before, after))
    for key, change in sorted(changes.items()):
        if change.get("old") in EMPTY and change.get("new") in EMPTY:
            continue
        label = HISTORY_LABELS.get(key, key.replace("_", " ").capitalize())
        row_kind = HISTORY_ROWS.get(key)
        old, new = (_plain(change.get(side), row_kind, can_see) for side in ("old", "new"))
        if hide:
            shown.append((label, MASKED if change.get("old") else "—", MASKED))
        else:
            shown.append((label, old, new))
    return shown


def _plain(value: Any, row_kind: str | None, can_see: bool) -> Any:
    """A value that is not a field's (a status record, a file) as a line of text; a row of
    another kind read through that kind's fields."""
    if value in EMPTY:
        return "—"
    if isinstance(value, dict) and row_kind is not None:
        source = Snapshot(value)
        parts = []
        for field in kind_named(row_kind).fields:
            shown = show_value(field, field.read(source), can_see)
            if shown and field.editable:
                parts.append(f"{field.label}: {shown}")
        return ", ".join(parts)
    return value


# The kinds of record with pages, by name (the Trash lists them).
WEB_KINDS: dict[str, WebKind] = {}


class RecordViews:
    """The shared pages of one kind of record, on its own blueprint."""

    def __init__(self, web: WebKind):
        self.kind = web
        WEB_KINDS[web.name] = web
        self.blueprint = Blueprint(web.name, __name__, url_prefix=f"/{web.name}")
        bp = self.blueprint
        if web.identity_only:
            bp.before_request(self.require_identity)
        # An analyst's list and record pages change only with the data: their browser keeps
        # them and asks again (304). A page with identities is never kept.
        kept = kept_until_the_data_changes()
        bp.add_url_rule("", "index", kept(self.index), methods=["GET", "POST"])
        bp.add_url_rule("/new", "create", self.create, methods=["GET", "POST"])
        bp.add_url_rule("/lookup", "lookup", self.lookup, methods=["POST"])
        bp.add_url_rule("/<int:record_id>", "detail", kept(self.detail))
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
        form_class = self.kind.form
        if values is None and request.method == "POST":
            form = form_class()
        else:
            form = form_class(data=values or {})
            add_blank_rows(form)
        fill_choices(form, viewer_sees_identity())
        return form

    # --- list ----------------------------------------------------------------------

    def index(self) -> str:
        web, can_see = self.kind, viewer_sees_identity()
        # Someone who may see identities may search by name, so their search term only ever
        # comes in a POST body, never a URL. An analyst's search never looks at identifying
        # fields, so their list is a plain GET (and they never POST to a list).
        if request.method == "POST" and not can_see:
            abort(403)
        params = request.form if request.method == "POST" else request.args
        listing = list_query(web.kind, params, can_see, post_search=request.method == "POST")
        for message in listing.problems.values():
            flash(message, "error")
        if can_see or listing.q or listing.problems:
            content = self.list_content(listing, params, can_see)
        else:
            # An analyst's page shows no identity and nothing of their session: rendered once
            # per version of the data and shared by every analyst (a search term is never
            # kept: such a list is rendered afresh).
            content = rendered_once_per_version(lambda: self.list_content(listing, params, can_see))
        # The content is a template's own output, escaped as it was rendered.
        return render_template("records/list.html", kind=web, content=Markup(content))  # noqa: S704

    def list_content(self, listing: Any, params: Any, can_see: bool) -> str:
        """The list's page of records with its filters, count and pager (the page around it
        apart)."""
        web = self.kind
        query, columns = listing.query, listing.columns
        ranked = web.rank(listing.q, can_see, query) if listing.q and web.rank else None
        matched = {record.id: match for record, match in ranked} if ranked is not None else {}
        if ranked is not None and not (params.get("sort") or params.get("order")):
            # Best match first, as ranked by the name score (a column heading re-sorts).
            total = len(ranked)
            pages = max(1, -(-total // PAGE_SIZE))
            page = min(max(_int(params.get("page"), 1), 1), pages)
            start = (page - 1) * PAGE_SIZE
            records = [record for record, _match in ranked[start : start + PAGE_SIZE]]
        else:
            total = _count(web.name, listing, can_see)
            pages = max(1, -(-total // PAGE_SIZE))
            page = min(max(_int(params.get("page"), 1), 1), pages)
            records = list(
                db.session.execute(
                    query.options(*web.eager()).limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)
                ).scalars()
            )
        rows = [
            (record, [column.shown(record, can_see) for column in columns], matched.get(record.id))
            for record in records
        ]
        page_html = render_template(
            "records/_list.html",
            kind=web,
            columns=columns,
            rows=rows,
            filters=[
                (item, item.choices(can_see) if item.choices else None)
                for item in web.filters
                if can_see or not item.identifying
            ],
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
        if web.shown and records:
            web.shown(current_user, [record.id for record in records], "list")
        return page_html

    def lookup(self) -> Response:
        """Search-as-you-type: up to 20 live records whose name matches (POST, never a URL)."""
        require_editor()  # the pickers are in the forms, which only editors get
        web, can_see = self.kind, viewer_sees_identity()
        q = (request.form.get("q") or "").strip()[:200]
        query = select(web.model).where(web.model.deleted_at.is_(None))
        ranked = web.rank(q, can_see, query) if q and web.rank else None
        if ranked is not None:
            return jsonify(
                items=[
                    _lookup_item(web.label(r, can_see), r.id, m) for r, m in ranked[:LOOKUP_LIMIT]
                ]
            )
        if q:
            query = query.where(web.search(q, can_see))
            if web.ranked_by:
                query = query.order_by(search_rank(web.ranked_by(can_see), q))
        if web.picker_order is not None:
            query = query.order_by(web.picker_order)
        records = db.session.execute(query.limit(LOOKUP_LIMIT)).scalars()
        return jsonify(items=[{"id": r.id, "label": web.label(r, can_see)} for r in records])

    # --- one record ----------------------------------------------------------------

    def detail(self, record_id: int) -> str | Response:
        target = self.kind.service.forwarded(record_id)
        if target is not None:
            flash(_("That %(kind)s was merged into this one.", kind=self.kind.singular), "success")
            return redirect(url_for(".detail", record_id=target))
        return self.detail_page(self.load(record_id))

    def detail_page(self, record: Any, **overrides: Any) -> str:
        """The record with its details, its kind's extra sections and its history."""
        web, can_see = self.kind, viewer_sees_identity()
        extra = web.extra_context(record, current_user) if web.extra_context else {}
        extra.update(overrides)
        page = render_template(
            "records/detail.html",
            kind=web,
            record=record,
            label=web.label(record, can_see),
            details=details(web, record, can_see),
            history=history_rows(web, record, can_see),
            can_edit=can_edit_records(current_user),
            **extra,
        )
        if web.shown:
            web.shown(current_user, [record.id], "detail")
        return page

    def create(self) -> Response | str | tuple[str, int]:
        require_editor()
        prefill = {key: request.args[key] for key in self.kind.prefill if key in request.args}
        form = self.new_form(prefill if request.method == "GET" else None)
        if form.validate_on_submit():
            try:
                record = self.kind.service.create(current_user, form.values(), _confirmed())
            except ValidationFailed as error:
                return self.form_page(form, None, error), 422
            flash(_("The %(kind)s was saved.", kind=self.kind.singular), "success")
            return redirect(url_for(".detail", record_id=record.id))
        status = 422 if form.is_submitted() else 200
        return self.form_page(form, None), status

    def edit(self, record_id: int) -> Response | str | tuple[str, int]:
        require_editor()
        web = self.kind
        record = self.load(record_id)
        if record.deleted_at is not None:
            return self.in_trash(record)
        if request.method == "GET":
            form = self.new_form(form_values(web.kind, record))
            form.version.data = str(record.version)
            return self.form_page(form, record)
        form = self.new_form()
        if not form.validate_on_submit():
            return self.form_page(form, record), 422
        expected = _int(form.version.data, None)
        try:
            web.service.update(
                current_user, record, expected, form.values(), confirmed=_confirmed()
            )
        except Conflict:
            unit_of_work.rollback()
            return self.conflict_page(form, self.load(record_id)), 409
        except ValidationFailed as error:
            unit_of_work.rollback()
            return self.form_page(form, self.load(record_id), error), 422
        flash(_("The %(kind)s was saved.", kind=web.singular), "success")
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
        warning = error if isinstance(error, NeedsConfirmation) else None
        if error is not None and warning is None and not form.set_errors(error.fields):
            flash(error.message, "error")
        elif error is not None and warning is None:
            flash(_("The form has errors; see the messages beside the fields."), "error")
        return render_template(
            "records/form.html",
            kind=self.kind,
            form=form,
            record=record,
            label=self.kind.label(record, True) if record is not None else None,
            warning=warning,
        )

    def conflict_page(self, form: RecordForm, record: Any) -> str:
        """Show the user's values beside the current ones; they may re-apply theirs."""
        web = self.kind
        service = web.service
        current = service.editable_values(record)
        try:
            mine_values = service.clean(service.merged(record, form.values()), record)
        except ServiceError:
            mine_values = {}
        rows = []
        for field in web.kind.fields:
            if not shown_in_forms(field) or field.name not in mine_values:
                continue
            theirs = field.read(Snapshot(current))
            mine = mine_values[field.name]
            if field.stored(mine) != field.stored(theirs):
                rows.append(
                    (field.label, show_value(field, mine, True), show_value(field, theirs, True))
                )
        submitted = [
            (key, value)
            for key, value in request.form.items(multi=True)
            if key not in ("csrf_token", "version")
        ]
        return render_template(
            "records/conflict.html",
            kind=web,
            record=record,
            label=web.label(record, True),
            rows=rows,
            submitted=submitted,
        )

    def delete(self, record_id: int) -> Response:
        require_editor()
        record = self.load(record_id)
        self.kind.service.delete(current_user, record)
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
        except ServiceError as error:  # a merged-away person comes back by undoing the merge
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
        except Conflict:
            unit_of_work.rollback()
            flash(
                _("Someone else changed this record meanwhile. Look at the history again."),
                "error",
            )
        except NotFound:
            abort(404)
        except ValidationFailed as error:
            unit_of_work.rollback()
            reasons = "; ".join(error.fields.values())
            flash(
                _("That version cannot be restored as it is: %(reasons)s", reasons=reasons), "error"
            )
        else:
            flash(_("The earlier version was restored; the change is in the history."), "success")
        return redirect(url_for(".detail", record_id=record_id))


def _confirmed() -> bool:
    """Whether the user ticked "save anyway" under a warning the form showed them."""
    return request.form.get("confirm") == "y"


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


__all__ = ["MASKED", "RecordViews", "WebKind", "masked"]


def _count(kind_name: str, listing: Any, can_see: bool) -> int:
    """How many records the list holds: counted once per change of the data and per set of
    filters, not for every page turned (a million rows take a while to count), and per day
    (a case is urgent for the UN by the date). A search term is never part of a cache key:
    a list searched by name is counted afresh."""

    def count() -> int:
        counted = listing.query.order_by(None).subquery()
        return int(db.session.execute(select(func.count()).select_from(counted)).scalar_one())

    if listing.q:
        return count()
    today = utcnow().date()
    return cached("list-count", (kind_name, listing.active, listing.scoped, can_see, today), count)
