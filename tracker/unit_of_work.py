"""The edges where a unit of work ends: a web request, a command, a job. Each commits once,
at its end, or rolls back everything it did; nothing else in the tracker commits or rolls
back (services flush and audit, the edge decides).

- A request commits when its answer is a success or a redirect, and rolls back on an error
  answer (4xx, 5xx) or an exception. A view that must keep a write although it answers with
  an error (a failed login is recorded and answered 401) says so with `keep_on_error()`.
- A command (`run_command`) and a job (`run_job`) commit when their function returns and
  roll back when it raises; a preview (`dry_run`) always rolls back.
"""

from collections.abc import Callable, Iterator
from typing import TypeVar

from flask import Flask, g
from werkzeug.wrappers import Response

from tracker.extensions import db

T = TypeVar("T")
KEEP = "_unit_of_work_keep"


def keep_on_error() -> None:
    """Commit this request's writes even though its answer is an error (a failed login)."""
    g.setdefault(KEEP, True)


def rollback() -> None:
    """Abandon the unit of work so far (before a page shows the records as they now are)."""
    db.session.rollback()


def _end_request(response: Response) -> Response:
    if response.status_code < 400 or g.get(KEEP):
        db.session.commit()
    else:
        db.session.rollback()
    return response


def _end_on_exception(error: BaseException | None) -> None:
    if error is not None:
        db.session.rollback()


def init_app(app: Flask) -> None:
    """Commit or roll back once per request, after the view and before the answer leaves."""
    app.after_request(_end_request)
    app.teardown_request(_end_on_exception)


def run_command(work: Callable[[], T]) -> T:
    """A command's unit of work: commit what `work` wrote, or roll it all back if it raised."""
    try:
        result = work()
    except BaseException:
        db.session.rollback()
        raise
    db.session.commit()
    return result


def run_job(
    work: Callable[[], T], dry_run: bool = False, keep: Callable[[T], bool] | None = None
) -> T:
    """A job's unit of work (an import): all or nothing; a dry run writes nothing, nor does
    a job whose result `keep` refuses (an import that accepted no row)."""
    try:
        result = work()
    except BaseException:
        db.session.rollback()
        raise
    if dry_run or (keep is not None and not keep(result)):
        db.session.rollback()
    else:
        db.session.commit()
    return result


def undone(work: Callable[[], T]) -> T:
    """Run `work` and undo what it wrote (a preview), keeping what this unit of work wrote
    before it (a mapping saved on the way)."""
    savepoint = db.session.begin_nested()
    try:
        return work()
    finally:
        savepoint.rollback()


def streamed(chunks: Iterator[bytes], finish: Callable[[], object]) -> Iterator[bytes]:
    """A streamed answer's second unit of work: after its last byte, `finish` records that it
    was sent (an export's completion), committed on its own."""
    yield from chunks
    run_command(finish)
