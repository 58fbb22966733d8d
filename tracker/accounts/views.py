"""Set-up, login (password, then the second factor), logout, the user's own account pages,
and the gate that keeps everything else private."""

import time
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
from flask_babel import gettext as _
from flask_limiter import RequestLimit
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response

from tracker import i18n, unit_of_work
from tracker.accounts import services
from tracker.accounts.forms import (
    CodeForm,
    ConfirmForm,
    LoginForm,
    PasswordChangeForm,
    SetupForm,
    show_service_error,
)
from tracker.accounts.models import User
from tracker.accounts.throttling import TooManyAttempts
from tracker.audit import services as audit
from tracker.exceptions import ServiceError
from tracker.extensions import limiter, login_manager
from tracker.requests import is_api_request
from tracker.security import log as security_log
from tracker.security import sessions
from tracker.security.https import served_over_https

bp = Blueprint("accounts", __name__)

PUBLIC_ENDPOINTS = frozenset(
    {"accounts.login", "accounts.login_code", "accounts.setup", "accounts.language", "static"}
)
# What a user may still reach while a required step (new password, 2FA enrolment) is pending.
PASSWORD_STEP_ENDPOINTS = frozenset(
    {"accounts.change_password", "accounts.logout", "accounts.language"}
)
ENROLMENT_STEP_ENDPOINTS = frozenset(
    {"accounts.two_factor", "accounts.two_factor_start", "accounts.two_factor_confirm"}
) | {"accounts.logout", "accounts.language"}
PENDING_LOGIN = "pending_login"


@login_manager.user_loader
def load_user(session_id: str):  # type: ignore[no-untyped-def]
    return services.user_from_session_id(session_id)


def safe_next(target: str | None) -> str:
    """A local path to go to after login; anything else (other hosts, schemes, control
    characters that would split the Location header) goes home."""
    if target:
        parts = urlsplit(target)
        if (
            not parts.scheme
            and not parts.netloc
            and target.startswith("/")
            and not target.startswith("//")
            and "\\" not in target
            and not any(ord(char) < 0x20 or ord(char) == 0x7F for char in target)
        ):
            return target
    return url_for("dashboard.index")


def install_login_gate(app: Flask) -> None:
    """Require a live login for every endpoint except login, setup and static files, and send
    users with a pending step (a new password, 2FA enrolment) to it before anything else."""

    def gate() -> Response | None:
        endpoint = request.endpoint
        if endpoint is None or endpoint in PUBLIC_ENDPOINTS or is_api_request():
            return None  # the API checks a bearer token on every request instead
        if current_user.is_authenticated:
            if sessions.expired(session):
                security_log.event("session.expired", current_user.id)
                logout_user()
                session.clear()
                flash(_("Your session has ended. Log in again."), "info")
                return redirect(url_for("accounts.login", next=request.path))
            sessions.touch(session)
            return _pending_step(current_user, endpoint)
        if not services.any_user_exists():
            return redirect(url_for("accounts.setup"))
        return redirect(url_for("accounts.login", next=request.path))

    # Before CSRF and everything else: an anonymous request learns nothing but "log in".
    app.before_request_funcs.setdefault(None, []).insert(0, gate)


def _pending_step(user: User, endpoint: str) -> Response | None:
    if user.password_change_required and endpoint not in PASSWORD_STEP_ENDPOINTS:
        return redirect(url_for("accounts.change_password"))
    if (
        not user.has_two_factor
        and endpoint not in ENROLMENT_STEP_ENDPOINTS
        and services.two_factor_required(user)
    ):
        flash(_("Your role requires two-factor login. Set it up to continue."), "info")
        return redirect(url_for("accounts.two_factor"))
    return None


# --- throttling: every attempt per client address here (before anything else); failures per
# account name in the services (tracker/accounts/throttling.py), before any password hashing ---


def _client_key() -> str:
    return "ip:" + (request.remote_addr or "-")


def _log_throttled(limit: RequestLimit) -> None:
    security_log.event("login.locked", None, by="address")


def _login_rate_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


throttle_address = limiter.shared_limit(
    _login_rate_limit,
    scope="login-address",
    key_func=_client_key,
    methods=["POST"],
    on_breach=_log_throttled,
)


def _too_many(error: ServiceError) -> tuple[str, int]:
    return render_template("errors/error.html", code=429, message=error.message), 429


def _complete_login(user: User, welcome: str | None = None) -> Response:
    session.clear()  # a fresh session at login: nothing carried over from before
    login_user(user)
    sessions.start(session)
    if welcome:
        flash(welcome, "success")
    services.record_login(user)
    return redirect(safe_next(request.args.get("next")))


def _pending_user() -> User | None:
    pending = session.get(PENDING_LOGIN)
    if not isinstance(pending, dict) or not isinstance(pending.get("at"), int):
        return None
    window = current_app.config["TWO_FACTOR_LOGIN_WINDOW"].total_seconds()
    if time.time() - pending["at"] > window:
        return None
    user = services.user_from_session_id(str(pending.get("id", "")))
    if user is None or not user.active or not user.has_two_factor:
        return None
    return user


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
            unit_of_work.rollback()
            status = show_service_error(form, error)
        else:
            return _complete_login(user, _("The admin account is ready. Welcome."))
    elif form.is_submitted():
        status = 422
    return render_template("accounts/setup.html", form=form), status


