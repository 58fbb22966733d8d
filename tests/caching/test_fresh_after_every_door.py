"""The cached dashboard is never stale: after a change through any door (form, API, import,
merge, revert, trash) the summary every view reads equals one computed afresh, and the page
shows the new numbers."""

import io
import re

import pytest

from tests.api.conftest import new_token
from tests.conftest import csrf_token
from tracker.caching.services import current_version, kept
from tracker.dashboard.filters import Filters, parse_filters
from tracker.dashboard.services import cached_summary, summarise
from tracker.events.services import events
from tracker.extensions import db
from tracker.persons.services import persons
from tracker.places.services import crossings, facilities
from tracker.sources.services import sources

OCTOBER_IN_JILIN = {"from": "2023-10-01", "to": "2023-10-31", "province": "Jilin"}
IMPORTED = (
    "Incident,When,Route,Dead and missing,Information Source\n"
    "A1,9 Oct 2023,Onsong,300+,Witness A\n"
    'A2,October 2023,Onsong,"1,022",Witness B\n'
)


@pytest.fixture
def world(app, client, login_as):
    researcher = login_as("researcher")
    onsong = crossings.create(researcher, {"name": "Onsong", "province": "Jilin"})
    prison = facilities.create(researcher, {"name": "Tumen Detention Centre", "province": "Jilin"})
    source = sources.create(
        researcher, {"title": "Witness A", "kind": "interview", "reliability": "B"}
    )
    event = events.create(
        researcher,
        {
            "date_start": "2023-10-09",
            "crossing_id": onsong.id,
            "people_min": 300,
            "facility_ids": [prison.id],
            "claims": [{"source_id": source.id}],
        },
    )
    kept = persons.create(
        researcher, {"family_name": "Ri", "given_name": "Sun-hui", "event_id": event.id}
    )
    persons.add_status(
        researcher, kept, {"status": "vanished", "as_of": "2023-10-20", "source_id": source.id}
    )
    twin = persons.create(
        researcher, {"family_name": "Ri", "given_name": "Sun Hui", "event_id": event.id}
    )
    db.session.commit()
    return {"researcher": researcher, "event": event, "kept": kept, "twin": twin}


def _views(client) -> dict[str, str]:
    """What the pages say now: read through the cache, as every viewer reads it."""
    shown = {}
    for name, query in (("all", {}), ("october", OCTOBER_IN_JILIN)):
        page = client.get("/", query_string=query)
        assert page.status_code == 200
        figures = re.findall(r'data-figure="(\w+)">([^<]*)<', page.get_data(as_text=True))
        shown[name] = dict(figures)
    return shown


def _assert_fresh(client, before: dict[str, str], carried: bool = True) -> dict[str, str]:
    """The cached summaries equal fresh ones, the page shows them, and the door changed them.
    `carried`: the write itself kept the unfiltered sums of the version it made (no view had
    to count them again)."""
    db.session.expire_all()
    version = current_version()
    assert (kept("tallies", version, ({},)) is not None) == carried
    for query in ({}, OCTOBER_IN_JILIN):
        filters = parse_filters(query)
        for can_see in (False, True):
            assert cached_summary(filters, can_see) == summarise(filters, can_see)
    after = _views(client)
    fresh = summarise(Filters(), True).total
    assert after["all"]["persons"] == f"{fresh.persons:,}"
    assert after["all"]["events"] == f"{fresh.reported.events:,}"
    assert after != before, "the door was meant to change what the dashboard shows"
    return after


