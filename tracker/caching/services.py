"""The data version and the summary cache.

Every commit moves the data version on, inside the committing transaction, whenever the
transaction wrote to a table of records (`changed` marks it: flushes of such tables mark it
themselves, bulk writes call `mark_changed`). Cached figures are keyed by the version, the
filters and what the viewer may see, so they are never stale: a write makes the next view
compute afresh, in every process, unless the commit itself carried the figures to the new
version (`on_new_version`: the dashboard's unfiltered sums, tracker/dashboard/current.py).
One view computes a missing figure while the others wait for it (`cached`). The store is
Flask-Caching's: a folder in the instance folder by default (shared by the processes of one
machine), Redis when `CACHE_URL` names one.
"""

import hashlib
import json
import time
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, current_app
from flask_caching import Cache
from sqlalchemy import Connection, event, insert, select, update
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Session

from tracker.caching.models import DataVersion
from tracker.db import utcnow
from tracker.extensions import db

T = TypeVar("T")
CHANGED = "data_changed"
# Tables that are not records: accounts, the audit trail, counters and settings. A write to
# any other table changes what a summary may count.
NOT_RECORDS = frozenset(
    {
        "users",
        "api_tokens",
        "recovery_codes",
        "role_policies",
        "audit_entries",
        "import_batches",
        "import_mappings",
        "case_code_counters",
        "data_version",
    }
)
ROW_ID = 1

Version = tuple[int, str]  # (version, when it moved, ISO): one state of the data
# Called with (session, the version before, the version now, whether the unit of work wrote
# records around the session) inside a commit that moved the version on, before it lands.
VersionListener = Callable[[Session, Version | None, Version, bool], None]
_listeners: list[VersionListener] = []
BLIND = "data_changed_around_the_session"
# How long a summary is kept unread: one of an older version is never read again. The
# unfiltered summary, carried from version to version by each write, is kept for a day.
KEPT_SECONDS = 3600
CARRIED_SECONDS = 24 * 3600
# How long a view waits for another process computing the same summary before computing it
# itself.
WAIT_SECONDS = 60.0


cache = Cache()


def init_app(app: Flask) -> None:
    """The shared cache: Redis when CACHE_URL names one, else files in the instance folder."""
    url = app.config.get("CACHE_URL") or ""
    if url.startswith(("redis://", "rediss://", "unix://")):
        config = {"CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": url}
    elif url == "null":
        config = {"CACHE_TYPE": "NullCache", "CACHE_NO_NULL_WARNING": True}
    else:
        folder = url.removeprefix("file://") or f"{app.instance_path}/cache"
        config = {"CACHE_TYPE": "FileSystemCache", "CACHE_DIR": folder, "CACHE_THRESHOLD": 20000}
    config |= {"CACHE_DEFAULT_TIMEOUT": KEPT_SECONDS, "CACHE_KEY_PREFIX": "tracker:"}
    cache.init_app(app, config=config)
    # Flask-Caching remembers the last app it was given on this module-level object, which
    # kept every dropped app alive (the suite builds one per test). The store is found
    # through current_app; the cache is only used inside an app context.
    cache.app = None  # type: ignore[assignment]


def on_new_version(listener: VersionListener) -> VersionListener:
    """Call `listener` in every commit that moves the data version on (a decorator)."""
    _listeners.append(listener)
    return listener


def mark_changed() -> None:
    """Say that this unit of work wrote records by a path the session does not see (a bulk
    INSERT of an import): nothing kept may be carried to the next version."""
    db.session.info[CHANGED] = True
    db.session.info[BLIND] = True


@event.listens_for(Session, "before_flush")
def _note_record_writes(session: Session, context: Any, instances: Any) -> None:
    """A flush that writes a record marks the unit of work as a change of the data."""
    if session.info.get(CHANGED):
        return
    for obj in (*session.new, *session.dirty, *session.deleted):
        table = sa_inspect(obj).mapper.local_table
        if table.name not in NOT_RECORDS:
            session.info[CHANGED] = True
            return


@event.listens_for(Session, "before_commit")
def bump_if_changed(session: Session) -> None:
    """Move the data version on, in the transaction about to commit, if it wrote records.
    The session flushes after this event: it is flushed here first, so that its last
    changes are noted."""
    session.flush()
    if not session.info.pop(CHANGED, False):
        return
    blind = session.info.pop(BLIND, False)
    previous, now = move_on(session.connection())
    for listener in _listeners:
        listener(session, previous, now, blind)