@bp.route("/login", methods=["GET", "POST"])
@throttle_address
def login() -> Response | str | tuple[str, int]:
    if not services.any_user_exists():
        return redirect(url_for("accounts.setup"))
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.index"))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = services.authenticate(form.email.data, form.password.data)
        except TooManyAttempts as error:
            return _too_many(error)
        if user is not None and user.has_two_factor:
            session.clear()
            session[PENDING_LOGIN] = {"id": user.get_id(), "at": int(time.time())}
            return redirect(url_for("accounts.login_code", next=request.args.get("next")))
        if user is not None:
            return _complete_login(user)
        unit_of_work.keep_on_error()  # the failed attempt is recorded, though the answer is 401
        form.password.errors.append(_("Email or password is wrong."))
        status = 401
    elif form.is_submitted():
        status = 422
    return render_template("accounts/login.html", form=form), status


@bp.route("/login/code", methods=["GET", "POST"])
@throttle_address
def login_code() -> Response | str | tuple[str, int]:
    user = _pending_user()
    if user is None:
        session.pop(PENDING_LOGIN, None)
        flash(_("Log in with your email and password first."), "info")
        return redirect(url_for("accounts.login"))
    form = CodeForm()
    status = 200
    if form.validate_on_submit():
        try:
            right = services.verify_login_code(user, form.code.data)
        except TooManyAttempts as error:
            return _too_many(error)
        if right:
            return _complete_login(user)
        unit_of_work.keep_on_error()  # the failed attempt is recorded, though the answer is 401
        form.code.errors.append(_("That code is not right, or it was already used."))
        status = 401
    elif form.is_submitted():
        status = 422
    return render_template("accounts/login_code.html", form=form), status


@bp.route("/logout", methods=["POST"])
def logout() -> Response:
    if current_user.is_authenticated:
        user = current_user._get_current_object()
        services.end_all_sessions(user)  # a copy of this cookie, or any other, stops working
        audit.record(user, "user.logout", user)
        security_log.event("logout", user.id)
    logout_user()
    session.clear()
    flash(_("You are logged out."), "success")
    return redirect(url_for("accounts.login"))


@bp.route("/language", methods=["POST"])
def language() -> Response:
    """Switch the interface language (the switcher on every page, the login page included):
    kept in a cookie, and saved on the account of a logged-in user."""
    chosen = request.form.get("language", "")
    if chosen not in i18n.LANGUAGES:
        abort(400)
    if current_user.is_authenticated:
        services.set_language(current_user._get_current_object(), chosen)
    response = redirect(safe_next(request.form.get("next")))
    response.set_cookie(
        i18n.COOKIE,
        chosen,
        max_age=i18n.COOKIE_MAX_AGE,
        secure=served_over_https(),
        httponly=True,
        samesite="Lax",
    )
    return response


# --- the user's own account ----------------------------------------------------------------


@bp.route("/account")
def account() -> str:
    user = current_user._get_current_object()
    return render_template(
        "accounts/account.html",
        user=user,
        required=services.two_factor_required(user),
        codes_left=services.recovery_codes_left(user),
    )


@bp.route("/account/password", methods=["GET", "POST"])
def change_password() -> Response | str | tuple[str, int]:
    form = PasswordChangeForm()
    status = 200
    if form.validate_on_submit():
        user = current_user._get_current_object()
        try:
            services.change_password(
                user,
                form.current_password.data,
                form.new_password.data,
                revoke_tokens=bool(form.revoke_tokens.data),
            )
        except ServiceError as error:
            if isinstance(error, services.WrongPassword):
                unit_of_work.keep_on_error()  # the failed re-check is kept, like a failed login
            else:
                unit_of_work.rollback()
            status = show_service_error(form, error)
        else:
            logout_user()
            session.clear()
            flash(_("Your password is changed. Log in again with the new one."), "success")
            return redirect(url_for("accounts.login"))
    elif form.is_submitted():
        status = 422
    live = services.live_tokens(current_user._get_current_object())
    return render_template("accounts/password.html", form=form, live_tokens=live), status


@bp.route("/account/two-factor")
def two_factor() -> str:
    user = current_user._get_current_object()
    qr = secret = None
    if user.totp_secret is not None and not user.has_two_factor:
        qr, secret = services.enrolment_qr(user)
    return render_template(
        "accounts/two_factor.html",
        user=user,
        qr=qr,
        secret=secret,
        start_form=ConfirmForm(),
        code_form=CodeForm(),
        codes_left=services.recovery_codes_left(user),
        required=services.two_factor_required(user),
    )


@bp.route("/account/two-factor/start", methods=["POST"])
def two_factor_start() -> Response:
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            services.begin_two_factor(current_user._get_current_object())
        except ServiceError as error:
            unit_of_work.rollback()
            flash(error.message, "error")
    return redirect(url_for("accounts.two_factor"))


@bp.route("/account/two-factor/confirm", methods=["POST"])
def two_factor_confirm() -> Response | str | tuple[str, int]:
    return _show_new_codes(services.confirm_two_factor, "Two-factor login is on.")


@bp.route("/account/two-factor/recovery-codes", methods=["POST"])
def recovery_codes() -> Response | str | tuple[str, int]:
    return _show_new_codes(services.regenerate_recovery_codes, "New recovery codes are ready.")


def _show_new_codes(action, done: str) -> Response | str | tuple[str, int]:  # type: ignore[no-untyped-def]
    """Run a service that issues recovery codes and show them, once, in this response."""
    form = CodeForm()
    user = current_user._get_current_object()
    if not form.validate_on_submit():
        flash(_("Enter the 6-digit code from your authenticator app."), "error")
        return redirect(url_for("accounts.two_factor"))
    try:
        codes = action(user, form.code.data)
    except ServiceError as error:
        unit_of_work.rollback()
        flash(error.message, "error")
        return redirect(url_for("accounts.two_factor"))
    flash(done, "success")
    return render_template("accounts/recovery_codes.html", codes=codes)
