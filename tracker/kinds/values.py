"""The value types every door shares: a fuzzy date, a date span, a count range and a birth
year. Each is parsed by one function here, which the forms, the API and the importer all call,
and shown by one function here, as a researcher wrote it ("October 2023", "around 1985",
"about 180"): never as a false day or an exact number.

Parsers raise ValueError with a message a researcher can act on (lazily translated: it reads
in the language of whoever is shown it)."""

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

PRECISIONS = ("day", "month", "year")
SPAN_PRECISIONS = (*PRECISIONS, "range")
EARLIEST_YEAR = 1800
MAX_COUNT = 10_000_000

DATE_HELP = _l(
    "Write a date such as 2023-10-09, 9 Oct 2023, 2023.10.9, 2023년 10월 9일, October 2023, "
    "2023 or around 2023."
)
COUNT_HELP = _l(
    "Write a number of people such as 180, 1,022, about 180, 300+, over 300, 150-200, 300여명, "
    "약 200명 or 50~60명."
)
YEAR_HELP = _l("Write a year such as 1985, c. 1985, 약 1985, 1985년생 or 1988(추정).")


class ValueProblem(ValueError):
    """A value that cannot be read; str() is the message, in the reader's language."""

    def __init__(self, message: Any):
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return str(self.message)


class EndProblem(ValueProblem):
    """A problem with the last day of a span (its first day reads on its own)."""


# --- calendar helpers -----------------------------------------------------------------------


def month_end(day: date) -> date:
    """The last day of `day`'s month."""
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def span_end(start: date, precision: str) -> date:
    """The last day a date of this precision covers."""
    if precision == "month":
        return month_end(start)
    if precision == "year":
        return date(start.year, 12, 31)
    return start


def first_day(day: date, precision: str) -> date:
    """The first day of the month or year `day` falls in, at that precision."""
    if precision == "month":
        return day.replace(day=1)
    if precision == "year":
        return date(day.year, 1, 1)
    return day


def precision_of(start: date, end: date) -> str:
    """The precision two days state: one day, a calendar month, a calendar year, or a range."""
    if end == start:
        return "day"
    if start.day == 1 and end == month_end(start):
        return "month"
    if start.year == end.year and (start.month, start.day, end.month, end.day) == (1, 1, 12, 31):
        return "year"
    return "range"


# --- fuzzy dates ----------------------------------------------------------------------------


@dataclass(frozen=True)
class FuzzyDate:
    """A date known to the day, the month or the year, perhaps only approximately. `start` is
    the first day of what is known (1 October 2023 for "October 2023")."""

    start: date
    precision: str = "day"
    approximate: bool = False

    @property
    def end(self) -> date:
        return span_end(self.start, self.precision)


MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
_MONTH = r"(?P<month>[a-z]+)\.?"
# Words before a value that make it approximate, in English and Korean.
_APPROXIMATE_BEFORE = re.compile(
    r"^(?:c\.|ca\.|circa|about|around|approx\.?|approximately|roughly|~|약|대략)\s*", re.I
)
# ...and after it: "2023년경", "2023경", "1988(추정)", "1988 (est.)", "2023?".
_APPROXIMATE_AFTER = re.compile(r"\s*(?:경|\(\s*(?:추정|est\.?|approx\.?)\s*\)|추정|\?)$", re.I)
_DAY = r"(?P<day>\d{1,2})"
_TIME = r"\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:z|[+-]\d{2}:?\d{2})?"  # ignored: the date counts
_YEAR = r"(?P<year>\d{4})"
DATE_PATTERNS = [
    # (pattern, precision)
    (re.compile(rf"^{_YEAR}-(?P<month>\d{{1,2}})-{_DAY}$"), "day"),
    # ISO timestamps, as R and pandas write them: the date part is the day.
    (re.compile(rf"^{_YEAR}-(?P<month>\d{{2}})-(?P<day>\d{{2}})[t ]{_TIME}$"), "day"),
    (re.compile(rf"^{_YEAR}/(?P<month>\d{{1,2}})/{_DAY}$"), "day"),
    (re.compile(rf"^{_YEAR}(?:\.0+)?$"), "year"),  # 1959.0: a year a spreadsheet made a number
    # Korean numeric dates: 2023.10.9, 2023. 10. 9., 2023.10
    (re.compile(rf"^{_YEAR}\s*\.\s*(?P<month>\d{{1,2}})\s*\.\s*{_DAY}\s*\.?$"), "day"),
    (re.compile(rf"^{_YEAR}\s*\.\s*(?P<month>\d{{1,2}})\s*\.?$"), "month"),
    (re.compile(rf"^{_YEAR}-(?P<month>\d{{1,2}})$"), "month"),
    (re.compile(rf"^{_DAY}(?:st|nd|rd|th)?[\s-]+{_MONTH},?[\s-]+{_YEAR}$"), "day"),
    (re.compile(rf"^{_MONTH}\s+{_DAY}(?:st|nd|rd|th)?,?\s+{_YEAR}$"), "day"),
    (re.compile(rf"^{_MONTH}[\s,-]+{_YEAR}$"), "month"),
    (re.compile(rf"^{_YEAR}\s+{_MONTH}$"), "month"),
    (re.compile(rf"^{_YEAR}\s*년\s*(?P<month>\d{{1,2}})\s*월\s*{_DAY}\s*일$"), "day"),
    (re.compile(rf"^{_YEAR}\s*년\s*(?P<month>\d{{1,2}})\s*월$"), "month"),
    (re.compile(rf"^{_YEAR}\s*년$"), "year"),
]
_NUMERIC_DATE = re.compile(r"^(?P<a>\d{1,2})[./-](?P<b>\d{1,2})[./-](?P<year>\d{4})$")


