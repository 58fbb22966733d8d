"""Controlled vocabularies as data: an admin adds a term, renames it (its labels and other
names), and retires it; a term in use is retired, never deleted, so every record keeps its
code and its name. Every change is audited."""

import re
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select

from tracker.accounts.permissions import is_admin
from tracker.audit import services as audit
from tracker.exceptions import NotFound, PermissionDenied, ValidationFailed
from tracker.extensions import db
from tracker.kinds import fields as f
from tracker.kinds.fields import clean_text
from tracker.kinds.registry import kinds
from tracker.kinds.values import ValueProblem
from tracker.records.service import refuse
from tracker.vocab.models import VocabularyTerm
from tracker.vocab.terms import normalise

CODE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
# Codes the tracker's own rules name (the dashboard counts the vanished; an unknown gender is
# the default): renamed freely, never retired.
PROTECTED = {("status", "vanished"), ("gender", "unknown")}


def vocabularies() -> dict[str, list[Any]]:
    """Each vocabulary a field reads its terms from, with the fields that use it."""
    found: dict[str, list[Any]] = {}
    for kind in kinds().values():
        for field in kind.fields:
            if isinstance(field, f.Term):
                found.setdefault(field.vocabulary, []).append((kind, field))
    return dict(sorted(found.items()))


def terms_of(vocabulary: str) -> list[VocabularyTerm]:
    """Every term of a vocabulary, retired ones too, in display order."""
    _check_vocabulary(vocabulary)
    return list(
        db.session.execute(
            select(VocabularyTerm)
            .where(VocabularyTerm.vocabulary == vocabulary)
            .order_by(VocabularyTerm.position, VocabularyTerm.code)
        ).scalars()
    )


def uses(vocabulary: str, code: str) -> int:
    """How many live records hold this term."""
    total = 0
    for kind, field in vocabularies().get(vocabulary, []):
        column = getattr(kind.model, field.name)
        total += db.session.execute(
            select(func.count())
            .select_from(kind.model)
            .where(column == code, kind.model.deleted_at.is_(None))
        ).scalar_one()
    return total


@dataclass(frozen=True)
class TermNames:
    """What a term is called: in English, in Korean, and the other names files use for it."""

    label_en: str
    label_ko: str
    aliases: tuple[str, ...] = ()


def add_term(actor: Any, vocabulary: str, code: str, names: TermNames) -> VocabularyTerm:
    """Add a term to a vocabulary (its code is kept forever, its names can change)."""
    _check(actor)
    _check_vocabulary(vocabulary)
    code = (code or "").strip().lower()
    problems: dict[str, str] = {}
    if not CODE.match(code):
        problems["code"] = _(
            "Use lower-case letters, digits and _ (starting with a letter), at most 40."
        )
    elif _find(vocabulary, code) is not None:
        problems["code"] = _("This vocabulary already has this code.")
    values = _checked_names(vocabulary, code, names, problems)
    last = db.session.execute(
        select(func.max(VocabularyTerm.position)).where(VocabularyTerm.vocabulary == vocabulary)
    ).scalar()
    term = VocabularyTerm(
        vocabulary=vocabulary, code=code, position=(last or 0) + 1, active=True, **values
    )
    db.session.add(term)
    db.session.flush()
    audit.record(actor, "vocabulary.add", term, {"new": _state(term)})
    return term


def rename_term(actor: Any, vocabulary: str, code: str, names: TermNames) -> VocabularyTerm:
    """Change a term's names (its code, which records store, stays)."""
    _check(actor)
    term = _get(vocabulary, code)
    values = _checked_names(vocabulary, code, names, {})
    before = _state(term)
    for key, value in values.items():
        setattr(term, key, value)
    db.session.flush()
    changes = audit.diff(before, _state(term))
    if changes:
        audit.record(actor, "vocabulary.rename", term, changes)
    return term


def retire_term(actor: Any, vocabulary: str, code: str, active: bool = False) -> VocabularyTerm:
    """Retire a term (no longer offered; records that hold it keep it), or bring it back."""
    _check(actor)
    term = _get(vocabulary, code)
    if not active and (vocabulary, code) in PROTECTED:
        raise ValidationFailed(
            _("The tracker's own rules use this term: rename it, but keep it."), {}
        )
    if term.active != active:
        term.active = active
        db.session.flush()
        action = "vocabulary.restore" if active else "vocabulary.retire"
        audit.record(actor, action, term, {"active": {"old": not active, "new": active}})
    return term


def _checked_names(
    vocabulary: str, code: str, names: TermNames, problems: dict[str, str]
) -> dict[str, Any]:
    """The term's names as stored; ValidationFailed with these and any other problems. No
    name of a term may be another term's: every way of writing a term names one term only."""
    values: dict[str, Any] = {}
    for key, raw in (("label_en", names.label_en), ("label_ko", names.label_ko)):
        try:
            values[key] = clean_text(raw, 120)
        except ValueProblem as problem:
            problems[key] = str(problem)
            continue
        if not values[key]:
            problems[key] = _("This field is required.")
    others = [" ".join(str(alias).split()) for alias in names.aliases if str(alias).strip()]
    if any(len(name) > 120 for name in others) or len(others) > 30:
        problems["aliases"] = _("Give at most 30 other names of at most 120 characters.")
    values["aliases"] = list(dict.fromkeys(others))
    taken = {
        normalise(written): other.code
        for other in terms_of(vocabulary)
        if other.code != code
        for written in (other.code, other.label_en, other.label_ko, *(other.aliases or []))
        if written
    }
    for key in ("label_en", "label_ko"):
        clash = taken.get(normalise(values.get(key) or ""))
        if clash and key not in problems:
            problems[key] = _("The term %(code)s already has this name.", code=clash)
    for name in values["aliases"]:
        clash = taken.get(normalise(name))
        if clash:
            problems.setdefault(
                "aliases",
                _("The term %(code)s already has the name %(name)s.", code=clash, name=name),
            )
    refuse(problems)
    return values


def _state(term: VocabularyTerm) -> dict[str, Any]:
    return {
        "vocabulary": term.vocabulary,
        "code": term.code,
        "label_en": term.label_en,
        "label_ko": term.label_ko,
        "aliases": list(term.aliases or []),
        "active": term.active,
    }


def _find(vocabulary: str, code: str) -> VocabularyTerm | None:
    return db.session.execute(
        select(VocabularyTerm).where(
            VocabularyTerm.vocabulary == vocabulary, VocabularyTerm.code == code
        )
    ).scalar_one_or_none()


def _get(vocabulary: str, code: str) -> VocabularyTerm:
    _check_vocabulary(vocabulary)
    term = _find(vocabulary, code)
    if term is None:
        raise NotFound(_("There is no such term."))
    return term


def _check_vocabulary(vocabulary: str) -> None:
    if vocabulary not in vocabularies():
        raise NotFound(_("There is no such vocabulary."))


def _check(actor: Any) -> None:
    """Admins keep the vocabularies (`None` is the system: the command line)."""
    if actor is not None and not is_admin(actor):
        raise PermissionDenied(_("Only admins change the vocabularies."))
