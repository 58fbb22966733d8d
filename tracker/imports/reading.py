"""Reading a CSV or XLSX file as a header and a stream of rows, whatever its encoding,
delimiter or sheet; anything that is not a readable table is refused with a clear message.

Rows are streamed (csv.reader over the decoded file, openpyxl in read-only mode), so memory
stays flat however long the file is. Cell values are never evaluated: a text starting with
`=` is text, and a formula in a workbook refuses the file.
"""

import codecs
import csv
import re
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import IO, Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from tracker.exceptions import ValidationFailed

SNIFF_BYTES = 64 * 1024
DELIMITERS = ",;\t|"
DAMAGED_WORKBOOK = _l("This is not a CSV or XLSX file, or the workbook is damaged.")
# A cell of a workbook: what openpyxl gives, reduced to what a value parser expects.
Cell = str | int | float | bool | date | None


class FileRejected(ValidationFailed):
    """The file cannot be read as a table; nothing was imported."""

    def __init__(self, message: Any):
        message = str(message)  # a lazy message in the language of the moment it is refused
        super().__init__(message, {"file": message})


@dataclass
class Table:
    """A file's header and its rows; `rows` yields (row number as a spreadsheet shows it, cells)."""

    headers: list[str]
    rows: Iterator[tuple[int, list[Cell]]]
    sheets: list[str] = field(default_factory=list)
    sheet: str | None = None
    encoding: str | None = None
    delimiter: str | None = None
    closer: Callable[[], None] | None = None
    # A workbook's own claim of its extent (its <dimension>), and the rows really read.
    declared_rows: int | None = None
    rows_read: list[int] = field(default_factory=lambda: [0])

    def misstated(self) -> tuple[str, int, int] | None:
        """(sheet, rows it declares, rows it holds) when a workbook misstates its extent; ask
        once every row has been read."""
        if self.declared_rows is not None and self.rows_read[0] != self.declared_rows:
            return (self.sheet or "", self.declared_rows, self.rows_read[0])
        return None

    def close(self) -> None:
        """Release the file (also when the rows were not all read)."""
        if self.closer is not None:
            self.closer()


def open_table(path: Path, sheet: str | None = None, max_bytes: int | None = None) -> Table:
    """The table in the file at `path` (CSV or XLSX, told by content, not by name)."""
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            head = handle.read(SNIFF_BYTES)
    except OSError:
        raise FileRejected(_("The file cannot be read.")) from None
    if max_bytes is not None and size > max_bytes:
        raise FileRejected(
            _("The file is larger than the limit of %(size)s.", size=describe_size(max_bytes))
        )
    if not head.strip():
        raise FileRejected(_("The file is empty."))
    if head.startswith(b"PK\x03\x04"):
        return _open_workbook(path, sheet)
    return _open_csv(path, head)


def describe_size(size: int) -> str:
    """A size in bytes as people say it: 100 MB, 512 KB, 100 bytes."""
    for unit, factor in (("MB", 1024 * 1024), ("KB", 1024)):
        if size >= factor:
            return f"{size / factor:.0f} {unit}"
    return _("%(count)s bytes", count=size)


# --- CSV ------------------------------------------------------------------------------


