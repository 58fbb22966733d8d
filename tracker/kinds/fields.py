"""What a field of a record is, declared once on the model's column (`info=declare(...)`):
its label, its value type, its limits, whether it identifies someone, what an analyst sees of
it, and the other headers a spreadsheet may give it. The forms, the API, the importer, the
exports, the detail page, the history and the masking all read these declarations; nothing
here knows HTTP.

Each field turns what a door gives (text from a form or a cell, JSON from the API, stored
values from a snapshot) into one value (`clean`), stores it on a record (`write`), reads it
back (`read`), and says it to a person (`show`) or to a machine (`stored`: JSON-ready values
by column name, what the audit, the API and the exports carry).
"""

import functools
import itertools
from collections.abc import Callable, Iterable, Mapping
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l

from tracker.kinds import values as v
from tracker.kinds.values import ValueProblem

Problems = dict[str, str]
_order = itertools.count()

REQUIRED = _l("This field is required.")
# What an analyst is shown of a field (DESIGN.md's roles; docs/security.md).
SHOWN, HIDDEN = "shown", "hidden"


def declare(field: "Field") -> dict[str, Any]:
    """The `info` of a model's column or relationship that declares its field."""
    return {"field": field}


class Field:
    """One field of a kind of record. Subclasses are the value types."""

    kind_of_value = "text"  # the name the doors dispatch on
    editable = True

    def __init__(
        self,
        label: Any,
        *,
        description: Any = None,
        required: Any = False,
        identifying: bool = False,
        editable: bool = True,
        default: Any = None,
        also: str | Iterable[str] = (),
        export: bool = True,
        internal: bool = False,
    ):
        self.order = next(_order)  # declaration order across columns and relationships
        self.label = label
        self.description = description
        self.required = bool(required)  # True, or the message that says what is missing
        self.required_message = required if not isinstance(required, bool) else REQUIRED
        self.identifying = identifying
        self.editable = editable
        self.default = default
        # Other headers a spreadsheet gives it, English and Korean ("surname|성" or a tuple).
        self.synonyms = tuple(also.split("|") if isinstance(also, str) else also)
        self.export = export
        self.internal = internal  # kept by the services for the importer; no door shows it
        self.name = ""
        self.model: Any = None

    def bind(self, name: str, model: Any) -> "Field":
        """Learn the attribute's name (called once, when the model's fields are collected)."""
        self.name, self.model = name, model
        return self

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name}>"

    # --- shape ----------------------------------------------------------------------

    @property
    def columns(self) -> tuple[str, ...]:
        """The stored values' names: model attributes, API and export fields."""
        return (self.name,)

    def given(self, values: Mapping[str, Any]) -> bool:
        """Whether a door's values say anything about this field."""
        return self.name in values or any(column in values for column in self.columns)

    @functools.cached_property
    def inputs(self) -> tuple[str, ...]:
        """Every door value `clean` may read (so equal inputs clean to equal values)."""
        shortcut = getattr(self, "shortcut", None)
        return tuple(dict.fromkeys((self.name, *self.columns, *([shortcut] if shortcut else []))))

    # --- reading and writing -------------------------------------------------------------

    def read(self, source: Any) -> Any:
        """The field's value on a record (or a snapshot's values, via `Snapshot`)."""
        return getattr(source, self.name, None)

    def write(self, record: Any, value: Any) -> None:
        setattr(record, self.name, value)

    def clean(self, values: Mapping[str, Any], record: Any, problems: Problems) -> Any:
        """The value a door gave, checked: ValueProblem (or messages in `problems`) if not."""
        value = self.parse(values.get(self.name), record)
        return self.finish(value, record)

    def parse(self, raw: Any, record: Any) -> Any:
        return raw

    def finish(self, value: Any, record: Any) -> Any:
        """The default for a new record, then the required check."""
        if self.is_empty(value) and record is None and self.default is not None:
            value = self.default
        if self.required and self.is_empty(value):
            raise ValueProblem(self.required_message)
        return value

    def is_empty(self, value: Any) -> bool:
        return value in (None, "", [])

    def stored(self, value: Any) -> dict[str, Any]:
        """The value as JSON-ready data by column name (audit snapshot, API, exports)."""
        return {self.name: value}

    def from_text(self, text: Any) -> dict[str, Any]:
        """What a form input or a spreadsheet cell gives, as door values for `clean`."""
        return {self.name: text}

    def text(self, value: Any) -> str:
        """The value as a form shows it back (what `from_text` reads again as it was)."""
        return "" if value is None else str(value)

    def show(self, value: Any) -> str:
        """The value as a person reads it, in the interface's language."""
        if value is None or value == "":
            return ""
        return str(value)

    # --- what an analyst gets ---------------------------------------------------------------

    def for_analyst(self, value: Any) -> Any:
        """The value an analyst is shown: None (masked) when the field is identifying, else
        as coarse as its declaration says (a date to the month, a birth year to a band)."""
        return None if self.identifying else self.coarse(value)

    def coarse(self, value: Any) -> Any:
        """The value as coarse as this field's declaration asks for viewers who may not see
        identities; a field that could single a person out chooses this when declared."""
        return value

    @property
    def coarsened(self) -> bool:
        """Whether viewers who may not see identities get a coarser value than the stored one."""
        return False


