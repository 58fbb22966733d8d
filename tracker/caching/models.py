"""The data version: one row, moved on by every commit that writes records."""

from datetime import datetime

from sqlalchemy import Integer
from sqlalchemy.orm import Mapped, mapped_column

from tracker.db import Base, UTCDateTime, utcnow


class DataVersion(Base):
    """How many times the records have changed. Summaries cached under one version are
    valid until the next; every process reads it from the database, so a write made through
    one process is seen by the next view in any other."""

    __tablename__ = "data_version"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
