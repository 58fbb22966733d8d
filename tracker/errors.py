"""Error pages that say what happened without revealing anything about the system."""

import uuid

from flask import Flask, render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import BadRequest, HTTPException, InternalServerError, SecurityError
from werkzeug.wrappers import Response

from tracker import unit_of_work
from tracker.api import errors as api_errors
from tracker.exceptions import Conflict, ServiceError
from tracker.requests import is_api_request
from tracker.security import log as security_log

MESSAGES = {
    400: _l("The request could not be understood."),
    401: _l("Please log in."),
    403: _l("You do not have access to this page."),
    404: _l("There is nothing here."),
    405: _l("That action is not possible on this page."),
    413: _l("The upload is too large."),
    429: _l("Too many attempts. Wait a few minutes and try again."),
}


class UnstorableInput(BadRequest):
    """A NUL byte in the input: PostgreSQL cannot store it, so nobody gets to try."""

    public_message = _l("The request contains a character that cannot be stored (a NUL byte).")


def reject_unstorable_input() -> None:
    """Refuse NUL bytes anywhere in a form or query before any view sees them."""
    for values in (request.args, request.form):
        for key, value in values.items(multi=True):
            if "\x00" in key or "\x00" in value:
                raise UnstorableInput()


def _user_id() -> int | None:
    return current_user.id if current_user and current_user.is_authenticated else None


def register_error_handlers(app: Flask) -> None:
    """Render every HTTP error, and any crash, as a plain page."""
    app.before_request(reject_unstorable_input)

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError) -> tuple[str, int]:
        security_log.event("csrf.rejected", _user_id(), endpoint=request.endpoint)
        message = _l(
            "The form expired or did not come from this site. Reload the page and try again."
        )
        return render_template("errors/error.html", code=400, message=message), 400

    @app.errorhandler(ServiceError)
    def service_error(error: ServiceError) -> tuple[str, int] | Response:
        """A rule a service enforced, anywhere a view did not handle it: its message, in one
        place, as a page or as JSON; the unit of work is rolled back."""
        unit_of_work.rollback()
        if is_api_request():
            if isinstance(error, Conflict) and error.record is not None:
                return api_errors.conflict_response(error)
            return api_errors.service_error_response(error)
        if error.status_code == 403:
            security_log.event(
                "access.denied", _user_id(), endpoint=request.endpoint, method=request.method
            )
        return render_template(
            "errors/error.html", code=error.status_code, message=error.message
        ), error.status_code

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> tuple[str, int] | Response:
        if isinstance(error, InternalServerError):
            return internal_error(error)
        if isinstance(error, SecurityError):
            # A Host header not in TRUSTED_HOSTS: no link can be built for it, so no page.
            security_log.event("host.refused", _user_id())
            return Response(str(MESSAGES[400]), 400, mimetype="text/plain")
        if is_api_request():
            return api_errors.http_error_response(error)
        code = error.code or 500
        if code == 403:
            security_log.event(
                "access.denied", _user_id(), endpoint=request.endpoint, method=request.method
            )
        message = getattr(error, "public_message", None) or MESSAGES.get(
            code, _l("The request could not be completed.")
        )
        return render_template("errors/error.html", code=code, message=message), code

    @app.errorhandler(Exception)
    def internal_error(error: Exception) -> tuple[str, int] | Response:
        reference = uuid.uuid4().hex[:12]
        app.logger.error(
            "unhandled error ref=%s method=%s endpoint=%s",
            reference,
            request.method,
            request.endpoint,
            exc_info=error,
        )
        unit_of_work.rollback()
        if is_api_request():
            return api_errors.error_response(500, reference=reference)
        return (
            render_template(
                "errors/error.html",
                code=500,
                message=_l("Something went wrong on our side. Nothing was saved."),
                reference=reference,
            ),
            500,
        )
