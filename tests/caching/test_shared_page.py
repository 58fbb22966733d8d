"""The dashboard an analyst sees (and their list pages) is rendered once per data version and
shared by every analyst reading it in the same language, in every process; a write shows on
the next view; a page that names a confidential source or carries a session's token is never
shared."""

from pathlib import Path

import pytest

from tests.caching.conftest import analyst as _analyst
from tests.conftest import csrf_token
from tracker.extensions import db
from tracker.persons.services import persons
from tracker.places.services import crossings
from tracker.sources.services import SourceService

CONTENT = "dashboard/_page.html"
LIST = "records/_list.html"  # an analyst's list, shared the same way


@pytest.mark.parametrize(
    ("path", "content"),
    [("/?province=North+Hamgyong", CONTENT), ("/crossings?province=North+Hamgyong", LIST)],
    ids=["dashboard", "list"],
)
def test_analysts_share_one_rendering_until_the_data_changes(app, rendered, path, content):
    first, second = _analyst(app), _analyst(app)
    crossings.create(None, {"name": "Onsong", "province": "North Hamgyong"})
    db.session.commit()
    page = first.get(path).get_data(as_text=True)
    assert "Onsong" in page and rendered.count(content) == 1

    other = second.get(path).get_data(as_text=True)
    assert rendered.count(content) == 1, "the second analyst should read the kept rendering"
    assert other.split("<main")[1] == page.split("<main")[1]

    crossings.create(None, {"name": "Namyang", "province": "North Hamgyong"})
    db.session.commit()
    after = second.get(path).get_data(as_text=True)
    assert "Namyang" in after and rendered.count(content) == 2


def test_each_language_and_each_filter_is_its_own_rendering(app, rendered):
    analyst, other = _analyst(app), _analyst(app)
    analyst.get("/")
    analyst.get("/?gender=female")
    assert rendered.count(CONTENT) == 2
    token = csrf_token(analyst, "/account")
    analyst.post("/language", data={"csrf_token": token, "language": "ko"})
    assert "대시보드" in analyst.get("/").get_data(as_text=True)
    assert rendered.count(CONTENT) == 3
    assert "대시보드" not in other.get("/").get_data(as_text=True)
    assert rendered.count(CONTENT) == 3


def test_a_researchers_dashboard_is_never_shared(app, client, login_as, rendered):
    _analyst(app).get("/")
    login_as("researcher")
    page = client.get("/")
    assert rendered.count(CONTENT) == 2, "a researcher's page must be rendered for them"
    assert page.headers["Cache-Control"] == "no-store"


def test_a_page_with_an_estimate_carries_its_own_sessions_token(app, rendered):
    asked = "/?list1=A&list1_ids=1&list2=B&list2_ids=2&list3=C&list3_ids=3"
    first, second = _analyst(app), _analyst(app)
    first.get(asked)
    second.get(asked)
    assert rendered.count(CONTENT) == 2


def test_the_offered_sources_follow_every_write_and_no_confidential_title_is_kept(
    app, client, login_as
):
    persons.create(None, {"family_name": "Ri", "given_name": "Sun-hui"})  # the panel shows
    sources = SourceService()
    sources.create(None, {"title": "Onsong interviews", "kind": "interview"})
    sources.create(None, {"title": "Witness in Yanji", "kind": "interview", "confidential": True})
    db.session.commit()
    analyst = _analyst(app)
    page = analyst.get("/").get_data(as_text=True)
    assert "Onsong interviews" in page and "Witness in Yanji" not in page

    sources.create(None, {"title": "Relatives association", "kind": "relative"})
    db.session.commit()
    assert "Relatives association" in analyst.get("/").get_data(as_text=True)

    login_as("researcher")
    assert "Witness in Yanji" in client.get("/").get_data(as_text=True)
    kept = b"".join(
        path.read_bytes() for path in Path(app.instance_path).rglob("*") if path.is_file()
    )
    assert b"Onsong interviews" in kept, "the analysts' choices should be kept"
    assert b"Witness in Yanji" not in kept
