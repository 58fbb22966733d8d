"""Records built through the services, for the workspace tests (identifying values are
distinctive so a masking test can look for them anywhere in a page)."""

from datetime import date

from tracker.events.services import events
from tracker.persons.services import contacts, persons
from tracker.places.services import crossings, facilities
from tracker.sources.services import sources

FAMILY_NAME = "Zhuvanko"
GIVEN_NAME = "Sunhyeqil"
NAME_HANGUL = "김순희희"
ALIAS = "Hyeqlina"
ORIGIN = "Hoeryong, 12 Quillbrook-dong"
PERSON_NOTE = "Told her cousin Brightwater about the route"
RELATIVES_ACTIONS = "Aunt Velmarine petitioned the UN"
OLD_GIVEN_NAME = "Oldnamexq"
CONTACT_NAME = "Velmarine Zhuvanko"
CONTACT_REACH = "+82 10 5555 0199"
SECRET_SOURCE = "Interview with Marrowgate defector"
SECRET_ORG = "Nightjar Support Group"
SECRET_QUOTE = "Marrowgate saw the buses leave"
STATUS_NOTE = "Heard via Quillbrook broker"
SECRET_FILE = "marrowgate-notes.txt"

IDENTIFYING_VALUES = [
    FAMILY_NAME,
    GIVEN_NAME,
    NAME_HANGUL,
    ALIAS,
    "Quillbrook",
    "Brightwater",
    "Velmarine",
    OLD_GIVEN_NAME,
    "5555 0199",
    "Marrowgate",
    "Nightjar",
]


def october_case(actor):
    """A facility, a crossing, a public and a confidential source, an event and a named case."""
    facility = facilities.create(
        actor,
        {"name": "Shenyang Prison", "kind": "prison", "province": "Liaoning", "country": "CN"},
    )
    crossing = crossings.create(
        actor, {"name": "Onsong", "cn_side": "Tumen", "kp_side": "Onsong", "province": "Jilin"}
    )
    public = sources.create(
        actor,
        {
            "title": "China is sending escapers back",
            "kind": "media",
            "reliability": "B",
            "credibility": 2,
            "organisation": "The Economist",
        },
    )
    secret = sources.create(
        actor,
        {
            "title": SECRET_SOURCE,
            "kind": "interview",
            "organisation": SECRET_ORG,
            "reliability": "C",
            "credibility": 3,
            "confidential": True,
            "notes": "met in Marrowgate",
        },
    )
    event = events.create(
        actor,
        {
            "date_precision": "day",
            "date_start": date(2023, 10, 9),
            "crossing_id": crossing.id,
            "facility_ids": [facility.id],
            "people_min": 300,
            "transport": "Buses",
            "claims": [
                {"source_id": public.id, "people_min": 300, "quote": "300 people at Onsong"},
                {"source_id": secret.id, "people_min": 250, "quote": SECRET_QUOTE},
            ],
        },
    )
    person = persons.create(
        actor,
        {
            "family_name": FAMILY_NAME,
            "given_name": OLD_GIVEN_NAME,
            "name_hangul": NAME_HANGUL,
            "aliases": [ALIAS],
            "gender": "female",
            "birth_year": 1990,
            "origin": ORIGIN,
            "origin_region": "North Hamgyong",
            "event_id": event.id,
            "notes": PERSON_NOTE,
            "relatives_actions": RELATIVES_ACTIONS,
            "detentions": [
                {
                    "facility_id": facility.id,
                    "date_from": "2023-06-01",
                    "date_to": "2023-10-08",
                    "note": "cell shared with Brightwater",
                }
            ],
        },
    )
    persons.update(actor, person, person.version, {"given_name": GIVEN_NAME})
    persons.add_status(
        actor,
        person,
        {
            "status": "vanished",
            "as_of": date(2023, 12, 1),
            "source_id": secret.id,
            "note": STATUS_NOTE,
        },
    )
    contacts.create(
        actor,
        {"person_id": person.id, "name": CONTACT_NAME, "relation": "aunt", "reach": CONTACT_REACH},
    )
    return {
        "facility": facility,
        "crossing": crossing,
        "public": public,
        "secret": secret,
        "event": event,
        "person": person,
    }
