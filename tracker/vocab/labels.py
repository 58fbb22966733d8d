"""Display names of controlled vocabulary codes, from the vocabulary table."""

from flask import Flask, g, has_app_context
from sqlalchemy import select

from tracker.extensions import db
from tracker.vocab.models import VocabularyTerm


def terms(vocabulary: str) -> list[VocabularyTerm]:
    """The active terms of one vocabulary, in their display order."""
    return list(
        db.session.execute(
            select(VocabularyTerm)
            .where(VocabularyTerm.vocabulary == vocabulary, VocabularyTerm.active.is_(True))
            .order_by(VocabularyTerm.position, VocabularyTerm.code)
        ).scalars()
    )


def label(vocabulary: str, code: str | None) -> str:
    """The English display name of a code (the code itself when unknown)."""
    if code is None:
        return ""
    return _all_labels().get((vocabulary, code), code)


def _all_labels() -> dict[tuple[str, str], str]:
    """Every term's label, read once per request (a list of 25 rows asks for 50 labels)."""
    if not has_app_context():
        return _read_labels()
    if "vocabulary_labels" not in g:
        g.vocabulary_labels = _read_labels()
    return g.vocabulary_labels


def _read_labels() -> dict[tuple[str, str], str]:
    rows = db.session.execute(
        select(VocabularyTerm.vocabulary, VocabularyTerm.code, VocabularyTerm.label_en)
    )
    return {(vocabulary, code): text for vocabulary, code, text in rows}


def register_template_helpers(app: Flask) -> None:
    """Make `vocab_label(vocabulary, code)` available in templates."""
    app.jinja_env.globals["vocab_label"] = label


def codes(vocabulary: str) -> set[str]:
    """The active codes of one vocabulary: what a form or import may store."""
    return {term.code for term in terms(vocabulary)}


def choices(vocabulary: str) -> list[tuple[str, str]]:
    """(code, label) pairs for a select box, in display order."""
    return [(term.code, term.label_en) for term in terms(vocabulary)]
