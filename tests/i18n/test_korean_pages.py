"""Every page an admin, a researcher and an analyst can open reads in Korean: no English is
left in the visible text but names, codes and units (the allow-list below) and the data."""

import html
import re
from datetime import date

import pytest
from sqlalchemy import select
from werkzeug.routing import Rule
from werkzeug.routing.converters import NumberConverter

from tests import factories
from tests.conftest import csrf_token
from tracker.audit.models import AuditEntry
from tracker.events.services import events
from tracker.extensions import db
from tracker.persons.services import contacts, persons
from tracker.places.services import crossings, facilities
from tracker.sources.services import sources

KOREAN = {"Accept-Language": "ko-KR,ko;q=0.9"}

# Names, codes and units that stay as they are in a Korean interface.
ALLOWED = {
    # the product, the other language's name in the switcher, data in Latin script
    "Repatriation", "Tracker", "English", "Kim", "Sunhee", "Sun-hee", "Cheonggye",
    # formats, standards, units and protocols
    "API", "JSON", "json", "CSV", "csv", "XLSX", "xlsx", "tsv", "txt", "PDF", "PNG", "JPEG",
    "GIF", "WebP", "SHA", "UTC", "NGO", "Excel", "BOM", "YYYY", "MM", "DD", "CN", "KP", "RT",
    "YYYY-MM", "YYYY-MM-DD",
    "http", "https", "api", "v1", "MB",
    # proper names of software and sources of the map
    "FreeOTP", "Aegis", "Google", "Authenticator", "Natural", "Earth", "Authorize",
    # statistical methods, their authors and software (the estimate's method note, issue #19)
    "AIC", "BIC", "GLM", "MSE", "exp", "Bales", "Hesketh", "Silverman", "Cormack", "Rcapture",
    "statsmodels", "Ctrl",
    # literal code and syntax shown to the reader
    "Authorization", "Bearer", "token", "tracker", "sample", "load", "field", "external_id",
    "manifest",
}  # fmt: skip

WORD = re.compile(r"[A-Za-z][A-Za-z_'’-]*[A-Za-z]")
EMAIL = re.compile(r"[\w.+-]+@[\w.-]+")
HIDDEN = re.compile(r"<(script|style|code|pre|textarea)\b.*?</\1>", re.S | re.I)
TAG = re.compile(r"<[^>]+>")


def visible_words(page: str) -> set[str]:
    """The Latin-script words a reader sees (text of elements; not scripts, styles, code)."""
    text = html.unescape(TAG.sub(" ", HIDDEN.sub(" ", page)))
    return set(WORD.findall(EMAIL.sub(" ", text)))


@pytest.fixture
def korean_world(app):
    """Records whose own values are Korean (or allow-listed names), so that any English on a
    page comes from the interface."""
    actor = factories.make_user("admin", "owner@example.org")
    facility = facilities.create(
        actor, {"name": "선양 교도소", "kind": "prison", "province": "랴오닝성", "country": "CN"}
    )
    crossing = crossings.create(
        actor, {"name": "온성", "cn_side": "투먼", "kp_side": "온성", "province": "지린성"}
    )
    public = sources.create(
        actor,
        {"title": "강제송환 보도", "kind": "media", "reliability": "B", "credibility": 2},
    )
    secret = sources.create(
        actor, {"title": "면담 기록", "kind": "interview", "confidential": True}
    )
    event = events.create(
        actor,
        {
            "date_precision": "day",
            "date_start": date(2023, 10, 9),
            "crossing_id": crossing.id,
            "facility_ids": [facility.id],
            "people_min": 1022,
            "transport": "버스",
            "claims": [{"source_id": public.id, "people_min": 1022, "quote": "천 명 이상"}],
        },
    )
    events.create(
        actor,
        {
            "date_precision": "month",
            "date_start": date(2023, 10, 1),
            "date_approximate": True,
            "crossing_id": crossing.id,
            "people_min": 180,
            "people_max": 180,
            "claims": [{"source_id": secret.id, "people_min": 180}],
        },
    )
    person = persons.create(
        actor,
        {
            "family_name": "Kim",
            "given_name": "Sunhee",
            "name_hangul": "김순희",
            "aliases": ["Kim Sun-hee"],
            "gender": "female",
            "birth_year": 1990,
            "origin": "Cheonggye",
            "origin_region": "함경북도",
            "event_id": event.id,
            "detentions": [{"facility_id": facility.id, "date_from": "2023-06-01"}],
        },
    )
    persons.update(actor, person, person.version, {"notes": "가족이 확인함"})
    persons.add_status(
        actor,
        person,
        {"status": "vanished", "as_of": date(2023, 12, 1), "source_id": public.id},
    )
    contacts.create(actor, {"person_id": person.id, "name": "김영자", "relation": "이모"})
    db.session.commit()
    return {
        "facilities": facility.id,
        "crossings": crossing.id,
        "sources": public.id,
        "events": event.id,
        "persons": person.id,
        "admin": actor.id,
    }


