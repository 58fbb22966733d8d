"""The printable report: the dashboard's cached summary for a set of filters, the sources its
figures rest on, and the hash of the summary file a reader can download to check it.

A report can be sent to anyone: it holds no identity, whoever asks for it (a confidential
source is named by its grade alone) and it reads the same cached sums the dashboard does.
"""

import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from werkzeug.datastructures import MultiDict

from tracker.caching.services import current_version
from tracker.dashboard.filters import Filters, all_of, event_conditions
from tracker.dashboard.services import Summary, cached_summary
from tracker.estimates.panel import asks_for_estimate
from tracker.estimates.panel import panel as estimate_panel
from tracker.events.kind import event_label
from tracker.events.models import EventSource, RepatriationEvent, ReportedFigure
from tracker.exceptions import ValidationFailed
from tracker.exports import services
from tracker.extensions import db
from tracker.kinds.registry import field_named
from tracker.kinds.values import show_count
from tracker.sources.models import CREDIBILITY_MEANINGS, RELIABILITY_MEANINGS, Source


@dataclass
class Citation:
    """What one source says about one event, or about a group ("up to 600 vanished")."""

    about: str  # the event's name, or the figure's description
    people: str  # the number it gives, as written ("about 180"); empty when it gives none
    quote: str | None  # its words; never a confidential source's


@dataclass
class Entry:
    """One source of the bibliography, with every claim of it the report's figures rest on."""

    number: int
    source_id: int
    confidential: bool
    title: str | None  # None for a confidential source: named by its grade alone
    organisation: str | None
    kind: str | None
    published_on: date | None
    published_precision: str
    url: str | None
    grade: str  # "B3": reliability and credibility; "?" for what is not graded
    grade_meaning: str  # "usually reliable; possibly true", in the page's language
    citations: list[Citation] = field(default_factory=list)


@dataclass
class Report:
    """Everything the printable report shows."""

    summary: Summary
    bibliography: list[Entry]
    figure_sources: dict[int, int]  # a group figure's source id -> its number in the list
    data_version: int | None
    summary_file: services.Export  # the summary CSV as the form downloads it, hashed


def grade(source: Source) -> str:
    """A source's Admiralty grade as written ("B3"), "?" where a part is not graded."""
    return f"{source.reliability or '?'}{source.credibility or '?'}"


def grade_meaning(source: Source) -> str:
    """What a source's grade means, in the page's language ("Usually reliable; Possibly true")."""
    parts = [
        str(RELIABILITY_MEANINGS.get(source.reliability or "", _("Reliability not graded"))),
        str(CREDIBILITY_MEANINGS.get(source.credibility or 0, _("Credibility not graded"))),
    ]
    return "; ".join(parts)


def build_report(actor: Any, filters: Filters, params: Any, base_url: str) -> Report:
    """The report for these filters: the cached summary, its bibliography, the data version
    and the summary file (written with the export form's defaults) with its hash."""
    summary = cached_summary(filters, can_see=False)
    entries: dict[int, Entry] = {}

    def entry(source: Source) -> Entry:
        if source.id not in entries:
            hidden = source.confidential
            entries[source.id] = Entry(
                number=0,
                source_id=source.id,
                confidential=hidden,
                title=None if hidden else source.title,
                organisation=None if hidden else source.organisation,
                kind=source.kind,
                published_on=None if hidden else source.published_on,
                published_precision=source.published_on_precision or "day",
                url=None if hidden else source.url,
                grade=grade(source),
                grade_meaning=grade_meaning(source),
            )
        return entries[source.id]

    people = field_named(EventSource, "people")
    claims = db.session.execute(
        select(EventSource)
        .join(RepatriationEvent, EventSource.event_id == RepatriationEvent.id)
        .join(Source, EventSource.source_id == Source.id)
        .where(all_of(event_conditions(filters)), Source.deleted_at.is_(None))
        .options(
            joinedload(EventSource.source),
            joinedload(EventSource.event).joinedload(RepatriationEvent.crossing),
        )
        .order_by(RepatriationEvent.date_start, RepatriationEvent.id, EventSource.id)
    ).scalars()
    for claim in claims:
        cited = entry(claim.source)
        cited.citations.append(
            Citation(
                about=event_label(claim.event),
                people=show_count(people.read(claim)),
                quote=None if claim.source.confidential else claim.quote,
            )
        )
    shown_figures = {(figure.description, figure.source_id) for figure in summary.figures}
    figures = db.session.execute(
        select(ReportedFigure)
        .where(ReportedFigure.deleted_at.is_(None))
        .options(joinedload(ReportedFigure.source))
        .order_by(ReportedFigure.as_of, ReportedFigure.id)
    ).scalars()
    for figure in figures:
        shown = (figure.description, figure.source_id) in shown_figures
        if not shown or figure.source.deleted_at is not None:
            continue
        cited = entry(figure.source)
        cited.citations.append(
            Citation(
                about=figure.description,
                people="",
                quote=None if figure.source.confidential else figure.quote,
            )
        )
    bibliography = sorted(
        entries.values(),
        key=lambda e: (e.confidential, (e.organisation or e.title or "").lower(), e.source_id),
    )
    for number, cited in enumerate(bibliography, start=1):
        cited.number = number
    figure_sources = {cited.source_id: cited.number for cited in bibliography}
    version = current_version()
    return Report(
        summary=summary,
        bibliography=bibliography,
        figure_sources=figure_sources,
        data_version=version[0] if version else None,
        summary_file=summary_file(actor, params, base_url),
    )


