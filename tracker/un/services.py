"""Cases for the UN Working Group: the organisation's submitter details (set by an admin), the
submission document of one case and the batch of every ready case (identifying exports:
researchers and admins only, with a reason, audited before the first byte leaves, built in
memory and never written to the server's disk), and the readiness of every vanished person."""

import csv
import hashlib
import io
import json
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select

from tracker.accounts.permissions import can_view_identity, is_admin
from tracker.audit import services as audit
from tracker.exceptions import NotFound, PermissionDenied, ValidationFailed
from tracker.exports.services import REASON_MAX, check_may_identify, csv_cell
from tracker.extensions import db
from tracker.kinds.fields import clean_text
from tracker.kinds.values import ValueProblem
from tracker.persons.models import Person
from tracker.sources.models import Source
from tracker.un import readiness as un
from tracker.un.document import LANGUAGES, build_document
from tracker.un.models import UnSubmitter
from tracker.un.readiness import ELEMENTS, MISSING, PARTIAL, PRESENT

SUBMITTER_FIELDS = {
    "organisation": 200,
    "contact_name": 200,
    "address": 2_000,
    "email": 254,
    "phone": 50,
}
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
DOCUMENT_STATUSES = frozenset({"vanished"})  # the persons the readiness CSV covers


# --- the submitter --------------------------------------------------------------------------


def set_submitter(actor: Any, values: Mapping[str, Any]) -> UnSubmitter:
    """Set the organisation's submitter details (element (f)); admins only, audited."""
    if not is_admin(actor):
        raise PermissionDenied(_("Only an admin sets the submitter details."))
    problems: dict[str, str] = {}
    cleaned: dict[str, Any] = {}
    for name, length in SUBMITTER_FIELDS.items():
        try:
            cleaned[name] = clean_text(values.get(name), length)
        except ValueProblem as problem:
            problems[name] = str(problem)
            cleaned[name] = None
    if cleaned["email"] and "@" not in cleaned["email"]:
        problems["email"] = _("Enter an email address.")
    if problems:
        raise ValidationFailed(_("Please correct the submitter details."), problems)
    cleaned["confidential"] = _flag(values.get("confidential"))
    submitter = un.current_submitter()
    before = _submitter_values(submitter)
    if submitter is None:
        submitter = UnSubmitter(id=1)
        db.session.add(submitter)
    for name, value in cleaned.items():
        setattr(submitter, name, value)
    submitter.updated_by_id = getattr(actor, "id", None)
    submitter.updated_at = datetime.now(UTC)
    db.session.flush()
    changes = audit.diff(before, _submitter_values(submitter))
    if changes:
        audit.record(
            actor, "un.submitter", entity_type="un_submitter", entity_id=1, changes=changes
        )
    return submitter


