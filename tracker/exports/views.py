"""Export pages: the options form (reached from a list or the dashboard with its filters), the
streamed file, an export's manifest, and the printable report. The rules are in services."""

import time
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    jsonify,
    render_template,
    request,
    session,
    stream_with_context,
)
from flask_babel import gettext as _
from flask_login import current_user

from tracker import unit_of_work
from tracker.accounts.models import User
from tracker.accounts.permissions import can_view_identity
from tracker.accounts.services import WrongPassword
from tracker.dashboard.filters import FilterError, parse_filters
from tracker.exceptions import PermissionDenied, ServiceError, ValidationFailed
from tracker.exports import report as report_service
from tracker.exports import services
from tracker.exports.datasets import DATASETS
from tracker.extensions import db

bp = Blueprint("exports", __name__, url_prefix="/exports")
FRESH_LOGIN_KEY = "export_password_confirmed_at"


@bp.app_context_processor
def _exportable() -> dict[str, Any]:
    return {"export_kinds": frozenset(DATASETS)}


def _params() -> Any:
    """The page's parameters: a POST body for those who may search by name, else the URL."""
    if request.method == "POST":
        if not can_view_identity(current_user):
            abort(403)
        return request.form
    return request.args


@bp.route("/new", methods=["GET", "POST"])
def new() -> tuple[str, int]:
    params = _params()
    what = params.get("what") or "persons"
    if what not in DATASETS:
        return _form_page("persons", params, {"what": _("Choose what to export.")}, 400)
    return _form_page(what, params, {}, 200)


def _form_page(what: str, params: Any, errors: dict[str, str], status: int) -> tuple[str, int]:
    can_see = can_view_identity(current_user)
    carried = services.recorded_filters(what, params)
    if can_see and request.method != "POST":
        carried.pop("q", None)  # a name search only ever travels in a POST body
    dataset = DATASETS[what]
    redacted = [column.name for column in dataset.columns(False)] + [services.URL_COLUMN]
    identifying = [c.name for c in dataset.columns(True) if c.identifying] if can_see else []
    return render_template(
        "exports/new.html",
        dataset=dataset,
        column_names={"redacted": redacted, "identifying": identifying},
        form_defaults=services.FORM_DEFAULTS,
        datasets=DATASETS,
        carried=carried,
        params=params,
        errors=errors,
        can_see=can_see,
        recent=services.exports_of(current_user),
    ), status


@bp.route("/file", methods=["GET", "POST"])
def download() -> Response | tuple[str, int]:
    params = _params()
    values = params.to_dict() | {"base_url": current_app.config["BASE_URL"]}
    what = values.get("what") if values.get("what") in DATASETS else "persons"
    try:
        options = services.clean_options(values)
        if options.identifying:
            services.check_may_identify(current_user)
            _fresh_login(params.get("password") or "")
        export = services.start_export(
            current_user, options, params, post_search=request.method == "POST"
        )
    except (PermissionDenied, WrongPassword) as error:
        if isinstance(error, WrongPassword):
            unit_of_work.keep_on_error()  # a mistyped password is a failed login, kept in the audit
        return _form_page(what, params, error.fields or {"": error.message}, 403)
    except ServiceError as error:
        status = 400 if isinstance(error, ValidationFailed) else error.status_code
        return _form_page(what, params, error.fields or {"": error.message}, status)
    user_id = current_user.id
    # The start is committed when this view returns; the stream reads through a fresh session
    # and its end (the manifest's audit) is a unit of work of its own.
    chunks = unit_of_work.streamed(
        export.chunks(), lambda: services.finish_export(db.session.get(User, user_id), export)
    )
    response = Response(stream_with_context(chunks), mimetype=export.mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def _fresh_login(password: str) -> None:
    """Identifying exports need the password typed again now, or within the last few minutes."""
    if request.method != "POST":
        raise ValidationFailed(_("Ask for identifying fields with the export form."))
    if password:
        services.confirm_password(current_user, password)
        session[FRESH_LOGIN_KEY] = time.time()
        return
    window = current_app.config["EXPORT_FRESH_LOGIN"].total_seconds()
    if time.time() - float(session.get(FRESH_LOGIN_KEY) or 0) > window:
        raise PermissionDenied(
            _("Enter your password again to include identifying fields."),
            {"password": _("Enter your password again to include identifying fields.")},
        )


@bp.route("/<int:entry_id>/manifest.json")
def manifest(entry_id: int) -> Response:
    found = services.manifest_of(current_user, entry_id)
    if found is None:
        abort(404)
    response = jsonify(found)
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{found["file"]}.manifest.json"'
    )
    return response


@bp.route("/report")
def report() -> tuple[str, int]:
    """The dashboard's figures, charts, map, tables and sources for the current filters, laid
    out to print (A4 or Letter) or to save as PDF."""
    try:
        filters = parse_filters(request.args)
    except FilterError as error:
        return render_template(
            "errors/error.html", code=400, message="; ".join(error.fields.values())
        ), 400
    return render_template(
        "exports/report.html",
        **report_service.page_context(
            current_user, filters, request.args, current_app.config["BASE_URL"]
        ),
    ), 200
