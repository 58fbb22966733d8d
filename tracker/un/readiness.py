"""Whether a case can go to the UN Working Group on Enforced or Involuntary Disappearances
(WGEID): its six minimum elements (a)–(f) and the relatives' consent, each present, partial
or missing with what is missing in plain words; and whether it is urgent (a disappearance
within the last three months, not yet submitted: the urgent procedure).

The same rules exist twice on purpose: in Python for one record (with the reasons a person
reads) and as SQL conditions for the lists and the API's filters (`present_conditions`,
`urgent_condition`), so that a filter over a million persons stays one query.
`tests/un/test_readiness.py` checks that the two agree on every element."""

import calendar
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, exists, extract, false, func, not_, or_, select, true

from tracker.events.models import RepatriationEvent
from tracker.extensions import db
from tracker.kinds.values import DateSpan, FuzzyDate, show_date, show_span
from tracker.persons.models import Person
from tracker.un.models import UnSubmitter

PRESENT, PARTIAL, MISSING = "present", "partial", "missing"
# The API's names of the gaps, in the Working Group's order, then the consent.
ELEMENTS = ("name", "date", "place", "responsible", "steps", "submitter", "consent")
ELEMENT_LABELS = {
    "name": _l("(a) Full name of the disappeared person"),
    "date": _l("(b) Date of the disappearance"),
    "place": _l("(c) Place of arrest or abduction, or where last seen"),
    "responsible": _l("(d) Who is believed to be responsible"),
    "steps": _l("(e) Steps taken by relatives to locate the person"),
    "submitter": _l("(f) Who submits the case"),
    "consent": _l("Consent of the relatives"),
}
# Short column headings for the list of cases.
ELEMENT_SHORT = {
    "name": "(a)",
    "date": "(b)",
    "place": "(c)",
    "responsible": "(d)",
    "steps": "(e)",
    "submitter": "(f)",
    "consent": _l("Consent"),
}
STATE_LABELS = {PRESENT: _l("present"), PARTIAL: _l("partial"), MISSING: _l("missing")}
# The person's fields a researcher fills in for each element (the checklist links to them).
ELEMENT_FIELDS = {
    "name": ("family_name", "given_name", "name_hangul"),
    "date": ("arrest_date", "last_seen_date", "event_id"),
    "place": ("arrest_place", "last_seen_place"),
    "responsible": ("responsible_parties",),
    "steps": ("relatives_actions",),
    "submitter": (),
    "consent": ("consent_given_by", "consent_date", "consent_source_id", "consent_note"),
}
URGENT_STATUS = "vanished"  # the Working Group takes disappearances
URGENT_MONTHS = 3
KNOWN_ENOUGH = ("day", "month")  # the Working Group needs at least the month


@dataclass
class Element:
    """One element of the checklist for one case."""

    code: str
    state: str
    problem: str = ""  # what is missing, in plain words (empty when present)
    value: str = ""  # what the record holds, as a person reads it

    @property
    def label(self) -> str:
        return str(ELEMENT_LABELS[self.code])

    @property
    def fields(self) -> tuple[str, ...]:
        return ELEMENT_FIELDS[self.code]


@dataclass
class Disappearance:
    """The date the case gives for the disappearance, and which field it comes from."""

    start: date
    end: date
    precision: str
    shown: str
    source: str  # arrest_date, last_seen_date or event


@dataclass
class Readiness:
    """A case's readiness for the Working Group."""

    elements: list[Element]
    urgent: bool
    days_left: int | None  # while urgent: the days left before three months have passed
    submitted: bool
    disappearance: Disappearance | None = None
    status: str = ""  # not_submitted, submitted, replied, clarified
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ready(self) -> bool:
        return all(element.state == PRESENT for element in self.elements)

    @property
    def missing(self) -> list[str]:
        """The gaps (partial or missing elements), by their API names."""
        return [element.code for element in self.elements if element.state != PRESENT]

    def element(self, code: str) -> Element:
        return next(element for element in self.elements if element.code == code)

    def as_api(self, can_see: bool) -> dict[str, Any]:
        """`un_readiness` in the API: analysts get only whether it is ready and urgent."""
        values: dict[str, Any] = {"ready": self.ready, "urgent": self.urgent}
        if can_see:
            values["missing"] = self.missing
        return values


