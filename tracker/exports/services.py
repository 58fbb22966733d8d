"""The one export pipeline: any dataset (a list or the dashboard summary) for the filters a
page shows, redacted unless an identity role asks otherwise with a reason, written as CSV,
XLSX or JSON while it streams, hashed on the way, and described by a manifest.

Services flush audit entries and never commit; the edge (the view's stream, the CLI) commits.
"""

import csv
import hashlib
import io
import json
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from flask_babel import force_locale
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.chart import BarChart, Reference

from tracker.accounts.permissions import can_view_identity
from tracker.audit import services as audit
from tracker.audit.models import AuditEntry
from tracker.dashboard.filters import QUERY_LABELS, FilterError
from tracker.exceptions import PermissionDenied, ValidationFailed
from tracker.exports.datasets import DATASETS, SUMMARY_TABLES, Dataset, Field
from tracker.extensions import db
from tracker.kinds.registry import kinds

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
}
CHUNK = 64 * 1024
REASON_MAX = 500
THRESHOLD_RANGE = (2, 100)
# Cells a spreadsheet would read as a formula (CSV injection, OWASP): kept as text.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# A spreadsheet may split a cell at any of these (Excel's list separator is `;` in most of
# Europe), so a formula start right after one is neutralised too, not only at the cell's start.
_FORMULA_AFTER_SEPARATOR = re.compile(r"([,;\t|])(\s*)(?=[=+\-@\r])")
XLSX_TEXT_MAX = 32767
URL_COLUMN = "record_url"
# What the export form ticks unless the user changes it; the printable report hashes the
# summary written with exactly these, so its footer's hash is the downloaded file's.
FORM_DEFAULTS: dict[str, Any] = {"format": "csv", "bom": True}
WITHHELD = "(a name search: withheld from redacted files)"


@dataclass(frozen=True)
class Options:
    """How to write an export."""

    what: str
    format: str
    identifying: bool = False
    reason: str = ""
    bom: bool = False
    coarse_dates: bool = False
    small_counts_below: int | None = None
    base_url: str = ""
    columns: tuple[str, ...] = ()  # a subset of the columns, in this order; empty: all


@dataclass
class Export:
    """One export on its way out: chunks of the file, then its manifest."""

    dataset: Dataset
    options: Options
    params: Any
    filters: dict[str, str]  # as asked, for the audit
    can_see: bool
    post_search: bool
    extracted_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    rows: int = 0
    size: int = 0
    sha256: str = ""
    done: bool = False

    @property
    def columns(self) -> list[Field]:
        """The file's columns, the record's address last, or those chosen in their order."""
        base, url = self.options.base_url, self.dataset.url
        address = Field(URL_COLUMN, lambda record: base + url(record))
        available = [*self.dataset.columns(self.options.identifying), address]
        if not self.options.columns:
            return available
        by_name = {column.name: column for column in available}
        return [by_name[name] for name in self.options.columns]

    @property
    def header(self) -> list[str]:
        return [f.name for f in self.columns]

    @property
    def filename(self) -> str:
        stamp = self.extracted_at.strftime("%Y%m%d-%H%M%S")
        profile = "identifying" if self.options.identifying else "redacted"
        return f"tracker-{self.dataset.name}-{profile}-{stamp}.{self.options.format}"

    @property
    def mimetype(self) -> str:
        return FORMATS[self.options.format]

    def public_filters(self) -> dict[str, str]:
        """The filters as a redacted file may state them: a name search is withheld."""
        shown = dict(self.filters)
        if "q" in shown and self.can_see and not self.options.identifying:
            shown["q"] = WITHHELD
        return shown

    def redaction(self) -> dict[str, Any]:
        """What was left out or coarsened."""
        dropped = [f.name for f in self.dataset.fields if f.identifying]
        emptied = [f.name for f in self.dataset.fields if f.confidential]
        identifying = self.options.identifying
        return {
            "profile": "identifying" if identifying else "redacted",
            "dropped_fields": [] if identifying else dropped,
            "emptied_for_confidential_sources": [] if identifying else emptied,
            "dates": "month" if self.options.coarse_dates else "as recorded",
            "small_counts_below": self.options.small_counts_below,
        }

    def about(self) -> dict[str, Any]:
        """What the file holds, written inside it (JSON header, XLSX sheet) and in the manifest."""
        from tracker import __version__

        return {
            "what": self.dataset.name,
            "title": self.dataset.title,
            "format": self.options.format,
            "filters": self.public_filters(),
            "extracted_at": self.extracted_at.isoformat(timespec="seconds"),
            "redaction": self.redaction(),
            **({"columns": self.header} if self.options.columns else {}),
            "software": {"name": "repatriation-tracker", "version": __version__},
        }

    def manifest(self) -> dict[str, Any]:
        """Proof of which data a report used: the file's hash, size, rows, filters, profile."""
        return {
            "file": self.filename,
            "sha256": self.sha256,
            "bytes": self.size,
            "rows": self.rows,
            "complete": self.done,
        } | self.about()

    # --- writing ------------------------------------------------------------------

    def records(self) -> Iterator[list[Any]]:
        """Each row's values, redacted and coarsened, in the file's columns."""
        for _record, values in self.lines():
            yield values

    def lines(self) -> Iterator[tuple[Any, list[Any]]]:
        """Each record, with its row's values as the file writes them."""
        columns, options = self.columns, self.options
        getters = [column.getter(options.identifying) for column in columns]
        plain = not (
            options.coarse_dates
            or options.small_counts_below
            or (not options.identifying and any(column.confidential for column in columns))
        )
        wanted = {column.name for column in columns}
        identifying = self.options.identifying and self.can_see
        rows = self.dataset.rows(self.params, self.can_see, self.post_search, wanted, identifying)
        for record in rows:
            if plain:
                row = [get(record) for get in getters]
            else:
                hidden = not options.identifying and bool(getattr(record, "confidential", False))
                row = [
                    _shape(column, get, record, hidden, options)
                    for column, get in zip(columns, getters, strict=True)
                ]
            self.rows += 1
            yield record, row

    def chunks(self) -> Iterator[bytes]:
        """The file, piece by piece, hashed and measured as it goes. Its words (an event's
        date as a name) are English whoever downloads it, so its hash is the same for all."""
        digest = hashlib.sha256()
        writer = {"csv": _write_csv, "json": _write_json, "xlsx": _write_xlsx}[self.options.format]
        with force_locale("en"):
            for chunk in writer(self):
                digest.update(chunk)
                self.size += len(chunk)
                yield chunk
        self.sha256 = digest.hexdigest()
        self.done = True


