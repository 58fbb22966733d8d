"""One rule for "looks like the same person", used by the person form, the API, the importer
and the duplicates page: names the name search takes for the same name (any script or
romanisation, tracker/search/names.py), and birth years at most YEARS_APART apart, or not
known on one side. It names cases by their codes, never by their names."""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, or_, select

from tracker.extensions import db
from tracker.persons.models import Person, PersonNameKey
from tracker.search.names import SAME_NAME, Reading, iter_keys, reading_similarity
from tracker.search.services import name_forms

# Birth years are often given from memory or as "around": a year or two apart is the same age.
YEARS_APART = 2
LOOKUP_BATCH = 5_000  # ids per IN list: well within every database's limit on parameters
Forms = list[tuple[str, Reading]]


def name_score(mine: Forms, theirs: Forms) -> float:
    """How alike two persons' names are, 0..1: the best pair of their written forms."""
    return max((reading_similarity(a, b) for _, a in mine for _, b in theirs), default=0.0)


def years_agree(mine: int | None, theirs: int | None) -> bool:
    """Birth years that could be the same person's: at most YEARS_APART apart, or unknown."""
    return mine is None or theirs is None or abs(mine - theirs) <= YEARS_APART


def looks_alike(mine: Forms, born: int | None, theirs: Forms, their_birth: int | None) -> float:
    """The name score when two persons look like the same person, else 0."""
    if not years_agree(born, their_birth):
        return 0.0
    score = name_score(mine, theirs)
    return score if 100 * score >= SAME_NAME else 0.0


def year_window(years: Iterable[int | None]) -> ColumnElement[bool]:
    """The birth years a person born in one of `years` may look like (unknown matches all)."""
    known = {year for year in years if year is not None}
    if len(known) < len(set(years)):  # a year not known: anyone with the name
        return Person.id.is_not(None)
    wanted = {year + shift for year in known for shift in range(-YEARS_APART, YEARS_APART + 1)}
    return or_(Person.birth_year.in_(wanted), Person.birth_year.is_(None))


@dataclass
class Candidate:
    """A live person whose stored name keys are some of the wanted ones."""

    id: int
    case_code: str
    birth_year: int | None
    forms: Forms
    keys: list[str]


def candidates(keys: set[str], years: Iterable[int | None]) -> list[Candidate]:
    """Live persons with one of these name keys and a birth year these years may look like:
    an indexed look-up that reads the likely matches only, however many persons there are.
    Two plain queries, each on an index (the planner of a join may scan all persons)."""
    if not keys:
        return []
    keys_of: dict[int, list[str]] = {}
    found = select(PersonNameKey.person_id, PersonNameKey.name_key).where(
        PersonNameKey.name_key.in_(keys)
    )
    for person_id, key in db.session.execute(found):
        keys_of.setdefault(person_id, []).append(key)
    window = year_window(list(years))
    ids = list(keys_of)
    result = []
    for start in range(0, len(ids), LOOKUP_BATCH):
        query = select(
            Person.id,
            Person.case_code,
            Person.birth_year,
            Person.family_name,
            Person.given_name,
            Person.name_hangul,
            Person.aliases,
        ).where(
            Person.id.in_(ids[start : start + LOOKUP_BATCH]),
            Person.deleted_at.is_(None),
            window,
        )
        for person_id, code, year, family, given, hangul, aliases in db.session.execute(query):
            forms = name_forms(family, given, hangul, aliases)
            result.append(Candidate(person_id, code, year, forms, keys_of[person_id]))
    return result


def forms_of(values: dict[str, Any]) -> Forms:
    """The written forms of a person's name values (a form's, a row's, a record's)."""
    return name_forms(
        values.get("family_name"),
        values.get("given_name"),
        values.get("name_hangul"),
        values.get("aliases"),
    )


def lookalikes(values: dict[str, Any], born: int | None, exclude: int | None = None) -> list[str]:
    """The case codes of the live persons these name values and birth year look like, the
    most alike first."""
    forms = forms_of(values)
    scored = []
    for candidate in candidates(set(iter_keys(forms)), [born]):
        if candidate.id == exclude:
            continue
        score = looks_alike(forms, born, candidate.forms, candidate.birth_year)
        if score:
            scored.append((-score, candidate.case_code))
    return [code for _score, code in sorted(scored)]
