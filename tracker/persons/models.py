"""Individual cases, their detention and status history, and their contacts."""

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.db import Base, TrackedRecord, UTCDateTime, utcnow
from tracker.events.models import RepatriationEvent
from tracker.places.models import Facility
from tracker.search.names import KEY_LENGTH
from tracker.sources.models import Source

# What can identify a person or the people around them: masked for analysts on every page and
# in the API (the persons kind), and dropped from redacted exports. One declaration for all.
PERSON_IDENTITY_FIELDS = frozenset(
    {
        "family_name",
        "given_name",
        "name_hangul",
        "aliases",
        "origin",
        "notes",
        "relatives_actions",
        "responsible_parties",
        "detentions",
        "status_record",
        "external_id",
    }
)
# A status claim's free-text note often names the witness or the relative who reported it.
STATUS_IDENTITY_FIELDS = frozenset({"note"})


class Person(TrackedRecord, Base):
    """One individual case, with the elements the UN WGEID asks for."""

    __tablename__ = "persons"
    __table_args__ = (
        UniqueConstraint("external_source", "external_id"),
        # Live persons only, and covering what the dashboard counts: its per-event,
        # per-status and per-gender aggregates read this index, not the table.
        Index(
            "ix_persons_live_event_status_gender",
            "event_id",
            "status",
            "gender",
            sqlite_where=text("deleted_at IS NULL"),
            postgresql_where=text("deleted_at IS NULL"),
        ),
        # Status by gender of live persons, grouped in index order without a sort.
        Index(
            "ix_persons_live_status_gender",
            "status",
            "gender",
            sqlite_where=text("deleted_at IS NULL"),
            postgresql_where=text("deleted_at IS NULL"),
        ),
    )

    case_code: Mapped[str] = mapped_column(String(20), nullable=False, unique=True)
    family_name: Mapped[str | None] = mapped_column(String(100))
    given_name: Mapped[str | None] = mapped_column(String(100))
    name_hangul: Mapped[str | None] = mapped_column(String(100))
    aliases: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)
    gender: Mapped[str] = mapped_column(String(20), nullable=False, default="unknown")
    birth_year: Mapped[int | None] = mapped_column(Integer)
    birth_year_approximate: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    origin: Mapped[str | None] = mapped_column(String(300))  # detailed: identifying
    origin_region: Mapped[str | None] = mapped_column(String(100))  # province-level
    arrest_date: Mapped[date | None] = mapped_column(Date)
    arrest_place: Mapped[str | None] = mapped_column(String(300))
    event_id: Mapped[int | None] = mapped_column(ForeignKey("repatriation_events.id"))
    last_seen_date: Mapped[date | None] = mapped_column(Date)
    last_seen_place: Mapped[str | None] = mapped_column(String(300))
    responsible_parties: Mapped[str | None] = mapped_column(Text)
    relatives_actions: Mapped[str | None] = mapped_column(Text)
    notes: Mapped[str | None] = mapped_column(Text)
    # Derived from the status history by the service; read-only elsewhere.
    status: Mapped[str | None] = mapped_column(String(40), index=True)
    status_as_of: Mapped[date | None] = mapped_column(Date)
    external_source: Mapped[str | None] = mapped_column(String(100))
    external_id: Mapped[str | None] = mapped_column(String(100))
    # Set when this record was merged into another (tracker/search/merge.py): it is then
    # out of every list and count, and its page and case code lead to the survivor.
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id"))

    event: Mapped[RepatriationEvent | None] = relationship()
    detentions: Mapped[list["Detention"]] = relationship(
        back_populates="person", order_by="Detention.date_from"
    )
    statuses: Mapped[list["StatusRecord"]] = relationship(
        back_populates="person", order_by=lambda: (StatusRecord.as_of, StatusRecord.id)
    )
    contacts: Mapped[list["Contact"]] = relationship(back_populates="person")
    # The search keys of every written form of the name (kept by the service, never edited).
    name_keys: Mapped[list["PersonNameKey"]] = relationship(
        back_populates="person", cascade="all, delete-orphan"
    )


class PersonNameKey(Base):
    """One search key of a person's name (tracker/search/names.py): every spelling of the
    name has the same key, so a search is an indexed prefix lookup. A person has a row per
    key: family name first and given name first, for each written form (romanised, Hangul,
    aliases). Rows, not a column, because a person has several forms and each is searched."""

    __tablename__ = "person_name_keys"
    __table_args__ = (Index("ix_person_name_keys_name_key", "name_key", "person_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(
        ForeignKey("persons.id", ondelete="CASCADE"), nullable=False, index=True
    )
    name_key: Mapped[str] = mapped_column(String(KEY_LENGTH), nullable=False)

    person: Mapped[Person] = relationship(back_populates="name_keys")


class Detention(TrackedRecord, Base):
    """A stay of a person in a facility, from and to (either may be unknown)."""

    __tablename__ = "detentions"
    __table_args__ = (
        Index(
            "ix_detentions_live_facility_person",
            "facility_id",
            "person_id",
            sqlite_where=text("deleted_at IS NULL"),
            postgresql_where=text("deleted_at IS NULL"),
        ),
    )

    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), nullable=False, index=True)
    facility_id: Mapped[int] = mapped_column(
        ForeignKey("facilities.id"), nullable=False, index=True
    )
    date_from: Mapped[date | None] = mapped_column(Date)
    date_to: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)

    person: Mapped[Person] = relationship(back_populates="detentions")
    facility: Mapped[Facility] = relationship()


class StatusRecord(TrackedRecord, Base):
    """A dated, sourced claim about a person's status; the latest as-of date is current."""

    __tablename__ = "status_records"
    __table_args__ = (Index("ix_status_records_person_as_of", "person_id", "as_of"),)

    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), nullable=False)
    status: Mapped[str] = mapped_column(String(40), nullable=False)
    as_of: Mapped[date] = mapped_column(Date, nullable=False)
    source_id: Mapped[int | None] = mapped_column(ForeignKey("sources.id"), index=True)
    note: Mapped[str | None] = mapped_column(Text)

    person: Mapped[Person] = relationship(back_populates="statuses")
    source: Mapped[Source | None] = relationship()


class Contact(TrackedRecord, Base):
    """A relative or witness linked to a person; always confidential."""

    __tablename__ = "contacts"

    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), nullable=False, index=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    relation: Mapped[str | None] = mapped_column(String(100))
    location: Mapped[str | None] = mapped_column(String(300))
    reach: Mapped[str | None] = mapped_column(Text)
    notes: Mapped[str | None] = mapped_column(Text)

    person: Mapped[Person] = relationship(back_populates="contacts")


class CaseCodeCounter(Base):
    """The last case number handed out per year, so codes are never reused."""

    __tablename__ = "case_code_counters"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_number: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


class DistinctPersons(Base):
    """Two persons a researcher said are different people: never suggested as duplicates again.
    The pair is stored with the smaller id first."""

    __tablename__ = "distinct_persons"
    __table_args__ = (UniqueConstraint("person_a_id", "person_b_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_a_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), nullable=False)
    person_b_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), nullable=False, index=True)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
