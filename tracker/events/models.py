"""Repatriation events, the sources that report them, and figures reported about groups."""

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.db import Base, TrackedRecord
from tracker.kinds import fields as f
from tracker.kinds.columns import column, long_text, text
from tracker.kinds.fields import declare
from tracker.kinds.values import SPAN_PRECISIONS
from tracker.places.models import CrossingPoint, Facility
from tracker.sources.models import Source

# How precisely a date range is known: a day has date_start == date_end, a month
# or a year spans it, a range is two known days.
DATE_PRECISIONS = SPAN_PRECISIONS
AUTHORITY_HELP = _l("e.g. China's public security bureau; North Korea's Ministry of State Security")

event_facilities = Table(
    "event_facilities",
    Base.metadata,
    Column("event_id", ForeignKey("repatriation_events.id"), primary_key=True),
    Column("facility_id", ForeignKey("facilities.id"), primary_key=True, index=True),
)


class RepatriationEvent(TrackedRecord, Base):
    """One transfer of people across a border on a (possibly approximate) date range."""

    __tablename__ = "repatriation_events"
    __table_args__ = (
        CheckConstraint("date_end >= date_start", name="date_order"),
        CheckConstraint("people_min IS NULL OR people_min >= 0", name="people_min"),
        CheckConstraint(
            "people_max IS NULL OR people_min IS NULL OR people_max >= people_min",
            name="people_order",
        ),
        UniqueConstraint("external_source", "external_id"),
        Index("ix_repatriation_events_crossing_date", "crossing_id", "date_start"),
    )

    # The span: date_start to date_end at a precision (day, month, year or range).
    date_start: Mapped[date] = column(
        f.DateSpan(
            _l("Date"),
            required=_l("An event needs a date."),
            description=_l(
                "9 Oct 2023, October 2023, 2023 or around 2023; for a range, the first day."
            ),
            also="date|start date|from|reported date|event date|날짜|송환일|송환 날짜|일자",
        ),
        Date,
        index=True,
    )
    date_end: Mapped[date] = mapped_column(Date, nullable=False, index=True)
    date_precision: Mapped[str] = mapped_column(String(10), nullable=False, default="day")
    date_approximate: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    crossing_id: Mapped[int | None] = column(
        f.Ref(
            _l("Crossing point"),
            "crossings",
            by_name="crossing",
            required=_l("An event needs a crossing point."),
            also="crossing point|border crossing|route|migration route|송환 경로|통로",
        ),
        ForeignKey("crossing_points.id"),
        nullable=True,
    )
    facilities: Mapped[list[Facility]] = relationship(
        secondary=event_facilities,
        info=declare(
            f.Refs(
                _l("Origin facilities"),
                "facilities",
                column="facility_ids",
                by_name="facilities",
                also="facility|origin facilities|from facility|수용시설|출발 시설",
            )
        ),
    )
    transport: Mapped[str | None] = text(
        _l("Transport"), 200, description=_l("e.g. buses, prison vans"), also="vehicle|이송 수단"
    )
    people_min: Mapped[int | None] = column(
        f.Count(
            _l("People reported"),
            description=_l("180, about 180, 300+, over 300, up to 600 or 150-200."),
            also="count|number|number of people|total|인원|인원수|송환 인원",
        ),
        Integer,
    )
    people_max: Mapped[int | None] = mapped_column(Integer)
    people_approximate: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    handed_over_by: Mapped[str | None] = text(
        _l("Handed over by"), 200, description=AUTHORITY_HELP, also="인계 기관|인계"
    )
    received_by: Mapped[str | None] = text(_l("Received by"), 200, also="인수 기관|인수")
    description: Mapped[str | None] = long_text(
        _l("Description"), 20_000, also="notes|details|summary|location description|설명|내용"
    )
    claims: Mapped[list["EventSource"]] = relationship(
        back_populates="event",
        cascade="all, delete-orphan",
        info=declare(
            f.Rows(
                _l("What each source says"),
                lambda: EventSource,
                parent="event_id",
                key="source_id",
                shortcut="source_ids",
                by_name="sources",
                match=("source_id",),
                duplicate_message=_l("List each source once; put all it says in one row."),
                key_required=_l("Choose the source that says this."),
                also="source|information source|출처",
            )
        ),
    )
    # The file or system `external_id` belongs to (the importer's source key).
    external_source: Mapped[str | None] = text(_l("External source"), 100, internal=True)
    external_id: Mapped[str | None] = text(
        _l("External id"),
        100,
        description=_l("Its identifier in the file or system it came from."),
        also="web id|event id|incident id|ref|reference|사건 번호",
    )

    crossing: Mapped[CrossingPoint | None] = relationship()


class EventSource(Base):
    """What one source claimed about one event: its own figures and where it says so."""

    __tablename__ = "event_sources"
    __table_args__ = (UniqueConstraint("event_id", "source_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("repatriation_events.id"), nullable=False)
    source_id: Mapped[int] = column(
        f.Ref(_l("Source"), "sources", by_name="source"),
        ForeignKey("sources.id"),
        nullable=False,
        index=True,
    )
    people_min: Mapped[int | None] = column(
        f.Count(_l("People it reports"), description=_l("Leave empty when it gives no figure.")),
        Integer,
    )
    people_max: Mapped[int | None] = mapped_column(Integer)
    people_approximate: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    # What a confidential source said, and where, can identify it.
    quote: Mapped[str | None] = long_text(_l("Quote"), 5_000, identifying=True)
    page_ref: Mapped[str | None] = text(_l("Page or timestamp"), 200, identifying=True)

    event: Mapped[RepatriationEvent] = relationship(back_populates="claims")
    source: Mapped[Source] = relationship()


class ReportedFigure(TrackedRecord, Base):
    """A sourced number about a group rather than one transfer ("up to about 600 vanished")."""

    __tablename__ = "reported_figures"
    __table_args__ = (
        CheckConstraint(
            "people_max IS NULL OR people_min IS NULL OR people_max >= people_min",
            name="people_order",
        ),
    )

    status: Mapped[str] = mapped_column(String(40), nullable=False)
    people_min: Mapped[int | None] = mapped_column(Integer)
    people_max: Mapped[int | None] = mapped_column(Integer)
    as_of: Mapped[date | None] = mapped_column(Date)
    description: Mapped[str] = mapped_column(Text, nullable=False)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"), nullable=False, index=True)
    quote: Mapped[str | None] = mapped_column(Text)

    source: Mapped[Source] = relationship()
