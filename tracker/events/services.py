"""Repatriation events: date ranges with a precision, reported figures, and what each
source claimed about them."""

from datetime import date
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from tracker.events.models import DATE_PRECISIONS, EventSource, RepatriationEvent
from tracker.extensions import db
from tracker.i18n import format_day
from tracker.places.models import CrossingPoint, Facility
from tracker.records import Cleaner, RecordService, month_end, new_child
from tracker.sources.models import Source

PRECISION_LABELS = {
    "day": _l("Exact day"),
    "month": _l("Month"),
    "year": _l("Year"),
    "range": _l("Between two dates"),
}


def clean_people(check: Cleaner, prefix: str = "") -> tuple[int | None, int | None]:
    """A reported range of people: min and max both optional, max never below min."""
    people_min = check.integer(f"{prefix}people_min", minimum=0, maximum=10_000_000)
    people_max = check.integer(f"{prefix}people_max", minimum=0, maximum=10_000_000)
    if people_min is not None and people_max is not None and people_max < people_min:
        check.error(f"{prefix}people_max", _("The maximum is below the minimum."))
    return people_min, people_max


def precision_of(start: date, end: date) -> str:
    """The precision two days state: one day, a calendar month, a calendar year, or a range."""
    if end == start:
        return "day"
    if start.day == 1 and end == month_end(start):
        return "month"
    if start.year == end.year and (start.month, start.day, end.month, end.day) == (1, 1, 12, 31):
        return "year"
    return "range"


def clean_date_range(check: Cleaner) -> dict[str, Any]:
    """The span a precision gives a date: a day, its month, its year, or start to end."""
    precision = check.text("date_precision", 10) or "day"
    if precision not in DATE_PRECISIONS:
        check.error("date_precision", _("Choose how precisely the date is known."))
        precision = "day"
    start = check.date("date_start", past=precision != "range")
    if start is None and "date_start" not in check.errors:
        check.error("date_start", _("An event needs a date."))
    end = start
    if start is not None:
        if precision == "month":
            start, end = start.replace(day=1), month_end(start)
        elif precision == "year":
            start, end = date(start.year, 1, 1), date(start.year, 12, 31)
        if start > date.today():
            check.error("date_start", _("This date is in the future."))
    if precision == "range":
        end = check.date("date_end")
        if end is None and "date_end" not in check.errors:
            check.error("date_end", _("Give the last day of the range."))
        elif start is not None and end is not None and end < start:
            check.error("date_end", _("The end is before the start."))
    return {
        "date_precision": precision,
        "date_start": start,
        "date_end": end,
        "date_approximate": check.boolean("date_approximate"),
    }


class EventService(RecordService[RepatriationEvent]):
    """One transfer across a border, with the sources that report it."""

    model = RepatriationEvent

    def clean(self, values: dict[str, Any], record: RepatriationEvent | None) -> dict[str, Any]:
        """Check an event's values, its facilities and its claims; messages per field."""
        check = Cleaner(values)
        cleaned = clean_date_range(check)
        cleaned["crossing_id"] = check.reference(
            "crossing_id",
            CrossingPoint,
            _l("crossing point"),
            record.crossing_id if record else None,
        )
        if cleaned["crossing_id"] is None and "crossing_id" not in check.errors:
            check.error("crossing_id", _("An event needs a crossing point."))
        cleaned["facility_ids"] = check.references(
            "facility_ids",
            Facility,
            _l("facility"),
            [f.id for f in record.facilities] if record else [],
        )
        cleaned["people_min"], cleaned["people_max"] = clean_people(check)
        cleaned.update(
            transport=check.text("transport", 200),
            handed_over_by=check.text("handed_over_by", 200),
            received_by=check.text("received_by", 200),
            description=check.text("description", 20_000),
            external_source=check.text("external_source", 100),
            external_id=check.text("external_id", 100),
        )
        current = [claim.source_id for claim in record.claims] if record else []
        claims = check.rows("claims", lambda row, prefix: _clean_claim(row, prefix, current))
        seen = [claim["source_id"] for claim in claims if claim["source_id"]]
        if len(seen) != len(set(seen)):
            check.error("claims", _("List each source once; put all it says in one row."))
        cleaned["claims"] = sorted(claims, key=lambda claim: claim["source_id"] or 0)
        check.check()
        return cleaned

    def assign(self, actor: Any, record: RepatriationEvent, cleaned: dict[str, Any]) -> None:
        """Store the columns, the origin facilities and the claims (matched by source)."""
        cleaned = dict(cleaned)
        facility_ids = cleaned.pop("facility_ids")
        claims = cleaned.pop("claims")
        super().assign(actor, record, cleaned)
        if sorted(f.id for f in record.facilities) != facility_ids:
            record.facilities = [db.session.get(Facility, fid) for fid in facility_ids]  # type: ignore[misc]
        existing = {claim.source_id: claim for claim in record.claims}
        wanted = {claim["source_id"]: claim for claim in claims}
        for source_id, claim in existing.items():
            if source_id not in wanted:
                record.claims.remove(claim)
        for source_id, values in wanted.items():
            claim = existing.get(source_id) or new_child(record, EventSource, source_id=source_id)
            for key, value in values.items():
                if getattr(claim, key) != value:
                    setattr(claim, key, value)
            if claim not in record.claims:
                record.claims.append(claim)

    def related_snapshot(self, record: RepatriationEvent) -> dict[str, Any]:
        """Origin facilities and claims are part of an event's content."""
        return {
            "facility_ids": sorted(f.id for f in record.facilities),
            "claims": sorted(
                (
                    {
                        "source_id": claim.source_id,
                        "people_min": claim.people_min,
                        "people_max": claim.people_max,
                        "quote": claim.quote,
                        "page_ref": claim.page_ref,
                    }
                    for claim in record.claims
                ),
                key=lambda claim: claim["source_id"] or 0,
            ),
        }


events = EventService()


def _clean_claim(check: Cleaner, prefix: str, current: list[int]) -> dict[str, Any]:
    source_id = check.reference(prefix + "source_id", Source, _l("source"), current)
    if source_id is None and prefix + "source_id" not in check.errors:
        check.error(prefix + "source_id", _("Choose the source that says this."))
    people_min, people_max = clean_people(check, prefix)
    return {
        "source_id": source_id,
        "people_min": people_min,
        "people_max": people_max,
        "quote": check.text(prefix + "quote", 5_000),
        "page_ref": check.text(prefix + "page_ref", 200),
    }


def describe_dates(event: RepatriationEvent) -> str:
    """The event's date as a researcher would say it, in the page's language: "9 October
    2023", "around October 2023", "2023년 10월 9일", "2023년 10월경"."""
    start, end = event.date_start, event.date_end
    if event.date_precision in ("month", "year"):
        text = format_day(start, event.date_precision)
    elif start == end:
        text = format_day(start)
    else:
        text = _("%(start)s to %(end)s", start=start.isoformat(), end=end.isoformat())
    return _("around %(date)s", date=text) if event.date_approximate else text