def _pages(app, ids: dict[str, int]) -> list[str]:
    """Every GET page of the web interface, ids filled in from the records above."""
    paths = []
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or set()) or rule.rule.startswith(("/api/v1", "/static")):
            continue
        if rule.endpoint == "static":  # /favicon.ico: a static file too
            continue
        path = _build(rule, ids)
        if path is not None:
            paths.append(path)
    return sorted(set(paths))


def _build(rule: Rule, ids: dict[str, int]) -> str | None:
    values = {}
    for name in rule.arguments:
        if not isinstance(rule._converters[name], NumberConverter):
            return None
        kind = "admin" if name == "user_id" else rule.endpoint.split(".")[0]
        if kind not in ids:
            return None
        values[name] = ids[kind]
    return rule.build(values, append_unknown=False)[1]


def _audit_codes() -> set[str]:
    """The audit log shows each entry's action and kind of record as stored: codes."""
    rows = db.session.execute(select(AuditEntry.action, AuditEntry.entity_type)).all()
    return {word for row in rows for value in row if value for word in re.split(r"[._]", value)} | {
        *(value for row in rows for value in row if value),
        "system",
    }


def _log_in(client, role: str) -> None:
    user = factories.make_user(role, f"{role}-ko@example.org")
    db.session.commit()
    token = csrf_token(client, "/login")
    response = client.post(
        "/login",
        data={"email": user.email, "password": factories.PASSWORD, "csrf_token": token},
        headers=KOREAN,
    )
    assert response.status_code == 302


@pytest.mark.parametrize("role", ["admin", "researcher", "analyst"])
def test_every_page_reads_in_korean(korean_world, app, client, role):
    _log_in(client, role)
    checked, problems = [], []
    for path in _pages(app, korean_world):
        response = client.get(path, headers=KOREAN)
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        page = response.get_data(as_text=True)
        assert '<html lang="ko">' in page or path == "/api/docs", path
        english = sorted(
            visible_words(page) - ALLOWED - (_audit_codes() if "audit" in path else set())
        )
        if english:
            problems.append(f"{path}: {english}")
        checked.append(path)
    assert len(checked) >= (12 if role == "analyst" else 20), checked
    assert problems == [], "\n".join(problems)


def test_login_setup_and_error_pages_read_in_korean(app, client):
    assert not visible_words(client.get("/setup", headers=KOREAN).get_data(as_text=True)) - ALLOWED
    factories.make_user("admin")
    db.session.commit()
    for path in ("/login", "/login/code", "/no-such-page"):
        response = client.get(path, headers=KOREAN, follow_redirects=True)
        english = visible_words(response.get_data(as_text=True)) - ALLOWED
        assert not english, (path, english)


def test_form_errors_are_korean(korean_world, client):
    _log_in(client, "researcher")
    token = csrf_token(client, "/facilities/new")
    response = client.post(
        "/facilities/new",
        data={"csrf_token": token, "name": "", "latitude": "abc", "kind": "prison"},
        headers=KOREAN,
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    # The services' messages (the form has no rules of its own), in the reader's language.
    assert "필수 항목입니다." in page and "숫자를 입력하십시오." in page
    assert not visible_words(page) - ALLOWED


@pytest.mark.parametrize("role", ["admin", "analyst"])
def test_a_dashboard_without_documented_persons_reads_in_korean_too(app, client, login_as, role):
    """The empty states (events reported, no person documented yet) are interface text too."""
    from tracker.sample.services import load_october_2023

    load_october_2023()
    db.session.commit()
    login_as(role)
    page = client.get("/?from=2023-10-01&to=2023-10-31", headers=KOREAN).get_data(as_text=True)
    # The sample's own place names and a source's quoted claim are data, not interface.
    figures = re.search(r'<ul class="figures">.*?</ul>', page, re.S)
    data = visible_words(figures.group(0)) if figures else set()
    places = {"Onsong", "Dandong", "Jilin", "Liaoning", "Changchun", "Tiebei", "Shenyang", "Prison"}
    english = visible_words(page) - ALLOWED - data - places
    assert not english, english
