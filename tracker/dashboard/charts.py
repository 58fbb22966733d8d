"""What the charts draw: a readable subset of each table (every row stays in the table), laid
out as bars whose positions the SVG template only writes down."""

from dataclasses import dataclass, replace

from flask_babel import gettext as _

from tracker.dashboard.services import Reported, Row

CHART_ROWS = 15
MONTHS_BEFORE_YEARS = 36
# Positions across the chart are percentages of the card's width, so that a chart fills its
# card at any width and its text keeps its size (the SVG is never scaled); heights are pixels.
# Each row: its name on a line of its own, then the reported bar, then the documented bar.
PLOT_PERCENT = 80.0  # the reach of the longest bar (its open end included); its value after it
OPEN_END = 6.0  # the marker drawn past a minimum when no maximum is reported
NAME_LINE = 18  # the row's name, above its bars
BAR = 14
DOCUMENTED_BAR = 8
ROW_GAP = 10
LABEL_CHARACTERS = 60


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
        approximate=a.approximate or b.approximate,
    )


@dataclass(frozen=True)
class Bar:
    """One row of a chart, placed: positions across in % of the chart's width (as text),
    positions down in pixels."""

    label: str  # the row's name, shortened to fit a line
    y: int  # the name's baseline
    bar_y: int
    reported: str | None  # the reported range's label, when the chart draws one for the row
    reported_title: str
    minimum_width: str  # the bar up to the reported minimum
    open_ended: bool  # no maximum reported: an open marker instead of a range
    range_x: str  # where the range (or the open marker) starts
    range_width: str
    reported_value_x: str
    documented: int
    documented_title: str
    documented_y: int
    documented_width: str
    documented_value_x: str


@dataclass(frozen=True)
class Chart:
    """A whole chart: its height, its bars, and the text alternative that reads it out."""

    height: int
    bars: list[Bar]
    description: str
    empty: bool  # nothing to draw: every figure is zero or unknown
    documented_height: int = DOCUMENTED_BAR


def _percent(value: float) -> str:
    return f"{value:.2f}%"


def layout(rows: list[Row], show_reported: bool = True) -> Chart:
    """Bars for rows: the reported range drawn as a range (minimum, then up to the maximum,
    or an open end when none is known) above the documented persons, on one shared scale."""
    top = max(
        [1]
        + [
            max(row.reported.people_max or 0, row.reported.people_min or 0, row.persons)
            for row in rows
        ]
    )
    scale = (PLOT_PERCENT - OPEN_END) / top
    # Translated once per chart, filled in for each row.
    reported_word, documented_word = _("reported %(count)s"), _("documented %(count)s")
    reported_title, documented_title = _("Reported %(count)s"), _("Documented %(count)s")
    documented_height = DOCUMENTED_BAR if show_reported else BAR
    row_height = NAME_LINE + BAR + ROW_GAP + (DOCUMENTED_BAR + 2 if show_reported else 0)
    bars, spoken = [], []
    drawn_any = False
    for index, row in enumerate(rows):
        top_y = index * row_height
        bar_y = top_y + NAME_LINE
        label = row.reported.label
        low = (row.reported.people_min or 0) * scale
        high = None if row.reported.people_max is None else row.reported.people_max * scale
        documented = row.persons * scale
        drawn = show_reported and bool(row.reported.events)
        reported_end = low + OPEN_END if high is None else high
        drawn_any = drawn_any or (drawn and reported_end > 0) or row.persons > 0
        bars.append(
            Bar(
                label=_shorten(row.shown_name),
                y=top_y + 13,
                bar_y=bar_y,
                reported=label if drawn else None,
                reported_title=reported_title % {"count": label},
                minimum_width=_percent(low),
                open_ended=high is None,
                range_x=_percent(low),
                range_width=_percent(OPEN_END if high is None else high - low),
                reported_value_x=_percent(reported_end),
                documented=row.persons,
                documented_title=documented_title % {"count": row.persons},
                documented_y=bar_y + BAR + 2 if show_reported else bar_y,
                documented_width=_percent(documented),
                documented_value_x=_percent(documented),
            )
        )
        said = documented_word % {"count": row.persons}
        if show_reported:
            said = reported_word % {"count": label} + ", " + said
        spoken.append(f"{row.name}: {said}")
    return Chart(
        height=max(len(rows) * row_height, row_height),
        bars=bars,
        description="; ".join(spoken),
        empty=not drawn_any,
        documented_height=documented_height,
    )


def named_months(rows: list[Row]) -> list[Row]:
    """Month rows named in the interface's language ("October 2023", "2023년 10월"); a year
    row by its year, or as a year whose month is unknown."""
    named = []
    for row in rows:
        if row.precision == "month" and row.period:
            name = row.shown_name
        elif row.period:  # events dated only to the year
            name = _("%(year)s (month unknown)", year=row.key)
        else:
            name = str(row.key)
        named.append(replace(row, name=name))
    return named


def _shorten(name: str) -> str:
    """A name as the chart's label line fits it (the table beside it has it whole)."""
    if len(name) <= LABEL_CHARACTERS:
        return name
    return name[: LABEL_CHARACTERS - 1] + "…"
