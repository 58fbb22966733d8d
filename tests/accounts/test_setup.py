"""/setup creates the first admin once; afterwards it is gone."""

from sqlalchemy import select

from tests.conftest import csrf_token
from tracker.accounts.models import User
from tracker.audit.models import AuditEntry
from tracker.extensions import db

GOOD = {
    "email": "admin@example.org",
    "password": "a long enough passphrase",
    "confirm": "a long enough passphrase",
}


def test_first_visit_goes_to_setup(client):
    for path in ("/", "/login", "/admin/users"):
        response = client.get(path)
        assert response.status_code == 302
        assert response.headers["Location"].endswith("/setup")


def test_setup_creates_an_admin_logs_in_and_shows_the_dashboard(client):
    data = dict(GOOD, csrf_token=csrf_token(client, "/setup"))
    response = client.post("/setup", data=data)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    page = client.get("/").get_data(as_text=True)
    assert "Dashboard" in page
    assert "admin@example.org" in page
    user = db.session.execute(select(User)).scalar_one()
    assert user.role == "admin"
    assert user.password_hash.startswith("$argon2id$")
    actions = db.session.execute(select(AuditEntry.action)).scalars().all()
    assert "user.create" in actions


def test_setup_works_only_once(client):
    client.post("/setup", data=dict(GOOD, csrf_token=csrf_token(client, "/setup")))
    other = client.application.test_client()
    assert other.get("/setup").status_code == 404
    token = csrf_token(other, "/login")
    second = dict(GOOD, email="second@example.org", csrf_token=token)
    assert other.post("/setup", data=second).status_code == 404
    assert db.session.execute(select(User.email)).scalars().all() == ["admin@example.org"]


def test_setup_rejects_bad_input_with_a_message_and_writes_nothing(client):
    cases = [
        ({"email": "", "password": "", "confirm": ""}, "This field is required."),
        (dict(GOOD, email="not an email"), "valid email"),
        (dict(GOOD, password="short", confirm="short"), "at least 12"),
        (dict(GOOD, confirm="something else entirely"), "The passwords differ."),
        (dict(GOOD, password="x" * 129, confirm="x" * 129), "128"),
        (dict(GOOD, email="a" * 300 + "@example.org"), "254"),
    ]
    for data, message in cases:
        response = client.post("/setup", data=dict(data, csrf_token=csrf_token(client, "/setup")))
        assert 400 <= response.status_code < 500, data
        assert message in response.get_data(as_text=True), data
    assert db.session.execute(select(User)).first() is None


def test_setup_without_csrf_token_is_refused(client):
    response = client.post("/setup", data=GOOD)
    assert response.status_code == 400
    assert "form expired" in response.get_data(as_text=True)
    assert db.session.execute(select(User)).first() is None
