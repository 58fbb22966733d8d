"""Sources: their values, the Admiralty grading, and the files attached to them."""

import hashlib
import os
import tempfile
from pathlib import Path
from typing import IO, Any

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from tracker.accounts.permissions import can_view_identity
from tracker.audit import services as audit
from tracker.exceptions import NotFound, PermissionDenied, ValidationFailed
from tracker.extensions import db
from tracker.records.service import RecordService, check_can_edit
from tracker.sources.kind import SOURCES
from tracker.sources.models import (
    CREDIBILITY_MEANINGS,
    RELIABILITY_MEANINGS,
    Source,
    SourceFile,
)


def graded(grade: Any, meaning: Any) -> Any:
    """A grade with its meaning, "B – Usually reliable", read in the page's language."""
    return _l("%(grade)s – %(meaning)s", grade=grade, meaning=meaning)


# Attached files are recognised by their first bytes, never by their name or the browser's word.
FILE_SIGNATURES: list[tuple[bytes, int, str]] = [
    (b"%PDF-", 0, "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", 0, "image/png"),
    (b"\xff\xd8\xff", 0, "image/jpeg"),
    (b"GIF87a", 0, "image/gif"),
    (b"GIF89a", 0, "image/gif"),
    (b"WEBP", 8, "image/webp"),
]
ALLOWED_FILE_TYPES = _l("PDF, PNG, JPEG, GIF, WebP or plain text")
DEFAULT_MAX_FILE_BYTES = 20 * 1024 * 1024


class SourceService(RecordService[Source]):
    """A source of facts, graded A–F for reliability and 1–6 for credibility."""

    kind = SOURCES


sources = SourceService()


def sniff_content_type(head: bytes) -> str | None:
    """The type of a file from its first bytes, or None when it is not one we accept."""
    for signature, offset, content_type in FILE_SIGNATURES:
        if head[offset : offset + len(signature)] == signature:
            if content_type == "image/webp" and not head.startswith(b"RIFF"):
                continue
            return content_type
    # Plain text has no control characters but tab, line breaks and form feed.
    if any(byte < 0x20 and byte not in b"\t\n\r\x0c" or byte == 0x7F for byte in head):
        return None
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        # A multi-byte character cut at the end of the sample is still text.
        if error.start < len(head) - 3:
            return None
    return "text/plain"


def _upload_folder() -> Path:
    return Path(current_app.config["UPLOAD_FOLDER"])


def stored_path(source_file: SourceFile) -> Path:
    """Where a file's bytes live: under the instance folder, named by their SHA-256."""
    return _upload_folder() / source_file.sha256[:2] / source_file.sha256


def _clean_filename(name: str | None) -> str:
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip()
    return name[:255] or "file"


def attach_file(actor: Any, source: Source, filename: str | None, stream: IO[bytes]) -> SourceFile:
    """Check a file's size and type by its content, store it by SHA-256, and audit it."""
    check_can_edit(actor)
    limit = current_app.config.get("SOURCE_FILE_MAX_BYTES", DEFAULT_MAX_FILE_BYTES)
    folder = _upload_folder()
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    digest = hashlib.sha256()
    size = 0
    head = b""
    fd, temp_name = tempfile.mkstemp(dir=folder, prefix=".upload-")
    try:
        with os.fdopen(fd, "wb") as out:
            while chunk := stream.read(64 * 1024):
                size += len(chunk)
                if size > limit:
                    message = _("The file is larger than %(size)s MB.", size=limit // (1024 * 1024))
                    raise ValidationFailed(message, {"file": message})
                if len(head) < 512:
                    head += chunk[: 512 - len(head)]
                digest.update(chunk)
                out.write(chunk)
        if size == 0:
            raise ValidationFailed(_("The file is empty."), {"file": _("The file is empty.")})
        content_type = sniff_content_type(head)
        if content_type is None:
            message = _("Attach a %(types)s file.", types=ALLOWED_FILE_TYPES)
            raise ValidationFailed(message, {"file": message})
        sha256 = digest.hexdigest()
        target = folder / sha256[:2] / sha256
        target.parent.mkdir(exist_ok=True, mode=0o700)
        os.replace(temp_name, target)
    finally:
        if os.path.exists(temp_name):
            os.unlink(temp_name)
    attached = SourceFile(
        source=source,
        filename=_clean_filename(filename),
        content_type=content_type,
        size=size,
        sha256=sha256,
        uploaded_by_id=getattr(actor, "id", None),
    )
    db.session.add(attached)
    db.session.flush()
    change = f"{attached.filename} (SHA-256 {sha256})"
    audit.record(actor, "file.add", source, {"file": {"old": None, "new": change}})
    return attached


def file_for_download(actor: Any, source: Source, file_id: int) -> SourceFile:
    """A file of this source for a user allowed to read it; the download is audited."""
    if not can_view_identity(actor):
        raise PermissionDenied(_("Your role may not download attached files."))
    attached = db.session.get(SourceFile, file_id)
    if attached is None or attached.source_id != source.id or attached.deleted_at is not None:
        raise NotFound(_("There is no such file."))
    audit.record(actor, "file.download", source, {"file_id": attached.id})
    return attached


def live_files(source: Source) -> list[SourceFile]:
    """The files attached to a source and not removed."""
    return [f for f in source.files if f.deleted_at is None]


def grade(source: Source) -> str:
    """The Admiralty grade with its meaning: "B2 (usually reliable; probably true)"."""
    if source.reliability is None and source.credibility is None:
        return ""
    code = f"{source.reliability or '?'}{source.credibility or '?'}"
    meanings = [
        RELIABILITY_MEANINGS.get(source.reliability or "", _("reliability not graded")),
        CREDIBILITY_MEANINGS.get(source.credibility or 0, _("credibility not graded")),
    ]
    return f"{code} ({meanings[0].lower()}; {meanings[1].lower()})"
