"""The values researchers write in spreadsheets: dates at any precision, approximate
dates and numbers, ranges, thousands separators. Each parser raises ValueError with a
message a researcher can act on."""

import re
from dataclasses import dataclass
from datetime import date

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
_APPROXIMATE = re.compile(
    r"^(?:c\.|ca\.|circa|about|around|approx\.?|approximately|roughly|~)\s*", re.IGNORECASE
)
DATE_PATTERNS = [
    # (pattern, precision)
    (re.compile(r"^(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})$"), "day"),
    (re.compile(r"^(?P<year>\d{4})/(?P<month>\d{1,2})/(?P<day>\d{1,2})$"), "day"),
    (re.compile(r"^(?P<year>\d{4})-(?P<month>\d{1,2})$"), "month"),
    (re.compile(r"^(?P<year>\d{4})(?:\.0+)?$"), "year"),
    (
        re.compile(
            r"^(?P<day>\d{1,2})(?:st|nd|rd|th)?[\s-]+" + _MONTH + r",?[\s-]+(?P<year>\d{4})$"
        ),
        "day",
    ),
    (
        re.compile(r"^" + _MONTH + r"\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<year>\d{4})$"),
        "day",
    ),
    (re.compile(r"^" + _MONTH + r"[\s,-]+(?P<year>\d{4})$"), "month"),
    (re.compile(r"^(?P<year>\d{4})\s+" + _MONTH + r"$"), "month"),
    (
        re.compile(r"^(?P<year>\d{4})\s*년\s*(?P<month>\d{1,2})\s*월\s*(?P<day>\d{1,2})\s*일$"),
        "day",
    ),
    (re.compile(r"^(?P<year>\d{4})\s*년\s*(?P<month>\d{1,2})\s*월$"), "month"),
    (re.compile(r"^(?P<year>\d{4})\s*년$"), "year"),
]
_NUMERIC_DATE = re.compile(r"^(?P<a>\d{1,2})[./-](?P<b>\d{1,2})[./-](?P<year>\d{4})$")
DATE_HELP = "Write a date such as 2023-10-09, 9 Oct 2023, October 2023 or 2023."


@dataclass(frozen=True)
class ParsedDate:
    """A date as written: its first day, its precision, and whether it is approximate."""

    start: date
    precision: str  # day, month or year
    approximate: bool = False


def parse_date(value: object, day_first: bool | None = None) -> ParsedDate | None:
    """A written date at day, month or year precision; None when blank.

    `day_first` settles 03/04/2023; without it such a date is refused as ambiguous."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError(DATE_HELP)
    if isinstance(value, date):
        return ParsedDate(value, "day")
    if isinstance(value, int | float):
        value = str(int(value)) if float(value).is_integer() else str(value)
    text = " ".join(str(value).split())
    if not text:
        return None
    approximate = False
    match = _APPROXIMATE.match(text)
    if match:
        approximate, text = True, text[match.end() :]
    text = text.lower()
    for pattern, precision in DATE_PATTERNS:
        found = pattern.match(text)
        if found:
            return ParsedDate(_build(found.groupdict(), precision), precision, approximate)
    found = _NUMERIC_DATE.match(text)
    if found:
        return ParsedDate(_numeric(found, day_first), "day", approximate)
    raise ValueError(DATE_HELP)


def _build(parts: dict[str, str], precision: str) -> date:
    month_text = parts.get("month") or "1"
    month = int(month_text) if month_text.isdigit() else MONTHS.get(month_text)
    if month is None:
        raise ValueError(f"{month_text!r} is not a month. {DATE_HELP}")
    day = int(parts["day"]) if precision == "day" else 1
    return _date(int(parts["year"]), month, day)


def _numeric(found: re.Match[str], day_first: bool | None) -> date:
    a, b, year = int(found["a"]), int(found["b"]), int(found["year"])
    if day_first is None:
        if a <= 12 and b <= 12 and a != b:
            raise ValueError(
                "This date could be day-first or month-first; choose the date order for the file."
            )
        day_first = a > 12
    day, month = (a, b) if day_first else (b, a)
    return _date(year, month, day)


def _date(year: int, month: int, day: int) -> date:
    if year < 1800:
        raise ValueError(f"{year} is too early for a date here. {DATE_HELP}")
    try:
        return date(year, month, day)
    except ValueError:
        raise ValueError(f"There is no such day. {DATE_HELP}") from None


# --- numbers -----------------------------------------------------------------------------

COUNT_HELP = "Write a number such as 180, 1,022, about 180, 300+ or 150-200."
_NUMBER = r"(\d{1,3}(?:[, ]\d{3})+|\d+)(?:\.0+)?"
_ABOUT = r"(?:about|around|approx\.?|approximately|roughly|c\.|ca\.|~|some|nearly|almost)?\s*"
COUNT_PATTERNS = [
    (re.compile(rf"^{_ABOUT}{_NUMBER}$"), "exact"),
    (
        re.compile(rf"^(?:over|more than|at least|>=?|min\.?|minimum)\s*{_ABOUT}{_NUMBER}\+?$"),
        "min",
    ),
    (re.compile(rf"^{_ABOUT}{_NUMBER}\s*\+$"), "min"),
    (
        re.compile(
            rf"^(?:up to|at most|fewer than|less than|<=?|max\.?|maximum)\s*{_ABOUT}{_NUMBER}$"
        ),
        "max",
    ),
    (re.compile(rf"^{_ABOUT}{_NUMBER}\s*(?:-|–|—|to)\s*{_ABOUT}{_NUMBER}$"), "range"),
]


def parse_count(value: object) -> tuple[int | None, int | None]:
    """A reported number of people as (minimum, maximum); either may be unknown (None)."""
    if value is None or value == "":
        return None, None
    if isinstance(value, bool):
        raise ValueError(COUNT_HELP)
    if isinstance(value, int):
        return _checked(value), _checked(value)
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError("Enter a whole number of people.")
        return _checked(int(value)), _checked(int(value))
    text = " ".join(str(value).lower().split())
    if not text:
        return None, None
    for pattern, shape in COUNT_PATTERNS:
        found = pattern.match(text)
        if not found:
            continue
        numbers = [_checked(int(re.sub(r"[, ]", "", group))) for group in found.groups()]
        if shape == "exact":
            return numbers[0], numbers[0]
        if shape == "min":
            return numbers[0], None
        if shape == "max":
            return None, numbers[0]
        low, high = numbers
        if high < low:
            raise ValueError("The range's upper end is below its lower end.")
        return low, high
    raise ValueError(COUNT_HELP)


def _checked(number: int) -> int:
    if not 0 <= number <= 10_000_000:
        raise ValueError("Enter a number between 0 and 10,000,000.")
    return number


def parse_year(value: object) -> tuple[int | None, bool]:
    """A year as (year, approximate): `1985`, `c. 1985`, `1985.0`; ValueError otherwise."""
    parsed = parse_date(value)
    if parsed is None:
        return None, False
    if parsed.precision != "year":
        raise ValueError("Write a year such as 1985 or c. 1985.")
    return parsed.start.year, parsed.approximate


TRUE_WORDS = frozenset({"1", "true", "yes", "y", "x", "✓", "✔", "예", "o"})


def is_flag_set(value: object) -> bool:
    """Whether a tick-box cell is ticked: TRUE, yes, y, x, 1 (N/A, FALSE and blanks are not)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value == 1
    return str(value or "").strip().lower() in TRUE_WORDS