def test_every_door_leaves_the_cached_dashboard_equal_to_a_fresh_one(client, world):
    shown = _views(client)  # the cache now holds the summaries

    # The form: a new case on the event.
    event = world["event"]
    form = {"family_name": "Pak", "given_name": "Ok-ryon", "event_id": str(event.id)}
    reply = client.post(
        "/persons/new", data={"csrf_token": csrf_token(client, "/persons/new"), **form}
    )
    assert reply.status_code == 302, reply.get_data(as_text=True)
    shown = _assert_fresh(client, shown)

    # The API: another event.
    token = new_token(world["researcher"])
    reply = client.post(
        "/api/v1/events",
        json={"date_start": "2023-10-12", "crossing_id": event.crossing_id, "people_min": 40},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert reply.status_code == 201, reply.get_data(as_text=True)
    shown = _assert_fresh(client, shown)

    # An import: two more events from a spreadsheet.
    token = csrf_token(client, "/imports")
    upload = client.post(
        "/imports",
        data={
            "csrf_token": token,
            "kind": "events",
            "file": (io.BytesIO(IMPORTED.encode()), "a.csv"),
        },
        content_type="multipart/form-data",
    )
    map_path = upload.headers["Location"]
    mapping = {
        "field-external_id": "Incident",
        "field-date_start": "When",
        "field-crossing": "Route",
        "field-people_min": "Dead and missing",
        "field-sources": "Information Source",
    }
    token = csrf_token(client, map_path)
    preview = client.post(
        map_path + "/preview", data={"csrf_token": token, **mapping}, follow_redirects=True
    ).get_data(as_text=True)
    mapping_json = re.search(r'name="mapping_json" value="([^"]*)"', preview).group(1)
    imported = client.post(
        map_path + "/import",
        data={"csrf_token": token, "mapping_json": mapping_json.replace("&#34;", '"')},
    )
    assert imported.status_code == 302
    shown = _assert_fresh(client, shown, carried=False)  # written around the session

    # A merge: the twin folds into the kept case, which then counts once.
    kept, twin = world["kept"], world["twin"]
    path = f"/persons/merge?first={kept.id}&second={twin.id}"
    reply = client.post(
        "/persons/merge",
        data={"first": kept.id, "second": twin.id, "csrf_token": csrf_token(client, path)},
    )
    assert reply.status_code == 302, reply.get_data(as_text=True)
    shown = _assert_fresh(client, shown)

    # A revert: the kept case moved off the event, then the move undone from its history.
    db.session.refresh(kept)
    persons.update(world["researcher"], kept, kept.version, {"event_id": None})
    db.session.commit()
    shown = _assert_fresh(client, shown)
    page = client.get(f"/persons/{kept.id}").get_data(as_text=True)
    entry = max(int(n) for n in re.findall(rf'action="/persons/{kept.id}/revert/(\d+)"', page))
    db.session.refresh(kept)
    reply = client.post(
        f"/persons/{kept.id}/revert/{entry}",
        data={"csrf_token": csrf_token(client, f"/persons/{kept.id}"), "version": kept.version},
    )
    assert reply.status_code == 302, reply.get_data(as_text=True)
    shown = _assert_fresh(client, shown)

    # The Trash: the first event deleted, then restored.
    db.session.refresh(event)
    reply = client.post(
        f"/events/{event.id}/delete",
        data={"csrf_token": csrf_token(client, f"/events/{event.id}"), "version": event.version},
    )
    assert reply.status_code == 302, reply.get_data(as_text=True)
    shown = _assert_fresh(client, shown)
    reply = client.post(
        f"/events/{event.id}/restore", data={"csrf_token": csrf_token(client, "/trash")}
    )
    assert reply.status_code == 302, reply.get_data(as_text=True)
    _assert_fresh(client, shown)


def test_a_failed_write_leaves_the_cached_summary_in_place(client, world, app):
    """A refused change moves nothing on: the next view is served from the cache."""
    _views(client)
    version = current_version()
    reply = client.post(
        "/persons/new",
        data={"csrf_token": csrf_token(client, "/persons/new"), "birth_year": "next year"},
    )
    assert reply.status_code == 422
    assert current_version() == version


def test_a_restored_backup_is_never_answered_from_the_cache_of_before(app, client, world, tmp_path):
    """A backup of an earlier state, restored over the data: the summaries are computed again."""
    from tracker.backup.services import restore_backup, write_backup

    backup = tmp_path / "earlier.zip"
    write_backup(db.engine, backup)
    shown = _views(client)
    persons.create(world["researcher"], {"family_name": "Pak", "event_id": world["event"].id})
    db.session.commit()
    _assert_fresh(client, shown)
    db.session.remove()
    restore_backup(db.engine, backup, replace=True)
    assert cached_summary(Filters(), True) == summarise(Filters(), True)
    assert _views(client) == shown
