"""`tracker worker`: huey's consumer over the app's queue; `tracker serve` starts one beside
gunicorn on a single machine (and stops it with the server)."""

import contextlib
import logging
import signal
import subprocess  # noqa: S404 - starts this same program as the worker
import sys
from collections.abc import Iterator

from flask import current_app

from tracker.jobs.queue import queue


def run_worker(workers: int) -> None:
    """Take jobs from the queue until stopped (SIGINT/SIGTERM); a job killed midway writes
    nothing (its one transaction is never committed)."""
    import tracker.imports.jobs  # noqa: F401 - registers the import job

    if current_app.config.get("QUEUE_IMMEDIATE"):
        raise RuntimeError("This queue runs jobs at once; there is nothing to wait for.")
    logging.getLogger("huey").setLevel(logging.INFO)
    consumer = queue().create_consumer(workers=workers, worker_type="thread")
    consumer.run()


def _die_with_parent() -> None:
    """On Linux, the worker is stopped when the server dies, even by SIGKILL."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


@contextlib.contextmanager
def started_worker(workers: int) -> Iterator[None]:
    """A `tracker worker` process for the time of the block (none when `workers` is 0)."""
    if workers <= 0:
        yield
        return
    process = subprocess.Popen(  # noqa: S603 - this interpreter, this program
        [sys.executable, "-m", "tracker", "worker", "--workers", str(workers)],
        preexec_fn=_die_with_parent,  # noqa: PLW1509 - before any thread is started
    )
    try:
        yield
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
