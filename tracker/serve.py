"""Running the app under gunicorn from `tracker serve`."""

import contextvars
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication


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


def run_gunicorn(app: Flask, host: str, port: int, workers: int, threads: int) -> None:
    """Serve `app` on host:port with `workers` processes of `threads` threads each: a thread
    waiting on a slow page's queries leaves the others of its process serving fast pages."""
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
