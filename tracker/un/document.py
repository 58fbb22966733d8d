"""A case's submission document for the UN Working Group on Enforced or Involuntary
Disappearances, laid out as the Working Group's case form, written as DOCX with python-docx.

DOCX rather than PDF: the organisation completes and signs the form before sending it, and
the family reviews and corrects the Korean copy; an editable document serves both. python-docx
writes it in pure Python (lxml), with no system fonts or office suite (a PDF with Hangul would
need a shipped font). The document is built in memory and never touches the server's disk."""

import io
from typing import Any

from docx import Document as new_document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt, RGBColor
from flask_babel import force_locale
from flask_babel import gettext as _

from tracker.events.kind import event_label
from tracker.kinds.registry import field_named, kind
from tracker.persons.models import Detention, Person
from tracker.persons.services import status_timeline
from tracker.sources.models import Source
from tracker.un.models import UnSubmitter
from tracker.un.readiness import Readiness

LANGUAGES = ("en", "ko")


def confidentiality_notice() -> str:
    return _(
        "CONFIDENTIAL. This document identifies a disappeared person, their relatives and the "
        "source of the information. It is meant for the UN Working Group on Enforced or "
        "Involuntary Disappearances only; the source asks that its identity be kept "
        "confidential."
    )


def _shown(person: Person, name: str) -> str:
    field = kind("persons").field(name)
    return field.show(field.read(person)) or ""


def _label(name: str) -> str:
    return str(kind("persons").field(name).label)


class _Writer:
    """The document's few building blocks: headings, label–value tables, paragraphs."""

    def __init__(self) -> None:
        self.doc = new_document()
        style = self.doc.styles["Normal"]
        style.font.name = "Calibri"
        style.font.size = Pt(10.5)

    def heading(self, text: str, level: int = 1) -> None:
        self.doc.add_heading(text, level=level)

    def notice(self, text: str) -> None:
        paragraph = self.doc.add_paragraph()
        run = paragraph.add_run(text)
        run.bold = True
        run.font.color.rgb = RGBColor(0x9B, 0x1C, 0x1C)

    def para(self, text: str, italic: bool = False) -> None:
        run = self.doc.add_paragraph().add_run(text)
        run.italic = italic

    def table(self, rows: list[tuple[str, str]]) -> None:
        table = self.doc.add_table(rows=0, cols=2)
        table.style = "Table Grid"
        for label, value in rows:
            cells = table.add_row().cells
            cells[0].text = label
            cells[0].paragraphs[0].runs[0].bold = True
            cells[1].text = value or "—"

    def save(self) -> bytes:
        out = io.BytesIO()
        self.doc.save(out)
        return out.getvalue()


def build_document(
    person: Person,
    check: Readiness,
    submitter: UnSubmitter | None,
    sources: list[Source],
    language: str = "en",
) -> bytes:
    """The case form for one person, in English (the submission) or Korean (the family's copy
    for review), naming only the sources given."""
    with force_locale(language):
        return _build(person, check, submitter, sources, language)