def _shape(
    column: Field, get: Callable[[Any], Any], record: Any, hidden: bool, options: Options
) -> Any:
    if column.confidential and hidden:
        return None
    value = get(record)
    if options.coarse_dates and column.is_date and isinstance(value, str):
        return value[:7]
    threshold = options.small_counts_below
    if threshold and column.small_count and isinstance(value, int) and 0 < value < threshold:
        return f"<{threshold}"
    return value


def csv_cell(value: Any) -> Any:
    """A value as a CSV cell: lists `;`-separated, and formula-looking text kept as text: a
    formula start at the beginning, or after a separator a spreadsheet might split at, gets a
    leading apostrophe (the writer also quotes every cell)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        value = ";".join(str(item) for item in value)
    if not isinstance(value, str):
        return value
    value = _FORMULA_AFTER_SEPARATOR.sub(r"\1\2'", value)
    return "'" + value if value.startswith(FORMULA_START) else value


def _batched(lines: Iterable[str], first: str = "") -> Iterator[bytes]:
    """Text lines gathered into chunks of about 64 KiB of UTF-8."""
    buffer = io.StringIO()
    buffer.write(first)
    for line in lines:
        buffer.write(line)
        if buffer.tell() >= CHUNK:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def _write_csv(export: Export) -> Iterator[bytes]:
    line = io.StringIO()
    writer = csv.writer(line, lineterminator="\r\n", quoting=csv.QUOTE_ALL)

    def text(values: list[Any]) -> str:
        line.seek(0)
        line.truncate()
        writer.writerow(values)
        return line.getvalue()

    def lines() -> Iterator[str]:
        yield text(export.header)
        for values in export.records():
            yield text([csv_cell(value) for value in values])

    yield from _batched(lines(), "\ufeff" if export.options.bom else "")


def _write_json(export: Export) -> Iterator[bytes]:
    header = export.header

    def lines() -> Iterator[str]:
        separator = "\n"
        for values in export.records():
            yield separator + json.dumps(dict(zip(header, values, strict=True)), ensure_ascii=False)
            separator = ",\n"
        yield "\n]}\n"

    about = json.dumps(export.about(), ensure_ascii=False)
    yield from _batched(lines(), '{"export": ' + about + ', "items": [')


def xlsx_cell(sheet: Any, value: Any) -> Any:
    """A value as an XLSX cell: text is always text (never a formula), lists `;`-separated."""
    if isinstance(value, list):
        value = ";".join(str(item) for item in value)
    if isinstance(value, str):
        cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", value)[:XLSX_TEXT_MAX])
        cell.data_type = "s"
        return cell
    return value


def _write_xlsx(export: Export) -> Iterator[bytes]:
    """A workbook built in openpyxl's write-only mode (rows go to disk), then sent."""
    book = Workbook(write_only=True)
    if export.dataset.charts:
        _summary_sheets(book, export)
    else:
        sheet = book.create_sheet("Data")
        sheet.append(export.header)
        for values in export.records():
            sheet.append([xlsx_cell(sheet, value) for value in values])
    about = book.create_sheet("About")
    for key, value in _about_lines(export.about()):
        about.append([xlsx_cell(about, key), xlsx_cell(about, value)])
    with tempfile.TemporaryFile() as handle:
        book.save(handle)
        handle.seek(0)
        while chunk := handle.read(CHUNK):
            yield chunk


