"""What each export holds: its columns (DESIGN.md's field names, in that order), which of them
identify someone, and the rows, read through the same query as the list page or dashboard."""

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from operator import attrgetter
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import select

from tracker.dashboard.filters import parse_filters
from tracker.dashboard.services import Row, summarise
from tracker.events.models import EventSource, event_facilities
from tracker.extensions import db
from tracker.persons.models import (
    PERSON_IDENTITY_FIELDS,
    STATUS_IDENTITY_FIELDS,
    Detention,
    Person,
    StatusRecord,
)
from tracker.records import month_end
from tracker.workspace.views import KINDS, list_query

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


def _attr(name: str) -> Callable[[Any], Any]:
    return attrgetter(name)


def _iso(name: str) -> Callable[[Any], Any]:
    def value(record: Any) -> Any:
        day = getattr(record, name)
        return day.isoformat() if day is not None else None

    return value


def _fields(*names: str, **options: Any) -> list[Field]:
    return [Field(name, _attr(name), **options) for name in names]


def _identifying(identity: frozenset[str], fields: list[Field]) -> list[Field]:
    """Mark the fields the record's model declares identifying (the same set the web and the
    API mask), so a redacted export drops exactly what an analyst never sees."""
    return [replace(f, identifying=f.name in identity) for f in fields]


def _date(name: str) -> Field:
    return Field(name, _iso(name), is_date=True)


@dataclass(frozen=True)
class Dataset:
    """One kind of export: a list (its records, as the list page filters them) or the summary."""

    name: str
    title: str
    fields: list[Field]
    # (params, can_see, post_search, the fields wanted) -> records
    rows: Callable[[Any, bool, bool, set[str]], Iterator[Any]]
    url: Callable[[Any], str]  # the record's page, relative to the site
    charts: bool = False  # the summary: one sheet and one chart per table in XLSX
    check: Callable[[Any], None] = field(default=lambda params: None)  # raise FilterError

    def columns(self, identifying: bool) -> list[Field]:
        """The fields this export carries: identifying ones only when asked and allowed."""
        return [f for f in self.fields if identifying or not f.identifying]


def _listed(
    kind_name: str, related: Callable[[list[int]], dict[str, dict[int, list[int]]]] | None = None
) -> Callable[[Any, bool, bool, set[str]], Iterator[Any]]:
    """The records the kind's list page shows for these parameters, in its order: the list's
    own query reduced to plain columns, read in batches, with `related` ids (an event's
    facilities, a person's detentions) fetched once per batch rather than once per row."""

    def rows(params: Any, can_see: bool, post_search: bool, wanted: set[str]) -> Iterator[Any]:
        kind = KINDS[kind_name]
        listing = list_query(kind, params, can_see, post_search)
        # Only the columns the file carries: a redacted export never even reads a name.
        table = kind.model.__table__.columns
        columns = [c for c in table if c.key in wanted or c.key in ("id", "confidential")]
        query = listing.query.with_only_columns(*columns)
        result = db.session.execute(query.execution_options(yield_per=BATCH))
        for batch in result.partitions():
            if related is None:
                yield from batch
                continue
            extra = related([row.id for row in batch])
            for row in batch:
                values = row._asdict()
                for name, by_id in extra.items():
                    values[name] = by_id.get(row.id, [])
                yield SimpleNamespace(**values)

    return rows


def _grouped(pairs: Iterable[Any]) -> dict[int, list[int]]:
    grouped: dict[int, set[int]] = {}
    for owner, item in pairs:
        grouped.setdefault(owner, set()).add(item)
    return {owner: sorted(items) for owner, items in grouped.items()}


def _person_relations(ids: list[int]) -> dict[str, dict[int, list[int]]]:
    """Each person's facilities, from their live detention history."""
    stays = select(Detention.person_id, Detention.facility_id).where(
        Detention.person_id.in_(ids), Detention.deleted_at.is_(None)
    )
    return {"facility_ids": _grouped(db.session.execute(stays))}


def _event_relations(ids: list[int]) -> dict[str, dict[int, list[int]]]:
    """Each event's origin facilities and the sources of its claims."""
    origins = select(event_facilities.c.event_id, event_facilities.c.facility_id).where(
        event_facilities.c.event_id.in_(ids)
    )
    claims = select(EventSource.event_id, EventSource.source_id).where(
        EventSource.event_id.in_(ids)
    )
    return {
        "facility_ids": _grouped(db.session.execute(origins)),
        "source_ids": _grouped(db.session.execute(claims)),
    }


