"""Running the app under gunicorn from `tracker serve`."""

import contextvars
from typing import Any

from flask import Flask
from gunicorn import util as gunicorn_util
from gunicorn.app.base import BaseApplication

from tracker.security.headers import STATIC_HEADERS


class _Server(BaseApplication):
    def __init__(self, app: Flask, options: dict[str, Any]):
        self.application = app
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        return _fresh_context_per_request(self.application)


def _fresh_context_per_request(app: Flask) -> Any:
    """Run each request in an empty contextvars.Context.

    `tracker serve` is a Flask CLI command, so an app context is already active when gunicorn
    starts, and forked workers inherit it. Flask reuses an active app context for the same app,
    so without this every request in a worker would share one `g`: Flask-WTF's cached CSRF
    token (only the first visitor could log in) and Flask-Login's cached user among them.
    """

    def wsgi(environ: dict[str, Any], start_response: Any) -> Any:
        return contextvars.Context().run(app, environ, start_response)

    return wsgi


SHARED_DEFAULT_WORKERS = 2


def choose_workers(limiter_store: str, asked: int | None) -> int:
    """How many processes `tracker serve` runs: one while the limiter counts in memory (each
    process would count on its own, so a limit of 10 would let 10 per process through), the
    asked number (default 2) once the store is shared. Raises ValueError for several processes
    on a memory store."""
    shared = not limiter_store.strip().lower().startswith("memory://")
    if asked is None:
        return SHARED_DEFAULT_WORKERS if shared else 1
    if asked > 1 and not shared:
        raise ValueError(
            f"--workers {asked} needs a limiter store the processes share: set "
            "TRACKER_RATELIMIT_STORAGE_URL=redis://… (with memory:// each process would count "
            "login attempts on its own). One process with --threads serves many users."
        )
    return asked


def _write_error_with_headers(sock: Any, status_int: int, reason: str, mesg: str) -> None:
    """gunicorn's own error answer (a request it cannot parse, a crash outside the app) with
    the app's security headers and a generic text instead of gunicorn's page and message."""
    body = b"<!doctype html><title>Error</title><h1>The request could not be completed.</h1>\n"
    head = [f"HTTP/1.1 {int(status_int)} {reason}", "Connection: close"]
    head += [f"{name}: {value}" for name, value in STATIC_HEADERS.items()]
    head += [
        "Cache-Control: no-store",
        "Content-Type: text/html; charset=utf-8",
        f"Content-Length: {len(body)}",
    ]
    gunicorn_util.write_nonblock(sock, ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body)


def run_gunicorn(app: Flask, host: str, port: int, workers: int, threads: int) -> None:
    """Serve `app` on host:port with `workers` processes of `threads` threads each: a thread
    waiting on a slow page's queries leaves the others of its process serving fast pages."""
    gunicorn_util.write_error = _write_error_with_headers  # no error page without our headers
    _Server(
        app,
        {
            "bind": f"{host}:{port}",
            "workers": workers,
            "worker_class": "gthread",
            "threads": threads,
            # An idle connection is kept longer than a reader's pause between pages, so the
            # server never closes one just as the browser sends its next request on it (seen
            # as reset connections under load with gunicorn's 2 s). Idle connections wait in
            # the worker's poller and hold no thread.
            "keepalive": 15,
            "accesslog": "-",
            # the path only: a query string could carry search terms
            "access_log_format": '%(h)s "%(m)s %(U)s" %(s)s %(B)s %(L)ss',
            "errorlog": "-",
        },
    ).run()
