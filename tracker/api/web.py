"""Pages for people, not scripts: API tokens under the account (created once, shown once,
named, revocable, last use shown) and the browsable API documentation. Both use the login
session and CSRF like every other page."""

from typing import Any

from flask import Blueprint, flash, jsonify, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import StringField, SubmitField
from wtforms.validators import DataRequired, Length

from tracker import unit_of_work
from tracker.accounts import services as accounts
from tracker.api import PREFIX
from tracker.exceptions import ServiceError

bp = Blueprint("api_web", __name__)


class TokenForm(FlaskForm):
    name = StringField(
        _l("Name"),
        validators=[DataRequired(), Length(max=100, message=_l("Use at most 100 characters."))],
        description=_l("What the token is for, e.g. “R scripts on my laptop”."),
    )
    submit = SubmitField(_l("Create a token"))


class RevokeForm(FlaskForm):
    submit = SubmitField(_l("Revoke"))


def _page(form: TokenForm, new_token: str | None = None, status: int = 200) -> Any:
    return (
        render_template(
            "api/tokens.html",
            form=form,
            revoke_form=RevokeForm(),
            tokens=accounts.user_tokens(current_user),
            new_token=new_token,
            api_prefix=PREFIX,
        ),
        status,
    )


@bp.route("/account/tokens")
def tokens() -> Any:
    return _page(TokenForm())


@bp.route("/account/tokens", methods=["POST"])
def create_token() -> Any:
    """The token is in this one response only: never in a redirect, a flash or a log."""
    form = TokenForm()
    if not form.validate_on_submit():
        return _page(form, status=422)
    try:
        _token, plain = accounts.create_api_token(current_user, current_user, form.name.data or "")
    except ServiceError as error:
        unit_of_work.rollback()
        form.name.errors = [error.message]
        return _page(form, status=422)
    return _page(TokenForm(formdata=None), new_token=plain)


@bp.route("/account/tokens/<int:token_id>/revoke", methods=["POST"])
def revoke_token(token_id: int) -> Response | tuple[str, int]:
    form = RevokeForm()
    if not form.validate_on_submit():
        return redirect(url_for(".tokens"))
    try:
        token = accounts.revoke_api_token(current_user, token_id)
    except ServiceError:
        unit_of_work.rollback()
        return render_template("errors/error.html", code=404, message=_("No such token.")), 404
    flash(_("The token “%(name)s” was revoked; it no longer works.", name=token.name), "success")
    return redirect(url_for(".tokens"))


@bp.route("/api/docs")
def docs() -> str:
    """Swagger UI, vendored and started by a static script (the CSP allows no inline code)."""
    return render_template("api/docs.html", spec_url=url_for(".docs_spec"))


@bp.route("/api/docs/openapi.json")
def docs_spec() -> Response:
    """The OpenAPI document for the docs page (the API's own copy needs a token)."""
    from flask import current_app

    api = current_app.extensions["flask-smorest"]["apis"][""]["ext_obj"]
    return jsonify(api.spec.to_dict())
