"""The task queue: huey, stored in a SQLite file in the instance folder by default, in Redis
when TRACKER_QUEUE_URL names one (so several machines share it), run in the calling thread
in tests ("immediate"). Jobs are registered by name; one huey task runs any of them inside
the app, and keeps each job's state (progress, result) in the queue's own storage, where the
web processes read it: never in the database, whose one write transaction is the job's."""

import secrets
import time
import weakref
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask, current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from huey import Huey, MemoryHuey, RedisHuey, SqliteHuey

from tracker.i18n import DEFAULT

EXTENSION = "tracker_queue"
TASK = "tracker_queue_task"
# Job runners by name: run(job, payload) -> the result kept in the job's state.
RUNNERS: dict[str, Callable[["Job", dict[str, Any]], dict[str, Any]]] = {}
KEEP_SECONDS = 7 * 24 * 3600


def init_app(app: Flask) -> None:
    """Create the app's queue and its one task."""
    queue = make_queue(app)
    app.extensions[EXTENSION] = queue

    app_ref = weakref.ref(app)  # the queue never keeps a dropped app alive

    @queue.task(name="tracker.run_job")
    def run(job_id: str, name: str, payload: dict[str, Any]) -> None:
        owner = app_ref()
        if owner is None:
            return
        with owner.app_context():
            _run(job_id, name, payload)

    app.extensions[TASK] = run  # calling it queues the job


def make_queue(app: Flask) -> Huey:
    """The queue the settings name: immediate (tests), Redis, or a SQLite file."""
    url = str(app.config.get("QUEUE_URL") or "")
    if app.config.get("QUEUE_IMMEDIATE"):
        return MemoryHuey("tracker", immediate=True)
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisHuey("tracker", url=url)
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
    elif url:
        raise ValueError("TRACKER_QUEUE_URL is redis://… or sqlite:///PATH.")
    else:
        path = Path(app.instance_path) / "queue.db"
    path.parent.mkdir(parents=True, exist_ok=True)
    return SqliteHuey("tracker", filename=str(path))


def queue() -> Huey:
    """The current app's queue."""
    return current_app.extensions[EXTENSION]  # type: ignore[no-any-return]


class Job:
    """One job's state, kept in the queue's storage: what it is, whose it is, how far it got."""

    def __init__(self, job_id: str, state: dict[str, Any]):
        self.id = job_id
        self.state = state

    def progress(self, done: int, total: int | None = None) -> None:
        """Record rows done (and the total, once known)."""
        self.state["done"] = done
        if total is not None:
            self.state["total"] = total
        self.state["updated"] = time.time()
        _save(self)

    def __getitem__(self, key: str) -> Any:
        return self.state.get(key)


def submit(
    name: str,
    user_id: int | None,
    payload: dict[str, Any],
    title: str,
    about: dict[str, Any] | None = None,
) -> Job:
    """Queue a job for the worker; its state says "queued" until a worker takes it. `about`
    is what its page needs to link back (an upload's token), kept with its state."""
    job = Job(
        secrets.token_urlsafe(24),
        {
            "name": name,
            "user_id": user_id,
            "title": title,
            "about": about or {},
            "status": "queued",
            "done": 0,
            "total": None,
            "created": time.time(),
            "started": None,
            "updated": time.time(),
            "result": None,
            "error": None,
        },
    )
    _save(job)
    current_app.extensions[TASK](job.id, name, payload)
    return find(job.id) or job


def find(job_id: str) -> Job | None:
    """A job's state, or None."""
    state = queue().get(_key(job_id), peek=True)
    return Job(job_id, state) if isinstance(state, dict) else None


def _run(job_id: str, name: str, payload: dict[str, Any]) -> None:
    job = find(job_id) or Job(job_id, {"name": name})
    job.state.update(status="running", started=time.time(), updated=time.time())
    _save(job)
    try:
        result = RUNNERS[name](job, payload)
    except Exception as error:  # the job's page says why; the worker goes on
        from tracker.exceptions import ServiceError

        message = error.message if isinstance(error, ServiceError) else None
        if not message:  # in the language of the page that queued the job
            with force_locale(payload.get("language") or DEFAULT):
                message = _(
                    "The job stopped (%(error)s); nothing was written.",
                    error=type(error).__name__,
                )
        job.state.update(status="failed", error=message, updated=time.time())
        _save(job)
        if not isinstance(error, ServiceError):
            raise
        return
    job.state.update(status="done", result=result, updated=time.time())
    _save(job)


def _save(job: Job) -> None:
    queue().put(_key(job.id), job.state)


def _key(job_id: str) -> str:
    return f"tracker:job:{job_id}"


def speed(job: Job) -> dict[str, float | None]:
    """Rows per second so far, and the seconds left at that pace (None until known)."""
    started, updated = job["started"], job["updated"]
    done, total = job["done"] or 0, job["total"]
    if not started or not updated or updated <= started or not done:
        return {"rate": None, "left": None, "percent": None}
    rate = done / (updated - started)
    left = (total - done) / rate if total and rate else None
    percent = 100 * done / total if total else None
    return {"rate": rate, "left": left, "percent": percent}
