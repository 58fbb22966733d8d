"""Real `tracker serve` (gunicorn) processes for tests, and just enough of a browser."""

import http.cookiejar
import json
import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from tests import factories

REDIS_URL = "redis://127.0.0.1:6379/0"


def redis_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1) as connection:
            connection.sendall(b"PING\r\n")
            return connection.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return None


class Browser:
    """Cookies, no redirects followed, and the CSRF token from the login form."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirect()
        )

    def request(  # type: ignore[no-untyped-def]
        self,
        path: str,
        data: dict | None = None,
        headers: dict | None = None,
        json_body: dict | None = None,
    ):
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        headers = dict(headers or {})
        if json_body is not None:
            body = json.dumps(json_body).encode()
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(self.base + path, data=body, headers=headers)
        try:
            response = self.opener.open(request, timeout=30)
        except urllib.error.HTTPError as error:
            response = error
        with response:
            return response.status, dict(response.headers), response.read().decode()

    def log_in(self, email: str, password: str) -> int:
        _, _, page = self.request("/login")
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        factories.sensitive(token)
        status, _, _ = self.request(
            "/login", {"email": email, "password": password, "csrf_token": token}
        )
        return status


def start_server(
    database_url: str,
    instance: Path,
    limiter_url: str = "memory://",
    prefix: str = "tracker",
    workers: str | None = "1",
    **settings: str,
) -> tuple[subprocess.Popen, str]:
    """`tracker serve` with one worker on a free port (workers=None: its own default); returns
    the process and its base URL. `settings` are further TRACKER_* variables
    (cache_url="…" sets TRACKER_CACHE_URL)."""
    port = _free_port()
    env = dict(
        os.environ,
        **{f"TRACKER_{name.upper()}": value for name, value in settings.items()},
        TRACKER_DATABASE_URL=database_url,
        TRACKER_INSTANCE_PATH=str(instance),
        TRACKER_SECRET_KEY=secrets.token_urlsafe(48),
        TRACKER_RATELIMIT_STORAGE_URL=limiter_url,
        TRACKER_RATELIMIT_KEY_PREFIX=prefix,
    )
    tracker = Path(sys.executable).with_name("tracker")
    command = [str(tracker), "serve", "--host", "127.0.0.1", "--port", str(port)]
    process = subprocess.Popen(
        command + (["--workers", workers] if workers else []),
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(300):  # readiness, not a timing assertion: wait until it answers or dies
        if process.poll() is not None:
            raise RuntimeError("the server process exited")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return process, f"http://127.0.0.1:{port}"
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("the server did not start")


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    process.wait(timeout=30)
