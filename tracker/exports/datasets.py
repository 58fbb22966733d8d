"""What each export holds: its columns (read from the kind's field declarations, DESIGN.md's
names, each reference's name beside its id, each fuzzy value with its precision or flag), which
of them identify someone, and the rows, read through the same query as the list page or the
dashboard."""

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from operator import attrgetter
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import select

from tracker.dashboard.filters import parse_filters
from tracker.dashboard.services import Row, cached_summary
from tracker.events.models import EventSource, RepatriationEvent, event_facilities
from tracker.extensions import db
from tracker.kinds import fields as f
from tracker.kinds.kind import Kind
from tracker.kinds.listing import list_query
from tracker.kinds.registry import field_named
from tracker.kinds.registry import kind as kind_named
from tracker.kinds.values import FuzzyDate, iso_text, month_end, show_span
from tracker.persons.models import Detention, Person, StatusRecord
from tracker.places.models import CrossingPoint, Facility
from tracker.sources.models import Source

BATCH = 1000  # rows read per round trip: memory stays flat however long the export


@dataclass(frozen=True)
class Field:
    """One exported column."""

    name: str
    value: Callable[[Any], Any]
    identifying: bool = False  # dropped from redacted exports
    confidential: bool = False  # emptied in redacted exports when the record is confidential
    is_date: bool = False  # shown as YYYY-MM when dates are coarsened
    small_count: bool = False  # shown as "<N" when small counts are coarsened
    # The value in a redacted export, where the field's declaration makes it coarser for
    # those who may not see identities (a person's dates to the month, a birth year's band).
    redacted: Callable[[Any], Any] | None = None

    def getter(self, identifying: bool) -> Callable[[Any], Any]:
        """How this column's value is read for an export of this profile."""
        return self.value if identifying or self.redacted is None else self.redacted


def _column(name: str) -> Callable[[Any], Any]:
    """A stored value of the row (a field's stored values are worked out once per row)."""
    return attrgetter(name)


def _named(
    kind: str, ids_of: Callable[[Any], list[int]], single: bool = False
) -> Callable[[Any], Any]:
    """The names of the records a row refers to (a list, `;`-separated in a cell), or the
    name of the one record a single reference names."""

    def value(row: Any) -> Any:
        names = row.names.get(kind, {})
        found = [names.get(item, f"#{item}") for item in ids_of(row)]
        if single:
            return found[0] if found else None
        return found

    return value


def export_fields(kind: Kind) -> list[Field]:
    """Every column an export of a kind carries: each declared field's stored values, and
    beside each reference the name of what it refers to."""
    per_record = kind.name == "sources"  # a source hides its identity only if confidential
    columns = [Field("id", lambda row: row.id)]
    for declared in kind.fields:
        if declared.internal or not declared.export:
            continue
        hidden: dict[str, Any] = {"identifying": declared.identifying and not per_record}
        hidden["confidential"] = declared.identifying and per_record
        if isinstance(declared, f.Rows):
            ids = _ids(declared.shortcut)
            row_kind = next(x for x in declared.fields if x.name == declared.key).kind  # type: ignore[attr-defined]
            columns.append(Field(declared.shortcut, ids))
            columns.append(Field(declared.by_name, _named(row_kind, ids)))
            continue
        if isinstance(declared, f.Refs):
            ids = _ids(declared.name)
            columns.append(Field(declared.name, ids, **hidden))
            columns.append(
                Field(declared.by_name or declared.relation, _named(declared.kind, ids), **hidden)
            )
            continue
        for column in declared.columns:
            is_date = isinstance(declared, f.FuzzyDate | f.DateSpan) and column in (
                declared.name,
                "date_start",
                "date_end",
            )
            coarse = _coarse(declared, column) if declared.coarsened else None
            columns.append(
                Field(column, _column(column), is_date=is_date, redacted=coarse, **hidden)
            )
        if isinstance(declared, f.Ref):
            name = declared.by_name or declared.name.removesuffix("_id")
            named = _named(declared.kind, _one(declared.name), single=True)
            columns.append(Field(name, named, **hidden))
            if declared.kind == "events":  # where and when: each a column of its own
                for part in EVENT_PARTS[1:]:
                    named = _named(part, _one(declared.name), single=True)
                    columns.append(Field(part, named, **hidden))
    return columns


