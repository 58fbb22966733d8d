"""The production server keeps every visitor's session their own."""

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
