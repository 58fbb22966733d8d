"""`tracker sample load` holds exactly the public figures of October 2023, and is idempotent."""

from datetime import date

from sqlalchemy import func, select

from tracker.audit.models import AuditEntry
from tracker.events.models import RepatriationEvent, ReportedFigure
from tracker.extensions import db
from tracker.persons.models import Person
from tracker.places.models import CrossingPoint, Facility
from tracker.sources.models import Source


def _count(model):
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def _event_at(name):
    return db.session.execute(
        select(RepatriationEvent).join(CrossingPoint).where(CrossingPoint.name == name)
    ).scalar_one()


def test_sample_load_holds_the_public_figures(runner):
    result = runner.invoke(args=["sample", "load"])
    assert result.exit_code == 0, result.output
    facilities = db.session.execute(select(Facility.name, Facility.province)).all()
    assert sorted(facilities) == [
        ("Changchun Tiebei Prison", "Jilin"),
        ("Shenyang Prison", "Liaoning"),
    ]
    assert sorted(db.session.execute(select(CrossingPoint.name)).scalars()) == ["Dandong", "Onsong"]

    onsong = _event_at("Onsong")
    assert (onsong.date_start, onsong.date_end, onsong.date_precision) == (
        date(2023, 10, 9),
        date(2023, 10, 9),
        "day",
    )
    assert (onsong.people_min, onsong.people_max) == (300, None)

    dandong = _event_at("Dandong")
    assert (dandong.date_start, dandong.date_end, dandong.date_precision) == (
        date(2023, 10, 1),
        date(2023, 10, 31),
        "month",
    )
    assert (dandong.people_min, dandong.people_max) == (180, 180)
    assert dandong.people_approximate, "about 180"
    # Each event's origin facility, as reported: the facility chart has bars.
    assert [f.name for f in onsong.facilities] == ["Changchun Tiebei Prison"]
    assert [f.name for f in dandong.facilities] == ["Shenyang Prison"]
    for source in db.session.execute(select(Source)).scalars():
        assert source.url and source.url.startswith("https://"), source.title
        assert source.reliability in "ABCDEF" and 1 <= source.credibility <= 6, source.title
        assert source.organisation and source.published_on, source.title

    vanished = db.session.execute(select(ReportedFigure)).scalar_one()
    assert (vanished.status, vanished.people_min, vanished.people_max) == ("vanished", None, 600)
    assert vanished.source.title

    for event in (onsong, dandong):
        assert event.claims, "every event cites a source"
        assert all(claim.source.title for claim in event.claims)
    assert _count(Person) == 0, "the sample invents no people"


def test_sample_load_twice_changes_nothing(runner):
    runner.invoke(args=["sample", "load"])
    counts = [
        _count(m)
        for m in (Facility, CrossingPoint, Source, RepatriationEvent, ReportedFigure, AuditEntry)
    ]
    second = runner.invoke(args=["sample", "load"])
    assert second.exit_code == 0
    assert "nothing changed" in second.output
    assert [
        _count(m)
        for m in (Facility, CrossingPoint, Source, RepatriationEvent, ReportedFigure, AuditEntry)
    ] == counts


def test_sample_records_are_audited(runner):
    runner.invoke(args=["sample", "load"])
    created = db.session.execute(
        select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "create")
    ).scalar_one()
    assert created == 11


def test_loading_again_completes_a_sample_loaded_by_an_earlier_version(runner):
    runner.invoke(args=["sample", "load"])
    dandong = _event_at("Dandong")
    dandong.facilities = []
    dandong.people_approximate = False
    for source in db.session.execute(select(Source)).scalars():
        source.url, source.reliability, source.credibility = None, None, None
    db.session.commit()

    result = runner.invoke(args=["sample", "load"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    dandong = _event_at("Dandong")
    assert [f.name for f in dandong.facilities] == ["Shenyang Prison"]
    assert dandong.people_approximate
    assert all(s.url and s.reliability for s in db.session.execute(select(Source)).scalars())
    assert _count(Person) == 0
    again = runner.invoke(args=["sample", "load"])
    assert "nothing changed" in again.output