# --- dates ----------------------------------------------------------------------------------


def add_months(day: date, months: int) -> date:
    """The same day `months` later (or earlier), kept within the month (31 May - 3: 28 Feb)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def urgent_cutoff(today: date) -> date:
    """The earliest last day a disappearance may have to be still within three months."""
    return add_months(today, -URGENT_MONTHS)


def _live_event(person: Person) -> RepatriationEvent | None:
    event = person.event
    return event if event is not None and event.deleted_at is None else None


def disappearance(person: Person) -> Disappearance | None:
    """(b): the arrest date, else the date last seen, else the repatriation event's date."""
    for name in ("arrest_date", "last_seen_date"):
        start = getattr(person, name)
        if start is not None:
            precision = getattr(person, f"{name}_precision") or "day"
            fuzzy = FuzzyDate(start, precision, bool(getattr(person, f"{name}_approximate")))
            return Disappearance(start, fuzzy.end, precision, show_date(fuzzy), name)
    event = _live_event(person)
    if event is not None:
        span = DateSpan(event.date_start, event.date_end, event.date_precision, False)
        shown = show_span(span)
        return Disappearance(event.date_start, event.date_end, event.date_precision, shown, "event")
    return None


def _known_enough(found: Disappearance) -> bool:
    if found.precision in KNOWN_ENOUGH:
        return True
    # A range within one month still gives the month.
    return found.precision == "range" and (found.start.year, found.start.month) == (
        found.end.year,
        found.end.month,
    )


# --- the elements -----------------------------------------------------------------------------


def _text(value: Any) -> str:
    return str(value).strip() if value else ""


def _name(person: Person) -> Element:
    family, given, hangul = (_text(person.family_name), _text(person.given_name),
                             _text(person.name_hangul))  # fmt: skip
    shown = " ".join(part for part in (family, given) if part)
    if hangul:
        shown = f"{shown} ({hangul})" if shown else hangul
    if (family and given) or hangul:
        return Element("name", PRESENT, value=shown)
    if family or given:
        return Element(
            "name",
            PARTIAL,
            _("Only part of the name is recorded: the Working Group needs the full name."),
            shown,
        )
    if person.aliases:
        return Element(
            "name",
            PARTIAL,
            _("Only other names are recorded: give the person's full name."),
            "; ".join(person.aliases),
        )
    return Element("name", MISSING, _("No name is recorded."))


def _date(found: Disappearance | None) -> Element:
    if found is None:
        return Element(
            "date",
            MISSING,
            _("No date of arrest, last sighting or repatriation is recorded."),
        )
    if _known_enough(found):
        return Element("date", PRESENT, value=found.shown)
    if found.precision == "year":
        problem = _(
            "Date of disappearance known only to the year: the Working Group needs at least "
            "the month."
        )
    else:
        problem = _(
            "Date of disappearance known only as a range of several months: the Working Group "
            "needs at least the month."
        )
    return Element("date", PARTIAL, problem, found.shown)


def _place(person: Person) -> Element:
    places = [_text(person.arrest_place), _text(person.last_seen_place)]
    if any(places):
        return Element("place", PRESENT, value="; ".join(p for p in places if p))
    event = _live_event(person)
    if event is not None and event.crossing is not None:
        return Element(
            "place",
            PARTIAL,
            _(
                "Only the crossing point of the repatriation (%(crossing)s) is recorded: give "
                "where the person was arrested or last seen.",
                crossing=event.crossing.name,
            ),
            event.crossing.name,
        )
    return Element("place", MISSING, _("No place of arrest or last sighting is recorded."))


