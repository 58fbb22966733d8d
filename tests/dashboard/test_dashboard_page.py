"""The dashboard page shows the service's numbers for every role, and bad filters get a 400."""

import re

import pytest

from tracker.extensions import db
from tracker.sample.services import load_october_2023


@pytest.fixture
def sample(app):
    load_october_2023()
    db.session.commit()


def _figure(page, name):
    return re.search(rf'data-figure="{name}">([^<]*)<', page).group(1)


def test_the_page_shows_the_sample_figures_with_links_to_the_lists(client, login_as, sample):
    login_as("analyst")
    page = client.get("/").get_data(as_text=True)
    assert _figure(page, "reported") == "~480–?"  # Dandong's "about 180"
    assert _figure(page, "events") == "2"
    assert "300–?" in page and ">~180<" in page
    assert "up to 600" in page
    assert 'href="/events?crossing_id=' in page
    assert "/persons?status=vanished" in page


def test_filters_apply_to_every_number_and_stay_in_the_links(client, login_as, sample):
    login_as("researcher")
    # An event is in a period its span overlaps: 9 October holds the Onsong event of that day
    # and the Dandong event of "October 2023"; from 10 October on, only Dandong's month does.
    page = client.get("/?from=2023-10-09&to=2023-10-09").get_data(as_text=True)
    assert _figure(page, "reported") == "~480–?"  # Dandong's "about 180"
    assert _figure(page, "events") == "2"
    page = client.get("/?from=2023-10-10&to=2023-10-31").get_data(as_text=True)
    assert _figure(page, "events") == "1"
    assert "Onsong" not in page.split('id="by-crossing"')[1].split("</section>")[0]
    assert "from=2023-10-10&amp;to=2023-10-31" in page


@pytest.mark.parametrize(
    "query",
    [
        "from=yesterday",
        "crossing_id=abc",
        "to=2023-02-30",
        "min_reliability=%00",
        "facility_id=1e9",
    ],
)
def test_bad_filters_get_a_400_with_a_message(client, login_as, query):
    login_as("analyst")
    response = client.get("/?" + query)
    assert response.status_code == 400
    assert 'class="error"' in response.get_data(
        as_text=True
    ) or "cannot be stored" in response.get_data(as_text=True)


def test_an_empty_database_has_a_helpful_empty_state(client, login_as):
    login_as("admin")
    page = client.get("/").get_data(as_text=True)
    assert "Nothing has been recorded yet." in page
    assert "tracker sample load" in page


def test_the_map_is_drawn_from_the_vendored_outline(client, login_as, sample):
    login_as("analyst")
    page = client.get("/").get_data(as_text=True)
    map_section = page.split('id="map-title"')[1].split("</section>")[0]
    assert map_section.count('class="land') >= 3
    assert "Onsong: reported 300–?" in map_section
    assert "http" not in map_section.replace("http://www.w3.org", "")


def test_documented_persons_draw_on_every_chart_on_both_databases(client, login_as, app):
    """PostgreSQL sums counts into Decimals; the charts once failed with a 500 on them."""
    from datetime import date

    from tracker.events.models import RepatriationEvent
    from tracker.persons.models import Detention, Person
    from tracker.places.models import CrossingPoint, Facility

    onsong = CrossingPoint(name="Onsong", province="Jilin", aliases=[])
    prison = Facility(name="Changchun Tiebei Prison", kind="prison", province="Jilin", aliases=[])
    transfer = RepatriationEvent(
        crossing=onsong,
        date_start=date(2023, 10, 9),
        date_end=date(2023, 10, 9),
        people_min=300,
        facilities=[prison],
    )
    for number, status in enumerate(["vanished", "vanished", "released"], start=1):
        held = Person(case_code=f"RT-2023-{number:04d}", event=transfer, status=status, aliases=[])
        db.session.add_all([held, Detention(person=held, facility=prison)])
    db.session.commit()
    login_as("analyst")
    response = client.get("/")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Onsong: reported 300–?, documented 3" in page
    assert "Changchun Tiebei Prison: reported 300–?, documented 3" in page
    assert _figure(page, "vanished") == "2"


def test_a_korean_page_names_places_in_korean_in_its_tables_too(client, login_as, sample):
    """The charts and the tables beside them name a place the same way: 온성 on a Korean page."""
    from tests.i18n.test_language import _switch

    login_as("analyst")
    assert _switch(client, "ko").status_code == 302
    page = client.get("/").get_data(as_text=True)
    assert '<th scope="row">온성</th>' in page
    assert '<th scope="row">Onsong</th>' not in page
