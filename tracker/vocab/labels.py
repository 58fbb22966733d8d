"""Display names of controlled vocabulary codes, from the vocabulary table: the one place
where a term gets its English or Korean name (`label_en`, `label_ko`)."""

from collections.abc import Iterator
from typing import Any

from flask import Flask, g, has_app_context
from sqlalchemy import select

from tracker.extensions import db
from tracker.i18n import current_language
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
    """The display name of a code in the page's language (the code itself when unknown)."""
    if code is None:
        return ""
    return _all_labels().get((vocabulary, code), code)


def term_label(term: VocabularyTerm) -> str:
    """One term's name in the page's language (English where no Korean name is given)."""
    if current_language() == "ko" and term.label_ko:
        return term.label_ko
    return term.label_en


def _all_labels() -> dict[tuple[str, str], str]:
    """Every term's label, read once per request (a list of 25 rows asks for 50 labels)."""
    if not has_app_context():
        return _read_labels()
    key = f"vocabulary_labels_{current_language()}"
    if key not in g:
        setattr(g, key, _read_labels())
    labels: dict[tuple[str, str], str] = getattr(g, key)
    return labels


def _read_labels() -> dict[tuple[str, str], str]:
    return {(vocabulary, code): label for vocabulary, code, label in _labelled_terms()}


def _labelled_terms(*criteria: Any) -> Iterator[tuple[str, str, str]]:
    """(vocabulary, code, label in the page's language) of the terms meeting `criteria`, in
    display order."""
    korean = current_language() == "ko"
    rows = db.session.execute(
        select(
            VocabularyTerm.vocabulary,
            VocabularyTerm.code,
            VocabularyTerm.label_en,
            VocabularyTerm.label_ko,
        )
        .where(*criteria)
        .order_by(VocabularyTerm.position, VocabularyTerm.code)
    )
    for vocabulary, code, english, korean_label in rows:
        yield vocabulary, code, korean_label if korean and korean_label else english


def register_template_helpers(app: Flask) -> None:
    """Make `vocab_label(vocabulary, code)` available in templates."""
    app.jinja_env.globals["vocab_label"] = label
    app.jinja_env.globals["term_label"] = term_label


def codes(vocabulary: str) -> set[str]:
    """The active codes of one vocabulary: what a form or import may store."""
    return {term.code for term in terms(vocabulary)}


def choices(vocabulary: str) -> list[tuple[str, str]]:
    """(code, label) pairs for a select box, in display order."""
    return choices_by_vocabulary([vocabulary])[vocabulary]


def labels_by_code(vocabularies: list[str]) -> dict[str, dict[str, str]]:
    """{vocabulary: {code: label}} of several vocabularies' active terms, in display order."""
    return {
        vocabulary: dict(pairs) for vocabulary, pairs in choices_by_vocabulary(vocabularies).items()
    }


def choices_by_vocabulary(vocabularies: list[str]) -> dict[str, list[tuple[str, str]]]:
    """`choices` of several vocabularies from one query (a page with several select boxes)."""
    found: dict[str, list[tuple[str, str]]] = {vocabulary: [] for vocabulary in vocabularies}
    active = (VocabularyTerm.vocabulary.in_(vocabularies), VocabularyTerm.active.is_(True))
    for vocabulary, code, label in _labelled_terms(*active):
        found[vocabulary].append((code, label))
    return found
