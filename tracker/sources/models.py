"""Sources of facts, graded on the Admiralty scale, with their attached files."""

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.db import Base, TrackedRecord, UTCDateTime, utcnow
from tracker.kinds import fields as f
from tracker.kinds.columns import column, flag, fuzzy_date, long_text, term, text

RELIABILITY_GRADES = ("A", "B", "C", "D", "E", "F")
CREDIBILITY_GRADES = (1, 2, 3, 4, 5, 6)
# The Admiralty (NATO) grading: how reliable the source is, how credible the information.
RELIABILITY_MEANINGS = {
    "A": _l("Completely reliable"),
    "B": _l("Usually reliable"),
    "C": _l("Fairly reliable"),
    "D": _l("Not usually reliable"),
    "E": _l("Unreliable"),
    "F": _l("Reliability cannot be judged"),
}
CREDIBILITY_MEANINGS = {
    1: _l("Confirmed by other sources"),
    2: _l("Probably true"),
    3: _l("Possibly true"),
    4: _l("Doubtful"),
    5: _l("Improbable"),
    6: _l("Truth cannot be judged"),
}
RELIABILITY = {
    "description": _l("Admiralty grading: how far this source has proved reliable before."),
    "also": "source reliability|신뢰도",
}
CREDIBILITY = {
    "description": _l("Admiralty grading: how likely the information is to be true."),
    "also": "source credibility|신빙성",
}


class Source(TrackedRecord, Base):
    """Where a fact comes from."""

    __tablename__ = "sources"
    __table_args__ = (
        CheckConstraint("reliability IN ('A','B','C','D','E','F')", name="reliability"),
        CheckConstraint("credibility BETWEEN 1 AND 6", name="credibility"),
    )

    # A confidential source's title, organisation, address and notes identify who spoke.
    title: Mapped[str] = text(
        _l("Title"), 300, required=True, identifying=True, index=True, also="source|출처|제목"
    )
    kind: Mapped[str] = term(
        _l("Kind"), "source_kind", required=True, default="other", also="type|source type|종류"
    )
    organisation: Mapped[str | None] = text(
        _l("Organisation"), 200, identifying=True, also="organization|publisher|기관|발행처"
    )
    published_on, published_on_precision, published_on_approximate = fuzzy_date(
        f.FuzzyDate(_l("Date"), also="date|published|publication date|날짜|발행일")
    )
    url: Mapped[str | None] = column(
        f.Url(_l("Web address"), 2000, identifying=True, also="link|web address|주소"), String(2000)
    )
    reliability: Mapped[str | None] = column(
        f.Choice(_l("Reliability of the source"), RELIABILITY_MEANINGS, **RELIABILITY), String(1)
    )
    credibility: Mapped[int | None] = column(
        f.Choice(_l("Credibility of the information"), CREDIBILITY_MEANINGS, **CREDIBILITY),
        Integer,
    )
    confidential: Mapped[bool] = flag(
        _l("Confidential source"),
        description=_l("Its identity is hidden from analysts and in redacted exports."),
        also="private|비공개",
    )
    notes: Mapped[str | None] = long_text(
        _l("Notes"), 20_000, identifying=True, also="note|comments|remarks|비고|메모"
    )

    files: Mapped[list["SourceFile"]] = relationship(back_populates="source")


class SourceFile(Base):
    """A file attached to a source, stored outside the web root under its SHA-256."""

    __tablename__ = "source_files"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"), nullable=False, index=True)
    filename: Mapped[str] = mapped_column(String(255), nullable=False)
    content_type: Mapped[str] = mapped_column(String(100), nullable=False)
    size: Mapped[int] = mapped_column(BigInteger, nullable=False)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    source: Mapped[Source] = relationship(back_populates="files")
