"""Individual cases, their detention and status history, and their contacts."""

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.db import Base, TrackedRecord, UTCDateTime, utcnow
from tracker.events.models import RepatriationEvent
from tracker.kinds import columns as c
from tracker.kinds import fields as f
from tracker.kinds.columns import birth_year as birth_year_columns
from tracker.kinds.columns import column, country, fuzzy_date, lines, long_text, term
from tracker.kinds.fields import declare
from tracker.places.models import Facility
from tracker.sources.models import Source

# Search keys are cut to this length (a Hangul syllable reads as up to four sound symbols, so
# a long name's key is long); tracker/search/names.py cuts stored and searched keys alike.
KEY_LENGTH = 200

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
        "consent_given_by",
        "consent_date",
        "consent_source_id",
        "consent_note",
        "un_government_reply",
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
        # per-status and per-gender aggregates read this index, not the table, and so does
        # the join of a filtered dashboard's persons to their detentions (by id).
        Index(
            "ix_persons_live_event_status_gender_id",
            "event_id",
            "status",
            "gender",
            "id",
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
        # Merged-away records only (a few): estimates follow each merge to its survivor
        # without reading every person.
        Index(
            "ix_persons_merged_into_id",
            "merged_into_id",
            sqlite_where=text("merged_into_id IS NOT NULL"),
            postgresql_where=text("merged_into_id IS NOT NULL"),
        ),
    )

    case_code: Mapped[str] = c.text(
        _l("Case code"),
        20,
        editable=False,
        nullable=False,
        unique=True,
        description=_l("Given by the server, e.g. RT-2023-0001."),
        also="case|case id|case number|사례 번호|사례 코드|관리 번호",
    )
    family_name: Mapped[str | None] = c.text(
        _l("Family name"), 100, identifying=True, also="surname|last name|family|성"
    )
    given_name: Mapped[str | None] = c.text(
        _l("Given name"), 100, identifying=True, also="first name|given|forename|이름(명)"
    )
    name_hangul: Mapped[str | None] = c.text(
        _l("Name in Hangul"), 100, identifying=True, also="hangul|korean name|한글 이름|이름|성명"
    )
    aliases: Mapped[list[str]] = lines(
        _l("Aliases and other spellings"),
        100,
        identifying=True,
        description=_l("One per line."),
        also="alias|other names|romanisations|romanizations|별명|다른 이름",
    )
    gender: Mapped[str] = term(
        _l("Gender"), "gender", 20, required=True, default="unknown", also="sex|성별"
    )
    birth_year, birth_year_approximate = birth_year_columns(
        f.BirthYear(
            _l("Birth year"),
            band=5,  # analysts see 1985–1989: with a place and a date a year can single out
            description=_l("1985, around 1985 or 1985년생."),
            also="born|year of birth|birth|생년|출생연도|출생년도",
        )
    )
    nationality: Mapped[str | None] = country(
        _l("Nationality"), description=_l("Two-letter code: KP, CN, …"), also="citizenship|국적"
    )
    origin: Mapped[str | None] = c.text(  # detailed: identifying
        _l("Place of origin (detailed)"),
        300,
        identifying=True,
        also="place of origin|hometown|home town|출신지|고향|주소",
    )
    origin_region: Mapped[str | None] = c.text(  # province-level
        _l("Region of origin"),
        100,
        description=_l("Province level; analysts see it."),
        also="region|province|출신 지역|출신 도",
    )
    arrest_date, arrest_date_precision, arrest_date_approximate = fuzzy_date(
        f.FuzzyDate(
            _l("Date of arrest"),
            analysts="month",
            also="arrested|arrest date|체포일|체포 날짜|체포일자",
        )
    )
    arrest_place: Mapped[str | None] = c.text(  # free text ("Yanji, Jilin"): identifying
        _l("Place of arrest"), 300, identifying=True, also="arrest place|체포 장소|체포지"
    )
    arrest_region: Mapped[str | None] = c.text(  # province-level
        _l("Region of arrest"),
        100,
        description=_l("Province level; analysts see it."),
        also="arrest province|arrest region|체포 지역",
    )
    event_id: Mapped[int | None] = column(
        f.Ref(_l("Repatriation event"), "events", also="event|event number|송환 사건|사건 번호"),
        ForeignKey("repatriation_events.id"),
    )
    detentions: Mapped[list["Detention"]] = relationship(
        back_populates="person",
        order_by="Detention.date_from",
        info=declare(
            f.Rows(
                _l("Detention history"),
                lambda: Detention,
                parent="person_id",
                key="facility_id",
                shortcut="facility_ids",
                by_name="facilities",
                key_required=_l("Choose the facility."),
                in_order=("date_from", "date_to"),
                also="facility|detention|detained at|수용시설|구금 시설|구금시설",
            )
        ),
    )
    last_seen_date, last_seen_date_precision, last_seen_date_approximate = fuzzy_date(
        f.FuzzyDate(
            _l("Last seen on"),
            analysts="month",
            also="last seen|date last seen|마지막 목격일|최종 목격일",
        )
    )
    last_seen_place: Mapped[str | None] = c.text(  # free text: identifying
        _l("Last seen at"),
        300,
        identifying=True,
        also="place last seen|location|마지막 목격 장소|최종 목격 장소",
    )
    last_seen_region: Mapped[str | None] = c.text(  # province-level
        _l("Region last seen"),
        100,
        description=_l("Province level; analysts see it."),
        also="last seen province|last seen region|마지막 목격 지역",
    )
    date_of_death, date_of_death_precision, date_of_death_approximate = fuzzy_date(
        f.FuzzyDate(
            _l("Date of death"), analysts="month", also="died|death date|사망일|사망 날짜|사망일자"
        )
    )
    responsible_parties: Mapped[str | None] = long_text(
        _l("Parties believed responsible"),
        5_000,
        identifying=True,
        also="responsible|perpetrators|책임자|가해 기관|가해자",
    )
    relatives_actions: Mapped[str | None] = long_text(
        _l("Steps relatives have taken"),
        5_000,
        identifying=True,
        also="actions of relatives|steps taken|가족의 조치|가족 조치",
    )
    notes: Mapped[str | None] = long_text(
        _l("Notes"), 20_000, identifying=True, also="note|comments|remarks|비고|메모"
    )
    # The relatives' consent to take the case to the UN (tracker/un): who gave it, when, and
    # how it was recorded (a dated note or a source). Identifying: researchers only.
    consent_given_by: Mapped[str | None] = c.text(
        _l("Consent given by"),
        200,
        identifying=True,
        description=_l("The relative who agreed that the case goes to the UN, and their relation."),
        also="consent by|consent from|동의자",
    )
    consent_date, consent_date_precision, consent_date_approximate = fuzzy_date(
        f.FuzzyDate(_l("Consent given on"), identifying=True, also="consent date|동의 날짜|동의일")
    )
    consent_source_id: Mapped[int | None] = column(
        f.Ref(
            _l("Consent recorded in (source)"),
            "sources",
            identifying=True,
            by_name="consent_source",
            description=_l("A source holding the consent: a signed form, a recorded interview."),
            also="consent source|동의 출처",
        ),
        ForeignKey("sources.id"),
    )
    consent_note: Mapped[str | None] = long_text(
        _l("Consent note"),
        5_000,
        identifying=True,
        description=_l("How the consent was given and recorded, if not in a source."),
        also="consent|동의|동의 메모",
    )
    # The case's submission to the UN Working Group (WGEID), with its history like any field.
    un_submitted_on, un_submitted_on_precision, un_submitted_on_approximate = fuzzy_date(
        f.FuzzyDate(
            _l("Submitted to the UN Working Group on"),
            also="submitted on|WGEID submission|유엔 제출일",
        )
    )
    un_reference: Mapped[str | None] = c.text(
        _l("WGEID reference number"), 50, also="WGEID reference|UN reference|유엔 사건 번호"
    )
    un_government_reply: Mapped[str | None] = long_text(
        _l("Government reply"),
        10_000,
        identifying=True,
        description=_l("What the government answered the Working Group, with its date."),
        also="government reply|정부 답변",
    )
    un_clarified_on, un_clarified_on_precision, un_clarified_on_approximate = fuzzy_date(
        f.FuzzyDate(
            _l("Case clarified on"),
            description=_l("When the Working Group considered the case clarified."),
            also="clarified on|해명일",
        )
    )
    # Derived from the status history by the service; read-only elsewhere.
    status: Mapped[str | None] = term(
        _l("Status"), "status", editable=False, index=True, also="current status|상태|현재 상태"
    )
    status_as_of, status_as_of_precision, status_as_of_approximate = fuzzy_date(
        f.FuzzyDate(
            _l("Status as of"),
            editable=False,
            analysts="month",
            also="as of|status date|상태 기준일",
        )
    )
    # Which sources (lists) document this person, and what each says: "documented by", apart
    # from the status records' sources. Multiple systems estimation reads it (tracker/estimates).
    documented_by: Mapped[list["PersonSource"]] = relationship(
        back_populates="person",
        cascade="all, delete-orphan",
        order_by="PersonSource.source_id",
        info=declare(
            f.Rows(
                _l("Documented by"),
                lambda: PersonSource,
                parent="person_id",
                key="source_id",
                shortcut="source_ids",
                by_name="sources",
                match=("source_id",),
                duplicate_message=_l("List each source once; put all it says in one row."),
                key_required=_l("Choose the source that documents this person."),
                also="source|documented by|listed by|출처|기록 출처",
            )
        ),
    )
    # The file or system `external_id` belongs to (the importer's source key).
    external_source: Mapped[str | None] = c.text(_l("External source"), 100, internal=True)
    external_id: Mapped[str | None] = c.text(
        _l("External id"),
        100,
        identifying=True,
        description=_l("Its identifier in the file or system it came from."),
        also="person id|record id|ref|reference|관리번호|원본 번호",
    )
    # Set when this record was merged into another (tracker/search/merge.py): it is then
    # out of every list and count, and its page and case code lead to the survivor.
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id"))

    event: Mapped[RepatriationEvent | None] = relationship()
    consent_source: Mapped[Source | None] = relationship(foreign_keys=[consent_source_id])
    statuses: Mapped[list["StatusRecord"]] = relationship(
        back_populates="person", order_by="[StatusRecord.as_of, StatusRecord.id]"
    )
    contacts: Mapped[list["Contact"]] = relationship(back_populates="person")
    # The search keys of every written form of the name (kept by the service, never edited).
    name_keys: Mapped[list["PersonNameKey"]] = relationship(
        back_populates="person", cascade="all, delete-orphan"
    )


