"""Correcting what was entered: a status entry and a detention row are corrected or withdrawn
from the person page with a reason, kept in the history (withdrawn, not deleted) and undone
or restored like any change; bad input changes nothing."""

from datetime import date

import pytest
from sqlalchemy import select

from tests import factories
from tests.conftest import csrf_token
from tests.workspace.records import october_case
from tracker.audit.models import AuditEntry
from tracker.exceptions import Conflict, NotFound, ValidationFailed
from tracker.extensions import db
from tracker.persons.models import Detention, Person, StatusRecord
from tracker.persons.services import persons, status_timeline


@pytest.fixture
def researcher(app):
    return factories.make_user("researcher", "fixer@example.org")


@pytest.fixture
def case(researcher):
    found = october_case(researcher)
    db.session.commit()
    return found


def _last_step(person):
    return (
        db.session.execute(
            select(AuditEntry)
            .where(AuditEntry.entity_type == "persons", AuditEntry.entity_id == person.id)
            .order_by(AuditEntry.id.desc())
        )
        .scalars()
        .first()
    )


# --- services ----------------------------------------------------------------------------


def test_a_corrected_status_date_is_audited_with_its_reason_and_can_be_undone(researcher, case):
    person = case["person"]
    entry = status_timeline(person)[0]
    persons.correct_status(
        researcher,
        person,
        entry.id,
        {"status": "vanished", "as_of": "2 Dec 2023", "source_id": case["secret"].id},
        "The source gave 2 December",
        person.version,
    )
    assert entry.as_of == date(2023, 12, 2)
    assert person.status_as_of == date(2023, 12, 2)
    step = _last_step(person)
    assert step.action == "status.correct"
    assert step.changes["reason"] == "The source gave 2 December"
    assert step.changes["status_record"]["old"]["as_of"] == "2023-12-01"
    assert step.changes["status_record"]["new"]["as_of"] == "2023-12-02"

    persons.undo_status_step(researcher, person, step.id, person.version)
    assert entry.as_of == date(2023, 12, 1)
    assert person.status_as_of == date(2023, 12, 1)
    assert _last_step(person).action == "status.correct"
    # The step it undid is no longer what the claim says: undoing it twice is refused.
    with pytest.raises(ValidationFailed):
        persons.undo_status_step(researcher, person, step.id)


def test_a_withdrawn_status_is_kept_and_comes_back_on_undo(researcher, case):
    person = case["person"]
    entry = status_timeline(person)[0]
    persons.withdraw_status_with_reason(
        researcher, person, entry.id, "Entered on the wrong person", person.version
    )
    assert person.status is None and status_timeline(person) == []
    assert db.session.get(StatusRecord, entry.id).deleted_at is not None  # kept, marked
    step = _last_step(person)
    assert (step.action, step.changes["reason"]) == (
        "status.withdraw",
        "Entered on the wrong person",
    )

    persons.undo_status_step(researcher, person, step.id, person.version)
    assert person.status == "vanished" and status_timeline(person) == [entry]
    assert _last_step(person).action == "status.restore"


def test_a_correction_needs_a_reason_and_valid_values_and_changes_nothing_otherwise(
    researcher, case
):
    person = case["person"]
    entry = status_timeline(person)[0]
    version = person.version
    with pytest.raises(ValidationFailed) as refused:
        persons.correct_status(
            researcher, person, entry.id, {"status": "vanished", "as_of": "31 Feb 2023"}, " "
        )
    assert {"as_of", "reason"} <= set(refused.value.fields)
    with pytest.raises(ValidationFailed) as refused:
        persons.withdraw_status_with_reason(researcher, person, entry.id, "", None)
    assert "reason" in refused.value.fields
    with pytest.raises(NotFound):
        persons.correct_status(researcher, person, 999_999, {}, "why")
    db.session.rollback()
    db.session.expire_all()
    assert db.session.get(StatusRecord, entry.id).as_of == date(2023, 12, 1)
    assert db.session.get(Person, person.id).version == version


def test_a_stale_person_page_cannot_correct_a_status(researcher, case):
    person = case["person"]
    entry = status_timeline(person)[0]
    stale = person.version
    persons.update(researcher, person, stale, {"origin_region": "Ryanggang"})
    with pytest.raises(Conflict):
        persons.correct_status(
            researcher, person, entry.id, {"status": "released"}, "Released in May", stale
        )


