"""Who submits cases to the UN Working Group: the organisation's details, set once by an admin."""

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tracker.db import Base, UTCDateTime, utcnow


class UnSubmitter(Base):
    """The submitting organisation (element (f) of a WGEID case): one row, id 1."""

    __tablename__ = "un_submitter"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    organisation: Mapped[str | None] = mapped_column(String(200))
    contact_name: Mapped[str | None] = mapped_column(String(200))
    address: Mapped[str | None] = mapped_column(Text)
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(50))
    # The Working Group keeps the source's identity confidential when asked.
    confidential: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
