"""Source pages: the shared record views for sources, plus attached files."""

from typing import Any

from flask import abort, flash, redirect, send_file, url_for
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from tracker.accounts.permissions import can_edit_records, can_view_identity
from tracker.events.models import EventSource, RepatriationEvent
from tracker.exceptions import NotFound, PermissionDenied, ValidationFailed
from tracker.records.service import live_records
from tracker.sources.forms import SourceFileForm
from tracker.sources.kind import SOURCES
from tracker.sources.models import Source
from tracker.sources.services import attach_file, file_for_download, live_files, stored_path
from tracker.workspace.views import RecordViews, WebKind


def _extra(source: Source, user: Any) -> dict[str, Any]:
    can_see = can_view_identity(user)
    cited = live_records(
        RepatriationEvent,
        RepatriationEvent.id.in_(
            select(EventSource.event_id).where(EventSource.source_id == source.id)
        ),
        order_by=RepatriationEvent.date_start,
    )
    return {
        "files": live_files(source) if can_see else [],
        "file_count": len(live_files(source)),
        "file_form": SourceFileForm() if can_edit_records(user) else None,
        "cited_by": cited,
    }


source_views = RecordViews(
    WebKind(SOURCES, extra_template="sources/extra.html", extra_context=_extra)
)
bp = source_views.blueprint


@bp.route("/<int:record_id>/files", methods=["POST"])
def upload(record_id: int) -> Response:
    if not can_edit_records(current_user):
        abort(403)
    source = source_views.load(record_id)
    form = SourceFileForm()
    if not form.validate_on_submit():
        for message in form.file.errors:
            flash(f"Attach a file: {message}", "error")
        return redirect(url_for(".detail", record_id=record_id))
    try:
        attached = attach_file(current_user, source, form.file.data.filename, form.file.data.stream)
    except ValidationFailed as error:
        flash(f"The file was not attached: {error.message}", "error")
        return redirect(url_for(".detail", record_id=record_id))
    flash(f"Attached {attached.filename}.", "success")
    return redirect(url_for(".detail", record_id=record_id))


@bp.route("/<int:record_id>/files/<int:file_id>")
def download(record_id: int, file_id: int) -> Response:
    source = source_views.load(record_id)
    try:
        attached = file_for_download(current_user, source, file_id)
    except PermissionDenied:
        abort(403)
    except NotFound:
        abort(404)
    response = send_file(
        stored_path(attached),
        mimetype=attached.content_type,
        as_attachment=True,
        download_name=attached.filename,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "no-store"
    return response