def _responsible(person: Person) -> Element:
    parties = _text(person.responsible_parties)
    if parties:
        return Element("responsible", PRESENT, value=parties)
    event = _live_event(person)
    authorities = [_text(event.handed_over_by), _text(event.received_by)] if event else []
    if any(authorities):
        return Element(
            "responsible",
            PARTIAL,
            _(
                "Only the authorities of the repatriation event are recorded: say who is "
                "believed to have carried out the arrest or abduction."
            ),
            "; ".join(a for a in authorities if a),
        )
    return Element(
        "responsible", MISSING, _("No one is named as believed responsible for the arrest.")
    )


def _steps(person: Person) -> Element:
    steps = _text(person.relatives_actions)
    if steps:
        return Element("steps", PRESENT, value=steps)
    return Element(
        "steps",
        MISSING,
        _("No steps taken by relatives (inquiries, petitions) are recorded."),
    )


def submitter_problems(submitter: UnSubmitter | None) -> list[str]:
    """What the organisation's submitter details lack."""
    if submitter is None:
        return [_("the organisation"), _("a contact person"), _("an address or email")]
    lacking = []
    if not _text(submitter.organisation):
        lacking.append(_("the organisation"))
    if not _text(submitter.contact_name):
        lacking.append(_("a contact person"))
    if not (_text(submitter.address) or _text(submitter.email)):
        lacking.append(_("an address or email"))
    return lacking


def submitter_ready(submitter: UnSubmitter | None) -> bool:
    return not submitter_problems(submitter)


def _submitter(submitter: UnSubmitter | None) -> Element:
    lacking = submitter_problems(submitter)
    if not lacking:
        assert submitter is not None
        return Element("submitter", PRESENT, value=_text(submitter.organisation))
    if len(lacking) == 3:
        return Element(
            "submitter",
            MISSING,
            _("The organisation's submitter details are not set (an admin sets them once)."),
        )
    return Element(
        "submitter",
        PARTIAL,
        _("The submitter details lack %(what)s.", what=", ".join(lacking)),
        _text(submitter.organisation if submitter else ""),
    )


def _consent(person: Person) -> Element:
    who = _text(person.consent_given_by)
    when = person.consent_date
    how = person.consent_source_id is not None or bool(_text(person.consent_note))
    if who and when is not None and how:
        fuzzy = FuzzyDate(when, person.consent_date_precision or "day", False)
        return Element("consent", PRESENT, value=f"{who}, {show_date(fuzzy)}")
    if not (who or when is not None or how):
        return Element(
            "consent", MISSING, _("No consent of the relatives to submit the case is recorded.")
        )
    lacking = []
    if not who:
        lacking.append(_("who gave it"))
    if when is None:
        lacking.append(_("when"))
    if not how:
        lacking.append(_("how it was recorded (a note or a source)"))
    return Element(
        "consent", PARTIAL, _("The consent lacks %(what)s.", what=", ".join(lacking)), who
    )


# --- the whole check ---------------------------------------------------------------------------


def current_submitter() -> UnSubmitter | None:
    """The organisation's submitter details (one row), if an admin has set them."""
    return db.session.get(UnSubmitter, 1)


def submission_status(person: Person) -> str:
    """Where the case stands with the Working Group."""
    if person.un_clarified_on is not None:
        return "clarified"
    if _text(person.un_government_reply):
        return "replied"
    if person.un_submitted_on is not None or _text(person.un_reference):
        return "submitted"
    return "not_submitted"


SUBMISSION_LABELS = {
    "not_submitted": _l("Not submitted"),
    "submitted": _l("Submitted"),
    "replied": _l("Government replied"),
    "clarified": _l("Clarified"),
}


