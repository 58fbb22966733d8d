"""The workspace pages through the client: lists, records, forms, messages, conflicts, trash."""

import re

import pytest
from sqlalchemy import select

from tests.conftest import csrf_token
from tests.workspace.records import FAMILY_NAME, GIVEN_NAME, october_case
from tracker.audit.models import AuditEntry
from tracker.events.models import RepatriationEvent
from tracker.extensions import db
from tracker.persons.models import Person
from tracker.places.models import Facility

KINDS = ["facilities", "crossings", "sources", "events", "persons"]


@pytest.fixture
def researcher(login_as):
    return login_as("researcher")


@pytest.fixture
def case(researcher):
    records = october_case(researcher)
    db.session.commit()
    return records


def text(response):
    return response.get_data(as_text=True)


def form_post(client, path, data, form_path=None):
    data = {"csrf_token": csrf_token(client, form_path or path), **data}
    return client.post(path, data=data)


@pytest.mark.parametrize("kind", KINDS)
def test_every_list_and_record_page_renders_for_a_researcher(client, case, kind):
    listing = client.get(f"/{kind}")
    assert listing.status_code == 200
    links = re.findall(rf'href="/{kind}/(\d+)"', text(listing))
    assert links, f"no record linked from /{kind}"
    page = client.get(f"/{kind}/{links[0]}")
    assert page.status_code == 200
    assert "History" in text(page)
    assert client.get(f"/{kind}/new").status_code == 200
    assert client.get(f"/{kind}/{links[0]}/edit").status_code == 200


@pytest.mark.parametrize("kind", KINDS)
def test_empty_lists_say_so_and_offer_to_add(client, researcher, kind):
    page = text(client.get(f"/{kind}"))
    assert "yet." in page
    assert f'href="/{kind}/new"' in page


def test_a_facility_created_through_the_form_is_listed_and_audited(client, researcher):
    response = form_post(
        client,
        "/facilities/new",
        {
            "name": "Tumen Border Detention Centre",
            "kind": "detention_centre",
            "province": "Jilin",
            "country": "cn",
        },
    )
    assert response.status_code == 302
    facility = db.session.execute(select(Facility)).scalar_one()
    assert facility.country == "CN"
    page = text(client.get(response.headers["Location"]))
    assert "The facility was saved." in page
    assert "Tumen Border Detention Centre" in text(client.get("/facilities"))
    assert db.session.execute(
        select(AuditEntry).where(
            AuditEntry.entity_type == "facilities", AuditEntry.action == "create"
        )
    ).scalar_one()