class Snapshot:
    """Stored values (an audit snapshot, a row of plain columns) read like a record."""

    def __init__(self, values: Mapping[str, Any]):
        self.__dict__.update(values)

    def __getattr__(self, name: str) -> Any:
        return None


# --- plain values -----------------------------------------------------------------------


class Text(Field):
    """One line of text (or several, `multiline`), at most `max_length` characters."""

    def __init__(self, label: Any, max_length: int, *, multiline: bool = False, **options: Any):
        super().__init__(label, **options)
        self.max_length = max_length
        self.multiline = multiline
        self.check: Callable[[str], None] | None = None

    def parse(self, raw: Any, record: Any) -> str | None:
        return clean_text(raw, self.max_length)


def clean_text(raw: Any, max_length: int) -> str | None:
    """Text stripped, without NUL, within its length; None when blank."""
    if raw is None:
        return None
    text = raw if isinstance(raw, str) else str(raw)
    text = text.strip()
    if "\x00" in text:
        raise ValueProblem(_l("Remove the NUL character; it cannot be stored."))
    if len(text) > max_length:
        raise ValueProblem(
            _l(
                "Use at most %(max)d characters (this has %(length)d).",
                max=max_length,
                length=len(text),
            )
        )
    return text or None


class Url(Text):
    """A web address (http or https)."""

    kind_of_value = "url"

    def parse(self, raw: Any, record: Any) -> str | None:
        text = super().parse(raw, record)
        if text and not text.lower().startswith(("http://", "https://")):
            raise ValueProblem(_l("Give a web address starting with http:// or https://."))
        return text


class Lines(Field):
    """A list of short texts (aliases and other spellings): one per line, or `;`-separated."""

    kind_of_value = "lines"

    def __init__(self, label: Any, max_length: int, *, max_items: int = 50, **options: Any):
        super().__init__(label, **options)
        self.max_length = max_length
        self.max_items = max_items

    def parse(self, raw: Any, record: Any) -> list[str]:
        if raw is None:
            return []
        if isinstance(raw, str):
            raw = raw.replace(";", "\n").splitlines()
        if not isinstance(raw, list | tuple):
            raw = [raw]
        items = [str(item).strip() for item in raw if str(item).strip()]
        if len(items) > self.max_items:
            raise ValueProblem(_l("Give at most %(count)d entries.", count=self.max_items))
        for item in items:
            if len(item) > self.max_length or "\x00" in item:
                raise ValueProblem(
                    _l("Keep each entry under %(max)d characters.", max=self.max_length)
                )
        return items

    def read(self, source: Any) -> list[str]:
        return list(getattr(source, self.name, None) or [])

    def text(self, value: Any) -> str:
        return "\n".join(value or [])

    def show(self, value: Any) -> str:
        return ", ".join(value or [])


class Whole(Field):
    """A whole number within limits."""

    kind_of_value = "whole"

    def __init__(self, label: Any, *, minimum: int = 0, maximum: int = v.MAX_COUNT, **options: Any):
        super().__init__(label, **options)
        self.minimum, self.maximum = minimum, maximum

    def parse(self, raw: Any, record: Any) -> int | None:
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            return None
        if isinstance(raw, bool):
            raise ValueProblem(_l("Enter a whole number."))
        try:
            number = int(raw) if not isinstance(raw, str) else int(raw.strip().replace(",", ""))
        except (TypeError, ValueError):
            raise ValueProblem(_l("Enter a whole number.")) from None
        if isinstance(raw, float) and raw != number:
            raise ValueProblem(_l("Enter a whole number."))
        if not self.minimum <= number <= self.maximum:
            raise ValueProblem(
                _l(
                    "Enter a number between %(minimum)s and %(maximum)s.",
                    minimum=self.minimum,
                    maximum=self.maximum,
                )
            )
        return number


