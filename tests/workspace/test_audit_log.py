"""The admin's audit log can be narrowed to who, what, which record and when."""

from tests import factories
from tracker.extensions import db
from tracker.places.services import crossings, facilities


def test_the_audit_log_filters_by_actor_action_record_and_date(client, login_as):
    login_as("admin")
    alice = factories.make_user("researcher", "alice@example.org")
    bob = factories.make_user("researcher", "bob@example.org")
    shenyang = facilities.create(alice, {"name": "Shenyang Prison", "kind": "prison"})
    facilities.update(bob, shenyang, shenyang.version, {"province": "Liaoning"})
    crossings.create(bob, {"name": "Dandong"})
    db.session.commit()

    by_bob = client.get("/admin/audit?actor=bob@").get_data(as_text=True)
    assert by_bob.count("bob@example.org</td>") == 2
    assert "alice@example.org</td>" not in by_bob

    updates = client.get("/admin/audit?action=update").get_data(as_text=True)
    assert updates.count("<td>update</td>") == 1 and "<td>create</td>" not in updates

    one_record = client.get(
        f"/admin/audit?entity_type=facilities&entity_id={shenyang.id}"
    ).get_data(as_text=True)
    assert one_record.count(f"facilities #{shenyang.id}") == 2
    assert "crossing_points" not in one_record.split("<tbody>")[1]

    future = client.get("/admin/audit?date_from=2999-01-01").get_data(as_text=True)
    assert "No entries match these filters." in future

    bad = client.get("/admin/audit?entity_id=abc&date_to=yesterday")
    assert bad.status_code == 200
    assert "Record number: enter a whole number." in bad.get_data(as_text=True)


def test_the_audit_log_is_for_admins_only(client, login_as):
    login_as("researcher")
    assert client.get("/admin/audit?action=update").status_code == 403


def test_a_superscript_digit_as_record_number_is_a_message_not_a_crash(client, login_as):
    login_as("admin")
    response = client.get("/admin/audit", query_string={"entity_id": "²"})
    assert response.status_code < 500
    assert "Record number: enter a whole number." in response.get_data(as_text=True)