def _summary_sheets(book: Workbook, export: Export) -> None:
    """One sheet per dashboard table, each with a native bar chart of its figures."""
    sheets: dict[str, Any] = {}
    counts: dict[str, int] = dict.fromkeys(SUMMARY_TABLES, 0)
    header = export.header
    for table in SUMMARY_TABLES:
        sheets[table] = book.create_sheet(table)
        sheets[table].append(header)
    totals: list[list[Any]] = []
    for line, values in export.lines():
        if line.table not in sheets:  # the total: under every table, after its rows
            totals.append(values)
            continue
        sheets[line.table].append([xlsx_cell(sheets[line.table], value) for value in values])
        counts[line.table] += 1
    for sheet in sheets.values():
        for values in totals:
            sheet.append([xlsx_cell(sheet, value) for value in values])
    if not {"name", "people_min", "persons"} <= set(header):
        return  # columns chosen without what a chart draws
    name, first = header.index("name") + 1, header.index("people_min") + 1
    last = header.index("persons") + 1
    if last < first:
        return
    for table, sheet in sheets.items():
        if not counts[table]:
            continue
        chart = BarChart()
        chart.type = "bar"
        chart.title = f"{export.dataset.title}: {table.replace('_', ' ')}"
        chart.y_axis.title = "people"
        rows = counts[table] + 1
        chart.add_data(
            Reference(sheet, min_col=first, max_col=last, min_row=1, max_row=rows),
            titles_from_data=True,
        )
        chart.set_categories(Reference(sheet, min_col=name, min_row=2, max_row=rows))
        chart.height, chart.width = 7 + counts[table] * 0.5, 18
        sheet.add_chart(chart, "L2")


