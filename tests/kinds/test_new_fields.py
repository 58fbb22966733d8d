"""The four fields this round added, each declared once on its model (README: "Adding a
field"), reach every door: the form, the detail page, the history, the API (read and write),
the importer (by English name and by Korean header) and the exports (CSV, XLSX, JSON)."""

import csv
import io
import json

from openpyxl import load_workbook
from sqlalchemy import select

from tests.api.conftest import new_token
from tests.conftest import csrf_token
from tracker.events.models import RepatriationEvent
from tracker.events.services import events
from tracker.extensions import db
from tracker.imports import services as imports
from tracker.persons.models import Person
from tracker.places.services import crossings


def _post(client, path, data):
    return client.post(path, data={"csrf_token": csrf_token(client, path), **data})


def _export(client, what, fmt):
    path = f"/exports/file?what={what}&format={fmt}"
    response = client.get(path)
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_data()
    if fmt == "csv":
        return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    if fmt == "json":
        return json.loads(body)["items"]
    sheet = load_workbook(io.BytesIO(body), read_only=True)["Data"]
    rows = list(sheet.iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def test_date_of_death_and_nationality_reach_every_door(client, login_as, tmp_path):
    researcher = login_as("researcher")
    response = _post(
        client,
        "/persons/new",
        {
            "family_name": "Pak",
            "gender": "female",
            "date_of_death": "March 2024",
            "nationality": "북한",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    details = page.split('class="details"')[1].split("</dl>")[0]
    assert "Date of death" in details and "March 2024" in details and "1 March 2024" not in page
    assert "Nationality" in details and "North Korea" in details
    history = page.split('id="history-heading"')[1]
    assert "Date of death" in history and "North Korea" in history

    person = db.session.execute(select(Person)).scalar_one()
    assert (person.date_of_death.isoformat(), person.date_of_death_precision) == (
        "2024-03-01",
        "month",
    )
    assert person.nationality == "KP"
    edit = f"/persons/{person.id}/edit"
    form = client.get(edit).get_data(as_text=True)
    assert 'value="2024-03"' in form  # shown back as written: a month, never a false day

    # The API reads and writes them.
    api = {"Authorization": f"Bearer {new_token(researcher)}"}
    read = client.get(f"/api/v1/persons/{person.id}", headers=api).get_json()
    assert read["date_of_death"] == "2024-03-01"
    assert read["date_of_death_precision"] == "month" and read["nationality"] == "KP"
    changed = client.patch(
        f"/api/v1/persons/{person.id}",
        json={"version": read["version"], "nationality": "CN", "date_of_death": "2024-03-05"},
        headers=api,
    )
    assert changed.status_code == 200, changed.get_json()
    assert changed.get_json()["date_of_death_precision"] == "day"
    assert changed.get_json()["nationality"] == "CN"

    # The exports carry them, in every format; a redacted export gives a person's dates to
    # the month, as analysts see them (issue 16).
    for fmt in ("csv", "xlsx", "json"):
        row = _export(client, "persons", fmt)[0]
        assert str(row["date_of_death"]).startswith("2024-03-01")
        assert row["nationality"] == "CN" and row["date_of_death_precision"] == "month"

    # The importer reads them by their names and by Korean headers.
    path = tmp_path / "persons.csv"
    path.write_text(
        "family_name,gender,date_of_death,nationality\nRi,female,2024년 2월,KP\n",
        encoding="utf-8",
    )
    korean = tmp_path / "korean.csv"
    korean.write_text("성,성별,사망일,국적\nChoe,여,2024년경,북한\n", encoding="utf-8")
    for file, family in ((path, "Ri"), (korean, "Choe")):
        report = imports.import_file(
            researcher, file, file.name, "persons", None, imports.ImportOptions()
        )
        assert report.created == 1, report.lines()
        db.session.commit()
        found = db.session.execute(select(Person).where(Person.family_name == family)).scalar_one()
        assert found.nationality == "KP" and found.date_of_death is not None
    choe = db.session.execute(select(Person).where(Person.family_name == "Choe")).scalar_one()
    assert (choe.date_of_death_precision, choe.date_of_death_approximate) == ("year", True)
    assert choe.gender == "female"


def test_who_handed_people_over_and_who_received_them_reach_every_door(client, login_as, tmp_path):
    researcher = login_as("researcher")
    crossing = crossings.create(researcher, {"name": "Onsong"})
    db.session.commit()
    response = _post(
        client,
        "/events/new",
        {
            "date_start": "9 Oct 2023",
            "crossing_id": str(crossing.id),
            "handed_over_by": "Public Security Bureau",
            "received_by": "Ministry of State Security",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Public Security Bureau" in page and "Ministry of State Security" in page
    history = page.split('id="history-heading"')[1]
    assert "Handed over by" in history and "Received by" in history

    event = db.session.execute(select(RepatriationEvent)).scalar_one()
    api = {"Authorization": f"Bearer {new_token(researcher)}"}
    read = client.get(f"/api/v1/events/{event.id}", headers=api).get_json()
    assert read["handed_over_by"] == "Public Security Bureau"
    assert read["received_by"] == "Ministry of State Security"
    created = client.post(
        "/api/v1/events",
        json={"date_start": "2023-10-10", "crossing_id": crossing.id, "received_by": "MSS"},
        headers=api,
    )
    assert created.status_code == 201 and created.get_json()["received_by"] == "MSS"

    for fmt in ("csv", "xlsx", "json"):
        rows = _export(client, "events", fmt)
        by_id = {str(row["id"]): row for row in rows}
        row = by_id[str(event.id)]
        assert row["handed_over_by"] == "Public Security Bureau"
        assert row["received_by"] == "Ministry of State Security"
        assert row["crossing"] == "Onsong" and str(row["crossing_id"]) == str(crossing.id)

    korean = tmp_path / "korean.csv"
    korean.write_text(
        "날짜,송환 경로,인계 기관,인수 기관\n2023.10.11,Onsong,공안국,국가보위성\n",
        encoding="utf-8",
    )
    report = imports.import_file(
        researcher, korean, korean.name, "events", None, imports.ImportOptions()
    )
    assert report.created == 1, report.lines()
    db.session.commit()
    imported = db.session.execute(
        select(RepatriationEvent).where(RepatriationEvent.received_by == "국가보위성")
    ).scalar_one()
    assert imported.handed_over_by == "공안국"
    events.get(imported.id)


def test_a_person_export_names_the_crossing_the_event_date_and_the_facilities(client, login_as):
    from tracker.persons.services import persons
    from tracker.places.services import facilities

    researcher = login_as("researcher")
    crossing = crossings.create(researcher, {"name": "Onsong"})
    prison = facilities.create(researcher, {"name": "Changchun Tiebei Prison", "kind": "prison"})
    event = events.create(researcher, {"date_start": "October 2023", "crossing_id": crossing.id})
    persons.create(
        researcher,
        {"family_name": "Pak", "event_id": event.id, "facility_ids": [prison.id]},
    )
    db.session.commit()
    row = _export(client, "persons", "csv")[0]
    assert row["event_crossing"] == "Onsong" and row["event_date"] == "October 2023"
    assert row["facilities"] == "Changchun Tiebei Prison"
    assert row["facility_ids"] == str(prison.id)