def approximately(value: Any) -> tuple[str, bool]:
    """A written value without its "about" words, and whether it had any: "c. 2023",
    "2023년경", "1988(추정)" → ("2023", True)."""
    text = " ".join(str(value).split())
    approximate = False
    for marker in (_APPROXIMATE_BEFORE, _APPROXIMATE_AFTER):
        found = marker.search(text)
        if found:
            approximate, text = True, (text[: found.start()] + text[found.end() :]).strip()
    return text, approximate


def parse_date(value: Any, day_first: bool | None = None) -> FuzzyDate | None:
    """A written date at day, month or year precision, perhaps approximate; None when blank.

    Takes text in any of the spellings above, a date (a day), a datetime (its day), or a
    FuzzyDate (checked). `day_first` settles 03/04/2023; without it such a date is refused as
    ambiguous."""
    if value is None or value == "":
        return None
    if isinstance(value, FuzzyDate):
        if value.precision not in PRECISIONS:
            raise ValueProblem(_l("Choose how precisely the date is known: day, month or year."))
        return FuzzyDate(
            first_day(value.start, value.precision), value.precision, value.approximate
        )
    if isinstance(value, bool):
        raise ValueProblem(DATE_HELP)
    if isinstance(value, datetime):
        return FuzzyDate(value.date())
    if isinstance(value, date):
        return FuzzyDate(value)
    if isinstance(value, int | float):
        value = str(int(value)) if float(value).is_integer() else str(value)
    text, approximate = approximately(value)
    if not text:
        return None
    text = text.lower()
    for pattern, precision in DATE_PATTERNS:
        found = pattern.match(text)
        if found:
            return FuzzyDate(_build(found.groupdict(), precision), precision, approximate)
    found = _NUMERIC_DATE.match(text)
    if found:
        return FuzzyDate(_numeric(found, day_first), "day", approximate)
    raise ValueProblem(DATE_HELP)


def _build(parts: dict[str, str], precision: str) -> date:
    month_text = parts.get("month") or "1"
    month = int(month_text) if month_text.isdigit() else MONTHS.get(month_text)
    if month is None:
        raise ValueProblem(
            _l("%(month)s is not a month. %(help)s", month=repr(month_text), help=DATE_HELP)
        )
    day = int(parts["day"]) if precision == "day" else 1
    return _date(int(parts["year"]), month, day)


def _numeric(found: re.Match[str], day_first: bool | None) -> date:
    a, b, year = int(found["a"]), int(found["b"]), int(found["year"])
    if day_first is None:
        if a <= 12 and b <= 12 and a != b:
            raise ValueProblem(
                _l("This date could be day-first or month-first; choose the date order.")
            )
        day_first = a > 12
    day, month = (a, b) if day_first else (b, a)
    return _date(year, month, day)


