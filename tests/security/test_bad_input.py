"""Three inputs that gave a 500 now get a clear answer, and no error page of the server itself
lacks the security headers (issue 16, finding 6; ASVS V5.1.x, V14.4)."""

import json
import socket

import pytest

from tests import factories
from tests.conftest import csrf_token
from tests.security.gunicorn import start_server, stop
from tracker.accounts.services import create_api_token
from tracker.extensions import db
from tracker.places.services import facilities

EVIL_NEXT = "/%0d%0aX-Evil:%201"


def test_a_next_with_an_encoded_newline_after_login_goes_home(app, client):
    user = factories.make_user("analyst")
    db.session.commit()
    token = csrf_token(client, "/login?next=" + EVIL_NEXT)
    response = client.post(
        "/login?next=" + EVIL_NEXT,
        data={"email": user.email, "password": factories.PASSWORD, "csrf_token": token},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert "X-Evil" not in response.headers


@pytest.mark.parametrize("target", ["/\r\nX-Evil: 1", "/x\ny", "/\x7f"])
def test_a_next_with_a_control_character_on_language_goes_home(app, client, target):
    factories.make_user("analyst")
    db.session.commit()
    token = csrf_token(client, "/login")
    response = client.post(
        "/language", data={"language": "ko", "next": target, "csrf_token": token}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert "X-Evil" not in response.headers


def _token(role: str = "researcher") -> str:
    user = factories.make_user(role)
    db.session.commit()
    _record, plain = create_api_token(None, user, "test")
    db.session.commit()
    return factories.sensitive(plain)


@pytest.mark.parametrize("method", ["POST", "PATCH"])
def test_a_json_body_nested_500_levels_deep_is_a_400(app, client, method):
    headers = {"Authorization": f"Bearer {_token()}", "Content-Type": "application/json"}
    facility = facilities.create(None, {"name": "Shenyang Prison", "kind": "prison"})
    db.session.commit()
    path = "/api/v1/facilities" + ("" if method == "POST" else f"/{facility.id}")
    body = '{"name": ' + "[" * 500 + "]" * 500 + "}"
    response = client.open(path, method=method, data=body, headers=headers)
    assert response.status_code == 400
    assert "nested too deeply" in response.get_json()["error"]["message"]
    # brackets inside strings are text, not nesting; a normal body still works
    fine = json.dumps({"name": "[" * 100 + ' {"quoted}', "kind": "prison"})
    created = client.post("/api/v1/facilities", data=fine, headers=headers)
    assert created.status_code == 201, created.get_json()


def test_errors_written_by_the_server_itself_carry_the_security_headers(app, tmp_path):
    """gunicorn answers a request it cannot parse (here a request line over its limit)
    without the app: that answer too has the security headers and no gunicorn page."""
    process, base = start_server(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path / "instance")
    try:
        host, port = base.removeprefix("http://").split(":")
        with socket.create_connection((host, int(port)), timeout=30) as connection:
            connection.sendall(b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\nHost: x\r\n\r\n")
            answer = b""
            while chunk := connection.recv(65536):
                answer += chunk
        head, _, body = answer.decode("latin-1").partition("\r\n\r\n")
        status, *lines = head.split("\r\n")
        headers = dict(line.split(": ", 1) for line in lines)
        assert status.startswith("HTTP/1.1 414")
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Content-Security-Policy"].startswith("default-src 'self'")
        assert headers["Cache-Control"] == "no-store"
        assert "gunicorn" not in body.lower() and "aaaa" not in body
    finally:
        stop(process)
