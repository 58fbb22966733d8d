"""Import pages: upload → proposed mapping (edit, save by name) → preview → import; the
batches, each with its revert. Views stay thin: the rules are in the services."""

import json
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from tracker import unit_of_work
from tracker.accounts.permissions import role_required
from tracker.exceptions import ServiceError
from tracker.extensions import db
from tracker.imports import forms, services, uploads
from tracker.imports.columns import import_columns
from tracker.imports.mapping import KINDS, propose_mapping
from tracker.imports.models import SavedMapping
from tracker.imports.reading import FileRejected

bp = Blueprint("imports", __name__, url_prefix="/imports")


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


@bp.route("/upload/<token>", methods=["GET"])
@role_required("admin", "researcher")
def mapping(token: str) -> Response | str:
    upload = _upload(token)
    sheet = request.args.get("sheet") or upload.sheet
    try:
        table = services.read_file(upload.path, sheet)
        table.close()  # the headers are all this page needs
    except ServiceError as error:
        uploads.discard_upload(upload)
        flash(error.message, "error")
        return redirect(url_for(".index"))
    proposal: dict[str, Any] = propose_mapping(upload.kind, table.headers)
    saved_id = request.args.get("saved", type=int)
    saved = db.session.get(SavedMapping, saved_id) if saved_id else None
    if saved is not None and saved.kind == upload.kind:
        proposal = dict(saved.mapping)
    return _mapping_page(upload, table.headers, table.sheets, table.sheet, proposal)


@bp.route("/upload/<token>/preview", methods=["POST"])
@role_required("admin", "researcher")
def preview(token: str) -> Response | str:
    upload = _upload(token)
    sheet = request.form.get("sheet") or upload.sheet
    try:
        chosen = forms.mapping_from(upload.kind, request.form)
        if request.form.get("save_as", "").strip():
            services.save_mapping(current_user, upload.kind, request.form["save_as"], chosen)
        options = forms.options_from(request.form, sheet)
        report = unit_of_work.undone(
            lambda: services.import_file(
                current_user,
                upload.path,
                upload.filename,
                upload.kind,
                chosen,
                options,
                dry_run=True,
            )
        )
    except ServiceError as error:
        unit_of_work.rollback()
        flash(error.message, "error")
        return redirect(url_for(".mapping", token=token, sheet=sheet or None))
    return render_template(
        "imports/preview.html",
        upload=upload,
        report=report,
        mapping_json=json.dumps(chosen, ensure_ascii=False),
        options=options,
    )


@bp.route("/upload/<token>/import", methods=["POST"])
@role_required("admin", "researcher")
def run(token: str) -> Response:
    upload = _upload(token)
    sheet = request.form.get("sheet") or upload.sheet
    try:
        chosen = forms.mapping_from(upload.kind, request.form)
        options = forms.options_from(request.form, sheet)
        report = services.import_file(
            current_user, upload.path, upload.filename, upload.kind, chosen, options
        )
        if report.accepted == 0:
            unit_of_work.rollback()
            flash(_("Nothing could be imported; nothing was written."), "error")
            return redirect(url_for(".mapping", token=token, sheet=sheet or None))
    except ServiceError as error:
        unit_of_work.rollback()
        flash(error.message, "error")
        return redirect(url_for(".mapping", token=token, sheet=sheet or None))
    uploads.discard_upload(upload)
    flash(
        _(
            "Imported: %(created)s created, %(updated)s updated, %(unchanged)s unchanged, "
            "%(rejected)s rejected.",
            created=report.created,
            updated=report.updated,
            unchanged=report.unchanged,
            rejected=report.rejected,
        ),
        "success",
    )
    return redirect(url_for(".batch", batch_id=report.batch_id))


@bp.route("/<int:batch_id>", methods=["GET"])
@role_required("admin", "researcher")
def batch(batch_id: int) -> str:
    return render_template("imports/batch.html", batch=_batch(batch_id))


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
) -> str:
    columns = import_columns(upload.kind)
    simple = all(isinstance(v, str) for k, v in proposal.items() if k in columns)
    return render_template(
        "imports/map.html",
        upload=upload,
        headers=headers,
        sheets=sheets,
        sheet=sheet,
        fields=list(columns),
        proposal=proposal,
        advanced="" if simple else json.dumps(proposal, ensure_ascii=False, indent=1),
        saved=services.saved_mappings(upload.kind),
    )