def _date(year: int, month: int, day: int) -> date:
    if year < EARLIEST_YEAR:
        raise ValueProblem(
            _l("%(year)s is too early for a date here. %(help)s", year=year, help=DATE_HELP)
        )
    try:
        return date(year, month, day)
    except ValueError:
        raise ValueProblem(_l("There is no such day. %(help)s", help=DATE_HELP)) from None


def check_not_future(value: FuzzyDate | None) -> None:
    """Refuse a date that begins after today."""
    if value is not None and value.start > date.today():
        raise ValueProblem(_l("This date is in the future."))


def show_date(value: FuzzyDate | None) -> str:
    """A fuzzy date as the interface's language writes it, to the precision known:
    "9 October 2023", "October 2023", "around 2023" / "2023년 10월 9일", "2023년경"."""
    if value is None:
        return ""
    from tracker.i18n import format_day

    text = format_day(value.start, value.precision)
    return _("around %(date)s", date=text) if value.approximate else text


def iso_text(value: FuzzyDate | None) -> str:
    """A fuzzy date in ISO form to its precision: 2023-10-09, 2023-10, 2023; "c. " when
    approximate (what a form shows back; the parser reads it again as it was)."""
    if value is None:
        return ""
    text = value.start.isoformat()[: {"day": 10, "month": 7, "year": 4}[value.precision]]
    return f"c. {text}" if value.approximate else text


# --- date spans (an event's date) -----------------------------------------------------------


@dataclass(frozen=True)
class DateSpan:
    """The days an event may have happened on: one day, a month, a year or start to end."""

    start: date
    end: date
    precision: str
    approximate: bool = False

    @classmethod
    def of(cls, first: FuzzyDate, last: FuzzyDate | None = None) -> "DateSpan":
        """The span of a date, or from the first day of one to the last day of another."""
        if last is None or (last.start, last.precision) == (first.start, first.precision):
            return cls(first.start, first.end, first.precision, first.approximate)
        if last.end < first.start:
            raise EndProblem(_l("The end is before the start."))
        return cls(first.start, last.end, "range", first.approximate or last.approximate)


def parse_span(
    start: Any, end: Any = None, precision: Any = None, approximate: Any = None
) -> DateSpan | None:
    """An event's span from what a door gives; None when no start is given.

    Text (a form, a file) says its own precision: "October 2023", "around 9 Oct 2023", with an
    optional last day for a range. Dates (the API) are exact days: a first and a last day whose
    precision follows from them (1–31 October is the month), or a first day with a stated
    precision (a month: its first day)."""
    if isinstance(start, DateSpan):
        return start
    if precision in (None, ""):
        precision = None
    elif precision not in SPAN_PRECISIONS:
        raise ValueProblem(_l("Choose how precisely the date is known: day, month, year or range."))
    first = parse_date(start)
    if first is None:
        return None
    try:
        last = parse_date(end)
    except ValueProblem as problem:
        raise EndProblem(problem.message) from None
    if (
        precision is None
        and isinstance(start, date)
        and (end in (None, "") or isinstance(end, date))
    ):
        first_day_, last_day = first.start, last.start if last else first.start
        if last_day < first_day_:
            raise EndProblem(_l("The end is before the start."))
        span = DateSpan(first_day_, last_day, precision_of(first_day_, last_day), first.approximate)
    elif precision is None:
        span = DateSpan.of(first, last)
    elif precision == "range":
        if last is None:
            raise EndProblem(_l("Give the last day of the range."))
        if last.end < first.start:
            raise EndProblem(_l("The end is before the start."))
        span = DateSpan(first.start, last.end, "range", first.approximate or last.approximate)
    else:
        known = FuzzyDate(first_day(first.start, precision), precision, first.approximate)
        if last is not None and last.end != known.end:
            raise EndProblem(
                _l('The last day does not fit the precision: give the precision "range".')
            )
        span = DateSpan(known.start, known.end, precision, known.approximate)
    if approximate not in (None, ""):
        span = DateSpan(span.start, span.end, span.precision, _truthy(approximate))
    return span


def show_span(value: DateSpan | None) -> str:
    """A span in the interface's language: "9 October 2023", "around October 2023",
    "8 – 10 October 2023" (a range, with the locale's own interval format)."""
    if value is None:
        return ""
    from tracker.i18n import format_day, format_interval

    if value.precision == "range":
        text = format_interval(value.start, value.end)
    else:
        text = format_day(value.start, value.precision)
    return _("around %(date)s", date=text) if value.approximate else text


