"""Every page but login, setup and static files needs a login; role rules hold per page."""

import pytest
from werkzeug.routing import Rule
from werkzeug.routing.converters import NumberConverter

from tests import factories
from tracker.extensions import db

# accounts.language: the language switcher, on the login page too (a cookie, no record).
PUBLIC = {"accounts.login", "accounts.login_code", "accounts.setup", "accounts.language", "static"}


def _sample_path(rule: Rule) -> str:
    values = {}
    for argument in rule.arguments:
        converter = rule._converters[argument]
        values[argument] = 1 if isinstance(converter, NumberConverter) else "x"
    return rule.build(values, append_unknown=False)[1]


def _protected_rules(app):
    return [rule for rule in app.url_map.iter_rules() if rule.endpoint not in PUBLIC]


def test_anonymous_requests_to_every_route_are_sent_to_login(app, client):
    factories.make_user("admin")
    db.session.commit()
    rules = _protected_rules(app)
    assert len(rules) >= 4
    for rule in rules:
        path = _sample_path(rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(path, method=method)
            if path.startswith("/api/v1/"):  # the JSON API: no login page, a 401 in JSON
                assert response.status_code == 401, (method, path)
                assert response.get_json()["error"]["code"] == "unauthorized"
                continue
            assert response.status_code == 302, (method, path)
            assert response.headers["Location"].startswith("/login"), (method, path)


def test_login_and_setup_and_static_are_reachable_anonymously(client):
    factories.make_user("admin")
    db.session.commit()
    assert client.get("/login").status_code == 200
    with client.get("/static/tracker.css") as stylesheet:
        assert stylesheet.status_code == 200
    assert client.get("/setup").status_code == 404  # gone once an account exists


@pytest.mark.parametrize("role", ["admin", "researcher", "analyst"])
def test_every_role_sees_the_dashboard(login_as, client, role):
    login_as(role)
    response = client.get("/")
    assert response.status_code == 200
    assert "Dashboard" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("role", "status"), [("admin", 200), ("researcher", 403), ("analyst", 403)]
)
@pytest.mark.parametrize("path", ["/admin/users", "/admin/audit"])
def test_admin_pages_are_for_admins_only(login_as, client, role, status, path):
    login_as(role)
    assert client.get(path).status_code == status


def test_admin_sees_accounts_and_their_last_login(login_as, client):
    admin = login_as("admin")
    page = client.get("/admin/users").get_data(as_text=True)
    assert admin.email in page
    assert "never" not in page  # the admin has just logged in


def test_huge_ids_and_unknown_pages_are_404_not_500(login_as, client):
    login_as("admin")
    assert client.get("/no/such/page").status_code == 404
    assert client.get("/admin/audit?page=99999999999999999999").status_code == 200
