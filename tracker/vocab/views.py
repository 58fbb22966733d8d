"""The vocabularies page (admins): each vocabulary's terms with their names in both languages,
how many records use each, a form to add one, and for each term, rename and retire."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from tracker import unit_of_work
from tracker.accounts.permissions import role_required
from tracker.exceptions import NotFound, ServiceError
from tracker.vocab import services

bp = Blueprint("vocab", __name__, url_prefix="/admin/vocabularies")


def _names() -> services.TermNames:
    """A term's names from the page's form (other names one per line or `;`-separated)."""
    form = request.form
    text = (form.get("aliases") or "").replace(";", "\n")
    aliases = tuple(line.strip() for line in text.splitlines() if line.strip())
    return services.TermNames(form.get("label_en", ""), form.get("label_ko", ""), aliases)


@bp.route("")
@role_required("admin")
def index() -> str:
    vocabularies = services.vocabularies()
    chosen = request.args.get("vocabulary") or next(iter(vocabularies), "")
    if chosen not in vocabularies:
        abort(404)
    terms = [(term, services.uses(chosen, term.code)) for term in services.terms_of(chosen)]
    return render_template(
        "admin/vocabularies.html",
        vocabularies=vocabularies,
        chosen=chosen,
        terms=terms,
        protected=services.PROTECTED,
    )


@bp.route("/<vocabulary>", methods=["POST"])
@role_required("admin")
def add(vocabulary: str) -> Response | tuple[str, int]:
    try:
        term = services.add_term(current_user, vocabulary, request.form.get("code", ""), _names())
    except NotFound:
        abort(404)
    except ServiceError as error:
        unit_of_work.rollback()
        for message in error.fields.values() or [error.message]:
            flash(message, "error")
        return redirect(url_for(".index", vocabulary=vocabulary))
    flash(_("The term %(code)s was added.", code=term.code), "success")
    return redirect(url_for(".index", vocabulary=vocabulary))


@bp.route("/<vocabulary>/<code>", methods=["POST"])
@role_required("admin")
def change(vocabulary: str, code: str) -> Response:
    form = request.form
    try:
        if form.get("action") in ("retire", "restore"):
            services.retire_term(current_user, vocabulary, code, form["action"] == "restore")
            done = (
                _("The term is retired.") if form["action"] == "retire" else _("The term is back.")
            )
        else:
            services.rename_term(current_user, vocabulary, code, _names())
            done = _("The term's names are saved.")
    except NotFound:
        abort(404)
    except ServiceError as error:
        unit_of_work.rollback()
        for message in list(error.fields.values()) or [error.message]:
            flash(message, "error")
        return redirect(url_for(".index", vocabulary=vocabulary))
    flash(done, "success")
    return redirect(url_for(".index", vocabulary=vocabulary))
