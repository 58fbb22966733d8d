"""Figures for the dashboard and the summary API: reported ranges beside documented persons.

Every number comes from grouped SQL queries (tracker/dashboard/tallies.py). Reported counts
(sums of the events' people_min / people_max) and documented counts (Person records) are kept
apart: they are never added together.
"""

import calendar
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, NamedTuple

from sqlalchemy import select

from tracker.caching.services import cached
from tracker.dashboard import current  # noqa: F401  (each write carries the unfiltered sums)
from tracker.dashboard.filters import Filters
from tracker.dashboard.tallies import (
    VANISHED,
    Reported,
    Sums,
    Tallies,
    queries,
    reported_sums,
    run,
    tally,
)
from tracker.events.models import ReportedFigure
from tracker.extensions import db
from tracker.places.models import CrossingPoint, Facility
from tracker.sources.models import Source


@dataclass
class Row:
    """One line of a summary table."""

    key: Any
    name: str
    reported: Reported = field(default_factory=Reported)
    persons: int = 0
    vanished: int = 0
    precision: str | None = None  # for months: "month" (a calendar month) or "year" (month unknown)
    imprecise_events: int = 0  # for months: events dated only to the month (or year)
    period: tuple[date, date] | None = None  # for months: the first and last day it covers
    name_ko: str | None = None  # a place's Korean name, shown on Korean pages

    @property
    def shown_name(self) -> str:
        """The row's name as the page's language writes it: a place's Korean name on Korean
        pages, a month as "October 2023" / "2023년 10월" (the API keeps `name` and `YYYY-MM`)."""
        from tracker.i18n import current_language, format_day

        if self.precision == "month" and self.period is not None:
            return format_day(self.period[0], "month")
        if self.name_ko and current_language() == "ko":
            return self.name_ko
        return str(self.name)

    def as_dict(self, key_name: str) -> dict[str, Any]:
        data = {key_name: self.key}
        if key_name == "id":
            data["name"] = self.name
        data.update(
            events=self.reported.events,
            people_min=self.reported.people_min,
            people_max=self.reported.people_max,
            persons=self.persons,
            vanished=self.vanished,
        )
        return data


class Figure(NamedTuple):
    """A sourced number about a group ("up to about 600 vanished"), as the dashboard shows it:
    plain values, so that a summary can be kept in the shared cache."""

    status: str
    people_min: int | None
    people_max: int | None
    as_of: date | None
    description: str
    source_id: int
    # The source's organisation or title; None for a viewer who may not see a confidential one.
    source_name: str | None
    confidential: bool


class Place(NamedTuple):
    """A live crossing point or facility: what the filters offer and the map places."""

    id: int
    name: str
    province: str | None
    latitude: float | None
    longitude: float | None
    name_ko: str | None = None

    @property
    def shown_name(self) -> str:
        """The place's name in the page's language (its Korean name on Korean pages)."""
        from tracker.i18n import current_language

        return self.name_ko if self.name_ko and current_language() == "ko" else self.name


def live_places(model: Any) -> list[Place]:
    """Every live crossing point (or facility), by name, in one query."""
    query = (
        select(model.id, model.name, model.province, model.latitude, model.longitude, model.name_ko)
        .where(model.deleted_at.is_(None))
        .order_by(model.name, model.id)
    )
    return list(map(Place._make, run(query)))


@dataclass
class Summary:
    """Everything the dashboard shows for one set of filters."""

    filters: Filters
    total: Row
    by_crossing: list[Row]
    by_facility: list[Row]
    by_status: list[Row]
    by_month: list[Row]
    by_gender: list[Row]
    crossings_involved: int
    facilities_involved: int
    figures: list[Figure]
    # Every live place, whatever the filters: the page's filter form and map read them too.
    crossings: list[Place]
    facilities: list[Place]

    def as_api(self) -> dict[str, Any]:
        """The shape of GET /api/v1/summary (DESIGN.md)."""
        return {
            "total": self.total.as_dict("scope") | {"scope": "all"},
            "by_crossing": [row.as_dict("id") for row in self.by_crossing],
            "by_facility": [row.as_dict("id") for row in self.by_facility],
            "by_status": [row.as_dict("status") for row in self.by_status],
            "by_month": [
                row.as_dict("month") | {"precision": row.precision} for row in self.by_month
            ],
            "by_gender": [row.as_dict("gender") for row in self.by_gender],
        }


def cached_summary(filters: Filters, can_see: bool) -> Summary:
    """Every dashboard table for these filters, its sums computed once per change of the data
    and shared by every view and every process until the next (tracker/caching); the
    unfiltered sums are carried from one version to the next by each write
    (tracker/dashboard/current.py)."""
    tallies = cached("tallies", (filters.as_query(),), lambda: tally(filters))
    return build(filters, tallies, can_see)


def summarise(filters: Filters, can_see: bool = False) -> Summary:
    """Compute every dashboard table for these filters afresh (a confidential source of a
    group figure is named only for a viewer who may see it)."""
    return build(filters, tally(filters), can_see)