def detect_encoding(head: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 by its BOM, else the best legacy guess (CP949, ...)."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if b"\x00" in head:
        raise FileRejected(_("This is not a CSV or XLSX file."))
    try:
        head.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as error:
        if error.start >= len(head) - 3 and len(head) == SNIFF_BYTES:
            return "utf-8"  # a character cut by the sample's end
        decoded = head.decode("utf-8", errors="replace")
        broken = decoded.count("\ufffd")
        if sum(1 for ch in decoded if ord(ch) > 127) - broken > broken:
            # Mostly valid UTF-8 with a few bad bytes: a damaged file, not another encoding.
            raise FileRejected(_broken_utf8(head, error.start)) from None
    from charset_normalizer import from_bytes

    best = from_bytes(head).best()
    if best is None:
        raise FileRejected(_("This is not a CSV or XLSX file."))
    return str(best.encoding)


def _broken_utf8(data: bytes, offset: int) -> str:
    line = data[:offset].count(b"\n") + 1
    return _("The file is not valid UTF-8 (line %(line)s); save it again as UTF-8.", line=line)


def _open_csv(path: Path, head: bytes) -> Table:
    encoding = detect_encoding(head)
    sample = head.decode(encoding, errors="ignore")
    delimiter = _sniff_delimiter(sample)
    handle = path.open("r", encoding=encoding, newline="", errors="strict")
    reader = csv.reader(handle, delimiter=delimiter)
    try:
        first = _csv_next(reader, handle)
    except StopIteration:
        handle.close()
        raise FileRejected(_("The file is empty.")) from None
    try:
        headers = _check_headers(list(first))
    except FileRejected:
        handle.close()
        raise
    return Table(
        headers=headers,
        rows=_csv_rows(reader, handle, len(headers)),
        encoding=encoding,
        delimiter=delimiter,
        closer=handle.close,
    )


def _sniff_delimiter(sample: str) -> str:
    lines = sample.splitlines()[:20]
    if len(lines) > 1:
        lines = lines[:-1]  # the last line of a sample may be cut
    try:
        return csv.Sniffer().sniff("\n".join(lines), delimiters=DELIMITERS).delimiter
    except csv.Error:
        counts = {d: lines[0].count(d) if lines else 0 for d in DELIMITERS}
        best = max(counts, key=lambda d: counts[d])
        return best if counts[best] else ","


def _csv_next(reader: Any, handle: IO[str]) -> list[str]:
    try:
        return next(reader)  # type: ignore[no-any-return]
    except UnicodeDecodeError as error:
        handle.close()
        encoding = getattr(handle, "encoding", "text")
        raise FileRejected(
            _(
                "The file is not valid %(encoding)s near line %(line)s; save it again as UTF-8.",
                encoding=encoding,
                line=reader.line_num + 1,
            )
        ) from error
    except csv.Error as error:
        handle.close()
        raise FileRejected(
            _("Line %(line)s cannot be read as CSV.", line=reader.line_num)
        ) from error


def _csv_rows(reader: Any, handle: IO[str], width: int) -> Iterator[tuple[int, list[Cell]]]:
    number = 1
    try:
        while True:
            try:
                row = _csv_next(reader, handle)
            except StopIteration:
                return
            number += 1
            cells: list[Cell] = list(row)
            yield number, _fit(cells, width, number)
    finally:
        handle.close()


# --- XLSX -----------------------------------------------------------------------------


def _open_workbook(path: Path, sheet: str | None) -> Table:
    import openpyxl

    handle = path.open("rb")  # a file object: openpyxl would judge a path by its extension
    try:
        book = openpyxl.load_workbook(handle, read_only=True, data_only=False)
    except Exception as error:  # openpyxl raises many kinds on a damaged workbook
        handle.close()
        raise FileRejected(DAMAGED_WORKBOOK) from error
    book_close = book.close

    def close() -> None:
        book_close()
        handle.close()

    book.close = close
    names = list(book.sheetnames)
    if sheet is None or sheet == "":
        if not names:
            raise FileRejected(_("The workbook has no sheets."))
        sheet = names[0]
    if sheet not in names:
        book.close()
        raise FileRejected(
            _(
                "There is no sheet named %(sheet)s; the sheets are: %(sheets)s.",
                sheet=repr(sheet),
                sheets=", ".join(names),
            )
        )
    worksheet = book[sheet]
    # A workbook's <dimension> may understate its extent (read-only openpyxl would stop
    # there, silently cutting rows and columns): note the claim, then read what is there.
    declared = _declared_rows(worksheet)
    worksheet.reset_dimensions()
    counter = [0]
    rows = _sheet_rows(book, worksheet, counter)
    try:
        first = next(rows)
        headers = _check_headers([_text(cell) for cell in _trim(first)])
    except StopIteration:
        raise FileRejected(_("The sheet %(sheet)s is empty.", sheet=repr(sheet))) from None
    except FileRejected:
        rows.close()
        raise
    body = ((number, _fit(cells, len(headers), number)) for number, cells in _numbered(rows))
    return Table(
        headers=headers,
        rows=body,
        sheets=names,
        sheet=sheet,
        closer=book.close,
        declared_rows=declared,
        rows_read=counter,
    )


def _declared_rows(worksheet: Any) -> int | None:
    try:
        return int(worksheet.max_row) if worksheet.max_row else None
    except Exception:  # a dimension openpyxl cannot read is no claim at all
        return None


def _numbered(rows: Iterator[list[Cell]]) -> Iterator[tuple[int, list[Cell]]]:
    yield from enumerate(rows, start=2)


def _sheet_rows(book: Any, sheet: Any, counter: list[int]) -> Generator[list[Cell], None, None]:
    try:
        for row in sheet.iter_rows():
            counter[0] += 1
            cells: list[Cell] = []
            for cell in row:
                if getattr(cell, "data_type", None) == "f":
                    coordinate = getattr(cell, "coordinate", "?")
                    raise FileRejected(
                        _(
                            "Cell %(cell)s holds a formula; copy the sheet and paste values only.",
                            cell=coordinate,
                        )
                    )
                cells.append(_cell_value(getattr(cell, "value", None)))
            yield cells
    except FileRejected:
        raise
    except Exception as error:
        raise FileRejected(DAMAGED_WORKBOOK) from error
    finally:
        book.close()


def _cell_value(value: Any) -> Cell:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date | str | int | float | bool) or value is None:
        return value
    if isinstance(value, time):
        return value.isoformat()
    return str(value)