class Decimal(Field):
    """A number with a fraction within limits (a latitude, a longitude)."""

    kind_of_value = "decimal"

    def __init__(self, label: Any, *, minimum: float, maximum: float, **options: Any):
        super().__init__(label, **options)
        self.minimum, self.maximum = minimum, maximum

    def parse(self, raw: Any, record: Any) -> float | None:
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            return None
        if isinstance(raw, bool):
            raise ValueProblem(_l("Enter a number."))
        try:
            number = float(raw)
        except (TypeError, ValueError):
            raise ValueProblem(_l("Enter a number.")) from None
        if not self.minimum <= number <= self.maximum:
            low, high = f"{self.minimum:g}", f"{self.maximum:g}"
            raise ValueProblem(
                _l("Enter a number between %(minimum)s and %(maximum)s.", minimum=low, maximum=high)
            )
        return number

    def show(self, value: Any) -> str:
        return "" if value is None else f"{value:.4f}"


class Flag(Field):
    """Yes or no."""

    kind_of_value = "flag"

    def parse(self, raw: Any, record: Any) -> bool:
        return v.parse_flag(raw)

    def read(self, source: Any) -> bool:
        return bool(getattr(source, self.name, False))

    def is_empty(self, value: Any) -> bool:
        return False

    def show(self, value: Any) -> str:
        from flask_babel import gettext as _

        return _("yes") if value else _("no")


class Choice(Field):
    """One of a fixed set of options (a source's grades), given by code or by label."""

    kind_of_value = "choice"

    def __init__(self, label: Any, options: Mapping[Any, Any], **options_: Any):
        super().__init__(label, **options_)
        self.options = dict(options)

    def parse(self, raw: Any, record: Any) -> Any:
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            return None
        wanted = str(raw).strip().casefold()
        for code, label in self.options.items():
            if wanted in (str(code).casefold(), str(label).casefold()):
                return code
        listed = ", ".join(str(code) for code in self.options)
        raise ValueProblem(_l("Choose one of: %(values)s.", values=listed))

    def show(self, value: Any) -> str:
        if value is None:
            return ""
        return f"{value} – {self.options[value]}" if value in self.options else str(value)


class Term(Field):
    """A term of a controlled vocabulary (stored as its code; the vocabulary is data: an admin
    adds, renames and retires terms). Given by code, by its name in any interface language,
    or by one of its other names ("F", "여"), case-insensitively."""

    kind_of_value = "term"

    def __init__(self, label: Any, vocabulary: str, **options: Any):
        super().__init__(label, **options)
        self.vocabulary = vocabulary

    def parse(self, raw: Any, record: Any) -> str | None:
        from tracker.vocab.terms import match_term

        text = clean_text(raw, 120)
        if text is None:
            return None
        current = getattr(record, self.name, None) if record is not None else None
        return match_term(self.vocabulary, text, keep=current)

    def show(self, value: Any) -> str:
        from tracker.vocab.labels import label

        return label(self.vocabulary, value)


class Country(Field):
    """A country as its ISO 3166-1 alpha-2 code (KP, CN); given by code or by name in English
    or Korean ("North Korea", "북한")."""

    kind_of_value = "country"

    def parse(self, raw: Any, record: Any) -> str | None:
        from tracker.i18n import country_code

        text = clean_text(raw, 100)
        if text is None:
            return None
        code = country_code(text)
        if code is None:
            raise ValueProblem(_l("Use a two-letter country code such as CN or KP, or its name."))
        return code

    def show(self, value: Any) -> str:
        from tracker.i18n import country_name

        return country_name(value) if value else ""


# --- value types stored in several columns ------------------------------------------------


