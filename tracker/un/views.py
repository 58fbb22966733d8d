"""Cases for the UN: the "Ready for the UN" list, a case's submission document, the batch of
every ready case, the readiness CSV, and the organisation's submitter details (admins)."""

from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from werkzeug.wrappers import Response as WerkzeugResponse

from tracker import unit_of_work
from tracker.accounts.models import User
from tracker.accounts.permissions import can_view_identity, role_required
from tracker.accounts.services import WrongPassword
from tracker.exceptions import PermissionDenied, ServiceError
from tracker.exports.views import _fresh_login as fresh_login
from tracker.extensions import db
from tracker.kinds.listing import list_query
from tracker.kinds.registry import kind
from tracker.persons.kind import full_name, log_identity_view
from tracker.persons.models import Person
from tracker.persons.views import person_views
from tracker.un import readiness as un
from tracker.un import services
from tracker.un.document import LANGUAGES

bp = Blueprint("un", __name__, url_prefix="/un")
PAGE_SIZE = 25
FILTERS = ("un_ready", "un_urgent", "un_submitted", "un_missing")


def _language_names() -> dict[str, str]:
    return {"en": _("English (the submission)"), "ko": _("Korean (the family's copy)")}


@bp.route("/")
def index() -> str:
    """The vanished persons with their readiness; filters: ready, missing, urgent, submitted."""
    can_see = can_view_identity(current_user)
    params = {key: request.args.get(key, "") for key in FILTERS}
    params["status"] = "vanished"
    listing = list_query(kind("persons"), params, can_see, post_search=False)
    for message in listing.problems.values():
        flash(message, "error")
    query = listing.query.where(Person.merged_into_id.is_(None)).order_by(None)
    query = query.order_by(Person.case_code)
    total = db.session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(_int(request.args.get("page"), 1), 1), pages)
    persons = list(
        db.session.execute(query.limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).scalars()
    )
    submitter = un.current_submitter()
    rows = [(person, un.check(person, submitter)) for person in persons]
    if can_see and persons:
        log_identity_view(current_user, [p.id for p in persons], "un.list")
    return render_template(
        "un/index.html",
        rows=rows,
        total=total,
        page=page,
        pages=pages,
        args=request.args,
        active={key: value for key, value in params.items() if value and key != "status"},
        can_see=can_see,
        elements=un.ELEMENTS,
        element_labels=un.ELEMENT_LABELS,
        element_short=un.ELEMENT_SHORT,
        state_labels=un.STATE_LABELS,
        submission_labels=un.SUBMISSION_LABELS,
        full_name=full_name,
        submitter_ready=un.submitter_ready(submitter),
        languages=_language_names(),
    )


def _int(value: Any, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


# --- one case's document ----------------------------------------------------------------------


@bp.route("/persons/<int:record_id>/document", methods=["GET", "POST"])
@role_required("admin", "researcher")
def document(record_id: int) -> Response | tuple[str, int]:
    """The form (the sources to name, the language, a reason, the password), then the file."""
    person = person_views.load(record_id)
    if person.deleted_at is not None:
        abort(404)
    if request.method == "GET":
        return _document_form(person, {}, 200)
    try:
        fresh_login(request.form.get("password") or "")
        made = services.submission_document(
            current_user,
            person,
            request.form.get("reason") or "",
            request.form.getlist("sources"),
            request.form.get("language") or "en",
        )
    except (PermissionDenied, WrongPassword) as error:
        unit_of_work.keep_on_error()  # a mistyped password is a failed login, kept in the audit
        return _document_form(person, error.fields or {"": error.message}, 403)
    except ServiceError as error:
        return _document_form(person, error.fields or {"": error.message}, error.status_code)
    response = Response(made.content, mimetype=services.DOCX)
    response.headers["Content-Disposition"] = f'attachment; filename="{made.filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def _document_form(person: Person, errors: dict[str, str], status: int) -> tuple[str, int]:
    chosen = set(request.form.getlist("sources")) if request.method == "POST" else None
    log_identity_view(current_user, [person.id], "un.document_form")
    return render_template(
        "un/document.html",
        person=person,
        check=un.check(person),
        sources=services.candidate_sources(person),
        chosen=chosen,
        errors=errors,
        languages=_language_names(),
        form=request.form,
    ), status


# --- every ready case ---------------------------------------------------------------------------


@bp.route("/batch", methods=["POST"])
@role_required("admin", "researcher")
def batch() -> Response | tuple[str, int]:
    """One zip of every ready case's document, with a manifest, sent while it is built."""
    try:
        fresh_login(request.form.get("password") or "")
        made = services.start_batch(
            current_user, request.form.get("reason") or "", request.form.get("language") or "en"
        )
    except (PermissionDenied, WrongPassword) as error:
        unit_of_work.keep_on_error()  # a mistyped password is a failed login, kept in the audit
        return _batch_refused(error.fields or {"": error.message}, 403)
    except ServiceError as error:
        return _batch_refused(error.fields or {"": error.message}, error.status_code)
    user_id = current_user.id
    chunks = unit_of_work.streamed(
        made.chunks(), lambda: services.finish_batch(db.session.get(User, user_id), made)
    )
    response = Response(stream_with_context(chunks), mimetype="application/zip")
    response.headers["Content-Disposition"] = f'attachment; filename="{made.filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def _batch_refused(errors: dict[str, str], status: int) -> tuple[str, int]:
    for message in errors.values():
        flash(message, "error")
    return index(), status


@bp.route("/readiness.csv")
def readiness_csv() -> Response:
    """Every vanished person's readiness (researchers: case codes; analysts: counts only)."""
    content = services.readiness_csv(current_user)
    response = Response(content, mimetype="text/csv; charset=utf-8")
    filename = services.readiness_filename(current_user)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


# --- the submitter --------------------------------------------------------------------------------


@bp.route("/submitter", methods=["GET", "POST"])
@role_required("admin")
def submitter() -> WerkzeugResponse | tuple[str, int]:
    """The organisation's details that every submission carries (element (f))."""
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            services.set_submitter(current_user, request.form)
        except ServiceError as error:
            errors = error.fields or {"": error.message}
        else:
            flash(_("The submitter details were saved."), "success")
            return redirect(url_for(".submitter"))
    current = un.current_submitter()
    values: Any = request.form
    if request.method != "POST":
        values = {name: getattr(current, name, None) or "" for name in services.SUBMITTER_FIELDS}
        values["confidential"] = current.confidential if current is not None else True
    return render_template(
        "un/submitter.html", values=values, errors=errors
    ), 422 if errors else 200


__all__ = ["LANGUAGES", "bp"]
