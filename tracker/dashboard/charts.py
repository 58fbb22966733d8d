"""What the charts draw: a readable subset of each table (every row stays in the table)."""

from tracker.dashboard.services import Reported, Row

CHART_ROWS = 15
MONTHS_BEFORE_YEARS = 36


def largest(rows: list[Row], limit: int = CHART_ROWS) -> list[Row]:
    """The `limit` rows with the most people (reported minimum or documented), in table order."""
    if len(rows) <= limit:
        return rows
    weight = {id(row): max(row.reported.people_min or 0, row.persons) for row in rows}
    keep = {id(row) for row in sorted(rows, key=lambda row: -weight[id(row)])[:limit]}
    return [row for row in rows if id(row) in keep]


def timeline(months: list[Row]) -> tuple[list[Row], str]:
    """Months as they are, or, over a long span, added up per year; and the unit used."""
    if len(months) <= MONTHS_BEFORE_YEARS:
        return months, "month"
    years: dict[str, Row] = {}
    for month in months:
        year = month.key[:4]
        total = years.setdefault(year, Row(year, year, precision="year"))
        total.reported = _add(total.reported, month.reported)
        total.persons += month.persons
        total.vanished += month.vanished
    return list(years.values()), "year"


def _add(a: Reported, b: Reported) -> Reported:
    if not a.events:
        return b
    if not b.events:
        return a
    return Reported(
        events=a.events + b.events,
        people_min=None
        if a.people_min is None and b.people_min is None
        else (a.people_min or 0) + (b.people_min or 0),
        people_max=None
        if a.people_max is None or b.people_max is None
        else a.people_max + b.people_max,
    )