def build(filters: Filters, tallies: Tallies, can_see: bool) -> Summary:
    """The summary's tables from their sums, with the live places (their current names) and
    the group figures as they are now."""
    total = Row("all", "All", tallies.total.reported)
    counts = [(status, gender, count) for (status, gender), count in tallies.people.items()]
    by_status, by_gender = _status_and_gender_rows(counts)
    total.persons = sum(row.persons for row in by_status)
    total.vanished = sum(row.vanished for row in by_status)

    crossings, facilities = live_places(CrossingPoint), live_places(Facility)
    by_crossing = _rows(
        tallies.crossing,
        (p for p in crossings if not filters.crossing_id or p.id == filters.crossing_id),
        filters,
    )
    by_facility = _rows(
        tallies.facility,
        (
            p
            for p in facilities
            if (not filters.facility_id or p.id == filters.facility_id)
            and (not filters.province or p.province == filters.province)
        ),
        filters,
    )
    return Summary(
        filters=filters,
        total=total,
        by_crossing=by_crossing,
        by_facility=by_facility,
        by_status=by_status,
        by_month=_by_month(tallies),
        by_gender=by_gender,
        crossings_involved=sum(1 for row in by_crossing if row.reported.events or row.persons),
        facilities_involved=sum(1 for row in by_facility if row.reported.events or row.persons),
        figures=_figures(filters, can_see),
        crossings=crossings,
        facilities=facilities,
    )


def _figures(filters: Filters, can_see: bool) -> list[Figure]:
    """Sourced figures about groups, oldest first (status and source reliability filter them)."""
    query = (
        select(ReportedFigure, Source)
        .join(Source, ReportedFigure.source_id == Source.id)
        .where(ReportedFigure.deleted_at.is_(None))
        .order_by(ReportedFigure.as_of)
    )
    if filters.status:
        query = query.where(ReportedFigure.status == filters.status)
    if filters.min_reliability:
        query = query.where(Source.reliability <= filters.min_reliability)
    figures = []
    for figure, source in db.session.execute(query):
        named = can_see or not source.confidential
        figures.append(
            Figure(
                status=figure.status,
                people_min=figure.people_min,
                people_max=figure.people_max,
                as_of=figure.as_of,
                description=figure.description,
                source_id=source.id,
                source_name=(source.organisation or source.title) if named else None,
                confidential=source.confidential,
            )
        )
    return figures


def _rows(sums: dict[Any, Sums], places: Iterable[Place], filters: Filters) -> list[Row]:
    """A place table's rows, by name, from each place's sums."""
    rows = []
    for place in places:
        found = sums.get(place.id, Sums())
        rows.append(
            Row(
                place.id,
                place.name,
                found.reported,
                found.persons,
                found.vanished,
                name_ko=place.name_ko,
            )
        )
    return _keep_relevant(rows, filters)


def reported_per_crossing(filters: Filters) -> dict[int | None, Reported]:
    """Events and the reported range per crossing point."""
    return {
        crossing_id: reported_sums(sums).reported
        for crossing_id, *sums in run(queries(filters).crossing_reported)
    }


def _keep_relevant(rows: list[Row], filters: Filters) -> list[Row]:
    """With no filter every place is listed (zeros say 'nothing recorded'); filtered, only hits."""
    if not filters.active:
        return rows
    return [row for row in rows if row.reported.events or row.persons]


def status_and_gender(filters: Filters) -> tuple[list[Row], list[Row]]:
    """Documented persons by current status and by gender, from one scan of the persons."""
    return _status_and_gender_rows(run(queries(filters).status_gender).all())


def _status_and_gender_rows(counts: Any) -> tuple[list[Row], list[Row]]:
    by_status: dict[Any, Row] = {}
    by_gender: dict[Any, Row] = {}
    for status, gender, count in counts:
        for rows, key in ((by_status, status), (by_gender, gender)):
            row = rows.setdefault(key, Row(key, key or ""))
            row.persons += int(count)
            row.vanished += int(count) if status == VANISHED else 0

    def largest_first(rows: dict[Any, Row]) -> list[Row]:
        return sorted(rows.values(), key=lambda row: (-row.persons, row.key or ""))

    return largest_first(by_status), largest_first(by_gender)


def _by_month(tallies: Tallies) -> list[Row]:
    """Events and reported people by the month of date_start; year-precision events by year."""
    rows = []
    for (y, m), sums in sorted(tallies.month.items()):
        row = _month_row(y, m)
        row.reported, row.imprecise_events = sums.reported, sums.imprecise
        row.persons, row.vanished = sums.persons, sums.vanished
        rows.append(row)
    return rows


def _month_row(year: int, month: int) -> Row:
    if month == 0:
        # English, as in the exported summary (a file reads the same whoever downloads it);
        # the pages name the row in their own language.
        row = Row(f"{year:04d}", f"{year} (month unknown)", precision="year")
        row.period = (date(year, 1, 1), date(year, 12, 31))
        return row
    row = Row(f"{year:04d}-{month:02d}", f"{year:04d}-{month:02d}", precision="month")
    row.period = (date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1]))
    return row
