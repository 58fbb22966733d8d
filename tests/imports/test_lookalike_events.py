"""Events without ids imported again, from another file or in another case: each new event
that looks like an existing one (the same crossing, overlapping dates and counts) is flagged
and left out, as look-alike persons are, unless the user allows similar records."""

import re
from pathlib import Path

from sqlalchemy import func, select

from tests import factories
from tracker.events.models import RepatriationEvent
from tracker.extensions import db
from tracker.imports import services

FIRST = (
    "date,crossing,people,sources\n"
    "9 Oct 2023,Onsong,300+,Witness A\n"
    "October 2023,Dandong,180,Witness B\n"
)
# The same events as another team wrote them: other spellings, other case.
AGAIN = (
    "Date,Crossing,People,Sources\n"
    "2023-10-09,ONSONG,over 300,witness a\n"
    "2023.10,dandong,about 180, WITNESS B\n"
    "2023.10,Dandong,1000-1200,Witness B\n"
    "2024.3.1,Onsong,50,Witness A\n"
)


def run(tmp_path: Path, text: str, name: str, **options):  # type: ignore[no-untyped-def]
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    report = services.import_file(
        factories.make_user("researcher"),
        path,
        name,
        "events",
        None,
        services.ImportOptions(create_missing=True, **options),
    )
    db.session.commit()
    return report


def events() -> int:
    return db.session.execute(select(func.count()).select_from(RepatriationEvent)).scalar_one()


def test_the_same_events_again_are_flagged_not_doubled(app, tmp_path):
    first = run(tmp_path, FIRST, "first.csv")
    assert first.created == 2

    again = run(tmp_path, AGAIN, "again.csv")
    # Onsong 9 Oct (300–?) and Dandong October (180) are there already; Dandong's
    # 1,000–1,200 in October and Onsong in March 2024 are other events.
    assert (again.created, again.rejected, again.flagged) == (2, 2, 2)
    messages = [problem.message for problem in again.problems]
    assert all(message.startswith("Looks like event #") for message in messages)
    assert [number for number, _label in again.similar] == [2, 3]
    assert events() == 4

    allowed = run(tmp_path, AGAIN.replace("Witness", "Observer"), "allowed.csv", allow_similar=True)
    assert allowed.rejected == 0 and allowed.flagged == 4


def test_look_alike_rows_within_one_file(app, tmp_path):
    text = "date,crossing,people,sources\n9 Oct 2023,Onsong,300,A\n2023-10-09,Onsong,300,A\n"
    report = run(tmp_path, text, "twice.csv")
    assert (report.created, report.rejected) == (1, 1)
    assert re.match(r"Looks like (row 2 above|event #\d+) ", report.problems[0].message)


def test_rows_with_their_own_ids_are_records_of_their_source(app, tmp_path):
    text = "id_,date,crossing,people,sources\nA,9 Oct 2023,Onsong,3,A\nB,9 Oct 2023,Onsong,3,A\n"
    path = tmp_path / "incidents.csv"
    path.write_text(text, encoding="utf-8")
    mapping = {"external_id": "id_", "date_start": "date", "crossing": "crossing"}
    mapping |= {"people": "people", "sources": "sources"}
    report = services.import_file(
        None, path, path.name, "events", mapping, services.ImportOptions(create_missing=True)
    )
    assert (report.created, report.rejected) == (2, 0)
