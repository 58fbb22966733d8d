"""An analyst's list page is rendered once per data version, each page on its own (shared by
analysts: tests/caching/test_shared_page.py); a list searched by a term, and any list of
someone who may see identities, is rendered for them alone and never kept."""

from pathlib import Path

from tests.caching.conftest import analyst as _analyst
from tracker.extensions import db
from tracker.persons.services import persons
from tracker.places.services import crossings

CONTENT = "records/_list.html"


def _kept(app) -> bytes:  # type: ignore[no-untyped-def]
    """Everything the summary cache holds, as bytes."""
    folder = Path(app.instance_path) / "cache"
    return b"".join(path.read_bytes() for path in folder.rglob("*") if path.is_file())


def test_each_page_is_its_own_rendering_and_a_searched_list_is_never_kept(app, rendered):
    crossings.create(None, {"name": "Onsong", "province": "North Hamgyong"})
    db.session.commit()
    analyst = _analyst(app)
    for path in ["/crossings", "/crossings?page=2", "/crossings", "/crossings?q=Yanji"] * 2:
        analyst.get(path)
    assert rendered.count(CONTENT) == 4  # two pages, then the searched list each time
    kept = _kept(app)
    assert b"Onsong" in kept and b"Yanji" not in kept


def test_a_researchers_list_shows_names_and_is_never_shared(app, client, login_as, rendered):
    persons.create(None, {"family_name": "Ri", "given_name": "Sun-hui"})
    db.session.commit()
    assert "Sun-hui" not in _analyst(app).get("/persons").get_data(as_text=True)
    login_as("researcher")
    page = client.get("/persons")
    assert "Sun-hui" in page.get_data(as_text=True)
    assert rendered.count(CONTENT) == 2, "a researcher's list must be rendered for them"
    assert page.headers["Cache-Control"] == "no-store"
    assert b"Sun-hui" not in _kept(app)
