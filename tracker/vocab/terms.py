"""A vocabulary term from what someone wrote: its code, its name in English or Korean, or one
of its other names, case- and spacing-insensitively ("Female", "여성", "여", "F")."""

import re
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from tracker.extensions import db
from tracker.kinds.values import ValueProblem
from tracker.records.bulk import lookups
from tracker.vocab.models import VocabularyTerm


def normalise(text: str) -> str:
    """How a term is compared: `Detention-centre`, `detention_centre`, `DETENTION CENTRE`."""
    return " ".join(re.sub(r"[\s_\-]+", " ", text.casefold()).split())


def term_index(vocabulary: str) -> tuple[dict[str, str], list[tuple[str, str, str]]]:
    """Every way of writing an active term → its code, and the terms (code, English, Korean)
    in display order; read once per bulk job (an import) and once per call otherwise."""
    cache = lookups()
    key = ("vocabulary", vocabulary)
    if cache is not None and key in cache:
        return cache[key]  # type: ignore[no-any-return]
    rows = db.session.execute(
        select(
            VocabularyTerm.code,
            VocabularyTerm.label_en,
            VocabularyTerm.label_ko,
            VocabularyTerm.aliases,
        )
        .where(VocabularyTerm.vocabulary == vocabulary, VocabularyTerm.active.is_(True))
        .order_by(VocabularyTerm.position, VocabularyTerm.code)
    ).all()
    index: dict[str, str] = {}
    for code, english, korean, aliases in rows:
        for written in (*(aliases or []), korean, english, code):  # the code wins a clash
            if written:
                index[normalise(str(written))] = code
    found = (index, [(code, english, korean) for code, english, korean, _aliases in rows])
    if cache is not None:
        cache[key] = found
    return found


def match_term(vocabulary: str, text: str, keep: Any = None) -> str:
    """The code of the term `text` names; the record's current code is kept even when it was
    retired since. ValueProblem naming the accepted values otherwise."""
    if keep is not None and text == keep:
        return text
    index, terms = term_index(vocabulary)
    code = index.get(normalise(text))
    if code is not None:
        return code
    listed = ", ".join(f"{code} ({english} / {korean})" for code, english, korean in terms)
    raise ValueProblem(_l("Choose one of: %(values)s.", values=listed))


def codes(vocabulary: str) -> set[str]:
    """The active codes of one vocabulary."""
    return set(term_index(vocabulary)[0].values())
