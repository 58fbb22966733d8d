"""What the charts draw: a readable subset of each table (every row stays in the table), laid
out as bars whose positions the SVG template only writes down."""

from dataclasses import dataclass

from flask_babel import gettext as _

from tracker.dashboard.services import Reported, Row

CHART_ROWS = 15
MONTHS_BEFORE_YEARS = 36
LABEL_WIDTH = 170  # the rows' names, right-aligned before the bars
PLOT_WIDTH = 440
VALUE_ROOM = 110  # after the longest bar, for its value
OPEN_END = 28  # the marker drawn past a minimum when no maximum is reported
LABEL_CHARACTERS = 24
# A phone's chart: each name on its own line above its bars, across the whole width, so that
# scaled to a 390 px screen its text stays about as large as the page's.
NARROW_WIDTH = 340
NARROW_VALUE_ROOM = 80
NARROW_LABEL_ROOM = 18  # the name's line above the bars


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


@dataclass(frozen=True)
class Bar:
    """One row of a chart, placed: x positions and widths in the SVG's units, as text."""

    label: str  # the row's name, shortened to fit
    y: int
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
    """A whole chart: its size, its bars, and the text alternative that reads it out."""

    width: int
    height: int
    plot_x: int  # where every bar starts; the rows' names end a little before it
    bars: list[Bar]
    description: str
    label_x: int = 0  # where the names are written, and from which end
    label_anchor: str = "end"
    label_dy: int = 12  # a name's baseline below its bar's top (negative: above it)
    narrow: bool = False


def layout(rows: list[Row], show_reported: bool = True, narrow: bool = False) -> Chart:
    """Bars for rows: the reported range drawn as a range (minimum, then up to the maximum,
    or an open end when none is known) above the documented persons, on one shared scale.
    `narrow`: the phone's layout, each name on a line above its bars."""
    label_width = 0 if narrow else LABEL_WIDTH
    plot_width = NARROW_WIDTH - NARROW_VALUE_ROOM if narrow else PLOT_WIDTH
    label_room = NARROW_LABEL_ROOM if narrow else 0
    top = max(
        [1]
        + [
            max(row.reported.people_max or 0, row.reported.people_min or 0, row.persons)
            for row in rows
        ]
    )
    scale = plot_width / (top * 1.15)  # room for the open end and the value
    row_height = (34 if show_reported else 22) + label_room
    # Translated once per chart, filled in for each row.
    reported_word, documented_word = _("reported %(count)s"), _("documented %(count)s")
    reported_title, documented_title = _("Reported %(count)s"), _("Documented %(count)s")
    bars, spoken = [], []
    for index, row in enumerate(rows):
        y = index * row_height + 4 + label_room
        label = row.reported.label
        low = (row.reported.people_min or 0) * scale
        high = None if row.reported.people_max is None else row.reported.people_max * scale
        documented = row.persons * scale
        drawn = show_reported and bool(row.reported.events)
        reported_end = low + OPEN_END if high is None else high
        bars.append(
            Bar(
                label=_shorten(row.shown_name),
                y=y,
                reported=label if drawn else None,
                reported_title=reported_title % {"count": label},
                minimum_width=f"{low:.1f}",
                open_ended=high is None,
                range_x=f"{label_width + low:.1f}",
                range_width=f"{OPEN_END if high is None else high - low:.1f}",
                reported_value_x=f"{label_width + reported_end + 4:.1f}",
                documented=row.persons,
                documented_title=documented_title % {"count": row.persons},
                documented_y=y + 16 if show_reported else y,
                documented_width=f"{documented:.1f}",
                documented_value_x=f"{label_width + documented + 4:.1f}",
            )
        )
        said = documented_word % {"count": row.persons}
        if show_reported:
            said = reported_word % {"count": label} + ", " + said
        spoken.append(f"{row.shown_name}: {said}")
    return Chart(
        width=NARROW_WIDTH if narrow else LABEL_WIDTH + PLOT_WIDTH + VALUE_ROOM,
        height=len(rows) * row_height + 28,
        plot_x=label_width,
        bars=bars,
        description="; ".join(spoken),
        label_x=0 if narrow else LABEL_WIDTH - 8,
        label_anchor="start" if narrow else "end",
        label_dy=-5 if narrow else 12,
        narrow=narrow,
    )


def _shorten(name: str) -> str:
    """A name as the chart's label column fits it (the table beside it has it whole)."""
    if len(name) <= LABEL_CHARACTERS + 5:
        return name
    return name[: LABEL_CHARACTERS - 1] + "…"
