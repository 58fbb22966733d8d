"""The dashboard stays small however much is recorded: a long table shows its largest rows and
links to the whole table; the list pages count their rows once per change of the data."""

import re

from sqlalchemy import event

from tracker.events.services import events
from tracker.extensions import db
from tracker.places.services import crossings, facilities


def _facilities_table(page: str) -> list[str]:
    section = page.split('id="by-facility"')[1].split("</section>")[0]
    table = section.split("<tbody>")[1].split("</tbody>")[0]
    return re.findall(r'<th scope="row">([^<]+)</th>', table)


def test_a_long_table_shows_its_largest_rows_and_links_to_all_of_them(client, login_as):
    researcher = login_as("researcher")
    onsong = crossings.create(researcher, {"name": "Onsong", "province": "Jilin"})
    for n in range(1, 21):
        prison = facilities.create(researcher, {"name": f"Prison {n:02d}", "province": "Jilin"})
        events.create(
            researcher,
            {
                "date_start": "2023-10-09",
                "crossing_id": onsong.id,
                "people_min": n * 10,
                "facility_ids": [prison.id],
            },
        )
    db.session.commit()

    page = client.get("/?province=Jilin").get_data(as_text=True)
    shown = _facilities_table(page)
    assert shown == [f"Prison {n:02d}" for n in range(6, 21)]  # the 15 largest, by name
    assert "The 15 largest of 20." in page
    link = re.search(r'href="([^"]*all=facility[^"]*)">Show all 20 facilities<', page).group(1)
    assert "province=Jilin" in link

    everything = client.get(link.replace("&amp;", "&")).get_data(as_text=True)
    assert _facilities_table(everything) == [f"Prison {n:02d}" for n in range(1, 21)]
    assert "Show the largest only" in everything


def test_turning_the_pages_of_a_list_counts_its_rows_once(client, login_as):
    researcher = login_as("researcher")
    for n in range(60):
        crossings.create(researcher, {"name": f"Crossing {n:02d}"})
    db.session.commit()
    counts: list[str] = []

    def note(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        if "count(" in statement.lower():
            counts.append(statement)

    event.listen(db.engine, "before_cursor_execute", note)
    try:
        first = client.get("/crossings?page=1").get_data(as_text=True)
        second = client.get("/crossings?page=2").get_data(as_text=True)
        third = client.get("/crossings?page=3").get_data(as_text=True)
        assert len(counts) == 1
        crossings.create(researcher, {"name": "Namyang"})
        db.session.commit()
        fourth = client.get("/crossings?page=3").get_data(as_text=True)
        assert len(counts) == 2  # a write: counted afresh, once
    finally:
        event.remove(db.engine, "before_cursor_execute", note)
    assert "Crossing 00" in first and "Crossing 25" in second and "Crossing 59" in third
    assert "Namyang" in fourth