# --- shared ---------------------------------------------------------------------------

_SPACES = re.compile(r"\s+")


def _text(cell: Cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return _SPACES.sub(" ", str(cell)).strip()


def _trim(cells: list[Cell]) -> list[Cell]:
    end = len(cells)
    while end and (cells[end - 1] is None or cells[end - 1] == ""):
        end -= 1
    return cells[:end]


def _check_headers(raw: list[str]) -> list[str]:
    headers = [_SPACES.sub(" ", str(h).replace("\ufeff", "")).strip() for h in raw]
    while headers and not headers[-1]:
        headers.pop()
    if not headers:
        raise FileRejected(_("The first row must hold the column names; it is empty."))
    if all(_looks_like_value(h) for h in headers):
        raise FileRejected(
            _("The first row must hold the column names; it holds only numbers or dates.")
        )
    seen: dict[str, int] = {}
    for index, header in enumerate(headers, start=1):
        if not header:
            raise FileRejected(_("Column %(index)s has no name in the first row.", index=index))
        key = header.casefold()
        if key in seen:
            raise FileRejected(
                _(
                    "Two columns are named %(header)s (columns %(first)s and %(second)s).",
                    header=repr(header),
                    first=seen[key],
                    second=index,
                )
            )
        seen[key] = index
    return headers


def _looks_like_value(header: str) -> bool:
    return bool(re.fullmatch(r"[\d.,/\- :]+", header))


def _fit(cells: list[Cell], width: int, number: int) -> list[Cell]:
    if len(cells) > width:
        cells = _trim(cells)
        if len(cells) > width:
            raise FileRejected(
                _(
                    "Row %(row)s has %(cells)s cells but the header names only %(width)s columns.",
                    row=number,
                    cells=len(cells),
                    width=width,
                )
            )
    if len(cells) < width:
        cells = cells + [None] * (width - len(cells))
    return cells


def read_bytes_table(data: bytes, sheet: str | None = None) -> Table:
    """The table in `data` (for tests and fuzzing: the same reader over an in-memory file)."""
    import tempfile

    with tempfile.NamedTemporaryFile(suffix=".upload", delete=False) as handle:
        handle.write(data)
    path = Path(handle.name)
    try:
        table = open_table(path, sheet)
        try:
            rows = list(table.rows)
        finally:
            table.close()
        table.rows = iter(rows)
        return table
    finally:
        path.unlink()


def cell_text(cell: Cell) -> str:
    """A cell as stripped text (numbers as a spreadsheet shows them; never evaluated)."""
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, date):
        return cell.isoformat()
    return str(cell).strip()