def check(
    person: Person, submitter: UnSubmitter | None = None, today: date | None = None
) -> Readiness:
    """A case's readiness for the Working Group, from its record as it stands."""
    today = today or date.today()
    if submitter is None:
        submitter = current_submitter()
    found = disappearance(person)
    elements = [
        _name(person),
        _date(found),
        _place(person),
        _responsible(person),
        _steps(person),
        _submitter(submitter),
        _consent(person),
    ]
    status = submission_status(person)
    submitted = status != "not_submitted"
    urgent, days_left = False, None
    if (
        person.status == URGENT_STATUS
        and not submitted
        and found is not None
        and _known_enough(found)
        and found.end >= urgent_cutoff(today)
    ):
        urgent, days_left = True, (found.end - urgent_cutoff(today)).days
    return Readiness(elements, urgent, days_left, submitted, found, status)


# --- the same rules in SQL, for lists and filters ------------------------------------------------


def _filled(column: Any) -> Any:
    return func.coalesce(column, "") != ""


def _precise(precision: Any) -> Any:
    return or_(precision.is_(None), precision.in_(KNOWN_ENOUGH))


def _event_where(*conditions: Any) -> Any:
    event = RepatriationEvent
    return exists(
        select(event.id).where(event.id == Person.event_id, event.deleted_at.is_(None), *conditions)
    )


def _event_known_enough() -> Any:
    event = RepatriationEvent
    return or_(
        event.date_precision.in_(KNOWN_ENOUGH),
        and_(
            event.date_precision == "range",
            extract("year", event.date_start) == extract("year", event.date_end),
            extract("month", event.date_start) == extract("month", event.date_end),
        ),
    )


def _by_date_source(arrest: Any, seen: Any, event: Any) -> Any:
    """One condition per source of (b), taken in its order."""
    has_arrest, has_seen = Person.arrest_date.is_not(None), Person.last_seen_date.is_not(None)
    return or_(
        and_(has_arrest, arrest),
        and_(not_(has_arrest), has_seen, seen),
        and_(not_(has_arrest), not_(has_seen), event),
    )


def present_conditions(submitter: UnSubmitter | None) -> dict[str, Any]:
    """For each element, the SQL condition under which a person has it present."""
    name = or_(
        and_(_filled(Person.family_name), _filled(Person.given_name)),
        _filled(Person.name_hangul),
    )
    date_ = _by_date_source(
        _precise(Person.arrest_date_precision),
        _precise(Person.last_seen_date_precision),
        _event_where(_event_known_enough()),
    )
    consent = and_(
        _filled(Person.consent_given_by),
        Person.consent_date.is_not(None),
        or_(Person.consent_source_id.is_not(None), _filled(Person.consent_note)),
    )
    return {
        "name": name,
        "date": date_,
        "place": or_(_filled(Person.arrest_place), _filled(Person.last_seen_place)),
        "responsible": _filled(Person.responsible_parties),
        "steps": _filled(Person.relatives_actions),
        "submitter": true() if submitter_ready(submitter) else false(),
        "consent": consent,
    }


def ready_condition(submitter: UnSubmitter | None) -> Any:
    return and_(*present_conditions(submitter).values())


def submitted_condition() -> Any:
    return or_(
        Person.un_submitted_on.is_not(None),
        _filled(Person.un_reference),
        _filled(Person.un_government_reply),
        Person.un_clarified_on.is_not(None),
    )


def urgent_condition(today: date | None = None) -> Any:
    """Vanished, not submitted, and disappeared (to at least the month) within three months."""
    cutoff = urgent_cutoff(today or date.today())
    month_of_cutoff = cutoff.replace(day=1)

    def recent(day: Any, precision: Any) -> Any:
        return or_(
            and_(or_(precision.is_(None), precision == "day"), day >= cutoff),
            and_(precision == "month", day >= month_of_cutoff),
        )

    event = RepatriationEvent
    when = _by_date_source(
        recent(Person.arrest_date, Person.arrest_date_precision),
        recent(Person.last_seen_date, Person.last_seen_date_precision),
        _event_where(_event_known_enough(), event.date_end >= cutoff),
    )
    return and_(Person.status == URGENT_STATUS, not_(submitted_condition()), when)
