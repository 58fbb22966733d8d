"""Set-up of the first admin, login and logout, and the gate that keeps everything else private."""

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response

from tracker.accounts import services
from tracker.accounts.forms import LoginForm, SetupForm
from tracker.audit import services as audit
from tracker.exceptions import ServiceError
from tracker.extensions import db, limiter, login_manager

bp = Blueprint("accounts", __name__)

PUBLIC_ENDPOINTS = frozenset({"accounts.login", "accounts.setup", "static"})


@login_manager.user_loader
def load_user(session_id: str):  # type: ignore[no-untyped-def]
    return services.user_from_session_id(session_id)


def safe_next(target: str | None) -> str:
    """A local path to go to after login; anything else (other hosts, schemes) goes home."""
    if target:
        parts = urlsplit(target)
        if (
            not parts.scheme
            and not parts.netloc
            and target.startswith("/")
            and not target.startswith("//")
            and "\\" not in target
        ):
            return target
    return url_for("dashboard.index")


def install_login_gate(app: Flask) -> None:
    """Require a login for every endpoint except login, setup and static files."""

    def gate() -> Response | None:
        if request.endpoint is None or request.endpoint in PUBLIC_ENDPOINTS:
            return None
        if current_user.is_authenticated:
            return None
        if not services.any_user_exists():
            return redirect(url_for("accounts.setup"))
        return redirect(url_for("accounts.login", next=request.path))

    # Before CSRF and everything else: an anonymous request learns nothing but "log in".
    app.before_request_funcs.setdefault(None, []).insert(0, gate)


def _login_rate_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


@bp.route("/setup", methods=["GET", "POST"])
def setup() -> Response | str | tuple[str, int]:
    if services.any_user_exists():
        abort(404)
    form = SetupForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = services.create_first_admin(form.email.data, form.password.data)
        except ServiceError as error:
            db.session.rollback()
            for field, message in error.fields.items():
                getattr(form, field).errors.append(message)
            if not error.fields:
                flash(error.message, "error")
            status = error.status_code
        else:
            db.session.commit()
            session.clear()
            login_user(user)
            services.record_login(user)
            db.session.commit()
            flash("The admin account is ready. Welcome.", "success")
            return redirect(url_for("dashboard.index"))
    elif form.is_submitted():
        status = 422
    return render_template("accounts/setup.html", form=form), status


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_rate_limit, methods=["POST"])
def login() -> Response | str | tuple[str, int]:
    if not services.any_user_exists():
        return redirect(url_for("accounts.setup"))
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.index"))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is not None:
            session.clear()  # a fresh session at login: nothing carried over from before
            login_user(user)
            services.record_login(user)
            db.session.commit()
            return redirect(safe_next(request.args.get("next")))
        audit.record(None, "user.login_failed")
        db.session.commit()
        current_app.logger.info("login failed from %s", request.remote_addr)
        form.password.errors.append("Email or password is wrong.")
        status = 401
    elif form.is_submitted():
        status = 422
    return render_template("accounts/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
def logout() -> Response:
    if current_user.is_authenticated:
        audit.record(current_user, "user.logout", current_user._get_current_object())
        db.session.commit()
    logout_user()
    session.clear()
    flash("You are logged out.", "success")
    return redirect(url_for("accounts.login"))