def _coarse(declared: f.Field, column: str) -> Callable[[Any], Any]:
    """One stored column of a field's coarse value (a redacted export's birth year band)."""

    def value(row: Any) -> Any:
        return declared.stored(declared.coarse(declared.read(row))).get(column)

    return value


def _ids(name: str) -> Callable[[Any], list[int]]:
    return lambda row: getattr(row, name, None) or []


def _one(name: str) -> Callable[[Any], list[int]]:
    def ids(row: Any) -> list[int]:
        value = getattr(row, name, None)
        return [value] if value is not None else []

    return ids


@dataclass(frozen=True)
class Dataset:
    """One kind of export: a list (its records, as the list page filters them) or the summary."""

    name: str
    title: str
    fields: list[Field]
    # (params, can_see, post_search, the fields wanted, identifying) -> records
    rows: Callable[[Any, bool, bool, set[str], bool], Iterator[Any]]
    url: Callable[[Any], str]  # the record's page, relative to the site
    charts: bool = False  # the summary: one sheet and one chart per table in XLSX
    check: Callable[[Any], None] = field(default=lambda params: None)  # raise FilterError

    def columns(self, identifying: bool) -> list[Field]:
        """The fields this export carries: identifying ones only when asked and allowed."""
        return [f for f in self.fields if identifying or not f.identifying]


def _grouped(pairs: Any) -> dict[int, list[int]]:
    grouped: dict[int, set[int]] = {}
    for owner, item in pairs:
        grouped.setdefault(owner, set()).add(item)
    return {owner: sorted(items) for owner, items in grouped.items()}