def _flag(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in {"1", "true", "yes", "y", "on"}
    return bool(value)


def _submitter_values(submitter: UnSubmitter | None) -> dict[str, Any]:
    names = [*SUBMITTER_FIELDS, "confidential"]
    return {name: getattr(submitter, name) if submitter else None for name in names}


# --- the sources a document may name -----------------------------------------------------------


def candidate_sources(person: Person) -> list[Source]:
    """The live sources behind the case's facts (its status history, its event, its consent),
    for the researcher to choose which the document names."""
    found: dict[int, Source] = {}
    for entry in person.statuses:
        if entry.deleted_at is None and entry.source is not None:
            found.setdefault(entry.source.id, entry.source)
    event = person.event
    if event is not None and event.deleted_at is None:
        for claim in getattr(event, "claims", []) or []:
            source = getattr(claim, "source", None)
            if source is not None:
                found.setdefault(source.id, source)
    if person.consent_source is not None:
        found.setdefault(person.consent_source.id, person.consent_source)
    return [s for s in found.values() if s.deleted_at is None]


def chosen_sources(person: Person, ids: list[Any]) -> list[Source]:
    """The sources the researcher chose, among the case's own (any other id is refused)."""
    allowed = {source.id: source for source in candidate_sources(person)}
    chosen = []
    for raw in ids:
        try:
            number = int(raw)
        except (TypeError, ValueError):
            number = -1
        if number not in allowed:
            raise ValidationFailed(
                _("Choose the sources among the case's own."),
                {"sources": _("Choose the sources among the case's own.")},
            )
        if allowed[number] not in chosen:
            chosen.append(allowed[number])
    return chosen


# --- one document --------------------------------------------------------------------------------


@dataclass
class Document:
    """A submission document built in memory, with what its audit entry says."""

    person: Person
    language: str
    content: bytes
    sha256: str
    sources: list[Source]

    @property
    def filename(self) -> str:
        return f"wgeid-{self.person.case_code}-{self.language}.docx"


def _check_request(actor: Any, reason: str, language: str) -> str:
    check_may_identify(actor)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(
            _("Say why you need the document."), {"reason": _("This field is required.")}
        )
    if len(reason) > REASON_MAX:
        raise ValidationFailed(
            _("Please correct the reason."),
            {"reason": _("Use at most %(n)s characters.", n=REASON_MAX)},
        )
    if language not in LANGUAGES:
        raise ValidationFailed(
            _("Choose English or Korean."), {"language": _("Choose English or Korean.")}
        )
    return reason


def submission_document(
    actor: Any, person: Person, reason: str, source_ids: list[Any], language: str = "en"
) -> Document:
    """The case's submission document (DOCX) following the Working Group's form: an
    identifying export, so researchers and admins only, with a reason, audited (who, the case,
    the reason, the sources named, the file's SHA-256) before it is sent."""
    reason = _check_request(actor, reason, language)
    if person.deleted_at is not None:
        raise NotFound(_("This case is in the Trash."))
    sources = chosen_sources(person, source_ids)
    check = un.check(person)
    content = build_document(person, check, un.current_submitter(), sources, language)
    document = Document(person, language, content, hashlib.sha256(content).hexdigest(), sources)
    audit.record(
        actor,
        "un.document",
        person,
        {
            "reason": reason,
            "language": language,
            "ready": check.ready,
            "missing": check.missing,
            "source_ids": [source.id for source in sources],
            "file": document.filename,
            "sha256": document.sha256,
            "bytes": len(content),
        },
    )
    return document


# --- every ready case ----------------------------------------------------------------------


def ready_cases() -> list[Person]:
    """The live vanished persons whose every element is present, by case code."""
    query = (
        select(Person)
        .where(
            Person.deleted_at.is_(None),
            Person.merged_into_id.is_(None),
            un.ready_condition(un.current_submitter()),
        )
        .order_by(Person.case_code)
    )
    return list(db.session.execute(query).scalars())


class Batch:
    """A zip of one document per ready case and a manifest, written while it is sent (each
    document is built in memory, added, and let go: nothing is written to the server's disk)."""

    def __init__(self, persons: list[Person], language: str, reason: str):
        # Ids: the stream runs after the request's unit of work, through a fresh session.
        self.person_ids = [person.id for person in persons]
        self.language = language
        self.reason = reason
        self.extracted_at = datetime.now(UTC)
        self.entries: list[dict[str, Any]] = []
        self.digest = hashlib.sha256()
        self.size = 0

    @property
    def filename(self) -> str:
        return f"wgeid-ready-cases-{self.extracted_at.strftime('%Y%m%d-%H%M%S')}.zip"

    def chunks(self) -> Iterator[bytes]:
        """The zip, piece by piece. In the batch's language throughout: the stream runs after
        the request, where the viewer's own language can no longer be read."""
        with force_locale(self.language):
            yield from self._chunks()

    def _chunks(self) -> Iterator[bytes]:
        sink = _Sink()
        with zipfile.ZipFile(sink, "w", zipfile.ZIP_DEFLATED) as archive:
            submitter = un.current_submitter()
            for person_id in self.person_ids:
                person = db.session.get(Person, person_id)
                if person is None:
                    continue
                check = un.check(person, submitter)
                # Every source behind the case is named: a batch has no one to choose.
                content = build_document(
                    person, check, submitter, candidate_sources(person), self.language
                )
                name = f"wgeid-{person.case_code}-{self.language}.docx"
                archive.writestr(name, content)
                self.entries.append(
                    {
                        "file": name,
                        "case_code": person.case_code,
                        "sha256": hashlib.sha256(content).hexdigest(),
                        "bytes": len(content),
                    }
                )
                yield from self._take(sink)
            archive.writestr("manifest.json", json.dumps(self.manifest(), indent=2))
        yield from self._take(sink)

    def _take(self, sink: "_Sink") -> Iterator[bytes]:
        data = sink.take()
        if data:
            self.digest.update(data)
            self.size += len(data)
            yield data

    def manifest(self) -> dict[str, Any]:
        from tracker import __version__

        return {
            "what": "WGEID submission documents of every ready case",
            "language": self.language,
            "extracted_at": self.extracted_at.isoformat(timespec="seconds"),
            "cases": len(self.person_ids),
            "documents": self.entries,
            "software": {"name": "repatriation-tracker", "version": __version__},
        }


class _Sink(io.RawIOBase):
    """A write-only stream the zip writes into and the response takes from, piece by piece."""

    def __init__(self) -> None:
        self.buffer = bytearray()
        self.position = 0

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self.buffer += bytes(data)
        self.position += len(data)
        return len(data)

    def tell(self) -> int:
        return self.position

    def take(self) -> bytes:
        data, self.buffer = bytes(self.buffer), bytearray()
        return data


def start_batch(actor: Any, reason: str, language: str = "en") -> Batch:
    """Every ready case's document in one zip: audited before the first byte leaves."""
    reason = _check_request(actor, reason, language)
    persons = ready_cases()
    batch = Batch(persons, language, reason)
    audit.record(
        actor,
        "un.batch.start",
        entity_type="export",
        changes={
            "reason": reason,
            "language": language,
            "cases": [person.case_code for person in persons],
        },
    )
    return batch


def finish_batch(actor: Any, batch: Batch) -> None:
    """Audit a finished batch: its hash, size and the documents it held."""
    audit.record(
        actor,
        "un.batch",
        entity_type="export",
        changes={
            "reason": batch.reason,
            "file": batch.filename,
            "sha256": batch.digest.hexdigest(),
            "bytes": batch.size,
            "documents": batch.entries,
        },
    )


# --- the readiness of every vanished person ---------------------------------------------


def vanished_persons() -> Any:
    return (
        select(Person)
        .where(
            Person.deleted_at.is_(None),
            Person.merged_into_id.is_(None),
            Person.status.in_(DOCUMENT_STATUSES),
        )
        .order_by(Person.case_code)
    )


READINESS_HEADER = ["case_code", "ready", "urgent", "days_left", "submission", *ELEMENTS]
COUNTS_HEADER = ["element", PRESENT, PARTIAL, MISSING]


def readiness_rows(actor: Any, today: date | None = None) -> Iterator[list[Any]]:
    """The readiness CSV's rows: for researchers one per vanished person (case code, never a
    name); for analysts only the counts per element, never a case."""
    submitter = un.current_submitter()
    if not can_view_identity(actor):
        counts = {code: dict.fromkeys((PRESENT, PARTIAL, MISSING), 0) for code in ELEMENTS}
        ready = urgent = total = 0
        for person in db.session.execute(vanished_persons()).scalars():
            check = un.check(person, submitter, today)
            total += 1
            ready += check.ready
            urgent += check.urgent
            for element in check.elements:
                counts[element.code][element.state] += 1
        yield COUNTS_HEADER
        for code in ELEMENTS:
            yield [code, *counts[code].values()]
        yield ["ready", ready, total - ready, ""]
        yield ["urgent", urgent, total - urgent, ""]
        return
    yield READINESS_HEADER
    for person in db.session.execute(vanished_persons()).scalars():
        check = un.check(person, submitter, today)
        states = {element.code: element.state for element in check.elements}
        yield [
            person.case_code,
            check.ready,
            check.urgent,
            check.days_left,
            check.status,
            *(states[code] for code in ELEMENTS),
        ]


def readiness_filename(actor: Any) -> str:
    return f"un-readiness-{'cases' if can_view_identity(actor) else 'counts'}.csv"


def readiness_csv(actor: Any) -> bytes:
    """The readiness of every vanished person as CSV (UTF-8 with BOM), audited as an export."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    rows = 0
    for row in readiness_rows(actor):
        writer.writerow([csv_cell(value) for value in row])
        rows += 1
    content = ("\ufeff" + out.getvalue()).encode("utf-8")
    audit.record(
        actor,
        "export",
        entity_type="export",
        changes={
            "file": readiness_filename(actor),
            "what": "un_readiness",
            "format": "csv",
            "rows": rows - 1,
            "bytes": len(content),
            "sha256": hashlib.sha256(content).hexdigest(),
            "complete": True,
            "filters": {"status": "vanished"},
            "extracted_at": datetime.now(UTC).isoformat(timespec="seconds"),
            # Case codes, never a name; analysts get counts only.
            "redaction": {"profile": "case codes" if can_view_identity(actor) else "counts"},
        },
    )
    return content


def urgent_count() -> int:
    """How many cases are urgent for the UN (the dashboard shows researchers the count)."""
    query = (
        select(func.count())
        .select_from(Person)
        .where(Person.deleted_at.is_(None), Person.merged_into_id.is_(None), un.urgent_condition())
    )
    return int(db.session.execute(query).scalar_one())
