"""The production server keeps every visitor's session their own."""

import http.client
import time

from tests import factories
from tests.security.gunicorn import Browser, start_server, stop
from tracker.extensions import db


def test_v3_2_1_each_visitor_of_tracker_serve_gets_a_session_of_their_own(app, tmp_path):
    factories.make_user("analyst", "ana@example.org")
    db.session.commit()
    process, base = start_server(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path / "instance")
    try:
        ana, stranger, latecomer = Browser(base), Browser(base), Browser(base)
        assert ana.log_in("ana@example.org", factories.PASSWORD) == 302
        assert ana.request("/")[0] == 200
        # the same worker process serves the next visitors: they must not be Ana
        status, headers, _ = stranger.request("/")
        assert status == 302 and headers["Location"].startswith("/login")
        status, _, page = stranger.request("/account")
        assert status == 302 and "ana@example.org" not in page
        # and each gets a working login form of their own (own cookie, own CSRF token)
        assert latecomer.log_in("ana@example.org", factories.PASSWORD) == 302
        assert "Set-Cookie" in Browser(base).request("/login")[1]
    finally:
        stop(process)


def test_a_connection_kept_open_between_pages_still_answers(app, tmp_path):
    """A reader pauses a few seconds between pages and the browser sends the next request on
    the connection it kept: the server must not have closed it meanwhile (gunicorn's default
    of 2 s did, and under load such requests failed as reset connections)."""
    process, base = start_server(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path / "instance")
    try:
        connection = http.client.HTTPConnection(base.removeprefix("http://"), timeout=10)
        connection.request("GET", "/login")
        first = connection.getresponse()
        first.read()
        time.sleep(4)  # a reader's pause, not a timing assertion
        connection.request("GET", "/login")  # on the same connection, as a browser does
        assert connection.getresponse().status == first.status
        connection.close()
    finally:
        stop(process)
