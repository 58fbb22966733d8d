"""List pages stay cheap as records grow: no query per row, no select listing every event."""

from datetime import date

import pytest
from sqlalchemy import event as sa_event

from tests.dashboard.test_summary import crossing, event, person
from tracker.extensions import db


def _select_count(client, path):
    statements = []

    def remember(conn, cursor, statement, *args):
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append(statement)

    sa_event.listen(db.engine, "before_cursor_execute", remember)
    try:
        response = client.get(path)
    finally:
        sa_event.remove(db.engine, "before_cursor_execute", remember)
    assert response.status_code == 200
    return len(statements)


def _record(how_many):
    for number in range(how_many):
        place = crossing(f"Crossing {number}")
        transfer = event(place, 10, 20, day=date(2023, 10, 1 + number % 28))
        person(transfer, "vanished")
    db.session.commit()


@pytest.mark.parametrize("path", ["/persons", "/events", "/persons?status=vanished"])
def test_a_list_asks_the_same_number_of_queries_for_3_rows_as_for_24(client, login_as, path):
    login_as("analyst")
    _record(3)
    few = _select_count(client, path)
    _record(21)
    many = _select_count(client, path)
    assert many == few, f"{path}: {few} queries for 3 rows, {many} for 24"


def test_too_many_events_to_list_become_a_record_number_field(client, login_as, monkeypatch):
    from tracker.kinds import listing

    monkeypatch.setattr(listing, "PICKER_LIMIT", 2)
    _record(3)
    login_as("analyst")
    page = client.get("/persons").get_data(as_text=True)
    assert 'id="filter-event_id" name="event_id" type="number"' in page
    narrowed = client.get("/persons?event_id=1").get_data(as_text=True)
    assert "1 person match" in narrowed
    refused = client.get("/persons?event_id=²").get_data(as_text=True)
    assert "Event: enter a record number." in refused
