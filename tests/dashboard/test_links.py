"""Every number on the dashboard opens the list of exactly the records behind it."""

import html
import re
from datetime import date

import pytest

from tests.dashboard.test_summary import crossing, event, facility, person
from tracker.extensions import db

LINK = re.compile(r'<a href="(/(?:persons|events)\?[^"]*)">([\d,]+)</a>')
COUNT = re.compile(r'<p class="count" role="status">([\d,]+) ')


@pytest.fixture
def recorded(app):
    onsong, dandong = crossing("Onsong", "Jilin"), crossing("Dandong", "Liaoning")
    changchun = facility("Changchun Tiebei Prison", "Jilin")
    shenyang = facility("Shenyang Prison", "Liaoning")
    october = event(onsong, 300, None, facilities=[changchun])
    november = event(dandong, 180, 180, day=date(2023, 11, 2), facilities=[shenyang])
    earlier = event(onsong, 20, 40, day=date(2022, 5, 1), facilities=[changchun])
    person(october, "vanished", "female", detained_at=changchun)
    person(october, "released", "male")
    person(november, "vanished", "female", detained_at=shenyang)
    person(earlier, "detained_in_nk", "female", detained_at=changchun)
    db.session.commit()


@pytest.mark.parametrize(
    "filters",
    [
        "",
        "?province=Jilin",
        "?from=2023-01-01&to=2023-12-31",
        "?min_reliability=A&province=Liaoning",
    ],
)
def test_each_number_links_to_a_list_with_that_many_records(client, login_as, recorded, filters):
    login_as("analyst")
    page = client.get("/" + filters).get_data(as_text=True)
    links = LINK.findall(page)
    assert len(links) >= 8 or "min_reliability" in filters
    for href, shown in links:
        listing = client.get(html.unescape(href))
        assert listing.status_code == 200, href
        counted = COUNT.search(listing.get_data(as_text=True))
        assert counted, href
        assert counted.group(1) == shown, (href, shown, counted.group(1))


def test_a_list_shows_which_dashboard_filters_narrow_it(client, login_as, recorded):
    login_as("researcher")
    page = client.get("/persons?province=Jilin&min_reliability=C").get_data(as_text=True)
    assert "From the dashboard:" in page
    assert "Province: Jilin" in page
    assert 'name="province" value="Jilin"' in page  # kept through sorting and paging


def test_a_bad_dashboard_filter_on_a_list_is_a_message_not_a_500(client, login_as, recorded):
    login_as("analyst")
    response = client.get("/events?province=" + "x" * 500)
    assert response.status_code == 200
    assert "Province: Use at most 100 characters." in response.get_data(as_text=True)