def test_an_event_form_with_a_month_and_a_claim_is_stored_as_a_span(client, case):
    response = form_post(
        client,
        "/events/new",
        {
            "date_start": "October 2023",
            "crossing_id": str(case["crossing"].id),
            "facility_ids": [str(case["facility"].id)],
            "people": "about 180",
            "claims-0-source_id": str(case["public"].id),
            "claims-0-people": "180",
            "claims-0-quote": "about 180 people at Dandong",
        },
    )
    assert response.status_code == 302, text(response)
    event = db.session.execute(
        select(RepatriationEvent).where(RepatriationEvent.people_max == 180)
    ).scalar_one()
    assert (event.date_start.isoformat(), event.date_end.isoformat()) == (
        "2023-10-01",
        "2023-10-31",
    )
    page = text(client.get(response.headers["Location"]))
    assert "October 2023" in page and "1 October 2023" not in page
    assert "about 180 people at Dandong" in page
    assert event.people_min == 180 and event.people_approximate
    history = page[page.index('id="history-heading"') :]
    assert "Created" in history and "What each source says" in history
    assert "UnboundField" not in history


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"date_start": ""}, "An event needs a date."),
        ({"crossing_id": ""}, "An event needs a crossing point."),
        ({"date_start": "2999-01-01"}, "This date is in the future."),
        ({"date_end": "2023-10-01"}, "The end is before the start."),
        ({"people": "300-20"}, "The range&#39;s upper end is below its lower end."),
        ({"facility_ids": ["987654"]}, "Unknown facility: choose from the list."),
        ({"crossing_id": str(2**40)}, "Unknown crossing point: choose one from the list."),
        ({"transport": "x" * 201}, "Use at most 200 characters"),
        ({"date_start": "9 Oct"}, "Write a date such as 2023-10-09"),
        ({"people": "many"}, "Write a number of people such as 180"),
        ({"claims-0-source_id": "abc"}, "Unknown source: choose one from the list."),
        ({"date_end": "someday"}, "Write a date such as 2023-10-09"),
    ],
)
def test_event_form_errors_appear_beside_the_field_and_nothing_is_saved(
    client, case, data, message
):
    values = {"date_start": "2023-10-09", "crossing_id": str(case["crossing"].id)}
    values.update(data)
    before = db.session.execute(select(RepatriationEvent.id)).all()
    response = form_post(client, "/events/new", values)
    assert response.status_code == 422
    page = text(response)
    assert message in page
    assert 'aria-invalid="true"' in page
    db.session.expire_all()
    assert db.session.execute(select(RepatriationEvent.id)).all() == before


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"birth_year": "1850"}, "Enter a year between 1900 and"),
        ({"birth_year": "3000"}, "Enter a year between 1900 and"),
        ({"arrest_date": "2999-01-01"}, "This date is in the future."),
        ({"family_name": "x" * 101}, "Use at most 100 characters"),
        ({"detentions-0-facility_id": "987654"}, "Unknown facility: choose one from the list."),
        (
            {"detentions-0-date_from": "2023-10-01", "detentions-0-date_to": "2023-01-01"},
            "The end is before the start.",
        ),
    ],
)
def test_person_form_errors_appear_beside_the_field(client, case, data, message):
    values = {"gender": "female", "family_name": "Pak"}
    if any(key.startswith("detentions") for key in data) and "detentions-0-facility_id" not in data:
        values["detentions-0-facility_id"] = str(case["facility"].id)
    values.update(data)
    count = len(db.session.execute(select(Person.id)).all())
    response = form_post(client, "/persons/new", values)
    assert response.status_code == 422
    assert message in text(response)
    assert len(db.session.execute(select(Person.id)).all()) == count


def test_a_new_person_gets_a_case_code_from_the_server(client, case):
    response = form_post(
        client,
        "/persons/new",
        {
            "family_name": "Pak",
            "given_name": "Mi-ran",
            "gender": "female",
            "case_code": "RT-1999-9999",
            "event_id": str(case["event"].id),
        },
    )
    assert response.status_code == 302
    person = db.session.execute(select(Person).where(Person.family_name == "Pak")).scalar_one()
    assert person.case_code == "RT-2023-0002"
    assert "RT-2023-0002" in text(client.get(response.headers["Location"]))


def test_adding_a_status_keeps_the_earlier_ones_on_the_timeline(client, case):
    person = case["person"]
    response = form_post(
        client,
        f"/persons/{person.id}/statuses",
        {
            "status": "detained_in_nk",
            "as_of": "2024-03-01",
            "source_id": str(case["public"].id),
            "note": "seen in Onsong holding centre",
        },
        form_path=f"/persons/{person.id}",
    )
    assert response.status_code == 302
    page = text(client.get(f"/persons/{person.id}"))
    timeline = page[page.index("Status timeline") :]
    assert timeline.index("Detained in North Korea") < timeline.index("Vanished")
    db.session.expire_all()
    assert db.session.get(Person, person.id).status == "detained_in_nk"


def test_a_status_without_a_date_or_source_is_refused_beside_the_fields(client, case):
    person = case["person"]
    response = form_post(
        client,
        f"/persons/{person.id}/statuses",
        {"status": "released", "as_of": "", "source_id": ""},
        form_path=f"/persons/{person.id}",
    )
    assert response.status_code == 422
    page = text(response)
    assert "Give the date this status was reported for." in page
    db.session.expire_all()
    assert db.session.get(Person, person.id).status == "vanished"


