"""The dashboard, the front page for every role."""

from flask import Blueprint, render_template

from tracker.dashboard import services

bp = Blueprint("dashboard", __name__)


@bp.route("/")
def index() -> str:
    return render_template("dashboard/index.html", totals=services.record_totals())
