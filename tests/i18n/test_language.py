"""The language: the user's saved setting, else the switcher's cookie, else Accept-Language,
else English; the switcher on every page; dates and numbers written the locale's way."""

from datetime import date

from flask import Flask
from flask_babel import refresh

from tests import factories
from tests.conftest import csrf_token, log_in
from tracker.accounts.models import User
from tracker.events.kind import describe_dates
from tracker.events.services import events
from tracker.extensions import db
from tracker.i18n import COOKIE, format_day, format_number
from tracker.places.services import crossings

SWITCHER = 'action="/language"'


def _switch(client, language: str, next_path: str = "/"):  # type: ignore[no-untyped-def]
    token = csrf_token(client, next_path)
    return client.post(
        "/language", data={"language": language, "next": next_path, "csrf_token": token}
    )


def test_english_by_default_and_korean_from_the_browser(client):
    factories.make_user("admin")
    db.session.commit()
    english = client.get("/login").get_data(as_text=True)
    assert '<html lang="en">' in english and "Log in" in english
    korean = client.get("/login", headers={"Accept-Language": "ko-KR,ko;q=0.9,en;q=0.5"})
    assert '<html lang="ko">' in korean.get_data(as_text=True)
    assert "로그인" in korean.get_data(as_text=True)
    other = client.get("/login", headers={"Accept-Language": "fr-FR"})
    assert '<html lang="en">' in other.get_data(as_text=True)


def test_the_switcher_on_the_login_page_sets_a_cookie_not_a_url(client):
    factories.make_user("admin")
    db.session.commit()
    assert SWITCHER in client.get("/login").get_data(as_text=True)
    response = _switch(client, "ko", "/login")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login"
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith(f"{COOKIE}=ko;") and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    page = client.get("/login", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="ko">' in page  # the choice beats the browser's preference


def test_the_switcher_needs_a_csrf_token_and_a_known_language(client):
    factories.make_user("admin")
    db.session.commit()
    assert client.post("/language", data={"language": "ko"}).status_code == 400
    token = csrf_token(client, "/login")
    bad = client.post("/language", data={"language": "xx", "csrf_token": token})
    assert bad.status_code == 400
    away = client.post(
        "/language", data={"language": "ko", "next": "https://evil.example", "csrf_token": token}
    )
    assert away.headers["Location"] == "/"


def test_a_logged_in_users_choice_is_saved_and_follows_them(app: Flask, client, login_as):
    user = login_as("analyst")
    assert SWITCHER in client.get("/persons").get_data(as_text=True)
    response = _switch(client, "ko", "/persons")
    assert response.headers["Location"] == "/persons"
    db.session.expire_all()
    assert db.session.get(User, user.id).locale == "ko"
    # Another browser, no cookie, an English browser: the saved setting wins after login.
    other = app.test_client()
    assert log_in(other, user.email).status_code == 302
    page = other.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="ko">' in page and "대시보드" in page
    _switch(other, "en", "/")
    db.session.expire_all()
    assert db.session.get(User, user.id).locale == "en"


def test_the_api_stays_english(client, login_as):
    response = client.get("/api/v1/persons", headers={"Accept-Language": "ko"})
    assert response.status_code == 401
    assert response.get_json()["error"]["message"].isascii()


def test_dates_follow_the_locale_and_their_precision(app: Flask):
    day = date(2023, 10, 9)
    with app.test_request_context(headers={"Accept-Language": "ko"}):
        refresh()  # the test's app context is shared: forget the locale chosen before
        assert format_day(day) == "2023년 10월 9일"
        assert format_day(day, "month") == "2023년 10월"
        assert format_day(day, "year") == "2023년"
        assert format_number(1022) == "1,022"
    with app.test_request_context(headers={"Accept-Language": "en"}):
        refresh()
        assert format_day(day) == "9 October 2023"
        assert format_day(day, "month") == "October 2023"
        assert format_day(day, "year") == "2023"
        assert format_number(1022) == "1,022"


def test_event_dates_and_counts_on_the_pages(client, login_as):
    user = login_as("researcher")
    crossing = crossings.create(user, {"name": "Onsong"})
    events.create(
        user,
        {"date_precision": "day", "date_start": date(2023, 10, 9), "crossing_id": crossing.id,
         "people_min": 1022},
    )  # fmt: skip
    month = events.create(
        user,
        {"date_precision": "month", "date_start": date(2023, 10, 1), "date_approximate": True,
         "crossing_id": crossing.id, "people_min": 180, "people_max": 180},
    )  # fmt: skip
    events.create(
        user,
        {"date_precision": "year", "date_start": date(2022, 1, 1), "crossing_id": crossing.id,
         "people_min": 5},
    )  # fmt: skip
    db.session.commit()
    korean = {"Accept-Language": "ko"}
    listing = client.get("/events", headers=korean).get_data(as_text=True)
    assert "Onsong, 2023년 10월 9일" in listing or "2023년 10월 9일" in listing
    assert "2023년 10월경" in listing
    dashboard = client.get("/", headers=korean).get_data(as_text=True)
    assert "1,207" in dashboard  # 1,022 + 180 + 5 reported, grouped for the locale
    assert "2022년 (월 미상)" in dashboard and "2023년 10월" in dashboard
    english = client.get("/events").get_data(as_text=True)
    assert "9 October 2023" in english and "around October 2023" in english
    with client.application.test_request_context(headers=korean):
        refresh()
        assert describe_dates(month) == "2023년 10월경"


def test_vocabulary_terms_are_named_in_korean(client, login_as):
    login_as("researcher")
    page = client.get("/persons/new", headers={"Accept-Language": "ko"}).get_data(as_text=True)
    assert "여성" in page and "Female" not in page
    dashboard = client.get("/", headers={"Accept-Language": "ko"}).get_data(as_text=True)
    assert "행방불명" in dashboard