def _build(
    person: Person,
    check: Readiness,
    submitter: UnSubmitter | None,
    sources: list[Source],
    language: str,
) -> bytes:
    w = _Writer()
    w.notice(confidentiality_notice())
    title = w.doc.add_heading(
        _("Communication to the Working Group on Enforced or Involuntary Disappearances"), 0
    )
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if language != "en":
        w.para(
            _(
                "Copy for the family's review. The submission to the Working Group is the "
                "English document; tell the organisation about anything to correct."
            ),
            italic=True,
        )
    readiness = (
        _("All the elements the Working Group requires are recorded.")
        if check.ready
        else _("Still missing: %(missing)s.", missing="; ".join(
            element.label for element in check.elements if element.state != "present"
        ))
    )  # fmt: skip
    w.table([(_("Case code"), person.case_code), (_("Readiness"), readiness)])

    w.heading(_("1. Identity of the disappeared person"))
    w.table(
        [
            (_label(name), _shown(person, name))
            for name in (
                "family_name",
                "given_name",
                "name_hangul",
                "aliases",
                "gender",
                "birth_year",
                "nationality",
                "origin",
                "origin_region",
            )
        ]
    )

    w.heading(_("2. Date and place of the disappearance"))
    found = check.disappearance
    source_of_date = {
        "arrest_date": _("the date of arrest"),
        "last_seen_date": _("the date last seen"),
        "event": _("the date of the repatriation"),
    }
    rows = [
        (
            _("Date of the disappearance"),
            _("%(date)s (from %(what)s)", date=found.shown, what=source_of_date[found.source])
            if found
            else "",
        ),
        (_label("arrest_date"), _shown(person, "arrest_date")),
        (_label("arrest_place"), _shown(person, "arrest_place")),
        (_label("last_seen_date"), _shown(person, "last_seen_date")),
        (_label("last_seen_place"), _shown(person, "last_seen_place")),
    ]
    event = person.event if person.event is not None and person.event.deleted_at is None else None
    if event is not None:
        rows.append((_label("event_id"), event_label(event)))
    for stay in person.detentions:
        if stay.deleted_at is not None:
            continue
        when = " – ".join(
            part for part in (_stay_date(stay, "date_from"), _stay_date(stay, "date_to")) if part
        )
        rows.append(
            (_("Held at"), f"{stay.facility.name} ({when})" if when else stay.facility.name)
        )
    w.table(rows)

    w.heading(_("3. Forces believed responsible and the State's involvement"))
    state_rows = [(_label("responsible_parties"), _shown(person, "responsible_parties"))]
    if event is not None:
        handed = event.handed_over_by or ""
        received = event.received_by or ""
        crossing = event.crossing.name if event.crossing else ""
        state_rows += [
            (_("Handed over by"), handed),
            (_("Received by"), received),
            (_("Crossing point"), crossing),
        ]
    w.table(state_rows)

    w.heading(_("4. Steps taken by the relatives"))
    w.para(_shown(person, "relatives_actions") or "—")
    consent = [
        (_label("consent_given_by"), _shown(person, "consent_given_by")),
        (_label("consent_date"), _shown(person, "consent_date")),
    ]
    if person.consent_source is not None and person.consent_source in sources:
        consent.append((_label("consent_source_id"), person.consent_source.title))
    consent.append((_label("consent_note"), _shown(person, "consent_note")))
    w.heading(_("5. Consent of the relatives"), 2)
    w.table(consent)

    w.heading(_("6. Dated facts and their sources"))
    chosen = {source.id for source in sources}
    facts = []
    for entry in status_timeline(person):
        status_field = kind("statuses").field("status")
        as_of = kind("statuses").field("as_of")
        said = status_field.show(entry.status)
        source = (
            entry.source.title
            if entry.source and entry.source.id in chosen
            else _("a source not named here")
        )
        facts.append((as_of.show(as_of.read(entry)), _("%(status)s — %(source)s", status=said,
                                                          source=source)))  # fmt: skip
    if facts:
        w.table(facts)
    else:
        w.para(_("No dated status is recorded."))
    w.heading(_("Sources named"), 2)
    if sources:
        for source in sources:
            parts = [source.title]
            if source.organisation:
                parts.append(source.organisation)
            if source.published_on:
                parts.append(source.published_on.isoformat())
            if source.url:
                parts.append(source.url)
            w.doc.add_paragraph(", ".join(parts), style="List Bullet")
    else:
        w.para(_("The sources are held by the submitting organisation and not named here."))

    w.heading(_("7. Source of the information (confidential)"))
    w.notice(_("The identity of the source is confidential."))
    w.table(
        [
            (_("Organisation"), submitter.organisation or "" if submitter else ""),
            (_("Contact person"), submitter.contact_name or "" if submitter else ""),
            (_("Address"), submitter.address or "" if submitter else ""),
            (_("Email"), submitter.email or "" if submitter else ""),
            (_("Telephone"), submitter.phone or "" if submitter else ""),
            (
                _("Keep the source's identity confidential"),
                _("yes") if submitter is None or submitter.confidential else _("no"),
            ),
        ]
    )
    w.para(_("Submitted with the consent of the relatives of the disappeared person."))
    return w.save()


def _stay_date(stay: Any, name: str) -> str:
    field = field_named(Detention, name)
    return field.show(field.read(stay)) or ""
