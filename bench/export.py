"""The CSV export of every person: our streamed pipeline beside a plain csv.writer over the same
query through the driver, with rows per second, time to the first chunk and peak memory."""

import csv
import io
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

from tracker.exports import services
from tracker.extensions import db
from tracker.kinds.listing import list_query
from tracker.kinds.registry import kind


def our_export(max_rows: int | None = None) -> Callable[[], int]:
    """Stream the redacted persons CSV (list order) into nothing, all rows or the first
    `max_rows`; return its size."""

    def run() -> int:
        options = services.clean_options({"what": "persons", "format": "csv"})
        export = services.start_export(None, options, {})
        size = rows = 0
        chunks = export.chunks()
        for chunk in chunks:
            size += len(chunk)
            rows += chunk.count(b"\n")  # the synthetic data has no line breaks inside cells
            if max_rows is not None and rows >= max_rows:
                break
        chunks.close()
        db.session.rollback()
        return size

    return run


def plain_query_sql() -> tuple[str, dict[str, Any]]:
    """The SQL the persons list (and so the export) runs, with its columns, and what the export
    writes beside them: each person's event's crossing name and days, and the names of the
    facilities of their detentions (one subquery each), ready for the driver."""
    from sqlalchemy import func, select

    from tracker.events.models import RepatriationEvent
    from tracker.persons.models import Detention, Person
    from tracker.places.models import CrossingPoint, Facility

    listing = list_query(kind("persons"), {}, False, False)
    aggregate = (
        func.string_agg(Facility.name, "; ")
        if db.engine.dialect.name == "postgresql"
        else func.group_concat(Facility.name, "; ")
    )
    facilities = (
        select(aggregate)
        .join(Detention, Detention.facility_id == Facility.id)
        .where(Detention.person_id == Person.id, Detention.deleted_at.is_(None))
        .scalar_subquery()
    )
    event = (
        select(CrossingPoint.name)
        .join(RepatriationEvent, RepatriationEvent.crossing_id == CrossingPoint.id)
        .where(RepatriationEvent.id == Person.event_id)
        .scalar_subquery()
    )
    query = (
        listing.query.add_columns(event, facilities)
        .outerjoin(RepatriationEvent, RepatriationEvent.id == Person.event_id)
        .add_columns(RepatriationEvent.date_start, RepatriationEvent.date_end)
    )
    compiled = query.compile(dialect=db.engine.dialect, compile_kwargs={"literal_binds": True})
    return str(compiled), {}


def plain_csv(raw: Any, dialect: str, max_rows: int | None = None) -> Callable[[], int]:
    """csv.writer over the same query's rows, straight from a DB-API cursor, into nothing
    (all rows or the first `max_rows`)."""
    sql, params = plain_query_sql()

    def run() -> int:
        cursor = raw.cursor()
        cursor.execute(sql, params if params else ())
        out = io.StringIO()
        writer = csv.writer(out)
        size = written = 0
        writer.writerow([column[0] for column in cursor.description])
        while rows := cursor.fetchmany(1000):
            writer.writerows(rows)
            size += out.tell()
            out.seek(0)
            out.truncate()
            written += len(rows)
            if max_rows is not None and written >= max_rows:
                break
        cursor.close()
        if dialect == "postgresql":
            raw.rollback()
        return size

    return run


def first_chunk_seconds() -> float:
    """How long until the first piece of the file is ready to send."""
    options = services.clean_options({"what": "persons", "format": "csv"})
    start = time.perf_counter()
    export = services.start_export(None, options, {})
    chunks = export.chunks()
    next(chunks)
    elapsed = time.perf_counter() - start
    chunks.close()
    db.session.rollback()
    return elapsed


def peak_memory_mib(action: Callable[[], Any]) -> float:
    """Peak Python heap while `action` runs (tracemalloc), in MiB."""
    tracemalloc.start()
    try:
        action()
        return tracemalloc.get_traced_memory()[1] / 1024 / 1024
    finally:
        tracemalloc.stop()
