"""Every kind of page, as each role, in English and in Korean, on a phone (390 px) and on a
laptop (1366 px): nothing scrolls sideways, axe-core finds no serious or critical violation,
and a Korean page shows no English word beyond the records' own data, proper names, codes
and units. Screenshots of the main pages go to tests/screenshots/ for people to look at."""

import os
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from sqlalchemy import select

from tests import factories
from tests.browser.session import log_in
from tracker.accounts.models import User
from tracker.audit.models import AuditEntry
from tracker.events.models import EventSource, RepatriationEvent, ReportedFigure
from tracker.extensions import db
from tracker.persons.models import Contact
from tracker.persons.services import contacts, persons
from tracker.places.models import CrossingPoint, Facility
from tracker.sample.services import load_october_2023
from tracker.sources.models import Source

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).resolve().parent.parent / "screenshots"
# Layout, language and accessibility do not change with the database: the sweep (some 360
# pages) runs on SQLite only; the journeys in the other browser tests run on both.
pytestmark = pytest.mark.skipif(
    (os.environ.get("TRACKER_TEST_DATABASE_URL") or "").startswith("postgres"),
    reason="the page sweep runs on SQLite; the database does not change layout or language",
)
PHONE, LAPTOP = 390, 1366
AXE = Axe()
# Not interface text: the product's name, codes, units, file formats, other products' names,
# the map's data credit (Natural Earth), the language switch itself, and the words below.
ALLOWED = {
    # the estimate's method note: its statistics' names, authors and software, a key's name
    "MSE",
    "GLM",
    "Cormack",
    "Rcapture",
    "statsmodels",
    "exp",
    "Ctrl",
    # the UN working group's elements (a)-(f) of a case
    *"abcdef",
    "Repatriation",
    "Tracker",
    "RT",
    "CN",
    "KP",
    "CSV",
    "XLSX",
    "xlsx",
    "JSON",
    "PDF",
    "API",
    "URL",
    "ISO",
    "UTC",
    "UTF",
    "BOM",
    "SHA",
    "TOTP",
    "ID",
    "NGO",
    "UN",
    "GIF",
    "JPEG",
    "PNG",
    "WebP",
    "Excel",
    "R",
    "OpenAPI",
    "Natural",
    "Earth",
    "English",
    "Authorize",  # the name of the API reference's own (English) button, quoted in the help
    "A",
    "B",
    "C",
    "D",
    "E",
    "F",
}
# Code and the API's own reference (its paths and schemas are the English contract scripts
# use) are not interface text either.
VISIBLE_TEXT = """() => {
  const skip = 'code, pre, kbd, samp, script, style, .swagger-ui';
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const parent = walker.currentNode.parentElement;
    if (parent && !parent.closest(skip) && parent.checkVisibility()) {
      out.push(walker.currentNode.textContent);
    }
  }
  return out.join(' ');
}"""
WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*[A-Za-z]|[A-Za-z]")


def _seed() -> dict[str, Any]:
    """The October 2023 sample, accounts of each role, and two cases of one woman (a pair the
    duplicates page suggests) with a detention, a status and a contact."""
    admin = factories.make_user("admin", "admin@example.org")
    factories.make_user("researcher", "researcher@example.org")
    factories.make_user("analyst", "analyst@example.org")
    load_october_2023(admin)
    event = db.session.execute(select(RepatriationEvent)).scalars().first()
    facility = db.session.execute(select(Facility)).scalars().first()
    crossing = db.session.execute(select(CrossingPoint)).scalars().first()
    source = db.session.execute(select(Source)).scalars().first()
    assert event and facility and crossing and source
    person = persons.create(
        admin,
        {
            "family_name": "Kim",
            "given_name": "Chol Ok",
            "name_hangul": "김철옥",
            "gender": "female",
            "birth_year": 1990,
            "event_id": event.id,
            "detentions": [
                {"facility_id": facility.id, "date_from": "2023-06-01", "date_to": "2023-10-08"}
            ],
        },
    )
    persons.add_status(
        admin, person, {"status": "vanished", "as_of": date(2023, 12, 1), "source_id": source.id}
    )
    twin = persons.create(
        admin,
        {"family_name": "Kim", "given_name": "Cheol-ok", "gender": "female", "birth_year": 1991},
    )
    contacts.create(admin, {"person_id": person.id, "name": "Pak Yong", "relation": "sister"})
    db.session.commit()
    contact = db.session.execute(select(Contact)).scalars().first()
    assert contact is not None
    return {
        "event": event.id,
        "facility": facility.id,
        "crossing": crossing.id,
        "source": source.id,
        "person": person.id,
        "twin": twin.id,
        "contact": contact.id,
        "admin": admin.id,
    }


