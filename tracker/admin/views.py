"""Admin pages: accounts (invite, role, deactivate, reset 2FA, who has enrolled), the 2FA policy,
and the audit log. Every change goes through the accounts services, which audit it."""

from collections.abc import Callable

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from tracker import unit_of_work
from tracker.accounts import services as accounts
from tracker.accounts.forms import (
    ConfirmForm,
    InviteForm,
    RoleForm,
    TwoFactorPolicyForm,
    show_service_error,
)
from tracker.accounts.models import ROLES, User
from tracker.accounts.permissions import role_required
from tracker.audit.models import AuditEntry
from tracker.audit.queries import RECORD_PAGES, AuditFilters, distinct_values
from tracker.exceptions import NotFound, ServiceError
from tracker.extensions import db

bp = Blueprint("admin", __name__, url_prefix="/admin")

AUDIT_PAGE_SIZE = 100


def _load_user(user_id: int) -> User:
    try:
        return accounts.get_user(user_id)
    except NotFound:
        abort(404)


def _policy_form() -> TwoFactorPolicyForm:
    form = TwoFactorPolicyForm()
    if not form.is_submitted():
        for role, required in accounts.two_factor_policy().items():
            getattr(form, role).data = required
    return form


@bp.route("/users")
@role_required("admin")
def users() -> str:
    return render_template(
        "admin/users.html",
        users=accounts.list_users(),
        policy=accounts.two_factor_policy(),
        policy_form=_policy_form(),
    )


@bp.route("/users/new", methods=["GET", "POST"])
@role_required("admin")
def invite() -> str | tuple[str, int]:
    form = InviteForm()
    status = 200
    if form.validate_on_submit():
        try:
            user, one_time = accounts.invite_user(
                current_user._get_current_object(), form.email.data, form.role.data
            )
        except ServiceError as error:
            unit_of_work.rollback()
            status = show_service_error(form, error)
        else:
            return render_template("admin/invited.html", user=user, one_time=one_time)
    elif form.is_submitted():
        status = 422
    return render_template("admin/invite.html", form=form), status


@bp.route("/users/<int:user_id>")
@role_required("admin")
def user(user_id: int) -> str:
    account = _load_user(user_id)
    return render_template(
        "admin/user.html",
        account=account,
        role_form=RoleForm(role=account.role),
        form=ConfirmForm(),
        codes_left=accounts.recovery_codes_left(account),
    )


def _act(user_id: int, action: Callable[[User, User], None], done: str) -> Response:
    """Run one account action from a CSRF-checked form, commit, and go back to the account."""
    account = _load_user(user_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            action(current_user._get_current_object(), account)
        except ServiceError as error:
            unit_of_work.rollback()
            flash(error.message, "error")
        else:
            flash(done, "success")
    return redirect(url_for("admin.user", user_id=account.id))


@bp.route("/users/<int:user_id>/role", methods=["POST"])
@role_required("admin")
def set_role(user_id: int) -> Response:
    form = RoleForm()
    if not form.validate_on_submit():
        flash(_("Choose one of the roles."), "error")
        return redirect(url_for("admin.user", user_id=user_id))
    role = form.role.data
    return _act(
        user_id,
        lambda actor, account: accounts.set_role(actor, account, role),
        _("The role is changed; the account's sessions have ended."),
    )


@bp.route("/users/<int:user_id>/deactivate", methods=["POST"])
@role_required("admin")
def deactivate(user_id: int) -> Response:
    return _act(user_id, accounts.deactivate_user, _("The account is deactivated and logged out."))


@bp.route("/users/<int:user_id>/activate", methods=["POST"])
@role_required("admin")
def activate(user_id: int) -> Response:
    return _act(user_id, accounts.activate_user, _("The account can log in again."))


@bp.route("/users/<int:user_id>/reset-two-factor", methods=["POST"])
@role_required("admin")
def reset_two_factor(user_id: int) -> Response:
    return _act(
        user_id,
        accounts.reset_two_factor,
        _("Two-factor login is reset; the user sets it up again."),
    )


@bp.route("/users/<int:user_id>/end-sessions", methods=["POST"])
@role_required("admin")
def end_sessions(user_id: int) -> Response:
    return _act(user_id, accounts.end_sessions_of, _("The account is logged out everywhere."))


@bp.route("/two-factor-policy", methods=["POST"])
@role_required("admin")
def two_factor_policy() -> Response:
    form = _policy_form()
    if form.validate_on_submit():
        roles = {role for role in ROLES if getattr(form, role).data}
        try:
            accounts.set_two_factor_policy(current_user._get_current_object(), roles)
        except ServiceError as error:
            unit_of_work.rollback()
            flash(error.message, "error")
        else:
            flash(_("The two-factor policy is saved."), "success")
    return redirect(url_for("admin.users"))


@bp.route("/audit")
@role_required("admin")
def audit_log() -> str:
    page = request.args.get("page", 1, type=int)
    page = min(max(page, 1), 100_000)
    filters = AuditFilters.from_args(request.args)
    query, problems = filters.query()
    for problem in problems:
        flash(problem, "error")
    entries = db.session.execute(
        query.limit(AUDIT_PAGE_SIZE).offset((page - 1) * AUDIT_PAGE_SIZE)
    ).scalars()
    return render_template(
        "admin/audit.html",
        entries=list(entries),
        page=page,
        filters=filters,
        actions=distinct_values(AuditEntry.action),
        entity_types=distinct_values(AuditEntry.entity_type),
        record_pages=RECORD_PAGES,
    )
