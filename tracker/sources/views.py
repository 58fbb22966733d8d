"""Source pages: the shared record views for sources, plus attached files."""

from typing import Any

from flask import abort, flash, redirect, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import and_, or_, select
from werkzeug.wrappers import Response

from tracker.accounts.permissions import can_edit_records, can_view_identity
from tracker.events.models import EventSource, RepatriationEvent
from tracker.exceptions import NotFound, PermissionDenied, ValidationFailed
from tracker.extensions import db
from tracker.i18n import format_day
from tracker.records import live_records
from tracker.sources.forms import SourceFileForm, SourceForm
from tracker.sources.models import Source
from tracker.sources.services import (
    CREDIBILITY_MEANINGS,
    RELIABILITY_MEANINGS,
    attach_file,
    file_for_download,
    graded,
    live_files,
    source_label,
    sources,
    stored_path,
)
from tracker.vocab.labels import choices, label
from tracker.workspace.masking import masked
from tracker.workspace.views import Column, Filter, RecordKind, RecordViews

IDENTITY_FIELDS = frozenset({"title", "organisation", "url", "notes", "file"})


def grade(source: Source) -> str:
    """The Admiralty grade with its meaning: "B2 (usually reliable; probably true)"."""
    if source.reliability is None and source.credibility is None:
        return ""
    code = f"{source.reliability or '?'}{source.credibility or '?'}"
    meanings = [
        RELIABILITY_MEANINGS.get(source.reliability or "", _("reliability not graded")),
        CREDIBILITY_MEANINGS.get(source.credibility or 0, _("credibility not graded")),
    ]
    return f"{code} ({meanings[0].lower()}; {meanings[1].lower()})"


def _search(q: str, can_see: bool) -> Any:
    pattern = f"%{q}%"
    matches = or_(Source.title.ilike(pattern), Source.organisation.ilike(pattern))
    # An analyst's search must not find a confidential source by the words that identify it.
    return matches if can_see else and_(matches, Source.confidential.is_(False))


def _details(source: Source, can_see: bool) -> list[tuple[str, Any]]:
    shown = can_see or not source.confidential
    return [
        (_l("Title"), masked(source.title, shown)),
        (_l("Kind"), label("source_kind", source.kind)),
        (_l("Organisation"), masked(source.organisation, shown)),
        (_l("Date"), format_day(source.published_on)),
        (_l("Web address"), masked(source.url, shown)),
        (_l("Grade"), grade(source)),
        (_l("Confidential"), _("yes") if source.confidential else _("no")),
        (_l("Notes"), masked(source.notes, shown)),
    ]


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


source_kind = RecordKind(
    name="sources",
    singular=_l("source"),
    title=_l("Sources"),
    service=sources,
    form=SourceForm,
    columns=[
        Column(
            "title",
            _l("Title"),
            lambda r: source_label(r, can_view_identity(current_user)),
            Source.title,
        ),
        Column("kind", _l("Kind"), lambda r: label("source_kind", r.kind), Source.kind),
        Column("published_on", _l("Date"), lambda r: r.published_on or "", Source.published_on),
        Column(
            "grade",
            _l("Grade"),
            lambda r: f"{r.reliability or '?'}{r.credibility or '?'}",
            Source.reliability,
        ),
        Column(
            "confidential",
            _l("Confidential"),
            lambda r: _("yes") if r.confidential else "",
            Source.confidential,
        ),
    ],
    filters=[
        Filter(
            "kind",
            _l("Kind"),
            lambda q, v: q.where(Source.kind == v),
            lambda can_see: choices("source_kind"),
        ),
        Filter(
            "reliability",
            _l("Reliability"),
            lambda q, v: q.where(Source.reliability == v),
            lambda can_see: [(g, graded(g, m)) for g, m in RELIABILITY_MEANINGS.items()],
        ),
        Filter(
            "confidential",
            _l("Confidential"),
            lambda q, v: q.where(Source.confidential.is_(v == "yes")),
            lambda can_see: [("yes", _l("Confidential only")), ("no", _l("Not confidential"))],
        ),
    ],
    label=source_label,
    details=_details,
    search=_search,
    default_sort="published_on",
    picker_order=Source.title,
    ranked_by=lambda can_see: Source.title,
    identifying_fields=IDENTITY_FIELDS,
    extra_template="sources/extra.html",
    extra_context=_extra,
)

source_views = RecordViews(source_kind)
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
        db.session.commit()
    except ValidationFailed as error:
        db.session.rollback()
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
    db.session.commit()
    response = send_file(
        stored_path(attached),
        mimetype=attached.content_type,
        as_attachment=True,
        download_name=attached.filename,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "no-store"
    return response