# --- counts -----------------------------------------------------------------------------


@dataclass(frozen=True)
class CountRange:
    """A reported number of people: at least `low`, at most `high` (either may be unknown),
    perhaps approximate ("about 180")."""

    low: int | None
    high: int | None
    approximate: bool = False


_NUMBER = r"(\d{1,3}(?:[, ]\d{3})+|\d+)(?:\.0+)?"
_PEOPLE = r"\s*(?:명|people|persons)?"  # 명 (people) after a number
_ABOUT = r"(?:(?P<about>about|around|approx\.?|approximately|roughly|c\.|ca\.|~|some|nearly|almost|약|대략)\s*)?"  # noqa: E501
_ABOUT2 = _ABOUT.replace("P<about>", "P<about2>")
_AT_LEAST = r"over|more than|at least|>=?|min\.?|minimum|최소"
_AT_MOST = r"up to|at most|fewer than|less than|<=?|max\.?|maximum|최대"
COUNT_PATTERNS = [
    (re.compile(rf"^{_ABOUT}{_NUMBER}{_PEOPLE}$"), "exact"),
    (
        re.compile(rf"^(?:{_AT_LEAST})\s*{_ABOUT}{_NUMBER}\+?{_PEOPLE}$"),
        "min",
    ),
    # 300+, 300여명, 300여 명, 200명 이상, 300명 넘게
    (re.compile(rf"^{_ABOUT}{_NUMBER}\s*(?:\+|여)\s*(?:명|people|persons)?$"), "min"),
    (re.compile(rf"^{_ABOUT}{_NUMBER}{_PEOPLE}\s*(?:이상|넘게|넘는|초과|or more)$"), "min"),
    (
        re.compile(rf"^(?:{_AT_MOST})\s*{_ABOUT}{_NUMBER}{_PEOPLE}$"),
        "max",
    ),
    (re.compile(rf"^{_ABOUT}{_NUMBER}{_PEOPLE}\s*(?:이하|까지|미만)$"), "max"),
    (
        re.compile(rf"^{_ABOUT}{_NUMBER}{_PEOPLE}\s*(?:-|–|—|~|to)\s*{_ABOUT2}{_NUMBER}{_PEOPLE}$"),
        "range",
    ),
]


def parse_count(value: Any) -> CountRange | None:
    """A reported number of people; None when blank. Integers, floats with no fraction, a
    CountRange (checked), or text in any of the spellings of COUNT_HELP."""
    if value is None or value == "":
        return None
    if isinstance(value, CountRange):
        return _checked_range(value.low, value.high, value.approximate)
    if isinstance(value, bool):
        raise ValueProblem(COUNT_HELP)
    if isinstance(value, int):
        return _checked_range(value, value, False)
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueProblem(_l("Enter a whole number of people."))
        return _checked_range(int(value), int(value), False)
    text = " ".join(str(value).lower().split())
    if not text:
        return None
    for pattern, shape in COUNT_PATTERNS:
        found = pattern.match(text)
        if not found:
            continue
        numbers = [int(re.sub(r"[, ]", "", group)) for group in _numbers(found)]
        approximate = bool(found.groupdict().get("about") or found.groupdict().get("about2"))
        if shape == "exact":
            return _checked_range(numbers[0], numbers[0], approximate)
        if shape == "min":
            return _checked_range(numbers[0], None, approximate)
        if shape == "max":
            return _checked_range(None, numbers[0], approximate)
        return _checked_range(numbers[0], numbers[1], approximate)
    raise ValueProblem(COUNT_HELP)


def _numbers(found: re.Match[str]) -> list[str]:
    named = {value for key, value in found.groupdict().items() if value is not None}
    return [group for group in found.groups() if group is not None and group not in named]


def count_from_parts(low: Any, high: Any, approximate: Any = False) -> CountRange | None:
    """A count from separate least and most figures (the API's people_min, people_max)."""
    if low in (None, "") and high in (None, ""):
        return None
    least, most = _whole(low), _whole(high)
    if least is not None and most is not None and most < least:
        raise ValueProblem(_l("The maximum is below the minimum."))
    return _checked_range(least, most, _truthy(approximate))