class FuzzyDate(Field):
    """A date known to the day, month or year, perhaps approximate; stored as its first day
    (`name`), its precision (`name_precision`) and its flag (`name_approximate`)."""

    kind_of_value = "fuzzy_date"

    def __init__(
        self, label: Any, *, future: bool = False, analysts: str | None = None, **options: Any
    ):
        super().__init__(label, **options)
        self.future = future
        # "month": analysts see the date to the month at most (a person's dates)
        if analysts not in (None, "month"):
            raise ValueError(f"analysts={analysts!r}: only 'month' is known")
        self.analysts = analysts
        self._columns: tuple[str, ...] = ()

    def coarse(self, value: v.FuzzyDate | None) -> v.FuzzyDate | None:
        return v.to_month(value) if self.analysts == "month" else value

    @property
    def coarsened(self) -> bool:
        return self.analysts is not None

    @property
    def columns(self) -> tuple[str, ...]:
        if not self._columns or self._columns[0] != self.name:
            self._columns = (self.name, f"{self.name}_precision", f"{self.name}_approximate")
        return self._columns

    def read(self, source: Any) -> v.FuzzyDate | None:
        day = _day(getattr(source, self.name, None))
        if day is None:
            return None
        precision = getattr(source, f"{self.name}_precision", None) or "day"
        return v.FuzzyDate(day, precision, bool(getattr(source, f"{self.name}_approximate", None)))

    def parse_values(self, values: Mapping[str, Any]) -> v.FuzzyDate | None:
        parsed = v.parse_date(values.get(self.name))
        if parsed is None:
            return None
        precision = values.get(f"{self.name}_precision")
        approximate = values.get(f"{self.name}_approximate")
        if precision not in (None, ""):
            if precision not in v.PRECISIONS:
                raise ValueProblem(
                    _l("Choose how precisely the date is known: day, month or year.")
                )
            parsed = v.FuzzyDate(
                v.first_day(parsed.start, precision), precision, parsed.approximate
            )
        if approximate not in (None, ""):
            parsed = v.FuzzyDate(parsed.start, parsed.precision, v.parse_flag(approximate))
        return parsed

    def clean(self, values: Mapping[str, Any], record: Any, problems: Problems) -> Any:
        parsed = self.parse_values(values)
        if not self.future:
            v.check_not_future(parsed)
        return self.finish(parsed, record)

    def write(self, record: Any, value: v.FuzzyDate | None) -> None:
        for column, stored in zip(self.columns, _date_parts(value), strict=True):
            setattr(record, column, stored)

    def stored(self, value: v.FuzzyDate | None) -> dict[str, Any]:
        start, precision, approximate = _date_parts(value)
        return dict(zip(self.columns, (_iso(start), precision, approximate), strict=True))

    def from_text(self, text: Any) -> dict[str, Any]:
        return {self.name: text, f"{self.name}_precision": None, f"{self.name}_approximate": None}

    def text(self, value: Any) -> str:
        return v.iso_text(value)

    def show(self, value: Any) -> str:
        return v.show_date(value)


def _date_parts(value: v.FuzzyDate | None) -> tuple[Any, Any, Any]:
    if value is None:
        return None, None, False
    return value.start, value.precision, value.approximate


