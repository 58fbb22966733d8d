"""Every way researchers write a date, a count or a birth year reaches the same stored value
through the form and through the importer, or is refused by both with the same message: one
parser per value type, which both doors call."""

import csv
import html
import io

import pytest
from sqlalchemy import select

from tests.conftest import csrf_token
from tracker.events.models import RepatriationEvent
from tracker.extensions import db
from tracker.imports import services
from tracker.persons.models import Person
from tracker.places.services import crossings

DATES = [
    "2023-10-09",
    "9 Oct 2023",
    "October 2023",
    "2023",
    "c. 2023",
    "around 2023",
    "2013-01-24T00:00:00Z",
    "2023.10.9",
    "2023. 10. 9.",
    "2023년 10월 9일",
    "2023년 10월",
    "2023년경",
    # refused
    "9 Oct",
    "2023-02-30",
    "someday",
]
COUNTS = [
    "180",
    "about 180",
    "300+",
    "over 300",
    "1,022",
    "150-200",
    "300여명",
    "300여 명",
    "약 200명",
    "50~60명",
    "200명 이상",
    "1,022명",
    # refused
    "many",
    "200-150",
]
BIRTH_YEARS = ["1985", "c. 1985", "약 1985", "1985년생", "1988(추정)", "85", "next year"]

EVENT_COLUMNS = (
    RepatriationEvent.date_start,
    RepatriationEvent.date_end,
    RepatriationEvent.date_precision,
    RepatriationEvent.date_approximate,
    RepatriationEvent.people_min,
    RepatriationEvent.people_max,
    RepatriationEvent.people_approximate,
)
PERSON_COLUMNS = (
    Person.arrest_date,
    Person.arrest_date_precision,
    Person.arrest_date_approximate,
    Person.birth_year,
    Person.birth_year_approximate,
)


@pytest.fixture
def researcher(login_as):
    user = login_as("researcher")
    crossings.create(user, {"name": "Onsong"})
    db.session.commit()
    return user


def _file(tmp_path, header, row):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerow(row)
    path = tmp_path / "one.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def _import(user, path, kind):
    options = services.ImportOptions(allow_similar=True)
    report = services.import_file(user, path, path.name, kind, None, options)
    db.session.commit()
    return report


def _stored(columns, model):
    db.session.expire_all()
    rows = db.session.execute(select(*columns).order_by(model.id)).all()
    return [tuple(row) for row in rows]


def _through_both(client, user, tmp_path, form_path, form, header, row, columns, model):
    """(stored after the form, its message if refused), the same for the importer."""
    response = client.post(form_path, data={"csrf_token": csrf_token(client, form_path), **form})
    by_form = _stored(columns, model)
    page = html.unescape(response.get_data(as_text=True))
    db.session.execute(model.__table__.delete())
    db.session.commit()
    report = _import(user, _file(tmp_path, header, row), model.__tablename__.split("_")[-1])
    by_import = _stored(columns, model)
    messages = [problem.message for problem in report.problems]
    return response.status_code, by_form, page, by_import, messages


@pytest.mark.parametrize("date", DATES)
def test_event_dates_read_alike_in_the_form_and_the_importer(client, researcher, tmp_path, date):
    count = "about 180"
    crossing_id = db.session.execute(
        select(crossings.model.id).where(crossings.model.name == "Onsong")
    ).scalar_one()
    status, by_form, page, by_import, messages = _through_both(
        client,
        researcher,
        tmp_path,
        "/events/new",
        {"date_start": date, "crossing_id": str(crossing_id), "people": count},
        ["date_start", "crossing", "people"],
        [date, "Onsong", count],
        EVENT_COLUMNS,
        RepatriationEvent,
    )
    if messages:
        assert status == 422 and by_form == [] and by_import == []
        assert all(message in page for message in messages)
    else:
        assert status == 302, page
        assert by_form == by_import and len(by_form) == 1


@pytest.mark.parametrize("count", COUNTS)
def test_counts_read_alike_in_the_form_and_the_importer(client, researcher, tmp_path, count):
    crossing_id = db.session.execute(
        select(crossings.model.id).where(crossings.model.name == "Onsong")
    ).scalar_one()
    status, by_form, page, by_import, messages = _through_both(
        client,
        researcher,
        tmp_path,
        "/events/new",
        {"date_start": "9 Oct 2023", "crossing_id": str(crossing_id), "people": count},
        ["date_start", "crossing", "people"],
        ["9 Oct 2023", "Onsong", count],
        EVENT_COLUMNS,
        RepatriationEvent,
    )
    if messages:
        assert status == 422 and by_form == [] and by_import == []
        assert all(message in page for message in messages)
    else:
        assert status == 302, page
        assert by_form == by_import and len(by_form) == 1


@pytest.mark.parametrize(
    ("date", "born"), [(d, "1985") for d in DATES] + [("2023-10-09", b) for b in BIRTH_YEARS]
)
def test_person_dates_and_birth_years_read_alike_in_the_form_and_the_importer(
    client, researcher, tmp_path, date, born
):
    status, by_form, page, by_import, messages = _through_both(
        client,
        researcher,
        tmp_path,
        "/persons/new",
        {"family_name": "Pak", "gender": "female", "arrest_date": date, "birth_year": born},
        ["family_name", "gender", "arrest_date", "birth_year"],
        ["Pak", "female", date, born],
        PERSON_COLUMNS,
        Person,
    )
    if messages:
        assert status == 422 and by_form == [] and by_import == []
        assert all(message in page for message in messages)
    else:
        assert status == 302, page
        assert by_form == by_import and len(by_form) == 1


def test_what_each_spelling_is_stored_as(client, researcher, tmp_path):
    """A few of the spellings above, checked against what a reader means by them."""
    from datetime import date

    from tracker.kinds.values import parse_birth_year, parse_count, parse_date

    assert parse_date("2023. 10. 9.").start == date(2023, 10, 9)
    assert parse_date("2023년 10월").precision == "month"
    assert parse_date("2023년경").approximate and parse_date("2023년경").precision == "year"
    assert parse_date("2013-01-24T00:00:00Z").start == date(2013, 1, 24)
    assert (parse_count("300여명").low, parse_count("300여명").high) == (300, None)
    assert parse_count("약 200명").approximate and parse_count("약 200명").low == 200
    assert (parse_count("50~60명").low, parse_count("50~60명").high) == (50, 60)
    assert parse_birth_year("1988(추정)").approximate
    assert parse_birth_year("1985년생").year == 1985