def _about_lines(about: dict[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    for key, value in about.items():
        if isinstance(value, dict):
            yield from _about_lines(value, f"{prefix}{key}.")
        else:
            yield prefix + key, ", ".join(map(str, value)) if isinstance(value, list) else value


# --- the rules --------------------------------------------------------------------------


def recorded_filters(what: str, params: Any) -> dict[str, str]:
    """The parameters that narrowed the export (filters, search, order), for the record."""
    names = set(QUERY_LABELS) | {"q", "sort", "dir", "order"}
    kind = kinds().get("persons" if what == "statuses" else what)
    if kind is not None:
        names |= {item.key for item in kind.filters}
    return {
        name: str(params.get(name)).strip()[:200]
        for name in sorted(names)
        if params.get(name) not in (None, "")
    }


def clean_options(values: dict[str, Any]) -> Options:
    """Export options from untrusted input; ValidationFailed names each bad one."""
    errors: dict[str, str] = {}
    what = str(values.get("what") or "")
    fmt = str(values.get("format") or "csv")
    if what not in DATASETS:
        errors["what"] = f"Choose what to export: {', '.join(DATASETS)}."
    if fmt not in FORMATS:
        errors["format"] = "Choose CSV, XLSX or JSON."
    reason = str(values.get("reason") or "").strip()
    if len(reason) > REASON_MAX:
        errors["reason"] = f"Use at most {REASON_MAX} characters."
    threshold = values.get("small_counts_below")
    if threshold in (None, ""):
        threshold = None
    else:
        try:
            threshold = int(threshold)
        except (TypeError, ValueError):
            threshold = -1
        if not THRESHOLD_RANGE[0] <= threshold <= THRESHOLD_RANGE[1]:
            errors["small_counts_below"] = "Enter a whole number from 2 to 100."
    columns = chosen_columns(values.get("columns"))
    if errors:
        raise ValidationFailed("Please correct the export options.", errors)
    return Options(
        what=what,
        format=fmt,
        identifying=_flag(values.get("identifying")),
        reason=reason,
        bom=_flag(values.get("bom")),
        coarse_dates=_flag(values.get("coarse_dates")),
        small_counts_below=threshold,
        base_url=str(values.get("base_url") or "").rstrip("/"),
        columns=columns,
    )


def chosen_columns(value: Any) -> tuple[str, ...]:
    """Column names as given (a list, or text separated by commas, semicolons or spaces), in
    their order; empty for all."""
    if value in (None, ""):
        return ()
    items = value if isinstance(value, list | tuple) else re.split(r"[\s,;]+", str(value))
    return tuple(name for name in (str(item).strip()[:100] for item in items) if name)


def check_columns(dataset: Dataset, options: Options) -> None:
    """Chosen columns must exist, appear once, and identify no one in a redacted export."""
    if not options.columns:
        return
    available = [c.name for c in dataset.columns(options.identifying)] + [URL_COLUMN]
    unknown = [name for name in options.columns if name not in available]
    identifying = [name for name in unknown if name in {c.name for c in dataset.fields}]
    repeated = sorted({name for name in options.columns if options.columns.count(name) > 1})
    if identifying:
        message = (
            f"{', '.join(identifying)}: identifying; include identifying fields to export them."
        )
    elif unknown:
        message = f"Unknown columns: {', '.join(unknown)}. Choose from: {', '.join(available)}."
    elif repeated:
        message = f"Name each column once: {', '.join(repeated)}."
    else:
        return
    raise ValidationFailed("Please correct the export options.", {"columns": message})


def _flag(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in {"1", "true", "yes", "y", "on"}
    return bool(value)


def start_export(actor: Any, options: Options, params: Any, post_search: bool = False) -> Export:
    """Check who may have what, read the filters, and audit an identifying export before any
    byte of it leaves (a broken download still leaves its trace)."""
    can_see = can_view_identity(actor) if actor is not None else False
    if options.identifying:
        check_may_identify(actor)
        if not options.reason:
            raise ValidationFailed(
                "Say why you need identifying fields.", {"reason": "This field is required."}
            )
    dataset = DATASETS[options.what]
    check_columns(dataset, options)
    try:
        dataset.check(params)
    except FilterError as error:
        raise ValidationFailed("Some filters could not be understood.", error.fields) from None
    export = Export(
        dataset,
        options,
        params,
        recorded_filters(options.what, params),
        can_see,
        post_search,
    )
    if options.identifying:
        audit.record(actor, "export.start", changes=_audit_values(export), entity_type="export")
    return export


def check_may_identify(actor: Any) -> None:
    """Only admins and researchers may have identifying fields, whatever anyone sends."""
    if actor is None or not can_view_identity(actor):
        raise PermissionDenied("Your role may export redacted files only.")


def finish_export(actor: Any, export: Export) -> AuditEntry:
    """Audit a finished export: who, when, what, the filters, the rows and the file's hash."""
    return audit.record(actor, "export", changes=_audit_values(export), entity_type="export")


def _audit_values(export: Export) -> dict[str, Any]:
    values = export.manifest() | {"filters": export.filters}
    if export.options.identifying:
        values["reason"] = export.options.reason
    return values


def confirm_password(user: Any, password: str) -> None:
    """A fresh login for an identifying export: the account's password, typed again now,
    throttled and recorded like any login (raises WrongPassword or TooManyAttempts)."""
    from tracker.accounts.services import reauthenticate

    reauthenticate(user, password, step="export")


def exports_of(actor: Any, limit: int = 20) -> list[AuditEntry]:
    """The actor's latest finished exports, newest first (their manifests can be fetched)."""
    return list(
        db.session.execute(
            db.select(AuditEntry)
            .where(AuditEntry.action == "export", AuditEntry.actor_id == actor.id)
            .order_by(AuditEntry.id.desc())
            .limit(limit)
        ).scalars()
    )


def manifest_of(actor: Any, entry_id: int) -> dict[str, Any] | None:
    """A finished export's manifest, for the person who made it or an admin."""
    entry = db.session.get(AuditEntry, entry_id)
    if entry is None or entry.action != "export" or not entry.changes:
        return None
    if entry.actor_id != actor.id and actor.role != "admin":
        return None
    manifest = {key: value for key, value in entry.changes.items() if key != "reason"}
    if manifest.get("redaction", {}).get("profile") != "identifying":
        manifest["filters"] = _withhold_search(manifest.get("filters") or {}, entry)
    return manifest


def _withhold_search(filters: dict[str, Any], entry: AuditEntry) -> dict[str, Any]:
    shown = dict(filters)
    if "q" in shown and entry.actor is not None and can_view_identity(entry.actor):
        shown["q"] = WITHHELD
    return shown


def write_file(export: Export, path: Any) -> dict[str, Any]:
    """Write an export to a file and its manifest beside it (PATH.manifest.json)."""
    with open(path, "wb") as handle:
        for chunk in export.chunks():
            handle.write(chunk)
    manifest = export.manifest()
    with open(f"{path}.manifest.json", "w", encoding="utf-8") as handle:
        json.dump(manifest, handle, ensure_ascii=False, indent=2)
    return manifest