def _check_listed(kind_name: str) -> Callable[[Any], None]:
    def check(params: Any) -> None:
        from tracker.dashboard.filters import FilterError

        problems = list_query(KINDS[kind_name], params, False, False).problems
        if problems:
            raise FilterError(problems)

    return check


def _statuses(params: Any, can_see: bool, post_search: bool, wanted: set[str]) -> Iterator[Any]:
    """The status history of exactly the persons the filtered person list shows."""
    persons = list_query(KINDS["persons"], params, can_see, post_search).query
    person_ids = persons.order_by(None).with_only_columns(Person.id)
    query = (
        select(*[c for c in StatusRecord.__table__.columns if c.key in wanted])
        .where(StatusRecord.deleted_at.is_(None), StatusRecord.person_id.in_(person_ids))
        .order_by(StatusRecord.person_id, StatusRecord.as_of, StatusRecord.id)
        .execution_options(yield_per=BATCH)
    )
    yield from db.session.execute(query)


SUMMARY_TABLES = ("by_crossing", "by_facility", "by_status", "by_month", "by_gender")


@dataclass(frozen=True)
class SummaryLine:
    """One row of one dashboard table, as exported, with the filters it was counted under."""

    table: str
    row: Row
    filters: dict[str, str]


def _summary(
    params: Any, can_see: bool, post_search: bool, wanted: set[str]
) -> Iterator[SummaryLine]:
    """Every dashboard table for these filters, table after table, in the dashboard's order."""
    filters = parse_filters(params)
    summary, query = summarise(filters), filters.as_query()
    for table in SUMMARY_TABLES:
        for row in getattr(summary, table):
            yield SummaryLine(table, row, query)


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


DATASETS: dict[str, Dataset] = {
    "facilities": Dataset(
        "facilities",
        "Facilities",
        _fields("id", "name", "name_local", "kind", "province", "country")
        + _fields("latitude", "longitude", "notes"),
        _listed("facilities"),
        lambda r: f"/facilities/{r.id}",
        check=_check_listed("facilities"),
    ),
    "crossings": Dataset(
        "crossings",
        "Crossing points",
        _fields("id", "name", "cn_side", "kp_side", "province", "latitude", "longitude"),
        _listed("crossings"),
        lambda r: f"/crossings/{r.id}",
        check=_check_listed("crossings"),
    ),
    "sources": Dataset(
        "sources",
        "Sources",
        [
            Field("id", _attr("id")),
            Field("title", _attr("title"), confidential=True),
            Field("kind", _attr("kind")),
            Field("organisation", _attr("organisation"), confidential=True),
            _date("published_on"),
            Field("url", _attr("url"), confidential=True),
            *_fields("reliability", "credibility", "confidential"),
        ],
        _listed("sources"),
        lambda r: f"/sources/{r.id}",
        check=_check_listed("sources"),
    ),
    "events": Dataset(
        "events",
        "Repatriation events",
        [
            Field("id", _attr("id")),
            _date("date_start"),
            _date("date_end"),
            Field("crossing_id", _attr("crossing_id")),
            Field("facility_ids", _attr("facility_ids")),
            *_fields("people_min", "people_max", "transport", "description"),
            Field("source_ids", _attr("source_ids")),
            Field("external_id", _attr("external_id")),
        ],
        _listed("events", _event_relations),
        lambda r: f"/events/{r.id}",
        check=_check_listed("events"),
    ),
    "persons": Dataset(
        "persons",
        "Persons",
        _identifying(
            PERSON_IDENTITY_FIELDS,
            [
                *_fields("id", "case_code", "family_name", "given_name", "name_hangul"),
                *_fields("aliases", "gender", "birth_year", "origin", "event_id"),
                *_fields("facility_ids", "status"),
                _date("status_as_of"),
                Field("external_id", _attr("external_id")),
            ],
        ),
        _listed("persons", _person_relations),
        lambda r: f"/persons/{r.id}",
        check=_check_listed("persons"),
    ),
    "statuses": Dataset(
        "statuses",
        "Status history",
        _identifying(
            STATUS_IDENTITY_FIELDS,
            [
                *_fields("id", "person_id", "status"),
                _date("as_of"),
                *_fields("source_id", "note"),
            ],
        ),
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
            Field("name", lambda line: line.row.name),
            Field("precision", lambda line: line.row.precision),
            Field("events", lambda line: line.row.reported.events),
            Field("people_min", lambda line: line.row.reported.people_min),
            Field("people_max", lambda line: line.row.reported.people_max),
            Field("persons", lambda line: line.row.persons, small_count=True),
            Field("vanished", lambda line: line.row.vanished, small_count=True),
        ],
        _summary,
        _summary_url,
        charts=True,
        check=lambda params: None if parse_filters(params) else None,
    ),
}
