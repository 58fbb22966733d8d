"""Sources as a kind of record: their list, filters, name and search. A confidential source's
identifying fields are hidden from analysts; its grade, kind and date are not."""

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, or_

from tracker.kinds.kind import Column, Filter, Kind, shown
from tracker.kinds.registry import register
from tracker.sources.models import RELIABILITY_MEANINGS, Source
from tracker.vocab.labels import choices, label


def graded(grade: Any, meaning: Any) -> Any:
    """A grade with its meaning, "B – Usually reliable", read in the page's language."""
    return _l("%(grade)s – %(meaning)s", grade=grade, meaning=meaning)


def source_label(source: Source, can_see: bool) -> str:
    """A source's name; a confidential one is only a number to those who may not see it."""
    if source.confidential and not can_see:
        return _("Confidential source #%(id)s", id=source.id)
    return source.title


def _search(q: str, can_see: bool) -> Any:
    pattern = f"%{q}%"
    matches = or_(Source.title.ilike(pattern), Source.organisation.ilike(pattern))
    # An analyst's search must not find a confidential source by the words that identify it.
    return matches if can_see else and_(matches, Source.confidential.is_(False))


SOURCES = register(
    Kind(
        name="sources",
        model=Source,
        singular=_l("source"),
        plural=_l("Sources"),
        description="Sources of facts, graded A–F (reliability) and 1–6 (credibility). A "
        "confidential source's title, organisation, url and notes are null for analysts.",
        label=source_label,
        columns=[
            Column("title", _l("Title"), lambda r: r.title, Source.title, for_viewer=source_label),
            Column("kind", _l("Kind"), lambda r: label("source_kind", r.kind), Source.kind),
            Column("published_on", _l("Date"), shown(Source, "published_on"), Source.published_on),
            Column(
                "grade",
                _l("Grade"),
                lambda r: f"{r.reliability or '?'}{r.credibility or '?'}",
                Source.reliability,
            ),
            Column(
                "confidential",
                _l("Confidential"),
                lambda r: _("yes") if r.confidential else "",
                Source.confidential,
            ),
        ],
        filters=[
            Filter(
                "kind",
                _l("Kind"),
                lambda q, v: q.where(Source.kind == v),
                lambda can_see: choices("source_kind"),
            ),
            Filter(
                "reliability",
                _l("Reliability"),
                lambda q, v: q.where(Source.reliability == v),
                lambda can_see: [(g, graded(g, m)) for g, m in RELIABILITY_MEANINGS.items()],
            ),
            Filter(
                "confidential",
                _l("Confidential"),
                lambda q, v: q.where(Source.confidential.is_(v == "yes")),
                lambda can_see: [("yes", _l("Confidential only")), ("no", _l("Not confidential"))],
            ),
        ],
        search=_search,
        default_sort="published_on",
        picker_order=Source.title,
        ranked_by=lambda can_see: Source.title,
        masks=lambda source: bool(source.confidential),
        named_by="title",
    )
)

from tracker.sources import services as _services  # noqa: E402,F401
