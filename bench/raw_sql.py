"""The baseline: the dashboard's aggregates as plain SQL, run through the driver with no ORM.

This is what a DBA would type; the tracker's numbers must come within a small factor of it.
"""

from typing import Any

TYPICAL = {"from": "2023-10-01", "to": "2023-10-31", "province": "Jilin"}


def _year_month(dialect: str) -> tuple[str, str]:
    if dialect == "postgresql":
        return (
            "CAST(EXTRACT(YEAR FROM e.date_start) AS INTEGER)",
            "CAST(EXTRACT(MONTH FROM e.date_start) AS INTEGER)",
        )
    return (
        "CAST(strftime('%Y', e.date_start) AS INTEGER)",
        "CAST(strftime('%m', e.date_start) AS INTEGER)",
    )


def dashboard_queries(dialect: str, typical: bool) -> list[str]:
    """Every aggregate the dashboard shows, for all filters off or the typical filter."""
    events_where = "e.deleted_at IS NULL"
    if typical:
        events_where += (
            # An event is in the period when its span overlaps it.
            f" AND e.date_end >= '{TYPICAL['from']}' AND e.date_start <= '{TYPICAL['to']}'"
            f" AND (e.crossing_id IN (SELECT id FROM crossing_points WHERE province = '{TYPICAL['province']}')"
            " OR EXISTS (SELECT 1 FROM event_facilities ef2 JOIN facilities f2 ON f2.id = ef2.facility_id"
            f" WHERE ef2.event_id = e.id AND f2.province = '{TYPICAL['province']}'))"
        )
        persons_where = f"p.deleted_at IS NULL AND p.event_id IN (SELECT e.id FROM repatriation_events e WHERE {events_where})"
    else:
        persons_where = "p.deleted_at IS NULL"
    reported = "count(e.id), sum(e.people_min), sum(e.people_max), sum(CASE WHEN e.people_max IS NULL THEN 1 ELSE 0 END)"
    per_event = (
        "SELECT p.event_id, count(p.id) AS n, sum(CASE WHEN p.status = 'vanished' THEN 1 ELSE 0 END) AS v"
        f" FROM persons p WHERE {persons_where} AND p.event_id IS NOT NULL GROUP BY p.event_id"
    )
    year, month = _year_month(dialect)
    month = f"CASE WHEN e.date_precision = 'year' THEN 0 ELSE {month} END"
    return [
        f"SELECT {reported} FROM repatriation_events e WHERE {events_where}",
        "SELECT id, name FROM crossing_points WHERE deleted_at IS NULL ORDER BY name",
        f"SELECT e.crossing_id, {reported} FROM repatriation_events e WHERE {events_where} GROUP BY e.crossing_id",
        f"SELECT e.crossing_id, sum(d.n), sum(d.v) FROM ({per_event}) d"
        " JOIN repatriation_events e ON e.id = d.event_id WHERE e.deleted_at IS NULL GROUP BY e.crossing_id",
        "SELECT id, name FROM facilities WHERE deleted_at IS NULL ORDER BY name",
        f"SELECT ef.facility_id, {reported} FROM event_facilities ef JOIN repatriation_events e ON e.id = ef.event_id"
        f" WHERE {events_where} GROUP BY ef.facility_id",
        "SELECT d.facility_id, count(DISTINCT d.person_id),"
        " count(DISTINCT CASE WHEN p.status = 'vanished' THEN d.person_id END)"
        f" FROM detentions d JOIN persons p ON p.id = d.person_id WHERE d.deleted_at IS NULL AND {persons_where}"
        " GROUP BY d.facility_id",
        f"SELECT p.status, p.gender, count(p.id) FROM persons p WHERE {persons_where} GROUP BY p.status, p.gender",
        f"SELECT {year}, {month}, {reported}, sum(CASE WHEN e.date_precision <> 'day' THEN 1 ELSE 0 END)"
        f" FROM repatriation_events e WHERE {events_where} GROUP BY 1, 2",
        f"SELECT {year}, {month}, sum(d.n), sum(d.v) FROM ({per_event}) d"
        " JOIN repatriation_events e ON e.id = d.event_id WHERE e.deleted_at IS NULL GROUP BY 1, 2",
        "SELECT rf.* FROM reported_figures rf JOIN sources s ON s.id = rf.source_id WHERE rf.deleted_at IS NULL",
    ]


def list_page_queries() -> list[str]:
    """The persons list filtered to 'vanished', page 201 of 25 rows (offset 5,000)."""
    where = "deleted_at IS NULL AND status = 'vanished'"
    return [
        f"SELECT count(*) FROM persons WHERE {where}",
        f"SELECT * FROM persons WHERE {where} ORDER BY case_code, id LIMIT 25 OFFSET 5000",
    ]


def facet_queries() -> list[str]:
    """The three facets compared with Datasette: persons by status and gender, events by crossing."""
    return [
        "SELECT status, gender, count(*) FROM persons WHERE deleted_at IS NULL GROUP BY status, gender",
        "SELECT crossing_id, count(*) FROM repatriation_events WHERE deleted_at IS NULL GROUP BY crossing_id",
    ]


def run_all(connection: Any, queries: list[str]) -> int:
    """Execute each query through the DBAPI and fetch every row; return the row count."""
    cursor = connection.cursor()
    rows = 0
    for query in queries:
        cursor.execute(query)
        rows += len(cursor.fetchall())
    cursor.close()
    return rows


def name_search_query(key: str, upper: str) -> list[str]:
    """A name search by hand: persons with a key in the prefix range, then their names."""
    ids = (
        "SELECT DISTINCT k.person_id FROM person_name_keys k JOIN persons p ON p.id = k.person_id"
        f" WHERE k.name_key >= '{key}' AND k.name_key < '{upper}' AND p.deleted_at IS NULL LIMIT 500"
    )
    return [
        "SELECT id, case_code, family_name, given_name, name_hangul, aliases FROM persons"
        f" WHERE id IN ({ids})"
    ]