@event.listens_for(Session, "after_rollback")
def forget_changes(session: Session) -> None:
    """A rolled-back unit of work changed nothing."""
    session.info.pop(CHANGED, None)
    session.info.pop(BLIND, None)


def move_on(connection: Connection) -> tuple[Version | None, Version]:
    """Name a new state of the data, in the connection's transaction: for a commit that wrote
    records, and for writes that bypass the session (a restored backup, a generated bench).
    Returns the version before and the version now (the row is locked until the commit)."""
    before = connection.execute(
        select(DataVersion.version, DataVersion.changed_at)
        .where(DataVersion.id == ROW_ID)
        .with_for_update()
    ).first()
    moment = utcnow()
    if before is None:  # the row was emptied (a test, a restore into a bare schema)
        connection.execute(insert(DataVersion).values(id=ROW_ID, version=1, changed_at=moment))
        return None, (1, moment.isoformat())
    connection.execute(
        update(DataVersion)
        .where(DataVersion.id == ROW_ID)
        .values(version=before.version + 1, changed_at=moment)
    )
    return (int(before.version), before.changed_at.isoformat()), (
        int(before.version) + 1,
        moment.isoformat(),
    )


def current_version(connection: Connection | None = None) -> Version | None:
    """The data version now (as `connection`, by default the session's, sees it), with the
    moment it moved: together they name one state of the data even across a restore from a
    backup (read once per cached view). None while the version row is missing: nothing may
    then be cached."""
    row = (
        (connection or db.session.connection())
        .execute(
            select(DataVersion.version, DataVersion.changed_at).where(DataVersion.id == ROW_ID)
        )
        .first()
    )
    if row is None:
        return None
    return int(row.version), row.changed_at.isoformat()


def key_of(*parts: Any) -> str:
    """A cache key: the parts as canonical JSON, hashed (filters may hold any text)."""
    text = json.dumps(parts, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _key(name: str, version: Version, parts: tuple[Any, ...]) -> str:
    return f"{name}:{key_of(version, *parts)}"


def enabled() -> bool:
    """Whether summaries are kept at all (`TRACKER_CACHE_URL=null` turns it off)."""
    return current_app.config.get("CACHE_URL") != "null"


def kept(name: str, version: Version, parts: tuple[Any, ...]) -> Any:
    """What was kept for `name` and these parts at that version, or None."""
    return cache.get(_key(name, version, parts)) if enabled() else None


def is_kept(name: str, version: Version, parts: tuple[Any, ...]) -> bool:
    """Whether something is kept for `name` and these parts at that version."""
    return enabled() and bool(cache.has(_key(name, version, parts)))


def keep(name: str, version: Version, parts: tuple[Any, ...], value: Any) -> None:
    """Keep `value` for `name` and these parts at that version (for a day)."""
    if enabled():
        cache.set(_key(name, version, parts), value, timeout=CARRIED_SECONDS)


def forget(name: str, version: Version, parts: tuple[Any, ...]) -> None:
    """Drop what was kept for `name` and these parts at that version."""
    if enabled():
        cache.delete(_key(name, version, parts))


def cached(name: str, parts: tuple[Any, ...], compute: Callable[[], T]) -> T:
    """`compute()` for these parts under the current data version: from the shared cache when
    another view (in any process) computed it already, else computed once and kept: views
    asking for it meanwhile wait for that computation instead of repeating it."""
    version = current_version()
    if version is None or not enabled():
        return compute()
    key = _key(name, version, parts)
    found = cache.get(key)
    if found is not None:
        return found  # type: ignore[no-any-return]
    if not cache.add(key + ":computing", True, timeout=int(WAIT_SECONDS)):
        found = _wait_for(key)
        if found is not None:
            return found  # type: ignore[no-any-return]
    try:
        value = compute()
        cache.set(key, value, timeout=KEPT_SECONDS)
    finally:
        cache.delete(key + ":computing")
    return value


def _wait_for(key: str) -> Any:
    """The value another view is computing, once it is kept (None if it never comes)."""
    deadline = time.monotonic() + WAIT_SECONDS
    pause = 0.01
    while time.monotonic() < deadline:
        time.sleep(pause)
        found = cache.get(key)
        if found is not None:
            return found
        if not cache.has(key + ":computing"):
            return cache.get(key)
        pause = min(pause * 2, 0.1)
    return None
