"""Merging two records of one person, and undoing it exactly; merged records count once."""

import pytest

from tests.conftest import csrf_token
from tracker.audit import services as audit
from tracker.dashboard.filters import Filters
from tracker.dashboard.services import summarise
from tracker.exceptions import Conflict
from tracker.extensions import db
from tracker.persons.models import Person
from tracker.persons.services import contacts, persons
from tracker.places.services import facilities
from tracker.search.merge import merge, undo_merge
from tracker.search.services import search_persons
from tracker.sources.services import sources


@pytest.fixture
def pair(app, login_as):
    researcher = login_as("researcher")
    prison = facilities.create(researcher, {"name": "Shenyang Prison", "kind": "prison"})
    source = sources.create(
        researcher,
        {"title": "Interview", "kind": "interview", "reliability": "B", "credibility": 2},
    )
    first = persons.create(
        researcher,
        {"family_name": "Kim", "given_name": "Cheol-ok", "gender": "female", "birth_year": 1985},
    )
    second = persons.create(
        researcher,
        {
            "family_name": "Gim",
            "given_name": "Chol Ok",
            "name_hangul": "김철옥",
            "gender": "female",
            "birth_year": 1984,
            "origin_region": "North Hamgyong",
            "detentions": [{"facility_id": prison.id}],
        },
    )
    persons.add_status(
        researcher, second, {"status": "vanished", "as_of": "2023-10-20", "source_id": source.id}
    )
    persons.add_status(
        researcher, first, {"status": "detained", "as_of": "2023-09-01", "source_id": source.id}
    )
    contacts.create(researcher, {"person_id": second.id, "name": "Sister Ok-hui"})
    db.session.commit()
    return researcher, first, second


def _state(person: Person) -> dict:
    db.session.refresh(person)
    values = audit.snapshot(person)
    values["statuses"] = sorted(s.id for s in person.statuses)
    values["detentions"] = sorted(d.id for d in person.detentions)
    values["contacts"] = sorted(c.id for c in person.contacts)
    values["keys"] = sorted(k.name_key for k in person.name_keys)
    return values


def _documented() -> int:
    return summarise(Filters()).total.persons


def test_merge_then_undo_restores_both_exactly_and_counts_once(pair):
    researcher, first, second = pair
    before = (_state(first), _state(second))
    counted = _documented()
    entry = merge(researcher, first, second, {"birth_year"})
    db.session.commit()
    assert first.birth_year == 1984 and first.origin_region == "North Hamgyong"
    assert first.status == "vanished"  # the latest claim of the two histories
    assert first.aliases == ["Gim Chol Ok"] and first.name_hangul == "김철옥"
    assert len(first.statuses) == 2 and len(first.detentions) == 1 and len(first.contacts) == 1
    assert second.merged_into_id == first.id
    assert _documented() == counted - 1
    assert search_persons(second.case_code)[0][0].id == first.id
    undo_merge(researcher, entry.id)
    db.session.commit()
    after = (_state(first), _state(second))
    assert after == before
    assert _documented() == counted


def test_the_merge_pages_merge_redirect_old_links_and_undo(client, pair):
    researcher, first, second = pair
    page = client.get(f"/persons/merge?first={first.id}&second={second.id}").get_data(as_text=True)
    assert "Birth year" in page and "Family name" in page
    token = csrf_token(client, f"/persons/merge?first={first.id}&second={second.id}")
    reply = client.post(
        "/persons/merge",
        data={
            "first": first.id,
            "second": second.id,
            "keep-birth_year": "second",
            "csrf_token": token,
        },
    )
    assert reply.status_code == 302
    moved = client.get(f"/persons/{second.id}")
    assert moved.status_code == 302 and moved.headers["Location"].endswith(f"/persons/{first.id}")
    merged_page = reply.headers["Location"]
    undo = merged_page + "/undo"
    assert client.post(undo, data={"csrf_token": token}).status_code == 302
    assert client.get(f"/persons/{second.id}").status_code == 200
    again = client.post(undo, data={"csrf_token": token}, follow_redirects=True)
    assert "already undone" in again.get_data(as_text=True)


def test_a_merged_record_is_not_restored_from_the_trash(client, pair):
    researcher, first, second = pair
    merge(researcher, first, second, set())
    db.session.commit()
    token = csrf_token(client, "/trash")
    reply = client.post(f"/persons/{second.id}/restore", data={"csrf_token": token})
    assert reply.status_code == 302
    db.session.refresh(second)
    assert second.merged_into_id == first.id and second.deleted_at is not None


@pytest.mark.parametrize(
    "query", ["", "first=1", "first=1&second=1", "first=x&second=2", "first=99999999999&second=1"]
)
def test_bad_merge_requests_are_404_not_500(client, pair, query):
    assert client.get(f"/persons/merge?{query}").status_code == 404


def test_analysts_cannot_merge(client, login_as):
    login_as("analyst")
    assert client.get("/persons/merge?first=1&second=2").status_code == 403


def test_a_merge_chosen_on_stale_records_is_refused_and_changes_nothing(client, pair):
    researcher, first, second = pair
    token = csrf_token(client, f"/persons/merge?first={first.id}&second={second.id}")
    seen = (first.version, second.version)
    # Someone corrects the other record while the researcher compares the two.
    persons.update(researcher, second, second.version, {"birth_year": 1986})
    db.session.commit()
    before = (_state(first), _state(second))
    reply = client.post(
        "/persons/merge",
        data={
            "first": first.id,
            "second": second.id,
            "first_version": seen[0],
            "second_version": seen[1],
            "keep-birth_year": "second",
            "csrf_token": token,
        },
        follow_redirects=True,
    )
    assert reply.status_code == 409
    assert "changed" in reply.get_data(as_text=True)
    assert (_state(first), _state(second)) == before


def test_undoing_a_merge_never_discards_later_edits_of_the_survivor(pair):
    researcher, first, second = pair
    entry = merge(researcher, first, second, set())
    db.session.commit()
    persons.update(researcher, first, first.version, {"notes": "Confirmed by a second witness."})
    db.session.commit()
    with pytest.raises(Conflict, match="edited after the merge"):
        undo_merge(researcher, entry.id)
    db.session.rollback()
    db.session.refresh(first)
    db.session.refresh(second)
    assert first.notes == "Confirmed by a second witness."
    assert second.merged_into_id == first.id
