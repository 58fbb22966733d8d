"""Edits that race each other are caught, and case codes are never handed out twice."""

import threading
from datetime import date

import pytest
from sqlalchemy import text, update

from tests import factories
from tracker.exceptions import Conflict
from tracker.extensions import db
from tracker.persons.services import next_case_code
from tracker.places.models import Facility
from tracker.places.services import facilities


def test_a_save_that_loses_the_race_after_its_version_check_is_still_a_conflict(app):
    researcher = factories.make_user("researcher")
    facility = facilities.create(researcher, {"name": "Tumen", "kind": "prison"})
    db.session.commit()
    version = facility.version
    # Another process saves between this request's version check and its write.
    with db.engine.begin() as other:
        other.execute(
            update(Facility)
            .where(Facility.id == facility.id)
            .values(name="Tumen Detention Centre", version=version + 1)
        )
    with pytest.raises(Conflict):
        facilities.update(researcher, facility, version, {"name": "Tumen Prison"})
    db.session.rollback()
    assert db.session.get(Facility, facility.id).name == "Tumen Detention Centre"


@pytest.mark.postgres_only
def test_two_transactions_asking_for_a_case_code_at_once_get_different_numbers(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite has a single writer")
    year = date.today().year
    assert next_case_code(year) == f"RT-{year}-0001"  # the year's counter row exists
    db.session.commit()
    codes: dict[str, str] = {}
    taken, commit_now = threading.Event(), threading.Event()

    def first() -> None:
        with app.app_context():
            codes["first"] = next_case_code(year)
            taken.set()
            commit_now.wait()
            db.session.commit()

    def second() -> None:
        with app.app_context():
            codes["second"] = next_case_code(year)
            db.session.commit()

    one = threading.Thread(target=first)
    one.start()
    taken.wait()
    two = threading.Thread(target=second)
    two.start()
    # Wait (without a clock) until the second transaction is blocked on the counter row.
    with db.engine.connect() as monitor:
        for _ in range(100_000):
            waiting = monitor.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE wait_event_type = 'Lock' AND datname = current_database()"
                )
            ).scalar_one()
            if waiting:
                break
        assert waiting, "the second transaction never waited for the first"
    commit_now.set()
    one.join()
    two.join()
    assert codes == {"first": f"RT-{year}-0002", "second": f"RT-{year}-0003"}