def _pages(role: str, ids: dict[str, Any]) -> list[tuple[str, str]]:
    """(name, path) of every kind of page this role may open."""
    pages = [
        ("dashboard", "/"),
        ("events", "/events"),
        ("event", f"/events/{ids['event']}"),
        ("persons", "/persons"),
        ("person", f"/persons/{ids['person']}"),
        ("sources", "/sources"),
        ("source", f"/sources/{ids['source']}"),
        ("facilities", "/facilities"),
        ("facility", f"/facilities/{ids['facility']}"),
        ("crossings", "/crossings"),
        ("crossing", f"/crossings/{ids['crossing']}"),
        ("account", "/account"),
        ("password", "/account/password"),
        ("two-factor", "/account/two-factor"),
        ("export", "/exports/new"),
        ("api-docs", "/api/docs"),
    ]
    if role in ("admin", "researcher"):
        pages += [
            ("person-form", f"/persons/{ids['person']}/edit"),
            ("event-form", "/events/new"),
            ("source-form", "/sources/new"),
            ("facility-form", "/facilities/new"),
            ("crossing-form", f"/crossings/{ids['crossing']}/edit"),
            ("contact-form", f"/contacts/new?person_id={ids['person']}"),
            ("contact", f"/contacts/{ids['contact']}"),
            ("import", "/imports"),
            ("trash", "/trash"),
            ("duplicates", "/persons/duplicates"),
            ("merge", f"/persons/merge?first={ids['person']}&second={ids['twin']}"),
            ("tokens", "/account/tokens"),
        ]
    if role == "admin":
        pages += [
            ("accounts", "/admin/users"),
            ("account-admin", f"/admin/users/{ids['admin']}"),
            ("invite", "/admin/users/new"),
            ("audit", "/admin/audit"),
            ("vocabularies", "/admin/vocabularies"),
        ]
    return pages


def _data_words() -> set[str]:
    """Words of the records' own values (titles, notes, names): data, not interface."""
    words: set[str] = set()
    models = (Source, Facility, CrossingPoint, RepatriationEvent, EventSource, ReportedFigure)
    for model in (*models, Contact, User):
        for record in db.session.execute(select(model)).scalars():
            for column in model.__table__.columns:
                value = getattr(record, column.key, None)
                for item in value if isinstance(value, list) else [value]:
                    if isinstance(item, str):
                        words.update(WORD.findall(item))
    words.update(WORD.findall("Kim Chol Ok Cheol-ok Pak Yong"))
    return words


def _audit_codes() -> set[str]:
    """The audit log is the administrator's record of what was stored: actions without a label
    and kinds of record show as their stored codes (as tests/i18n/test_korean_pages.py holds)."""
    rows = db.session.execute(select(AuditEntry.action, AuditEntry.entity_type)).all()
    codes = {word for row in rows for value in row if value for word in WORD.findall(value)}
    return codes | {"system"}  # what the "who" filter takes for entries without a user


def _problems(page: Any, name: str, width: int, language: str, data: set[str]) -> list[str]:
    found = []
    wide = page.evaluate("document.documentElement.scrollWidth")
    if wide > width:
        found.append(f"{name} {language} {width}px: {wide} px wide")
    results = AXE.run(page)
    for violation in results.response["violations"]:
        if violation["impact"] in ("serious", "critical"):
            where = [node["target"] for node in violation["nodes"]][:3]
            found.append(f"{name} {language} {width}px: axe {violation['id']} at {where}")
    if language == "ko":
        text = page.evaluate(VISIBLE_TEXT)
        english = sorted({w for w in WORD.findall(text) if w not in ALLOWED and w not in data})
        if english:
            found.append(f"{name} ko: English words {english[:25]}")
    return found


@pytest.mark.parametrize("role", ["admin", "researcher", "analyst"])
def test_every_page_fits_a_phone_passes_axe_and_reads_in_korean(app, page, role):
    ids = _seed()
    data = _data_words()
    email = f"{role}@example.org"
    log_in(page, email)
    problems: list[str] = []
    for language in ("en", "ko"):
        user = db.session.execute(select(User).where(User.email == email)).scalar_one()
        user.locale = language
        db.session.commit()
        for width in (PHONE, LAPTOP):
            page.set_viewport_size({"width": width, "height": 844 if width == PHONE else 900})
            for name, path in _pages(role, ids):
                response = page.goto(path)
                assert response is not None and response.status == 200, (path, response)
                page.wait_for_load_state("load")
                known = data | _audit_codes() if name == "audit" else data
                problems += _problems(page, name, width, language, known)
                if role == "researcher" and name in ("dashboard", "person", "persons"):
                    SCREENSHOTS.mkdir(exist_ok=True)
                    page.screenshot(
                        path=str(SCREENSHOTS / f"{name}-{language}-{width}.png"), full_page=True
                    )
    assert not problems, "\n".join(problems)


def test_the_login_page_fits_and_passes_axe_in_both_languages(app, browser, live_server):
    factories.make_user("researcher", "someone@example.org")
    db.session.commit()
    problems: list[str] = []
    for language, locale in (("en", "en-GB"), ("ko", "ko-KR")):
        context = browser.new_context(base_url=live_server, locale=locale)
        page = context.new_page()
        for width in (PHONE, LAPTOP):
            page.set_viewport_size({"width": width, "height": 844})
            page.goto("/login")
            assert page.locator("html").get_attribute("lang") == language
            problems += _problems(page, "login", width, language, set())
        context.close()
    assert not problems, "\n".join(problems)