def test_the_second_of_two_concurrent_edits_gets_a_conflict_page_and_can_reapply(client, case):
    facility = case["facility"]
    edit = f"/facilities/{facility.id}/edit"
    stale_version = str(facility.version)
    first = form_post(
        client, edit, {"name": "Shenyang No. 1 Prison", "kind": "prison", "version": stale_version}
    )
    assert first.status_code == 302
    second = form_post(
        client, edit, {"name": "Shenyang City Prison", "kind": "prison", "version": stale_version}
    )
    assert second.status_code == 409
    page = text(second)
    assert "Someone else changed this facility" in page
    assert "Shenyang City Prison" in page and "Shenyang No. 1 Prison" in page
    db.session.expire_all()
    assert db.session.get(Facility, facility.id).name == "Shenyang No. 1 Prison"
    # Re-apply: the conflict page's form carries the user's values and the current version.
    current_version = re.search(r'name="version" value="(\d+)"', page).group(1)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    again = client.post(
        edit,
        data={
            "csrf_token": token,
            "version": current_version,
            "name": "Shenyang City Prison",
            "kind": "prison",
        },
    )
    assert again.status_code == 302
    db.session.expire_all()
    assert db.session.get(Facility, facility.id).name == "Shenyang City Prison"


def test_revert_from_the_history_restores_the_old_values(client, case):
    person = case["person"]
    page = text(client.get(f"/persons/{person.id}"))
    reverts = re.findall(rf'action="/persons/{person.id}/revert/(\d+)"', page)
    oldest = min(int(entry) for entry in reverts)
    response = form_post(
        client,
        f"/persons/{person.id}/revert/{oldest}",
        {"version": str(person.version)},
        form_path=f"/persons/{person.id}",
    )
    assert response.status_code == 302
    page = text(client.get(f"/persons/{person.id}"))
    assert "The earlier version was restored" in page
    db.session.expire_all()
    reverted = db.session.get(Person, person.id)
    assert reverted.given_name != GIVEN_NAME
    assert reverted.family_name == FAMILY_NAME


def test_delete_sends_a_record_to_the_trash_and_restore_brings_it_back(client, case):
    crossing = case["crossing"]
    response = form_post(
        client, f"/crossings/{crossing.id}/delete", {}, form_path=f"/crossings/{crossing.id}"
    )
    assert response.status_code == 302
    assert "Onsong" not in text(client.get("/crossings"))
    trash = text(client.get("/trash"))
    assert "Onsong" in trash
    response = form_post(client, f"/crossings/{crossing.id}/restore", {}, form_path="/trash")
    assert response.status_code == 302
    assert "Onsong" in text(client.get("/crossings"))
    assert "The Trash is empty." in text(client.get("/trash"))


def test_analysts_cannot_open_the_trash_or_change_anything(client, app, case):
    from tests import factories
    from tests.conftest import log_in

    analyst = factories.make_user("analyst")
    db.session.commit()
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    log_in(client, analyst.email)
    assert client.get("/trash").status_code == 403
    assert client.get("/facilities/new").status_code == 403
    facility = case["facility"]
    assert client.get(f"/facilities/{facility.id}/edit").status_code == 403
    token = csrf_token(client, "/facilities")
    assert (
        client.post(f"/facilities/{facility.id}/delete", data={"csrf_token": token}).status_code
        == 403
    )


def test_lists_filter_sort_and_page(client, researcher):
    from tracker.places.services import facilities

    for number in range(30):
        facilities.create(
            researcher,
            {
                "name": f"Facility {number:02d}",
                "kind": "prison",
                "province": "Jilin" if number % 2 else "Liaoning",
            },
        )
    db.session.commit()
    first = text(client.get("/facilities?sort=name&dir=desc"))
    assert first.index("Facility 29") < first.index("Facility 28")
    assert "Page 1 of 2" in first
    token = csrf_token(client, "/facilities")
    second = text(
        client.post(
            "/facilities", data={"csrf_token": token, "sort": "name", "dir": "asc", "page": "2"}
        )
    )
    assert "Facility 29" in second and "Facility 00" not in second
    jilin = text(client.get("/facilities?province=Jilin"))
    assert "15 facilities match" in jilin
    found = text(client.post("/facilities", data={"csrf_token": token, "q": "Facility 07"}))
    assert "1 facility matches" in found


def test_the_picker_lookup_answers_json_to_a_post(client, case):
    token = csrf_token(client, "/events/new")
    response = client.post("/facilities/lookup", data={"q": "Shen"}, headers={"X-CSRFToken": token})
    assert response.status_code == 200
    assert response.json["items"] == [{"id": case["facility"].id, "label": "Shenyang Prison"}]