class PersonSource(Base):
    """One source documenting one person, with what it says (its own words and where)."""

    __tablename__ = "person_sources"
    __table_args__ = (
        UniqueConstraint("person_id", "source_id"),
        # The persons of some sources, read from the index alone (an estimate's lists).
        Index("ix_person_sources_source_id_person_id", "source_id", "person_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), nullable=False, index=True)
    source_id: Mapped[int] = column(
        f.Ref(_l("Source"), "sources", by_name="source"),
        ForeignKey("sources.id"),
        nullable=False,
    )
    # What the source says about the person, and where: it can identify the source and the
    # person alike.
    says: Mapped[str | None] = long_text(_l("What it says"), 5_000, identifying=True)
    page_ref: Mapped[str | None] = c.text(_l("Page or timestamp"), 200, identifying=True)

    person: Mapped[Person] = relationship(back_populates="documented_by")
    source: Mapped[Source] = relationship()


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
        # The facilities of a few thousand persons, read from the index alone (the filtered
        # dashboard's documented persons per facility).
        Index(
            "ix_detentions_live_person_facility",
            "person_id",
            "facility_id",
            sqlite_where=text("deleted_at IS NULL"),
            postgresql_where=text("deleted_at IS NULL"),
        ),
    )

    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), nullable=False, index=True)
    facility_id: Mapped[int] = column(
        f.Ref(_l("Facility"), "facilities", by_name="facility"),
        ForeignKey("facilities.id"),
        nullable=False,
        index=True,
    )
    date_from, date_from_precision, date_from_approximate = fuzzy_date(
        f.FuzzyDate(_l("From"), analysts="month")
    )
    date_to, date_to_precision, date_to_approximate = fuzzy_date(
        f.FuzzyDate(_l("To"), analysts="month")
    )
    note: Mapped[str | None] = long_text(_l("Note"), 5_000, identifying=True)

    person: Mapped[Person] = relationship(back_populates="detentions")
    facility: Mapped[Facility] = relationship()


