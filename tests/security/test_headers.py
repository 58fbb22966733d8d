"""The security header set on every kind of response: 200, 302, 404 and 500 alike."""

import pytest

from tests import factories
from tracker.extensions import db
from tracker.security.headers import CONTENT_SECURITY_POLICY

EXPECTED = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}
# What a stack trace could carry: a query, a path, a person's name.
LEAK = "SELECT family_name FROM persons WHERE given_name = 'Ri Sun-hui' /work/main/tracker/x.py"


@pytest.fixture
def crashing_app(app):
    def boom():  # a bug somewhere in a view
        raise RuntimeError(LEAK)

    app.add_url_rule("/boom", "boom", boom)
    return app


def _responses(client, login_as):
    factories.make_user("admin", "first@example.org")
    db.session.commit()
    anonymous = {"302": client.get("/"), "200": client.get("/login")}
    login_as("researcher")
    return anonymous | {
        "200 logged in": client.get("/"),
        "404": client.get("/no/such/page"),
        "500": client.get("/boom"),
    }


def _assert_header_set(response):
    for name, value in EXPECTED.items():
        assert response.headers.get(name) == value, name
    csp = response.headers["Content-Security-Policy"]
    assert csp == CONTENT_SECURITY_POLICY
    assert "frame-ancestors 'none'" in csp
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "Server" not in response.headers
    assert "Access-Control-Allow-Origin" not in response.headers  # V14.5.3: no CORS at all


def test_v14_4_3_to_7_header_set_on_200_302_404_and_500(crashing_app, client, login_as):
    responses = _responses(client, login_as)
    assert {key: r.status_code for key, r in responses.items()} == {
        "302": 302,
        "200": 200,
        "200 logged in": 200,
        "404": 404,
        "500": 500,
    }
    for response in responses.values():
        _assert_header_set(response)


def test_v14_4_5_hsts_only_over_https(client):
    factories.make_user("admin", "first@example.org")
    db.session.commit()
    plain = client.get("/login")
    secure = client.get("/login", base_url="https://tracker.example")
    assert "Strict-Transport-Security" not in plain.headers
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_v7_4_1_a_crash_shows_a_reference_and_nothing_of_the_system(crashing_app, client, login_as):
    factories.make_user("admin", "first@example.org")
    db.session.commit()
    login_as("researcher")
    response = client.get("/boom")
    page = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Something went wrong on our side" in page
    assert "reference" in page
    for fragment in ("SELECT", "Ri Sun-hui", "/work/main", "Traceback", "RuntimeError"):
        assert fragment not in page


def test_v7_4_1_the_reference_is_in_the_server_log_with_the_traceback(
    crashing_app, client, login_as, caplog
):
    factories.make_user("admin", "first@example.org")
    db.session.commit()
    login_as("researcher")
    response = client.get("/boom")
    reference = response.get_data(as_text=True).split("<code>")[1].split("</code>")[0]
    assert len(reference) == 12
    logged = [r for r in caplog.records if reference in r.getMessage()]
    assert logged and logged[0].exc_info is not None


def test_v14_4_3_static_files_may_be_cached_but_pages_never_by_a_shared_cache(client, login_as):
    """An analyst's dashboard (counts only) may be kept by their own browser, which must ask
    again before reusing it (issue #18); no shared proxy keeps it; a page that may show
    identities (a researcher's dashboard names confidential sources) is never kept."""
    login_as("analyst")
    page = client.get("/")
    with client.get("/static/tracker.css") as stylesheet:
        assert stylesheet.headers.get("Cache-Control") != "no-store"
        assert stylesheet.headers["X-Content-Type-Options"] == "nosniff"
    assert page.headers["Cache-Control"] == "private, no-cache"


def test_a_page_that_may_show_identities_is_never_kept(client, login_as):
    login_as("researcher")
    response = client.get("/")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert "ETag" not in response.headers
