"""Pages that change only with the data carry an ETag: the browser asks again and gets a 304
while nothing changed, never a stale page after a write, and never a page with identities
kept anywhere (no-store)."""

import pytest

from tests import factories
from tests.api.conftest import new_token
from tests.conftest import csrf_token, log_in
from tracker.extensions import db
from tracker.places.services import crossings

KEPT = "private, no-cache"


@pytest.fixture
def onsong(app, login_as):
    def make(actor):  # type: ignore[no-untyped-def]
        crossing = crossings.create(actor, {"name": "Onsong", "province": "Jilin"})
        db.session.commit()
        return crossing

    return make


@pytest.mark.parametrize("path", ["/", "/?province=Jilin", "/events", "/crossings", "/persons"])
def test_an_analysts_page_is_revalidated_and_304_until_the_data_changes(client, login_as, path):
    login_as("analyst")
    first = client.get(path)
    assert first.status_code == 200
    etag = first.headers["ETag"]
    assert first.headers["Cache-Control"] == KEPT  # the browser only, and it must ask again
    again = client.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.get_data() == b""
    assert again.headers["Cache-Control"] == KEPT

    crossings.create(None, {"name": "Namyang"})  # a write, through any door
    db.session.commit()
    changed = client.get(path, headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != etag


def test_the_summary_api_is_revalidated_too(client, login_as):
    token = new_token(login_as("analyst"))
    auth = {"Authorization": f"Bearer {token}"}
    first = client.get("/api/v1/summary", headers=auth)
    assert first.status_code == 200 and first.headers["Cache-Control"] == KEPT
    again = client.get("/api/v1/summary", headers={**auth, "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


def test_another_viewer_or_language_never_gets_someone_elses_page(app, client, login_as):
    login_as("analyst")
    etag = client.get("/").headers["ETag"]
    other = app.test_client()
    someone = factories.make_user("analyst")
    db.session.commit()
    log_in(other, someone.email)
    assert other.get("/", headers={"If-None-Match": etag}).status_code == 200
    token = csrf_token(client, "/account")
    client.post("/language", data={"csrf_token": token, "language": "ko"})
    page = client.get("/", headers={"If-None-Match": etag})
    assert page.status_code == 200 and "대시보드" in page.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/persons", "/contacts", "/sources"])
def test_a_researchers_list_is_never_kept(client, login_as, path):
    login_as("researcher")
    page = client.get(path)
    assert page.status_code == 200
    assert "ETag" not in page.headers
    assert page.headers["Cache-Control"] == "no-store"


def test_a_researchers_record_page_is_never_kept(client, login_as, onsong):
    researcher = login_as("researcher")
    crossing = onsong(researcher)
    page = client.get(f"/crossings/{crossing.id}")
    assert "ETag" not in page.headers and page.headers["Cache-Control"] == "no-store"


def test_a_page_with_a_message_to_show_once_is_not_kept(client, login_as):
    login_as("analyst")
    with client.session_transaction() as session:
        session["_flashes"] = [("success", "Saved.")]
    page = client.get("/events")
    assert "ETag" not in page.headers and "Saved." in page.get_data(as_text=True)


def test_a_kept_page_is_not_reused_the_next_day(client, login_as, monkeypatch):
    """Urgency for the UN and the days left to act change with the date, not with the data:
    a page kept yesterday is sent afresh today."""
    from datetime import timedelta

    from tracker.caching import conditional
    from tracker.db import utcnow

    login_as("analyst")
    etag = client.get("/").headers["ETag"]
    assert client.get("/", headers={"If-None-Match": etag}).status_code == 304
    tomorrow = utcnow() + timedelta(days=1)
    monkeypatch.setattr(conditional, "utcnow", lambda: tomorrow)
    assert client.get("/", headers={"If-None-Match": etag}).status_code == 200