class StatusRecord(TrackedRecord, Base):
    """A dated, sourced claim about a person's status; the latest as-of date is current."""

    __tablename__ = "status_records"
    __table_args__ = (Index("ix_status_records_person_as_of", "person_id", "as_of"),)

    person_id: Mapped[int] = column(
        f.Ref(_l("Person"), "persons", required=True, editable=False), ForeignKey("persons.id")
    )
    status: Mapped[str] = term(_l("Status"), "status", required=True, also="상태")
    as_of, as_of_precision, as_of_approximate = fuzzy_date(
        f.FuzzyDate(
            _l("As of"),
            analysts="month",
            required=_l("Give the date this status was reported for."),
            description=_l("The date this status was reported for."),
            also="date|as of|status date|기준일|날짜",
        )
    )
    source_id: Mapped[int | None] = column(
        f.Ref(
            _l("Source"),
            "sources",
            by_name="source",
            required=_l("Say which source reports this status."),
            also="sources|reported by|출처",
        ),
        ForeignKey("sources.id"),
        nullable=True,
        index=True,
    )
    # A status claim's free-text note often names the witness or the relative who reported it.
    note: Mapped[str | None] = long_text(
        _l("Note"), 5_000, identifying=True, also="notes|comment|remarks|비고|메모"
    )

    person: Mapped[Person] = relationship(back_populates="statuses")
    source: Mapped[Source | None] = relationship()


class Contact(TrackedRecord, Base):
    """A relative or witness linked to a person; always confidential."""

    __tablename__ = "contacts"

    person_id: Mapped[int] = column(
        f.Ref(_l("Person"), "persons", required=_l("Choose the person this contact is for.")),
        ForeignKey("persons.id"),
        index=True,
    )
    name: Mapped[str] = c.text(_l("Name"), 200, required=True, identifying=True)
    relation: Mapped[str | None] = c.text(
        _l("Relation"), 100, identifying=True, description=_l("e.g. sister, witness")
    )
    location: Mapped[str | None] = c.text(_l("Where"), 300, identifying=True)
    reach: Mapped[str | None] = long_text(_l("How to reach"), 2_000, identifying=True)
    notes: Mapped[str | None] = long_text(_l("Notes"), 5_000, identifying=True)

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
