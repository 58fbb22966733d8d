"""Controlled vocabularies: stored codes with English and Korean labels."""

from sqlalchemy import JSON, Boolean, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tracker.db import Base


class VocabularyTerm(Base):
    """One code of one vocabulary; organisations add rows, not code."""

    __tablename__ = "vocabulary_terms"
    __table_args__ = (UniqueConstraint("vocabulary", "code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    vocabulary: Mapped[str] = mapped_column(String(40), nullable=False, index=True)
    code: Mapped[str] = mapped_column(String(40), nullable=False)
    label_en: Mapped[str] = mapped_column(String(120), nullable=False)
    label_ko: Mapped[str] = mapped_column(String(120), nullable=False)
    # Other names a spreadsheet uses for it ("F", "여"); matched like its labels.
    aliases: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
