"""Repatriation events, the sources that report them, and figures reported about groups."""

from datetime import date

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
from tracker.places.models import CrossingPoint, Facility
from tracker.sources.models import Source

# How precisely a date range is known: a day has date_start == date_end, a month
# or a year spans it, a range is two known days.
DATE_PRECISIONS = ("day", "month", "year", "range")

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

    date_start: Mapped[date] = mapped_column(Date, nullable=False, index=True)
    date_end: Mapped[date] = mapped_column(Date, nullable=False)
    date_precision: Mapped[str] = mapped_column(String(10), nullable=False, default="day")
    date_approximate: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    crossing_id: Mapped[int | None] = mapped_column(ForeignKey("crossing_points.id"))
    transport: Mapped[str | None] = mapped_column(String(200))
    people_min: Mapped[int | None] = mapped_column(Integer)
    people_max: Mapped[int | None] = mapped_column(Integer)
    handed_over_by: Mapped[str | None] = mapped_column(String(200))
    received_by: Mapped[str | None] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    external_source: Mapped[str | None] = mapped_column(String(100))
    external_id: Mapped[str | None] = mapped_column(String(100))

    crossing: Mapped[CrossingPoint | None] = relationship()
    facilities: Mapped[list[Facility]] = relationship(secondary=event_facilities)
    claims: Mapped[list["EventSource"]] = relationship(
        back_populates="event", cascade="all, delete-orphan"
    )


class EventSource(Base):
    """What one source claimed about one event: its own figures and where it says so."""

    __tablename__ = "event_sources"
    __table_args__ = (UniqueConstraint("event_id", "source_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("repatriation_events.id"), nullable=False)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"), nullable=False, index=True)
    people_min: Mapped[int | None] = mapped_column(Integer)
    people_max: Mapped[int | None] = mapped_column(Integer)
    quote: Mapped[str | None] = mapped_column(Text)
    page_ref: Mapped[str | None] = mapped_column(String(200))

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
