"""Cases for the UN tests, built through the services (values distinctive, so a leak test can
look for them anywhere)."""

from datetime import date, timedelta
from typing import Any

from tracker.events.services import events
from tracker.persons.models import Person
from tracker.persons.services import persons
from tracker.places.services import crossings, facilities
from tracker.sources.services import sources
from tracker.un.services import set_submitter

FAMILY = "Quorvath"
GIVEN = "Minseqo"
HANGUL = "쿼민서"
ARREST_PLACE = "Yanji railway station, Jilin"
RESPONSIBLE = "Yanji Public Security Bureau officers"
STEPS = "Brother Talvesk petitioned the Ministry of Unification in March"
CONSENT_BY = "Talvesk Quorvath (brother)"
CONSENT_NOTE = "Consent given by phone, written up the same day"
SOURCE_TITLE = "Interview with Sorrelkin, former detainee"
OTHER_SOURCE = "Brambleford broadcast notes"
ORGANISATION = "Hanbit Documentation Centre"
CONTACT_PERSON = "Ilvenna Park"
CONTACT_EMAIL = "cases@hanbit.example.org"

IDENTIFYING = [FAMILY, GIVEN, HANGUL, STEPS, CONSENT_BY, "Talvesk", "Sorrelkin", RESPONSIBLE]


def submitter(admin: Any) -> None:
    set_submitter(
        admin,
        {
            "organisation": ORGANISATION,
            "contact_name": CONTACT_PERSON,
            "email": CONTACT_EMAIL,
            "address": "12 Seoul Road, Seoul",
            "confidential": True,
        },
    )


def ready_case(actor: Any, arrested: date | None = None, **changes: Any) -> Person:
    """A vanished person with every element the Working Group needs."""
    arrested = arrested or date.today() - timedelta(days=30)
    crossing = crossings.create(
        actor, {"name": "Namyang", "cn_side": "Tumen", "kp_side": "Namyang"}
    )
    facility = facilities.create(
        actor, {"name": "Tumen Detention Centre", "kind": "detention_centre", "country": "CN"}
    )
    interview = sources.create(
        actor,
        {"title": SOURCE_TITLE, "kind": "interview", "confidential": True, "reliability": "B"},
    )
    media = sources.create(actor, {"title": OTHER_SOURCE, "kind": "media", "reliability": "C"})
    event = events.create(
        actor,
        {
            "date_precision": "day",
            "date_start": arrested + timedelta(days=5),
            "crossing_id": crossing.id,
            "people_min": 40,
            "handed_over_by": "Tumen Border Defence",
            "received_by": "Ministry of State Security",
        },
    )
    values = {
        "family_name": FAMILY,
        "given_name": GIVEN,
        "name_hangul": HANGUL,
        "gender": "female",
        "birth_year": 1994,
        "event_id": event.id,
        "arrest_date": arrested.isoformat(),
        "arrest_place": ARREST_PLACE,
        "responsible_parties": RESPONSIBLE,
        "relatives_actions": STEPS,
        "consent_given_by": CONSENT_BY,
        "consent_date": date.today().isoformat(),
        "consent_note": CONSENT_NOTE,
        "consent_source_id": interview.id,
        "detentions": [{"facility_id": facility.id, "date_from": arrested.isoformat()}],
    } | changes
    person = persons.create(actor, values, confirmed=True)
    persons.add_status(
        actor,
        person,
        {"status": "vanished", "as_of": arrested + timedelta(days=6), "source_id": interview.id},
    )
    persons.add_status(
        actor,
        person,
        {"status": "repatriated", "as_of": arrested + timedelta(days=5), "source_id": media.id},
    )
    return person