def _whole(value: Any) -> int | None:
    if value in (None, ""):
        return None
    parsed = parse_count(value)
    if parsed is None or parsed.low != parsed.high or parsed.approximate:
        raise ValueProblem(_l("Enter a whole number."))
    return parsed.low


def _checked_range(low: int | None, high: int | None, approximate: bool) -> CountRange:
    for number in (low, high):
        if number is not None and not 0 <= number <= MAX_COUNT:
            raise ValueProblem(_l("Enter a number between 0 and 10,000,000."))
    if low is not None and high is not None and high < low:
        raise ValueProblem(_l("The range's upper end is below its lower end."))
    return CountRange(low, high, approximate)


def show_count(value: CountRange | None, mark: str | None = None) -> str:
    """A count as it was reported: "180", "about 180" (or "~180" with mark="~"), "300–?",
    "?–600", "150–200"."""
    if value is None or (value.low is None and value.high is None):
        return ""
    from tracker.i18n import format_number

    low = "?" if value.low is None else format_number(value.low)
    high = "?" if value.high is None else format_number(value.high)
    text = low if value.low == value.high else f"{low}–{high}"
    if not value.approximate:
        return text
    if mark is not None:
        return mark + text
    return _("about %(count)s", count=text)


# --- birth years ------------------------------------------------------------------------


@dataclass(frozen=True)
class BirthYear:
    """A year of birth, perhaps approximate."""

    year: int
    approximate: bool = False


_BORN = re.compile(r"\s*(?:년생|년\s*생|년|생)$")


def parse_birth_year(value: Any, earliest: int = 1900) -> BirthYear | None:
    """A birth year: 1985, c. 1985, 약 1985, 1985년생, 1988(추정), 1985.0; None when blank."""
    if value is None or value == "":
        return None
    if isinstance(value, BirthYear):
        year, approximate = value.year, value.approximate
    elif isinstance(value, bool):
        raise ValueProblem(YEAR_HELP)
    elif isinstance(value, int | float):
        if not float(value).is_integer():
            raise ValueProblem(YEAR_HELP)
        year, approximate = int(value), False
    else:
        text, approximate = approximately(value)
        if not text:
            return None
        text = _BORN.sub("", text)
        found_year = re.fullmatch(r"(\d{4})(?:\.0+)?", text.strip())
        if not found_year:
            raise ValueProblem(YEAR_HELP)
        year = int(found_year.group(1))
    this_year = date.today().year
    if not earliest <= year <= this_year:
        raise ValueProblem(
            _l("Enter a year between %(first)s and %(last)s.", first=earliest, last=this_year)
        )
    return BirthYear(year, approximate)


@dataclass(frozen=True)
class YearBand:
    """The span of birth years an analyst sees instead of the year: 1985–1989."""

    first: int
    last: int

    def text(self) -> str:
        """As stored in the API and exports: "1985-1989"."""
        return f"{self.first}-{self.last}"


def year_band(value: Any, width: int) -> Any:
    """The band of `width` years (1985–1989, 1990–1994 …) a birth year falls in."""
    if not isinstance(value, BirthYear):
        return value  # nothing, or a band already
    first = value.year - value.year % width
    return YearBand(first, first + width - 1)


def to_month(value: Any) -> Any:
    """A date known to the day, told only to the month (October 2023); coarser ones as they are."""
    if not isinstance(value, FuzzyDate) or value.precision != "day":
        return value
    return FuzzyDate(value.start.replace(day=1), "month", value.approximate)


def show_year(value: BirthYear | YearBand | None) -> str:
    """A birth year as written: "1985", "around 1985"; a band as "1985–1989"."""
    if value is None:
        return ""
    if isinstance(value, YearBand):
        return f"{value.first}–{value.last}"
    return _("around %(year)s", year=value.year) if value.approximate else str(value.year)


# --- flags ---------------------------------------------------------------------------------

TRUE_WORDS = frozenset({"1", "true", "yes", "y", "x", "✓", "✔", "예", "o", "on", "네", "○"})


def _truthy(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value == 1
    return str(value or "").strip().lower() in TRUE_WORDS


def parse_flag(value: Any) -> bool:
    """Whether a tick box or cell is ticked: TRUE, yes, y, x, 1, 예 (blanks, N/A, FALSE are not)."""
    return _truthy(value)
