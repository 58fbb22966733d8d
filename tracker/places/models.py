"""Detention facilities and border crossing points."""

from sqlalchemy import JSON, Float, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tracker.db import Base, TrackedRecord


class Facility(TrackedRecord, Base):
    """A detention facility."""

    __tablename__ = "facilities"

    name: Mapped[str] = mapped_column(String(200), nullable=False, index=True)
    name_local: Mapped[str | None] = mapped_column(String(200))
    aliases: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)
    kind: Mapped[str] = mapped_column(String(40), nullable=False)
    province: Mapped[str | None] = mapped_column(String(100), index=True)
    country: Mapped[str | None] = mapped_column(String(2))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    notes: Mapped[str | None] = mapped_column(Text)


class CrossingPoint(TrackedRecord, Base):
    """A border crossing, named by its two sides."""

    __tablename__ = "crossing_points"

    name: Mapped[str] = mapped_column(String(200), nullable=False, index=True)
    aliases: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)
    cn_side: Mapped[str | None] = mapped_column(String(200))
    kp_side: Mapped[str | None] = mapped_column(String(200))
    province: Mapped[str | None] = mapped_column(String(100), index=True)
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    notes: Mapped[str | None] = mapped_column(Text)
