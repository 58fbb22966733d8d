"""Viewers who may not see a value may not sort or filter by it either: the order of a list
would tell where each hidden title falls (issue 16, finding 5; ASVS V4.1.x)."""

import re

import pytest

from tests import factories
from tracker.extensions import db
from tracker.sources.services import sources

TITLES = ["Alpha report", "Mike report", "Zulu report"]


@pytest.fixture
def confidential_between(app):
    """Three public sources and two confidential ones whose titles fall between them."""
    for title in TITLES:
        sources.create(None, {"title": title, "kind": "media"})
    for title in ("Bravo interview", "November interview"):
        sources.create(None, {"title": title, "kind": "interview", "confidential": True})
    db.session.commit()


def _rows(page: str) -> list[str]:
    body = page.split("<tbody", 1)[1].split("</tbody>", 1)[0]
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", body, flags=re.DOTALL)
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip() for row in rows]


def test_an_analyst_cannot_order_sources_by_hidden_titles(confidential_between, client, login_as):
    login_as("analyst")
    response = client.get("/sources", query_string={"sort": "title"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "You cannot sort by a field that is hidden from you." in page
    rows = _rows(page)
    assert len(rows) == 5
    # the list keeps its own order (by date, then record number): not by title
    confidential = [n for n, row in enumerate(rows) if "Confidential source" in row]
    assert confidential == [3, 4]
    # and the heading offers no sorting by title
    assert "order=title" not in page
    for order in ("title:asc", "title:desc"):
        again = _rows(client.get("/sources", query_string={"order": order}).get_data(as_text=True))
        assert again == rows


def test_a_researcher_still_sorts_by_title(confidential_between, client, login_as):
    login_as("researcher")
    rows = _rows(client.get("/sources", query_string={"sort": "title"}).get_data(as_text=True))
    assert [row.split(" ")[0] for row in rows] == ["Alpha", "Bravo", "Mike", "November", "Zulu"]


def test_the_api_refuses_sorting_an_analyst_s_list(confidential_between, client):
    user = factories.make_user("analyst")
    db.session.commit()
    from tracker.accounts.services import create_api_token

    _token, plain = create_api_token(None, user, "test")
    db.session.commit()
    response = client.get(
        "/api/v1/sources",
        query_string={"sort": "title"},
        headers={"Authorization": f"Bearer {factories.sensitive(plain)}"},
    )
    assert response.status_code == 422
    order = [
        item["id"]
        for item in client.get(
            "/api/v1/sources", headers={"Authorization": f"Bearer {plain}"}
        ).get_json()["items"]
    ]
    assert order == sorted(order)