def test_a_detention_row_is_withdrawn_with_a_reason_and_restored_with_the_earlier_version(
    researcher, case
):
    person = case["person"]
    row = db.session.execute(select(Detention)).scalar_one()
    persons.correct_detention(
        researcher, person, 0, None, "She was never held there", person.version
    )
    assert person.detentions[0].deleted_at is not None  # withdrawn, not deleted
    assert persons.kind.field("detentions").read(person) == []
    step = _last_step(person)
    assert step.action == "update" and step.changes["reason"] == "She was never held there"

    before = persons.history(person)[1].entry.id
    persons.revert(researcher, person, before, person.version)
    rows = persons.kind.field("detentions").read(person)
    assert [r["facility_id"] for r in rows] == [row.facility_id]
    assert rows[0]["date_from"].start == date(2023, 6, 1)


def test_a_detention_row_is_corrected_in_place(researcher, case):
    person = case["person"]
    persons.correct_detention(
        researcher,
        person,
        0,
        {"date_from": "May 2023", "date_to": "2023-10-08"},
        "Arrested in May",
        person.version,
    )
    (row,) = persons.kind.field("detentions").read(person)
    assert (row["date_from"].start, row["date_from"].precision) == (date(2023, 5, 1), "month")
    with pytest.raises(ValidationFailed) as refused:
        persons.correct_detention(
            researcher, person, 0, {"date_from": "2023-11-01"}, "typo", person.version
        )
    assert "date_to" in refused.value.fields  # the end before the start, beside the field
    with pytest.raises(NotFound):
        persons.correct_detention(researcher, person, 5, None, "why", person.version)


# --- the person page ------------------------------------------------------------------------


def _post(client, path, data, prefix, person_id):
    token = csrf_token(client, f"/persons/{person_id}")
    return client.post(path, data={f"{prefix}-csrf_token": token, **data})


def test_the_person_page_corrects_and_withdraws_and_the_history_shows_the_reason(
    client, researcher, case
):
    from tests.conftest import log_in

    log_in(client, researcher.email)
    person = case["person"]
    entry = status_timeline(person)[0]
    prefix = f"status-{entry.id}"
    page = client.get(f"/persons/{person.id}").get_data(as_text=True)
    assert "Correct or withdraw this status" in page and f'name="{prefix}-reason"' in page

    refused = _post(
        client,
        f"/persons/{person.id}/statuses/{entry.id}/correct",
        {
            f"{prefix}-status": "vanished",
            f"{prefix}-as_of": "2023-12-02",
            f"{prefix}-save": "y",
            f"{prefix}-source_id": str(case["secret"].id),
            f"{prefix}-version": str(person.version),
        },
        prefix,
        person.id,
    )
    assert refused.status_code == 422
    assert "Say why" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(StatusRecord, entry.id).as_of == date(2023, 12, 1)

    saved = _post(
        client,
        f"/persons/{person.id}/statuses/{entry.id}/correct",
        {
            f"{prefix}-status": "vanished",
            f"{prefix}-as_of": "2023-12-02",
            f"{prefix}-save": "y",
            f"{prefix}-source_id": str(case["secret"].id),
            f"{prefix}-version": str(person.version),
            f"{prefix}-reason": "The source gave 2 December",
        },
        prefix,
        person.id,
    )
    assert saved.status_code == 302
    page = client.get(f"/persons/{person.id}").get_data(as_text=True)
    assert "Status corrected" in page and "Reason: The source gave 2 December" in page
    assert "2 December 2023" in page

    db.session.expire_all()
    person = db.session.get(Person, person.id)
    withdrawn = _post(
        client,
        f"/persons/{person.id}/detentions/0",
        {
            "detention-0-withdraw": "y",
            "detention-0-reason": "Wrong facility",
            "detention-0-version": str(person.version),
            "detention-0-facility_id": str(case["facility"].id),
        },
        "detention-0",
        person.id,
    )
    assert withdrawn.status_code == 302
    page = client.get(f"/persons/{person.id}").get_data(as_text=True)
    assert "No detention recorded." in page and "Reason: Wrong facility" in page


def test_analysts_get_no_correction_forms_and_cannot_post_them(client, case):
    from tests.conftest import log_in

    analyst = factories.make_user("analyst", "reader@example.org")
    db.session.commit()
    log_in(client, analyst.email)
    person = case["person"]
    entry = status_timeline(person)[0]
    page = client.get(f"/persons/{person.id}").get_data(as_text=True)
    assert "Correct or withdraw" not in page and "Undo this change" not in page
    token = csrf_token(client, "/account")
    response = client.post(
        f"/persons/{person.id}/statuses/{entry.id}/correct",
        data={f"status-{entry.id}-csrf_token": token, f"status-{entry.id}-withdraw": "y"},
    )
    assert response.status_code == 403
