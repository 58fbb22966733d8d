"""Admin pages: the accounts and the audit log."""

from flask import Blueprint, render_template, request
from sqlalchemy import select

from tracker.accounts import services as accounts
from tracker.accounts.permissions import role_required
from tracker.audit.models import AuditEntry
from tracker.extensions import db

bp = Blueprint("admin", __name__, url_prefix="/admin")

AUDIT_PAGE_SIZE = 100


@bp.route("/users")
@role_required("admin")
def users() -> str:
    return render_template("admin/users.html", users=accounts.list_users())


@bp.route("/audit")
@role_required("admin")
def audit_log() -> str:
    page = request.args.get("page", 1, type=int)
    page = min(max(page, 1), 100_000)
    entries = db.session.execute(
        select(AuditEntry)
        .order_by(AuditEntry.id.desc())
        .limit(AUDIT_PAGE_SIZE)
        .offset((page - 1) * AUDIT_PAGE_SIZE)
    ).scalars()
    return render_template("admin/audit.html", entries=list(entries), page=page)
