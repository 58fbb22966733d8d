"""Every page of the sample tells its story right: the month-only Dandong event is "October
2023" everywhere (never "1 October 2023"), its "about 180" is marked, each source shows its
grade and address, and the facility chart has bars."""

import re

import pytest
from sqlalchemy import select
from werkzeug.routing.converters import NumberConverter

from tests import factories
from tests.conftest import csrf_token
from tracker.events.models import RepatriationEvent
from tracker.extensions import db
from tracker.places.models import CrossingPoint, Facility
from tracker.sample.services import SOURCES, load_october_2023
from tracker.sources.models import Source

KINDS = {
    "events": RepatriationEvent,
    "sources": Source,
    "facilities": Facility,
    "crossings": CrossingPoint,
}
# The dashboard and its report as a report writer opens them, unfiltered and for October.
FILTERED = ["/?from=2023-10-01&to=2023-10-31", "/exports/report?from=2023-10-01&to=2023-10-31"]
WRONG = {"en": r"(?<!\d)1 October 2023", "ko": r"2023년 10월 1일"}


def _sample_pages(app) -> list[str]:
    """Every GET page of the web interface, once for each sample record it can show."""
    ids = {
        name: list(db.session.execute(select(model.id)).scalars()) for name, model in KINDS.items()
    }
    paths = set(FILTERED)
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or set()) or rule.rule.startswith(("/api/v1", "/static")):
            continue
        arguments = sorted(rule.arguments)
        if not arguments:
            paths.add(rule.rule)
            continue
        kind = rule.endpoint.split(".")[0]
        if arguments != ["record_id"] or kind not in ids:
            continue
        if not isinstance(rule._converters["record_id"], NumberConverter):
            continue
        for record_id in ids[kind]:
            paths.add(rule.build({"record_id": record_id}, append_unknown=False)[1])
    return sorted(paths)


@pytest.fixture
def sample(app, client):
    admin = factories.make_user("admin", "sample-admin@example.org")
    load_october_2023(admin)
    db.session.commit()
    response = client.post(
        "/login",
        data={
            "email": admin.email,
            "password": factories.PASSWORD,
            "csrf_token": csrf_token(client, "/login"),
        },
    )
    assert response.status_code == 302


@pytest.mark.parametrize("language", ["en", "ko"])
def test_no_page_shows_the_month_only_event_as_its_first_day(sample, app, client, language):
    client.post(
        "/language", data={"language": language, "csrf_token": csrf_token(client, "/account")}
    )
    checked = []
    for path in _sample_pages(app):
        response = client.get(path)
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        page = response.get_data(as_text=True)
        wrong = re.search(WRONG[language], page)
        assert wrong is None, (path, page[wrong.start() - 200 : wrong.end() + 50])
        checked.append(path)
    assert len(checked) > 25, checked
    dandong = db.session.execute(
        select(RepatriationEvent.id).join(CrossingPoint).where(CrossingPoint.name == "Dandong")
    ).scalar_one()
    month = {"en": "October 2023", "ko": "2023년 10월"}[language]
    for path in [f"/events/{dandong}", *(f"/sources/{s}" for s in _ids(Source))]:
        page = client.get(path).get_data(as_text=True)
        if "Dandong" in page:
            assert f"Dandong, {month}" in page or month in page, path


def _ids(model):
    return list(db.session.execute(select(model.id)).scalars())


def test_the_sample_shows_grades_addresses_bars_and_approximate_counts(sample, client):
    sources = client.get("/sources").get_data(as_text=True)
    assert "??" not in sources
    for grade in ("B3", "C3", "B2"):
        assert grade in sources
    for source in SOURCES:
        page = client.get(f"/sources/{_source_id(source['title'])}").get_data(as_text=True)
        assert source["url"] in page

    dashboard = client.get("/").get_data(as_text=True)
    facility_chart = re.search(r'id="chart-facility-desc">([^<]*)<', dashboard)
    assert facility_chart is not None
    assert facility_chart.group(1) == (
        "Changchun Tiebei Prison: reported 300–?, documented 0; "
        "Shenyang Prison: reported ~180, documented 0"
    )
    bars = re.findall(r'width="([\d.]+)%"[^>]*class="bar-reported"', dashboard)
    assert len(bars) == 5 and all(float(width) > 0 for width in bars)  # 2 + 2 + 1 month
    assert 'data-figure="facilities">2<' in dashboard
    assert ">~180<" in dashboard


def _source_id(title: str) -> int:
    return db.session.execute(select(Source.id).where(Source.title == title)).scalar_one()