def test_contacts_are_added_from_the_person_page_edited_and_removed(client, case):
    person = case["person"]
    page = text(client.get(f"/persons/{person.id}"))
    assert f'href="/contacts/new?person_id={person.id}"' in page
    form = text(client.get(f"/contacts/new?person_id={person.id}"))
    assert (
        f'<option selected value="{person.id}">' in form or f'value="{person.id}" selected' in form
    )
    response = form_post(
        client,
        "/contacts/new",
        {
            "person_id": str(person.id),
            "name": "Han Mi-rae",
            "relation": "sister",
            "reach": "Signal, via the Seoul office",
        },
        form_path=f"/contacts/new?person_id={person.id}",
    )
    assert response.status_code == 302
    contact_page = response.headers["Location"]
    assert "Han Mi-rae" in text(client.get(f"/persons/{person.id}"))
    version = re.search(
        r'name="version"[^>]*value="(\d+)"', text(client.get(contact_page + "/edit"))
    )
    edited = form_post(
        client,
        contact_page + "/edit",
        {
            "person_id": str(person.id),
            "name": "Han Mi-rae",
            "relation": "older sister",
            "version": version.group(1),
        },
    )
    assert edited.status_code == 302
    assert "older sister" in text(client.get(contact_page))
    removed = form_post(client, contact_page + "/delete", {}, form_path=contact_page)
    assert removed.status_code == 302
    assert "Han Mi-rae" not in text(client.get(f"/persons/{person.id}"))
    assert "Han Mi-rae" in text(client.get("/trash"))


def test_a_contact_needs_a_name_and_a_person(client, case):
    response = form_post(client, "/contacts/new", {"name": "", "person_id": ""})
    assert response.status_code == 422
    page = text(response)
    assert "This field is required." in page
    assert "Choose the person this contact is for." in page


def test_a_deleted_record_cannot_be_edited_until_it_is_restored(client, case):
    facility = case["facility"]
    form_post(
        client, f"/facilities/{facility.id}/delete", {}, form_path=f"/facilities/{facility.id}"
    )
    response = client.get(f"/facilities/{facility.id}/edit", follow_redirects=True)
    assert "Restore it before editing it." in text(response)
    response = form_post(
        client,
        f"/facilities/{facility.id}/edit",
        {"name": "Changed", "kind": "prison"},
        form_path="/facilities",
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Facility, facility.id).name == "Shenyang Prison"


def test_search_results_put_the_best_match_first(client, researcher):
    from tracker.places.services import facilities

    for name in ("Hoeryong Tumen Holding Centre", "Tumen", "Tumen Border Post"):
        facilities.create(researcher, {"name": name, "kind": "prison"})
    db.session.commit()
    token = csrf_token(client, "/facilities")
    page = text(client.post("/facilities", data={"csrf_token": token, "q": "tumen"}))
    body = page.split("<tbody>")[1]
    positions = [
        body.index(f">{name}<")
        for name in ("Tumen", "Tumen Border Post", "Hoeryong Tumen Holding Centre")
    ]
    assert positions == sorted(positions)
    found = client.post("/facilities/lookup", data={"q": "tumen"}, headers={"X-CSRFToken": token})
    assert [item["label"] for item in found.json["items"]] == [
        "Tumen",
        "Tumen Border Post",
        "Hoeryong Tumen Holding Centre",
    ]


def test_editing_a_record_keeps_a_link_to_a_facility_now_in_the_trash(client, case):
    from tracker.places.services import facilities

    facilities.delete(None, case["facility"])
    db.session.commit()
    event = case["event"]
    form = text(client.get(f"/events/{event.id}/edit"))
    assert "Shenyang Prison (no longer listed)" in form
    assert re.search(rf'<option selected value="{case["facility"].id}">', form)
    saved = form_post(
        client,
        f"/events/{event.id}/edit",
        {
            "date_precision": "day",
            "date_start": "2023-10-09",
            "crossing_id": str(case["crossing"].id),
            "facility_ids": [str(case["facility"].id)],
            "people_min": "300",
            "transport": "Trains",
            "version": str(event.version),
        },
    )
    assert saved.status_code == 302, text(saved)
    db.session.expire_all()
    assert [f.id for f in db.session.get(RepatriationEvent, event.id).facilities] == [
        case["facility"].id
    ]