def _day(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


class DateSpan(Field):
    """An event's date: a day, a month, a year or a range, perhaps approximate; stored as
    date_start, date_end, date_precision, date_approximate."""

    kind_of_value = "date_span"
    END = "date_end"

    @property
    def columns(self) -> tuple[str, ...]:
        return ("date_start", "date_end", "date_precision", "date_approximate")

    def read(self, source: Any) -> v.DateSpan | None:
        start, end = (
            _day(getattr(source, "date_start", None)),
            _day(getattr(source, "date_end", None)),
        )
        if start is None:
            return None
        precision = getattr(source, "date_precision", None) or "day"
        approximate = bool(getattr(source, "date_approximate", None))
        return v.DateSpan(start, end or start, precision, approximate)

    def clean(self, values: Mapping[str, Any], record: Any, problems: Problems) -> Any:
        try:
            span = v.parse_span(
                values.get("date_start"),
                values.get("date_end"),
                values.get("date_precision"),
                values.get("date_approximate"),
            )
        except v.EndProblem as problem:
            problems.setdefault(self.END, str(problem))
            return None
        if span is None and values.get("date_end") not in (None, ""):
            raise ValueProblem(_l("Give the first day too."))
        if span is not None and span.start > date.today():
            raise ValueProblem(_l("This date is in the future."))
        return self.finish(span, record)

    def write(self, record: Any, value: v.DateSpan | None) -> None:
        if value is None:
            return
        record.date_start, record.date_end = value.start, value.end
        record.date_precision, record.date_approximate = value.precision, value.approximate

    def stored(self, value: v.DateSpan | None) -> dict[str, Any]:
        if value is None:
            return dict.fromkeys(self.columns)
        return {
            "date_start": value.start.isoformat(),
            "date_end": value.end.isoformat(),
            "date_precision": value.precision,
            "date_approximate": value.approximate,
        }

    def from_text(self, text: Any, end: Any = None) -> dict[str, Any]:
        return {
            "date_start": text,
            "date_end": end,
            "date_precision": None,
            "date_approximate": None,
        }

    def text(self, value: Any) -> str:
        if value is None:
            return ""
        first = "day" if value.precision == "range" else value.precision
        return v.iso_text(v.FuzzyDate(value.start, first, value.approximate))

    def end_text(self, value: Any) -> str:
        return value.end.isoformat() if value is not None and value.precision == "range" else ""

    def show(self, value: Any) -> str:
        return v.show_span(value)


class Count(Field):
    """A reported number of people: one text ("about 180", "300+", "150-200") in a form or a
    cell; `name_min`, `name_max` and `name_approximate` in the API, the exports and storage."""

    kind_of_value = "count"

    def __init__(self, label: Any, *, prefix: str = "people", **options: Any):
        super().__init__(label, **options)
        self.prefix = prefix

    def bind(self, name: str, model: Any) -> "Field":
        """Declared on its first column (`people_min`); named by what it counts (`people`)."""
        super().bind(name, model)
        self.name = self.prefix
        return self

    @property
    def columns(self) -> tuple[str, ...]:
        return (f"{self.prefix}_min", f"{self.prefix}_max", f"{self.prefix}_approximate")

    def read(self, source: Any) -> v.CountRange | None:
        low, high, approximate = (getattr(source, column, None) for column in self.columns)
        if low is None and high is None:
            return None
        return v.CountRange(low, high, bool(approximate))

    def clean(self, values: Mapping[str, Any], record: Any, problems: Problems) -> Any:
        if self.name in values:
            counted = v.parse_count(values[self.name])
        else:
            low, high, approximate = (values.get(column) for column in self.columns)
            try:
                counted = v.count_from_parts(low, high, approximate or False)
            except ValueProblem as problem:  # said of the figure that is wrong
                problems.setdefault(self.columns[0 if high in (None, "") else 1], str(problem))
                return None
        return self.finish(counted, record)

    def write(self, record: Any, value: v.CountRange | None) -> None:
        parts = (None, None, False) if value is None else (value.low, value.high, value.approximate)
        for column, stored in zip(self.columns, parts, strict=True):
            setattr(record, column, stored)

    def stored(self, value: v.CountRange | None) -> dict[str, Any]:
        parts = (None, None, False) if value is None else (value.low, value.high, value.approximate)
        return dict(zip(self.columns, parts, strict=True))

    def from_text(self, text: Any) -> dict[str, Any]:
        return {self.name: text}

    def text(self, value: Any) -> str:
        if value is None:
            return ""
        low = "" if value.low is None else str(value.low)
        if value.low == value.high:
            text = low
        elif value.high is None:
            text = f"{low}+"
        elif value.low is None:
            text = f"up to {value.high}"
        else:
            text = f"{low}-{value.high}"
        return f"about {text}" if value.approximate else text

    def show(self, value: Any) -> str:
        return v.show_count(value)


class BirthYear(Field):
    """A year of birth, perhaps approximate: `birth_year` and `birth_year_approximate`."""

    kind_of_value = "birth_year"

    def __init__(self, label: Any, *, band: int | None = None, **options: Any):
        super().__init__(label, **options)
        self.band = band  # analysts see a band of this many years (1985–1989)

    def coarse(self, value: v.BirthYear | None) -> Any:
        return v.year_band(value, self.band) if self.band else value

    @property
    def coarsened(self) -> bool:
        return self.band is not None

    @property
    def columns(self) -> tuple[str, ...]:
        return (self.name, f"{self.name}_approximate")

    def read(self, source: Any) -> v.BirthYear | None:
        year = getattr(source, self.name, None)
        if year is None:
            return None
        return v.BirthYear(int(year), bool(getattr(source, f"{self.name}_approximate", None)))

    def clean(self, values: Mapping[str, Any], record: Any, problems: Problems) -> Any:
        parsed = v.parse_birth_year(values.get(self.name))
        approximate = values.get(f"{self.name}_approximate")
        if parsed is not None and approximate not in (None, ""):
            parsed = v.BirthYear(parsed.year, v.parse_flag(approximate))
        return self.finish(parsed, record)

    def write(self, record: Any, value: v.BirthYear | None) -> None:
        setattr(record, self.name, value.year if value else None)
        setattr(record, f"{self.name}_approximate", value.approximate if value else False)

    def stored(self, value: v.BirthYear | v.YearBand | None) -> dict[str, Any]:
        if isinstance(value, v.YearBand):
            return {self.name: value.text(), f"{self.name}_approximate": None}
        return {
            self.name: value.year if value else None,
            f"{self.name}_approximate": value.approximate if value else False,
        }

    def from_text(self, text: Any) -> dict[str, Any]:
        return {self.name: text, f"{self.name}_approximate": None}

    def text(self, value: Any) -> str:
        if value is None:
            return ""
        return f"c. {value.year}" if value.approximate else str(value.year)

    def show(self, value: Any) -> str:
        return v.show_year(value)


# --- references to other records -------------------------------------------------------------


class Ref(Field):
    """Another record, by id (`crossing_id`); a spreadsheet may name it instead (`crossing`)."""

    kind_of_value = "ref"

    def __init__(self, label: Any, kind: str, *, by_name: str | None = None, **options: Any):
        super().__init__(label, **options)
        self.kind = kind  # the referenced kind's name: "crossings"
        self.by_name = by_name  # the import and export column holding its name

    def parse(self, raw: Any, record: Any) -> int | None:
        current = getattr(record, self.name, None) if record is not None else None
        return self.check_id(raw, keep=[current] if current else [])

    def check_id(self, raw: Any, keep: list[int]) -> int | None:
        """The id of a live record of the kind (or one in `keep`, which the record had before
        it went to the Trash, so saving a form never drops it silently)."""
        from tracker.kinds.references import live_ids

        if raw is None or raw == "":
            return None
        number = _record_id(raw)
        if number is None or number not in live_ids(self.model_of(), [number], keep=keep):
            raise ValueProblem(
                _l("Unknown %(what)s: choose one from the list.", what=_singular(self.kind))
            )
        return number

    def model_of(self) -> Any:
        from tracker.kinds.registry import kind

        return kind(self.kind).model

    def show(self, value: Any) -> str:
        from tracker.kinds.references import reference_label

        return reference_label(self.kind, value, True) if value is not None else ""


def _singular(kind_name: str) -> Any:
    """A kind's name for one record ("facility"), in the reader's language."""
    from tracker.kinds.registry import kind

    return kind(kind_name).singular


def _record_id(raw: Any) -> int | None:
    from tracker.security.converters import MAX_ID

    if isinstance(raw, bool):
        return None
    try:
        number = int(raw)
    except (TypeError, ValueError):
        return None
    if isinstance(raw, float) and raw != number:
        return None
    return number if 0 < number <= MAX_ID else None


class Refs(Field):
    """Several records of another kind (an event's origin facilities), by id; a spreadsheet
    names them, `;`-separated (`facilities`)."""

    kind_of_value = "refs"

    def __init__(
        self,
        label: Any,
        kind: str,
        *,
        column: str,
        by_name: str | None = None,
        **options: Any,
    ):
        super().__init__(label, **options)
        self.kind = kind
        self.column = column  # the ids' name in the API, the exports and snapshots
        self.by_name = by_name
        self.relation = ""

    def bind(self, name: str, model: Any) -> "Field":
        """Declared on the relationship (`facilities`); named by its ids (`facility_ids`)."""
        super().bind(name, model)
        self.relation, self.name = name, self.column
        return self

    def read(self, source: Any) -> list[int]:
        ids = getattr(source, self.name, None)
        if ids is not None:  # a snapshot's ids
            return sorted(ids)
        return sorted(item.id for item in getattr(source, self.relation, None) or [])

    def parse(self, raw: Any, record: Any) -> list[int]:
        from tracker.kinds.references import live_ids

        if raw is None or raw == "":
            return []
        if not isinstance(raw, list | tuple):
            raw = [raw]
        ids = [_record_id(item) for item in raw if item not in (None, "")]
        current = self.read(record) if record is not None else []
        known = live_ids(self.model_of(), [i for i in ids if i], keep=current)
        if any(item is None or item not in known for item in ids):
            raise ValueProblem(
                _l("Unknown %(what)s: choose from the list.", what=_singular(self.kind))
            )
        return sorted(set(ids))  # type: ignore[arg-type]

    def model_of(self) -> Any:
        from tracker.kinds.registry import kind

        return kind(self.kind).model

    def write(self, record: Any, value: list[int]) -> None:
        from tracker.extensions import db

        if self.read(record) != value:
            model = self.model_of()
            setattr(record, self.relation, [db.session.get(model, item) for item in value])

    def is_empty(self, value: Any) -> bool:
        return not value

    def show(self, value: Any) -> str:
        from tracker.kinds.references import reference_label

        return ", ".join(reference_label(self.kind, item, True) for item in value or [])


class Rows(Field):
    """Rows that belong to the record's content (a person's detentions, what each source
    claims about an event), each with the fields its own model declares. Rows no longer
    listed are withdrawn (soft-deleted where the row model keeps history) or removed.

    `key` names the row field a shortcut lists (`facility_ids`: the person's facilities); a
    door that gives the shortcut keeps the rows of listed keys and adds a row for each new one.
    `match` says which row fields identify a row to update in place rather than replace."""

    kind_of_value = "rows"

    def __init__(
        self,
        label: Any,
        row_model: Any,
        *,
        parent: str,
        key: str,
        shortcut: str,
        by_name: str,
        match: tuple[str, ...] = (),
        duplicate_message: Any = None,
        key_required: Any = None,
        in_order: tuple[str, str] | None = None,
        **options: Any,
    ):
        super().__init__(label, **options)
        self._row_model = row_model  # the model, or a function returning it (declared later)
        self.parent = parent  # the row's column pointing at the record: "person_id"
        self.key = key
        self.shortcut = shortcut
        self.by_name = by_name
        self.match = match
        self.duplicate_message = duplicate_message
        self.key_required = key_required or REQUIRED  # a row without its key
        self.in_order = in_order  # two dates of a row: the second never before the first

    @property
    def row_model(self) -> Any:
        model = self._row_model
        return model if isinstance(model, type) else model()

    @functools.cached_property
    def fields(self) -> list[Field]:
        """The row's editable fields (worked out once: every row of an import asks often)."""
        from tracker.kinds.registry import fields_of

        return [f for f in fields_of(self.row_model) if f.editable]

    def row_value(self, row: Any) -> dict[str, Any]:
        return {f.name: f.read(row) for f in self.fields}

    def live_rows(self, record: Any) -> list[Any]:
        return [r for r in getattr(record, self.name, None) or [] if not _withdrawn(r)]

    def read(self, source: Any) -> list[dict[str, Any]]:
        rows = getattr(source, self.name, None) or []
        values = [
            self.row_value(row if not isinstance(row, dict) else Snapshot(row))
            for row in rows
            if isinstance(row, dict) or not _withdrawn(row)
        ]
        return sorted(values, key=self.sort_key)

    def sort_key(self, row: dict[str, Any]) -> tuple[Any, ...]:
        return tuple(_sortable(row.get(f.name)) for f in self.fields)

    def keys(self, source: Any) -> list[int]:
        return sorted({row[self.key] for row in self.read(source) if row.get(self.key)})

    def given(self, values: Mapping[str, Any]) -> bool:
        return self.name in values or self.shortcut in values

    def clean(self, values: Mapping[str, Any], record: Any, problems: Problems) -> Any:
        if values.get(self.shortcut) is not None:
            return self._from_shortcut(values[self.shortcut], values, record, problems)
        cleaned = []
        for index, row in enumerate(values.get(self.name) or []):
            if isinstance(row, v.FuzzyDate | str) or not isinstance(row, Mapping):
                problems.setdefault(self.name, str(_l("Give each row as a set of fields.")))
                continue
            if not any(value not in (None, "", [], False) for value in row.values()):
                continue
            cleaned.append(self.clean_row(row, record, problems, f"{self.name}-{index}-"))
        return self._checked(cleaned, problems)

    def clean_row(
        self, row: Mapping[str, Any], record: Any, problems: Problems, prefix: str
    ) -> dict[str, Any]:
        keep = self.keys(record) if record is not None else []
        result = {}
        for field in self.fields:
            try:
                if isinstance(field, Ref):
                    result[field.name] = field.check_id(row.get(field.name), keep)
                else:
                    result[field.name] = field.clean(row, None, problems)
            except ValueProblem as problem:
                problems.setdefault(prefix + field.name, str(problem))
                result[field.name] = None
        if result.get(self.key) is None and prefix + self.key not in problems:
            problems.setdefault(prefix + self.key, str(self.key_required))
        if self.in_order:
            first: Any = result.get(self.in_order[0])
            then: Any = result.get(self.in_order[1])
            if first is not None and then is not None and then.end < first.start:
                problems.setdefault(
                    prefix + self.in_order[1], str(_l("The end is before the start."))
                )
        return result

    def _from_shortcut(
        self, ids: Any, values: Mapping[str, Any], record: Any, problems: Problems
    ) -> Any:
        wanted = list(dict.fromkeys(ids if isinstance(ids, list | tuple) else [ids]))
        current = self.read(record) if record is not None else []
        rows = [row for row in current if row.get(self.key) in wanted]
        have = {row.get(self.key) for row in rows}
        key_field = next(f for f in self.fields if f.name == self.key)
        keep = self.keys(record) if record is not None else []
        for key in wanted:
            if key in have:
                continue
            try:
                number = key_field.check_id(key, keep)  # type: ignore[attr-defined]
            except ValueProblem as problem:
                problems.setdefault(self.shortcut, str(problem))
                continue
            row = {f.name: None for f in self.fields} | {self.key: number}
            rows.append(
                row | {f.name: f.read(Snapshot({})) for f in self.fields if f.name != self.key}
            )
        return self._checked(rows, problems)

    def _checked(self, rows: list[dict[str, Any]], problems: Problems) -> list[dict[str, Any]]:
        if self.match:
            seen = [tuple(row.get(name) for name in self.match) for row in rows]
            if len(seen) != len(set(seen)):
                problems.setdefault(self.name, str(self.duplicate_message))
        return sorted(rows, key=self.sort_key)

    def write(self, record: Any, value: list[dict[str, Any]]) -> None:
        """Make the record's live rows those of `value`: rows matched by `match` (or equal)
        are kept and updated, the rest withdrawn, new ones added."""
        from tracker.records.bulk import new_child

        wanted = list(value)
        live = self.live_rows(record)
        by_match: dict[tuple[Any, ...], Any] = {}
        if self.match:
            by_match = {tuple(getattr(row, n) for n in self.match): row for row in live}
        for row in live:
            current = self.row_value(row)
            if current in wanted:
                wanted.remove(current)
                continue
            matched = next(
                (
                    want
                    for want in wanted
                    if self.match
                    and tuple(want.get(n) for n in self.match) in by_match
                    and by_match[tuple(want.get(n) for n in self.match)] is row
                ),
                None,
            )
            if matched is not None:
                for field in self.fields:
                    if field.read(row) != matched[field.name]:
                        field.write(row, matched[field.name])
                wanted.remove(matched)
            else:
                self.withdraw(record, row)
        for values in wanted:
            row = new_child(record, self.row_model)
            for field in self.fields:
                field.write(row, values[field.name])
            getattr(record, self.name).append(row)

    def withdraw(self, record: Any, row: Any) -> None:
        from tracker.db import utcnow

        if hasattr(row, "deleted_at"):
            row.deleted_at = utcnow()
            row.deleted_by_id = getattr(record, "updated_by_id", None)
        else:
            getattr(record, self.name).remove(row)

    def stored(self, value: list[dict[str, Any]]) -> dict[str, Any]:
        rows = []
        for row in value or []:
            stored: dict[str, Any] = {}
            for field in self.fields:
                stored |= field.stored(row.get(field.name))
            rows.append(stored)
        return {self.name: rows}

    def is_empty(self, value: Any) -> bool:
        return not value

    def show(self, value: Any) -> str:
        return "; ".join(self.show_row(row) for row in value or [])

    def show_row(self, row: dict[str, Any]) -> str:
        parts = []
        for field in self.fields:
            shown = field.show(row.get(field.name))
            if shown:
                parts.append(f"{field.label}: {shown}")
        return ", ".join(parts)

    def for_analyst(self, value: Any) -> Any:
        if self.identifying:
            return None
        return [
            {f.name: f.for_analyst(row.get(f.name)) for f in self.fields} for row in value or []
        ]


def _withdrawn(row: Any) -> bool:
    return getattr(row, "deleted_at", None) is not None


def _sortable(value: Any) -> Any:
    if value is None:
        return (0, "")
    if isinstance(value, v.FuzzyDate):
        return (1, value.start.isoformat())
    return (1, str(value))
