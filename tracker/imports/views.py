"""Import pages: upload → proposed mapping (edit, save by name) → preview → import; the
batches, each with its revert. Views stay thin: the rules are in the services."""

import io
import json
import time
from typing import Any

from flask import (
    Blueprint,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from tracker import unit_of_work
from tracker.accounts.permissions import can_view_identity, role_required
from tracker.exceptions import ServiceError
from tracker.extensions import db
from tracker.i18n import format_number
from tracker.imports import forms, jobs, results, services, uploads
from tracker.imports.columns import import_columns
from tracker.imports.lookalikes import record_name
from tracker.imports.mapping import KINDS, propose_mapping
from tracker.imports.models import ImportBatch, SavedMapping
from tracker.imports.reading import FileRejected
from tracker.imports.samples import ColumnValues, field_rows, propose_split, read_samples
from tracker.jobs.queue import find as find_job
from tracker.jobs.queue import speed as job_speed

bp = Blueprint("imports", __name__, url_prefix="/imports")
# A job with no news for this long is shown as stalled (its worker may have stopped).
STALLED_AFTER = 10 * 60


@bp.route("", methods=["GET"])
@role_required("admin", "researcher")
def index() -> str:
    return render_template("imports/index.html", kinds=KINDS, batches=services.recent_batches())


@bp.route("", methods=["POST"])
@role_required("admin", "researcher")
def upload() -> Response | str:
    file = request.files.get("file")
    try:
        kind = forms.kind_from(request.form)
        if file is None or not file.filename:
            raise FileRejected(_("Choose a CSV or XLSX file."))
        stored = uploads.store_upload(
            current_user, file.filename, kind, request.form.get("sheet"), file.stream
        )
    except ServiceError as error:
        flash(error.message, "error")
        return redirect(url_for(".index"))
    return redirect(url_for(".mapping", token=stored.token))


@bp.route("/upload/<token>", methods=["GET", "POST"])
@role_required("admin", "researcher")
def mapping(token: str) -> Response | str:
    """The mapping page; a POST shows it again with the columns chosen so far (their values
    to translate)."""
    upload = _upload(token)
    source = request.form if request.method == "POST" else request.args
    sheet = source.get("sheet") or upload.sheet
    try:
        table = services.read_file(upload.path, sheet)
        try:
            values = read_samples(table.headers, table.rows)
        finally:
            table.close()
    except ServiceError as error:
        uploads.discard_upload(upload)
        flash(error.message, "error")
        return redirect(url_for(".index"))
    proposal: dict[str, Any] = propose_mapping(upload.kind, table.headers)
    propose_split(upload.kind, proposal, values)
    saved_id = request.args.get("saved", type=int)
    saved = db.session.get(SavedMapping, saved_id) if saved_id else None
    if saved is not None and saved.kind == upload.kind:
        proposal = dict(saved.mapping)
    if request.method == "POST":
        try:
            proposal = forms.mapping_from(upload.kind, request.form)
        except ServiceError as error:
            flash(error.message, "error")
    return _mapping_page(upload, table.headers, table.sheets, table.sheet, proposal, values)


@bp.route("/upload/<token>/preview", methods=["POST"])
@role_required("admin", "researcher")
def preview(token: str) -> Response:
    """Queue the preview (every row read as the import would, nothing written) as a job; its
    pages list what it found."""
    upload = _upload(token)
    sheet = request.form.get("sheet") or upload.sheet
    try:
        chosen = forms.mapping_from(upload.kind, request.form)
        if request.form.get("save_as", "").strip():
            # Its own unit of work, ended before the job starts: the job's transaction is
            # another one (on SQLite it could not write while this one held the lock).
            unit_of_work.run_command(
                lambda: services.save_mapping(
                    current_user, upload.kind, request.form["save_as"], chosen
                )
            )
        options = forms.options_from(request.form, sheet)
    except ServiceError as error:
        unit_of_work.rollback()
        flash(error.message, "error")
        return redirect(url_for(".mapping", token=token, sheet=sheet or None))
    results.discard_preview(upload.path)
    started = jobs.start_import(current_user, upload, chosen, options, preview=True)
    if started["status"] in ("done", "failed"):  # a queue that runs jobs at once (tests)
        return job(started.id)  # type: ignore[return-value]
    return redirect(url_for(".job", job_id=started.id))


@bp.route("/upload/<token>/preview", methods=["GET"])
@role_required("admin", "researcher")
def preview_page(token: str) -> Response | str:
    """The preview's counts, then one page of the rows created, updated, unchanged or
    rejected."""
    upload = _upload(token)
    found = results.load_preview(upload.path)
    if found is None:
        return redirect(url_for(".mapping", token=token))
    options = services.ImportOptions(**found.options)
    show, numbers, pages, page = _paged(found)
    cells = {}
    if show in ("created", "unchanged"):
        try:
            cells = results.cells_of(upload.path, options.sheet, numbers)
        except ServiceError:
            cells = {}
    earlier = (
        db.session.get(ImportBatch, found.report.earlier_batch_id)
        if found.report.earlier_batch_id
        else None
    )
    return render_template(
        "imports/preview.html",
        upload=upload,
        report=found.report,
        results=found,
        mapping_json=json.dumps(found.report.mapping, ensure_ascii=False),
        options=options,
        show=show,
        numbers=numbers,
        cells=cells,
        rejected_cells=dict(found.rejected_rows),
        problems=found.problems_of(numbers),
        page=page,
        pages=pages,
        earlier=earlier,
        changes=_changes_shown(upload.kind, found, numbers) if show == "updated" else {},
        record_name=record_name,
    )


@bp.route("/upload/<token>/rejects.csv", methods=["GET"])
@role_required("admin", "researcher")
def preview_rejects(token: str) -> Response:
    """The rows the preview rejected, to correct and import again."""
    upload = _upload(token)
    found = results.load_preview(upload.path)
    if found is None:
        abort(404)
    return _csv(found, f"{_stem(upload.filename)}-rejected.csv")


@bp.route("/upload/<token>/import", methods=["POST"])
@role_required("admin", "researcher")
def run(token: str) -> Response:
    """Queue the import as a job (a worker runs it, outside any request) and follow it."""
    upload = _upload(token)
    sheet = request.form.get("sheet") or upload.sheet
    try:
        chosen = forms.mapping_from(upload.kind, request.form)
        options = forms.options_from(request.form, sheet)
        if not options.allow_repeat:  # refused now, not after a wait for the worker
            earlier = services.repeated_import(upload.path, upload.kind, sheet)
            if earlier is not None:
                raise services.AlreadyImported(earlier)
    except ServiceError as error:
        unit_of_work.rollback()
        flash(error.message, "error")
        return redirect(url_for(".mapping", token=token, sheet=sheet or None))
    started = jobs.start_import(current_user, upload, chosen, options)
    if started["status"] in ("done", "failed"):  # a queue that runs jobs at once (tests)
        return job(started.id)  # type: ignore[return-value]
    return redirect(url_for(".job", job_id=started.id))


@bp.route("/jobs/<job_id>", methods=["GET"])
@role_required("admin", "researcher")
def job(job_id: str) -> Response | str:
    """An import job's progress (the page reloads itself until the job ends); then its batch."""
    found = find_job(job_id)
    if found is None or found["user_id"] != current_user.id:
        abort(404)
    token = (found["about"] or {}).get("token")
    if found["status"] == "failed" and token:  # back to the mapping, which says why
        flash(found["error"], "error")
        return redirect(url_for(".mapping", token=token))
    if found["status"] == "done" and found["name"] == jobs.PREVIEW:
        result = found["result"] or {}
        return redirect(url_for(".preview_page", token=result["token"], show=result["show"]))
    if found["status"] == "done":
        result = found["result"] or {}
        counts = result.get("counts") or {}
        if result.get("nothing") or not result.get("batch_id"):
            flash(_("Nothing could be imported; nothing was written."), "error")
            return redirect(url_for(".index"))
        flash(
            _(
                "Imported: %(created)s created, %(updated)s updated, %(unchanged)s unchanged, "
                "%(rejected)s rejected.",
                created=counts.get("created", 0),
                updated=counts.get("updated", 0),
                unchanged=counts.get("unchanged", 0),
                rejected=counts.get("rejected", 0),
            ),
            "success",
        )
        return redirect(url_for(".batch", batch_id=result["batch_id"]))
    return render_template(
        "imports/job.html",
        job=found,
        speed=job_speed(found),
        progress_text=_progress(found),
        stalled=time.time() - (found["updated"] or 0) > STALLED_AFTER,
    )


@bp.route("/jobs/<job_id>/progress", methods=["GET"])
@role_required("admin", "researcher")
def job_progress(job_id: str) -> Response:
    """The job's progress for its page's script: rows done, rows/s, time left; where to go
    once it has ended."""
    found = find_job(job_id)
    if found is None or found["user_id"] != current_user.id:
        abort(404)
    speed = job_speed(found)
    ended = found["status"] in ("done", "failed")
    return jsonify(
        {
            "status": found["status"],
            "done": found["done"],
            "total": found["total"],
            "percent": speed["percent"],
            "text": _progress(found),
            "next": url_for(".job", job_id=job_id) if ended else None,
        }
    )


def _progress(found: Any) -> str:
    speed = job_speed(found)
    text = _(
        "%(done)s of %(total)s rows read.",
        done=format_number(found["done"] or 0),
        total=format_number(found["total"]) if found["total"] else "?",
    )
    if speed["rate"]:
        text += " " + _(
            "%(rate)s rows/s, about %(left)s s left.",
            rate=format_number(round(speed["rate"])),
            left=format_number(round(speed["left"] or 0)),
        )
    return text


@bp.route("/<int:batch_id>/rejects.csv", methods=["GET"])
@role_required("admin", "researcher")
def batch_rejects(batch_id: int) -> Response:
    """The rows an import rejected, to correct and import again."""
    found_batch = _batch(batch_id)
    found = results.load_batch(batch_id)
    if found is None:
        abort(404)
    return _csv(found, f"{_stem(found_batch.filename)}-rejected.csv")


def _changes_shown(
    kind: str, found: results.Results, numbers: list[int]
) -> dict[int, list[tuple[Any, Any, Any]]]:
    """The page's updated rows as (field, before, after), read as a record's history reads
    them: each field's stored parts together, by its label and in the page's language."""
    from tracker.kinds.registry import kind as kind_named
    from tracker.workspace.views import history_changes

    named = kind_named(kind)
    can_see = can_view_identity(current_user)
    labels = {column: field.label for field in named.fields for column in field.columns}
    shown: dict[int, list[tuple[Any, Any, Any]]] = {}
    for number in numbers:
        for step in found.changes.get(number, []):
            if isinstance(step, dict):
                rows = history_changes(named, step, not can_see, can_see)
            else:  # saved before changes were kept as the audit keeps them
                name, before, after = step
                rows = [(labels.get(name, name), before or "—", after or "—")]
            shown.setdefault(number, []).extend(rows)
    return shown


def _paged(found: results.Results) -> tuple[str, list[int], int, int]:
    show = request.args.get("show", "rejected")
    if show not in results.SHOWS:
        show = "rejected"
    page = request.args.get("page", 1, type=int) or 1
    numbers, pages = found.page(show, page)
    return show, numbers, pages, min(max(page, 1), pages)


def _csv(found: results.Results, name: str) -> Response:
    response = send_file(
        io.BytesIO(found.rejects_csv()),
        mimetype="text/csv",
        as_attachment=True,
        download_name=name,
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def _stem(filename: str) -> str:
    return filename.rsplit(".", 1)[0] or "import"


@bp.route("/<int:batch_id>", methods=["GET"])
@role_required("admin", "researcher")
def batch(batch_id: int) -> str:
    found = results.load_batch(batch_id)
    numbers: list[int] = []
    pages = page = 1
    if found is not None:
        numbers, pages = found.page("rejected", request.args.get("page", 1, type=int) or 1)
        page = min(max(request.args.get("page", 1, type=int) or 1, 1), pages)
    return render_template(
        "imports/batch.html",
        batch=_batch(batch_id),
        results=found,
        numbers=numbers,
        rejected_cells=dict(found.rejected_rows) if found else {},
        problems=found.problems_of(numbers) if found else {},
        page=page,
        pages=pages,
    )


@bp.route("/<int:batch_id>/revert", methods=["POST"])
@role_required("admin", "researcher")
def revert(batch_id: int) -> Response:
    found = _batch(batch_id)
    try:
        touched = services.revert_batch(current_user, found)
        flash(
            _("Reverted the import: %(count)s records put back as they were.", count=touched),
            "success",
        )
    except ServiceError as error:
        unit_of_work.rollback()
        flash(error.message, "error")
    return redirect(url_for(".batch", batch_id=batch_id))


def _upload(token: str) -> uploads.Upload:
    try:
        return uploads.load_upload(current_user, token)
    except ServiceError:
        abort(404)


def _batch(batch_id: int) -> Any:
    try:
        return services.get_batch(batch_id)
    except ServiceError:
        abort(404)


def _mapping_page(
    upload: uploads.Upload,
    headers: list[str],
    sheets: list[str],
    sheet: str | None,
    proposal: dict[str, Any],
    values: dict[str, ColumnValues],
) -> str:
    columns = import_columns(upload.kind)
    simple = all(_on_the_page(v) for k, v in proposal.items() if k in columns)
    return render_template(
        "imports/map.html",
        upload=upload,
        headers=headers,
        samples=values,
        sheets=sheets,
        sheet=sheet,
        rows=field_rows(upload.kind, proposal if simple else {}, values),
        proposal=proposal,
        advanced="" if simple else json.dumps(proposal, ensure_ascii=False, indent=1),
        saved=services.saved_mappings(upload.kind),
    )


def _on_the_page(spec: Any) -> bool:
    """Whether the page's own fields can show a field's mapping (a column, perhaps with its
    values translated); anything else stays in the JSON box."""
    if isinstance(spec, str):
        return True
    return isinstance(spec, dict) and set(spec) <= {"column", "values"} and "column" in spec