def page_context(actor: Any, filters: Filters, params: Any, base_url: str) -> dict[str, Any]:
    """What the report's template shows (for the page, or the command line's file)."""
    from flask import current_app, url_for

    from tracker.dashboard import geo
    from tracker.vocab.labels import labels_by_code

    built = build_report(actor, filters, params, base_url)
    markers, off_map = geo.markers(built.summary)
    args = MultiDict(params)
    estimate = estimate_panel(args, filters, can_see=False) if asks_for_estimate(args) else None
    return {
        "report": built,
        "estimate": estimate,
        "estimate_csv_url": url_for(
            "estimates.overlaps_csv", _external=True, **(filters.as_query() | estimate.query)
        )
        if estimate
        else None,
        "summary": built.summary,
        "filters": filters,
        "shown_filters": describe(filters),
        "export": built.summary_file,
        "extracted_at": datetime.now(UTC),
        "labels": labels_by_code(["status", "gender", "source_kind"]),
        "organisation": current_app.config.get("ORGANISATION") or "",
        "outline": geo.outline(),
        "markers": markers,
        "off_map": off_map,
        "download_url": url_for(
            "exports.download",
            what="summary",
            _external=True,
            **{k: "1" if v is True else v for k, v in services.FORM_DEFAULTS.items()},
            **filters.as_query(),
        ),
    }


def describe(filters: Filters) -> list[tuple[str, str]]:
    """The filters as the report states them: each with its label, in the page's language."""
    names = {
        "from": _("From"),
        "to": _("To"),
        "crossing_id": _("Crossing point"),
        "facility_id": _("Facility"),
    }
    return [
        (names.get(k, k.replace("_", " ").capitalize()), v) for k, v in filters.as_query().items()
    ]


def summary_file(actor: Any, params: Any, base_url: str) -> services.Export:
    """The summary CSV for these filters exactly as the export form downloads it by default,
    written (not kept) to learn its hash, size and rows."""
    values = services.FORM_DEFAULTS | {"what": "summary", "base_url": base_url}
    export = services.start_export(actor, services.clean_options(values), params)
    for _chunk in export.chunks():
        pass
    return export


class ReportUnavailable(ValidationFailed):
    """The report cannot be written as asked (no browser to print it, or a bad filter)."""


CHROMIUMS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
PRINT_SECONDS = 120


def standalone_html(params: Any, base_url: str, language: str) -> str:
    """The report as one HTML file (its stylesheet inside), as the page would show it to a
    reader in `language`: for the command line, which has no browser session."""
    from flask import current_app, render_template
    from flask_babel import force_locale

    from tracker.dashboard.filters import FilterError, parse_filters

    # Links are drawn as on the site (relative without TRACKER_BASE_URL), and the summary file
    # whose hash the report prints is the one `tracker export --what summary` writes.
    with current_app.test_request_context("/exports/report", base_url=base_url or None):
        try:
            filters = parse_filters(params)
        except FilterError as error:
            raise ReportUnavailable("Some filters could not be understood.", error.fields) from None
        with force_locale(language):
            context = page_context(None, filters, params, base_url)
            page = render_template("exports/report.html", **context)
    static = Path(current_app.static_folder or "")
    style = (static / "tracker.css").read_text(encoding="utf-8")
    page = re.sub(r'<link rel="stylesheet" href="[^"]*">', f"<style>{style}</style>", page)
    return re.sub(r'<script src="[^"]*" defer></script>', "", page)


def print_to_pdf(html: str, output: Path) -> None:
    """Print the report's HTML to PDF with a local Chromium (headless), as "Save as PDF" does."""
    browser = next((found for name in CHROMIUMS if (found := shutil.which(name))), None)
    if browser is None:
        raise ReportUnavailable(
            "Printing to PDF needs Chromium (apt-get install chromium); "
            "write the report as HTML (-o report.html) and print it from any browser instead."
        )
    with tempfile.TemporaryDirectory() as folder:
        page = Path(folder) / "report.html"
        page.write_text(html, encoding="utf-8")
        command = [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--no-pdf-header-footer",
            f"--user-data-dir={folder}/profile",
            f"--print-to-pdf={output.resolve()}",
            page.as_uri(),
        ]
        # The browser found on PATH, a file this command wrote, and an output path: no shell.
        try:
            done = subprocess.run(  # noqa: S603
                command, capture_output=True, timeout=PRINT_SECONDS, check=False
            )
        except subprocess.TimeoutExpired:
            raise ReportUnavailable("Chromium took too long to print the report.") from None
        if done.returncode != 0 or not output.exists():
            raise ReportUnavailable(
                "Chromium could not print the report: "
                + done.stderr.decode("utf-8", "replace")[-300:]
            )