def _names(model: Any, column: Any, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = db.session.execute(select(model.id, column).where(model.id.in_(ids)))
    return {record_id: name for record_id, name in rows}


# What a person's export row says of their event, each a column of its own: where, when (as
# written, then its first and last day and its precision).
EVENT_PARTS = (
    "events",
    "event_crossing",
    "event_date",
    "event_date_start",
    "event_date_end",
    "event_date_precision",
)


def _event_names(ids: set[int]) -> dict[str, dict[int, Any]]:
    """Events by id: their names ("Onsong, 9 October 2023"), their crossings' names and
    their dates as written."""
    found: dict[str, dict[int, Any]] = {name: {} for name in EVENT_PARTS}
    if not ids:
        return found
    event, span = RepatriationEvent, field_named(RepatriationEvent, "date_start")
    query = (
        select(event.id, *(getattr(event, c) for c in span.columns), CrossingPoint.name)
        .outerjoin(CrossingPoint, CrossingPoint.id == event.crossing_id)
        .where(event.id.in_(ids))
    )
    for row in db.session.execute(query):
        when = show_span(span.read(row))
        found["event_crossing"][row.id] = row.name or ""
        found["event_date"][row.id] = when
        found["event_date_start"][row.id] = row.date_start.isoformat()
        found["event_date_end"][row.id] = row.date_end.isoformat() if row.date_end else None
        found["event_date_precision"][row.id] = row.date_precision
        found["events"][row.id] = f"{row.name or '?'}, {when}"
    return found


# Names an export keeps between its batches (rows refer to the same events and places again
# and again); forgotten past this many, so memory stays flat however long the file.
NAMES_KEPT = 20_000


def _related(
    kind_name: str, rows: list[dict[str, Any]], identifying: bool, known: dict[str, Any]
) -> dict[str, Any]:
    """What a batch of rows refers to, read once per batch: an event's facilities and sources,
    a person's facilities, and the names of every referenced record (a confidential source's
    title only in an identifying export) not already in `known`, which is returned with them."""
    ids = [row["id"] for row in rows]
    extra: dict[str, dict[int, list[int]]] = {}
    if kind_name == "events":
        extra["facility_ids"] = _grouped(
            db.session.execute(
                select(event_facilities.c.event_id, event_facilities.c.facility_id).where(
                    event_facilities.c.event_id.in_(ids)
                )
            )
        )
        extra["source_ids"] = _grouped(
            db.session.execute(
                select(EventSource.event_id, EventSource.source_id).where(
                    EventSource.event_id.in_(ids)
                )
            )
        )
    if kind_name == "persons":
        stays = _detentions(ids)
        extra["facility_ids"] = {
            owner: sorted({stay[0] for stay in found}) for owner, found in stays.items()
        }
        for row in rows:
            row["detention_spans"] = stays.get(row["id"], [])
    for name, by_id in extra.items():
        for row in rows:
            row[name] = by_id.get(row["id"], [])
    wanted: dict[str, set[int]] = {"facilities": set(), "sources": set()}
    wanted |= {"crossings": set(), "events": set(), "persons": set()}
    for row in rows:
        wanted["facilities"].update(row.get("facility_ids") or [])
        wanted["sources"].update(row.get("source_ids") or [])
        for column, kind in (("crossing_id", "crossings"), ("event_id", "events")):
            if row.get(column):
                wanted[kind].add(row[column])
        if row.get("source_id"):
            wanted["sources"].add(row["source_id"])
        if row.get("person_id"):
            wanted["persons"].add(row["person_id"])
    if sum(len(names) for names in known.values()) > NAMES_KEPT:
        known.clear()
    for kind, wanted_ids in wanted.items():
        wanted_ids.difference_update(known.get(kind, {}))
    found = {
        "facilities": _names(Facility, Facility.name, wanted["facilities"]),
        "crossings": _names(CrossingPoint, CrossingPoint.name, wanted["crossings"]),
        "persons": _names(Person, Person.case_code, wanted["persons"]),
        "sources": _source_names(wanted["sources"], identifying),
    } | _event_names(wanted["events"])
    for kind, names in found.items():
        known.setdefault(kind, {}).update(names)
    return known


def _detentions(ids: list[int]) -> dict[int, list[tuple[int, str, str]]]:
    """Each person's stays in facilities, earliest first: the facility and its dates as
    written to their precision ("2023-03", "c. 2023")."""
    stay = Detention
    query = (
        select(
            stay.person_id,
            stay.facility_id,
            stay.date_from,
            stay.date_from_precision,
            stay.date_from_approximate,
            stay.date_to,
            stay.date_to_precision,
            stay.date_to_approximate,
        )
        .where(stay.person_id.in_(ids), stay.deleted_at.is_(None))
        .order_by(stay.person_id, stay.date_from, stay.id)
    )
    found: dict[int, list[tuple[int, str, str]]] = {}
    for row in db.session.execute(query):
        since, until = (
            iso_text(FuzzyDate(day, precision or "day", bool(approximate))) if day else ""
            for day, precision, approximate in (
                (row.date_from, row.date_from_precision, row.date_from_approximate),
                (row.date_to, row.date_to_precision, row.date_to_approximate),
            )
        )
        found.setdefault(row.person_id, []).append((row.facility_id, since, until))
    return found


def _stays(row: Any) -> list[str]:
    """A person's detentions as a report table writes them: "Shenyang Prison 2023-03 to
    2023-10", "?" where a date is unknown."""
    names = row.names.get("facilities", {})
    return [
        f"{names.get(facility, f'#{facility}')} {since or '?'} to {until or '?'}"
        for facility, since, until in getattr(row, "detention_spans", [])
    ]


def _stays_to_the_month(row: Any) -> list[str]:
    """The detentions as those who may not see identities read them: a person's dates to the
    month, as every other date of the person (a day is a quasi-identifier)."""
    return [re.sub(r"(\d{4}-\d{2})-\d{2}", r"\1", stay) for stay in _stays(row)]


def _source_names(ids: set[int], can_see: bool) -> dict[int, str]:
    """Sources' titles; a confidential source's only for those who may see it."""
    if not ids:
        return {}
    query = select(Source.id, Source.title, Source.confidential).where(Source.id.in_(ids))
    return {
        source_id: title if can_see or not confidential else f"Confidential source #{source_id}"
        for source_id, title, confidential in db.session.execute(query)
    }


def _listed(kind_name: str) -> Callable[[Any, bool, bool, set[str], bool], Iterator[Any]]:
    """The records the kind's list page shows for these parameters, in its order: the list's
    own query reduced to plain columns, read in batches, with what each row refers to fetched
    once per batch rather than once per row."""

    def rows(
        params: Any, can_see: bool, post_search: bool, wanted: set[str], identifying: bool
    ) -> Iterator[Any]:
        kind = kind_named(kind_name)
        listing = list_query(kind, params, can_see, post_search)
        # Only the columns the file carries: a redacted export never even reads a name.
        stored: set[str] = set()
        for declared in kind.fields:
            if not declared.identifying or wanted & set(declared.columns):
                stored.update(declared.columns)
        table = kind.model.__table__.columns
        columns = [c for c in table if c.key in stored or c.key in ("id", "confidential")]
        query = listing.query.with_only_columns(*columns)
        result = db.session.execute(query.execution_options(yield_per=BATCH))
        known: dict[str, Any] = {}
        parts = Parts(kind)
        for batch in result.partitions():
            values = [row._asdict() for row in batch]
            names = _related(kind_name, values, identifying, known)
            for row in values:
                yield parts.row(row, names)

    return rows


class Parts:
    """The fields of a kind stored in several columns (a fuzzy date, a count), and what each
    combination of their columns is stored as: worked out once by the field itself (as every
    door stores it), then remembered, since rows share few dates and counts."""

    KEPT = 50_000

    def __init__(self, kind: Kind):
        self.fields = [
            declared
            for declared in kind.fields
            if len(declared.columns) > 1 and not isinstance(declared, f.Rows | f.Refs)
        ]
        self.seen: list[dict[tuple[Any, ...], dict[str, Any]]] = [{} for _ in self.fields]

    def row(self, row: dict[str, Any], names: dict[str, Any]) -> Any:
        """A row of plain columns as an export writes it."""
        for declared, seen in zip(self.fields, self.seen, strict=True):
            key = tuple(row.get(column) for column in declared.columns)
            stored = seen.get(key)
            if stored is None:
                if len(seen) > self.KEPT:
                    seen.clear()
                raw = SimpleNamespace(**dict(zip(declared.columns, key, strict=True)))
                stored = seen[key] = declared.stored(declared.read(raw))
            row.update(stored)
        return SimpleNamespace(**row, names=names)


def _check_listed(kind_name: str) -> Callable[[Any], None]:
    def check(params: Any) -> None:
        from tracker.dashboard.filters import FilterError

        # Values only (a date that cannot be read): what the viewer may sort or filter by is
        # settled by the list query itself, which falls back to the default order.
        problems = list_query(kind_named(kind_name), params, True, False).problems
        if problems:
            raise FilterError(problems)

    return check


def _statuses(
    params: Any, can_see: bool, post_search: bool, wanted: set[str], identifying: bool
) -> Iterator[Any]:
    """The status history of exactly the persons the filtered person list shows."""
    persons = list_query(kind_named("persons"), params, can_see, post_search).query
    person_ids = persons.order_by(None).with_only_columns(Person.id)
    query = (
        select(*StatusRecord.__table__.columns)
        .where(StatusRecord.deleted_at.is_(None), StatusRecord.person_id.in_(person_ids))
        .order_by(StatusRecord.person_id, StatusRecord.as_of, StatusRecord.id)
        .execution_options(yield_per=BATCH)
    )
    result = db.session.execute(query)
    known: dict[str, Any] = {}
    parts = Parts(kind_named("statuses"))
    for batch in result.partitions():
        values = [row._asdict() for row in batch]
        names = _related("statuses", values, identifying, known)
        for row in values:
            yield parts.row(row, names)


SUMMARY_TABLES = ("by_crossing", "by_facility", "by_status", "by_month", "by_gender")


TOTAL = "total"
TOTAL_NAME = "Total (each event and person counted once)"
# A row for the persons with no status (or gender) recorded has no code to name it by.
UNRECORDED = {"by_status": "No status recorded", "by_gender": "No gender recorded"}


@dataclass(frozen=True)
class SummaryLine:
    """One row of one dashboard table, as exported, with the filters it was counted under and
    the name the file gives it."""

    table: str
    row: Row
    filters: dict[str, str]
    name: str


def _summary(
    params: Any, can_see: bool, post_search: bool, wanted: set[str], identifying: bool
) -> Iterator[SummaryLine]:
    """The dashboard's total, then every dashboard table for these filters, table after table,
    in the dashboard's order: the same cached sums the dashboard reads."""
    from tracker.vocab.labels import labels_by_code

    filters = parse_filters(params)
    summary, query = cached_summary(filters, can_see), filters.as_query()
    labels = labels_by_code(["status", "gender"])
    yield SummaryLine(TOTAL, summary.total, query, TOTAL_NAME)
    for table in SUMMARY_TABLES:
        vocabulary = labels.get(table.removeprefix("by_"))
        for row in getattr(summary, table):
            if vocabulary is None:
                name = row.name
            else:
                name = vocabulary.get(row.key, row.key) if row.key else UNRECORDED[table]
            yield SummaryLine(table, row, query, name)


def _summary_url(line: SummaryLine) -> str:
    """Where the row's documented persons are listed, as the dashboard's own links go."""
    key, narrowed = line.row.key, dict(line.filters)
    if line.table in ("by_crossing", "by_facility") and key is not None:
        narrowed[line.table.replace("by_", "") + "_id"] = str(key)
    elif line.table in ("by_status", "by_gender") and key:
        narrowed[line.table.replace("by_", "")] = str(key)
    elif line.table in ("by_status", "by_gender"):  # "none recorded": no list filter for it
        return "/" + ("?" + urlencode(narrowed) if narrowed else "")
    elif line.table == "by_month" and key:
        year, _, month = str(key).partition("-")
        last = month_end(date(int(year), int(month or 12), 1))
        narrowed |= {"from": f"{year}-{month or '01'}-01", "to": last.isoformat()}
    return "/persons" + ("?" + urlencode(narrowed) if narrowed else "")


# The columns a report's table of cases reads first, in this order; every other column follows
# in its declared order (identifying ones only in identifying exports).
PERSON_LEAD = (
    "case_code",
    "event_crossing",
    "event_date",
    "event_date_start",
    "event_date_end",
    "event_date_precision",
    "facilities",
    "detentions",
    "status",
    "status_as_of",
    "status_as_of_precision",
    "status_as_of_approximate",
    "origin_region",
    "nationality",
)


def _led(columns: list[Field], lead: tuple[str, ...]) -> list[Field]:
    """The columns with those named in `lead` first, in its order."""
    by_name = {column.name: column for column in columns}
    first = [by_name[name] for name in lead if name in by_name]
    return first + [column for column in columns if column.name not in lead]


def _kind_dataset(name: str, title: str) -> Dataset:
    columns = export_fields(kind_named(name))
    if name == "persons":
        stays = Field("detentions", _stays, redacted=_stays_to_the_month)
        columns = _led([*columns, stays], PERSON_LEAD)
    return Dataset(
        name,
        title,
        columns,
        _listed(name),
        lambda r, name=name: f"/{name}/{r.id}",  # type: ignore[misc]
        check=_check_listed(name),
    )


DATASETS: dict[str, Dataset] = {
    "facilities": _kind_dataset("facilities", "Facilities"),
    "crossings": _kind_dataset("crossings", "Crossing points"),
    "sources": _kind_dataset("sources", "Sources"),
    "events": _kind_dataset("events", "Repatriation events"),
    "persons": _kind_dataset("persons", "Persons"),
    "statuses": Dataset(
        "statuses",
        "Status history",
        export_fields(kind_named("statuses")),
        _statuses,
        lambda r: f"/persons/{r.person_id}",
        check=_check_listed("persons"),
    ),
    "summary": Dataset(
        "summary",
        "Dashboard summary",
        [
            Field("table", lambda line: line.table),
            Field("key", lambda line: line.row.key),
            Field("name", lambda line: line.name),
            Field("precision", lambda line: line.row.precision),
            Field("events", lambda line: line.row.reported.events),
            Field("people_min", lambda line: line.row.reported.people_min),
            Field("people_max", lambda line: line.row.reported.people_max),
            Field("persons", lambda line: line.row.persons, small_count=True),
            Field("vanished", lambda line: line.row.vanished, small_count=True),
            # After the figures the XLSX charts draw (people_min to persons, side by side).
            Field("people_approximate", lambda line: line.row.reported.approximate),
            Field("people_reported", lambda line: line.row.reported.label),
        ],
        _summary,
        _summary_url,
        charts=True,
        check=lambda params: None if parse_filters(params) else None,
    ),
}
