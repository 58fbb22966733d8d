"""Duplicate candidates: pairs of live persons who look like the same person (names the search
takes for the same name, birth years at most two apart: tracker/persons/lookalike.py), scored
by how alike their names are and whether birth year, region, event and facilities agree; and
the researcher's "different people", remembered so a pair is never suggested again."""

from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import aliased

from tracker.accounts.permissions import can_view_identity
from tracker.audit import services as audit
from tracker.audit.models import AuditEntry
from tracker.exceptions import PermissionDenied, ValidationFailed
from tracker.extensions import db
from tracker.persons.lookalike import looks_alike
from tracker.persons.models import DistinctPersons, Person, PersonNameKey
from tracker.search.services import person_forms

# Pairs read per page build: a common name shared by thousands would otherwise be a
# quadratic join; the best of these are shown.
PAIRS_READ = 2_000


@dataclass(frozen=True)
class Candidate:
    """Two persons that may be one, with the score and the reasons behind it."""

    first: Person
    second: Person
    score: int
    reasons: list[str]


def duplicate_candidates(actor: Any, limit: int = 50, batch: int | None = None) -> list[Candidate]:
    """Pairs of live persons likely to be the same, highest score first; with `batch`, only
    pairs with a person that import batch created (at a million persons the unfiltered
    list reads PAIRS_READ arbitrary pairs, so an import's overlaps might never show)."""
    _check(actor)
    created = None
    if batch is not None:
        created = select(AuditEntry.entity_id).where(
            AuditEntry.import_batch_id == batch,
            AuditEntry.entity_type == Person.__tablename__,
            AuditEntry.action == "create",
        )
    found = _candidates(created)
    found.sort(key=lambda c: (-c.score, c.first.case_code, c.second.case_code))
    return found[:limit]


def unreviewed_count(among: Any, limit: int = PAIRS_READ) -> int:
    """How many look-alike pairs not yet reviewed (neither merged nor marked different) are
    both in `among` (a select of person ids), at most PAIRS_READ. Only the number leaves:
    estimates warn with it, and analysts may read it."""
    return len(_candidates(among, both=True, limit=limit))


def _candidates(among: Any = None, both: bool = False, limit: int = PAIRS_READ) -> list[Candidate]:
    """The look-alike pairs not yet reviewed, at most `limit` read; with `among`, only pairs
    with a person (or with `both`, both persons) in that select of ids."""
    a, b = aliased(PersonNameKey), aliased(PersonNameKey)
    pa, pb = aliased(Person), aliased(Person)
    same_key = and_(b.name_key == a.name_key, b.person_id > a.person_id)
    if among is not None and both:
        # Read `among` once (a CTE used twice is materialised once, on SQLite and PostgreSQL)
        # and start from its persons; two IN tests would read it twice, and SQLite then walks
        # the second list for every name key.
        first = among.cte("among")
        second = first.alias("among_b")
        query = (
            select(a.person_id, b.person_id)
            .select_from(first)
            .join(a, a.person_id == first.c[0])
            .join(b, same_key)
            .join(second, second.c[0] == b.person_id)
        )
    else:
        query = select(a.person_id, b.person_id).join(b, same_key)
        if among is not None:
            query = query.where(or_(a.person_id.in_(among), b.person_id.in_(among)))
    query = (
        query.join(pa, pa.id == a.person_id)
        .join(pb, pb.id == b.person_id)
        .where(pa.deleted_at.is_(None), pb.deleted_at.is_(None))
        .where(
            ~select(DistinctPersons.id)
            .where(
                DistinctPersons.person_a_id == a.person_id,
                DistinctPersons.person_b_id == b.person_id,
            )
            .exists()
        )
    )
    if both:
        # Read as they come, a pair once per name key the two share, made distinct here:
        # PostgreSQL's DISTINCT would first gather every pair the keys give (seconds at
        # 100,000 counted persons with common names), where a plain read stops at `limit`.
        rows = db.session.execute(query.limit(limit)).all()
    else:
        rows = db.session.execute(query.distinct().limit(limit)).all()
    pairs = list(dict.fromkeys((x, y) for x, y in rows))
    ids = {person_id for pair in pairs for person_id in pair}
    persons = {
        p.id: p for p in db.session.execute(select(Person).where(Person.id.in_(ids))).scalars()
    }
    candidates = (_candidate(persons[x], persons[y]) for x, y in pairs)
    return [candidate for candidate in candidates if candidate is not None]


def _candidate(first: Person, second: Person) -> Candidate | None:
    """The pair as a candidate, if the two look like the same person (the one rule of
    tracker/persons/lookalike.py), scored by what else they share."""
    name = looks_alike(
        person_forms(first), first.birth_year, person_forms(second), second.birth_year
    )
    if not name:
        return None
    score, reasons = 100 * name, [_("names %(score)s%% alike", score=round(100 * name))]
    if first.birth_year and second.birth_year:
        same_year = first.birth_year == second.birth_year
        score += 5 if same_year else 2
        reasons.append(_("born the same year") if same_year else _("born within 2 years"))
    if first.origin_region and first.origin_region == second.origin_region:
        score += 3
        reasons.append(_("same region of origin"))
    if first.event_id and first.event_id == second.event_id:
        score += 5
        reasons.append(_("same repatriation event"))
    shared = {d.facility_id for d in first.detentions if d.deleted_at is None} & {
        d.facility_id for d in second.detentions if d.deleted_at is None
    }
    if shared:
        score += 3
        reasons.append(_("held in the same facility"))
    return Candidate(first, second, max(0, min(100, round(score))), reasons)


def mark_different(actor: Any, first_id: int, second_id: int) -> DistinctPersons:
    """Remember that two persons are different people; the pair is never suggested again."""
    _check(actor)
    low, high = sorted((first_id, second_id))
    live = db.session.execute(
        select(Person.id).where(Person.id.in_([low, high]), Person.deleted_at.is_(None))
    ).scalars()
    if low == high or set(live) != {low, high}:
        raise ValidationFailed(_("Choose two different persons from the list."), {})
    existing = db.session.execute(
        select(DistinctPersons).where(
            DistinctPersons.person_a_id == low, DistinctPersons.person_b_id == high
        )
    ).scalar_one_or_none()
    if existing is not None:
        return existing
    decision = DistinctPersons(
        person_a_id=low, person_b_id=high, decided_by_id=getattr(actor, "id", None)
    )
    db.session.add(decision)
    db.session.flush()
    for person_id, other in ((low, high), (high, low)):
        audit.record(
            actor,
            "person.not_duplicate",
            entity_type="persons",
            entity_id=person_id,
            changes={"different_from": other},
        )
    return decision


def _check(actor: Any) -> None:
    if not can_view_identity(actor) or getattr(actor, "role", None) not in ("admin", "researcher"):
        raise PermissionDenied(_("Only researchers and admins review duplicates."))
