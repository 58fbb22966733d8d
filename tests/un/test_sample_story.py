"""The sample's October 2023 story: a person entered as in the scenario (vanished, repatriated
at Onsong on 9 October 2023, held at Changchun Tiebei Prison) shows what is still missing
before the case can go to the UN."""

from sqlalchemy import select

from tests import factories
from tests.conftest import log_in
from tracker.events.models import RepatriationEvent
from tracker.extensions import db
from tracker.persons.services import persons
from tracker.places.models import CrossingPoint, Facility
from tracker.sources.models import Source


def test_the_october_2023_story_shows_what_is_missing_for_the_un(app, runner, client):
    assert runner.invoke(args=["sample", "load"]).exit_code == 0
    researcher = factories.make_user("researcher")
    onsong = db.session.execute(
        select(RepatriationEvent).join(CrossingPoint).where(CrossingPoint.name == "Onsong")
    ).scalar_one()
    tiebei = db.session.execute(
        select(Facility).where(Facility.name == "Changchun Tiebei Prison")
    ).scalar_one()
    source = db.session.execute(select(Source).order_by(Source.id)).scalars().first()
    person = persons.create(
        researcher,
        {
            "family_name": "Ryonhwa",
            "given_name": "Sollimae",
            "gender": "female",
            "event_id": onsong.id,
            "detentions": [{"facility_id": tiebei.id, "date_to": "2023-10"}],
        },
    )
    persons.add_status(
        researcher, person, {"status": "vanished", "as_of": "2023-10", "source_id": source.id}
    )
    db.session.commit()

    check = persons.un_readiness(person)
    states = {element.code: element.state for element in check.elements}
    assert states == {
        "name": "present",
        "date": "present",  # 9 October 2023, from the Onsong event
        "place": "partial",  # only the crossing is known
        # the sample's Onsong event names who handed people over and who received them
        "responsible": "partial",
        "steps": "missing",
        "submitter": "missing",
        "consent": "missing",
    }
    assert check.disappearance.source == "event"
    assert check.missing == ["place", "responsible", "steps", "submitter", "consent"]
    assert not check.urgent  # more than three months ago

    assert log_in(client, researcher.email).status_code == 302
    page = client.get(f"/persons/{person.id}").get_data(as_text=True)
    for text in (
        "Only the crossing point of the repatriation (Onsong) is recorded",
        "Only the authorities of the repatriation event are recorded",
        "No steps taken by relatives (inquiries, petitions) are recorded.",
        "The organisation&#39;s submitter details are not set",
        "No consent of the relatives to submit the case is recorded.",
        "9 October 2023",
    ):
        assert text in page, text
