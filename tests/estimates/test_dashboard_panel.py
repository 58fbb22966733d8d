"""The dashboard's estimate panel through HTTP, as an analyst: the estimate beside (never in)
the documented figures, a refusal in plain words, the overlap table as CSV, no identities."""

import html
import re

from tests.estimates.conftest import THREE_LISTS, build_lists
from tracker.extensions import db
from tracker.persons.services import persons


def figure(html: str, name: str) -> str:
    found = re.search(rf'data-figure="{name}">([^<]*)<', html)
    assert found, name
    return found.group(1)


def test_an_analyst_sees_the_estimate_apart_from_the_counts(app, login_as, client):
    ids = build_lists(["A", "B", "C"], THREE_LISTS)
    from tests import factories

    researcher = factories.make_user("researcher")
    persons.create(researcher, {"family_name": "Ryom", "given_name": "Sun-hui", "gender": "female"})
    db.session.commit()
    login_as("analyst")
    before = client.get("/").get_data(as_text=True)
    query = "&".join(
        f"list{n}={name}&list{n}_sources={ids[name]}" for n, name in enumerate("ABC", 1)
    )
    html = client.get("/?" + query).get_data(as_text=True)
    assert figure(html, "persons") == figure(before, "persons") == "201"
    assert figure(html, "estimate") == "360"
    assert int(figure(html, "estimate-lower")) < 360 < int(figure(html, "estimate-upper"))
    assert "closed population" in html
    assert "on none of these lists, and not counted: 1." in html
    assert "Ryom" not in html and "Sun-hui" not in html

    csv = client.get("/estimates/overlaps.csv?" + query)
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    assert csv.get_data(as_text=True).splitlines()[:2] == ['"A","B","C","count"', "1,1,1,5"]


def test_the_panel_refuses_two_lists_in_plain_words(app, login_as, client):
    ids = build_lists(["A", "B", "C"], THREE_LISTS)
    login_as("analyst")
    query = f"list1=A&list1_sources={ids['A']}&list2=B&list2_sources={ids['B']}"
    html = client.get("/?" + query).get_data(as_text=True)
    assert "No estimate." in html and "at least three lists" in html
    assert 'data-figure="estimate"' not in html


def test_the_printable_report_carries_the_estimate_apart_from_the_counts(app, login_as, client):
    ids = build_lists(["A", "B", "C"], THREE_LISTS)
    login_as("analyst")
    query = "&".join(
        f"list{n}={name}&list{n}_sources={ids[name]}" for n, name in enumerate("ABC", 1)
    )
    dashboard = client.get("/?" + query).get_data(as_text=True)
    link = re.search(r'<a href="([^"]+)">Printable report with this estimate</a>', dashboard)
    assert link, "the panel should offer the report with its estimate"
    report = client.get(html.unescape(link.group(1)))
    assert report.status_code == 200
    page = report.get_data(as_text=True)
    assert figure(page, "persons") == "200"
    assert figure(page, "estimate") == "360"
    assert int(figure(page, "estimate-lower")) < 360 < int(figure(page, "estimate-upper"))
    assert "Estimated total, including the undocumented" in page and "closed population" in page
    assert "<dt>A</dt><dd>1 source; 100 persons on it</dd>" in page

    plain = client.get("/exports/report").get_data(as_text=True)
    assert 'data-figure="estimate"' not in plain and figure(plain, "persons") == "200"


def test_the_report_says_why_there_is_no_estimate(app, login_as, client):
    ids = build_lists(["A", "B", "C"], THREE_LISTS)
    login_as("analyst")
    query = f"list1=A&list1_sources={ids['A']}&list2=B&list2_sources={ids['B']}"
    page = client.get("/exports/report?" + query).get_data(as_text=True)
    assert "No estimate." in page and "at least three lists" in page
    assert 'data-figure="estimate"' not in page


def _chosen_per_list(page: str) -> dict[str, tuple[int, list[str]]]:
    """Each list's source picker: how many sources it offers, and which are selected."""
    found = {}
    for number, options in re.findall(
        r'<select id="est-sources-(\d)"[^>]*>(.*?)</select>', page, flags=re.S
    ):
        offered = re.findall(r'<option value="(\d+)"( selected)?>', options)
        found[number] = (len(offered), [value for value, chosen in offered if chosen])
    return found


def test_every_list_offers_every_source_and_selects_only_its_own(app, login_as, client):
    ids = build_lists(["A", "B", "C"], THREE_LISTS)
    login_as("analyst")
    blank = _chosen_per_list(client.get("/").get_data(as_text=True))
    assert blank == {str(n): (3, []) for n in (1, 2, 3)}
    page = client.get(f"/?list2=B&list2_sources={ids['B']}").get_data(as_text=True)
    assert _chosen_per_list(page) == {
        "1": (3, []),
        "2": (3, [str(ids["B"])]),
        "3": (3, []),
    }
