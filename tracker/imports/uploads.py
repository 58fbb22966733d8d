"""Uploaded files between the mapping, the preview and the import: kept in the instance
folder (mode 0600) under a random name, readable only by the account that uploaded them."""

import json
import os
import re
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from flask import current_app
from flask_babel import gettext as _

from tracker.exceptions import NotFound
from tracker.imports.reading import FileRejected, describe_size
from tracker.imports.services import DEFAULT_MAX_IMPORT_BYTES
from tracker.records.service import check_can_edit

TOKEN = re.compile(r"^[A-Za-z0-9_-]{32,64}$")
KEEP_SECONDS = 24 * 3600  # an upload nobody imported is removed a day later


@dataclass
class Upload:
    """An uploaded file waiting to be mapped, previewed and imported."""

    token: str
    path: Path
    filename: str
    kind: str
    sheet: str | None


def _folder() -> Path:
    # Beside the sources' files (named by SHA-256 in two-letter folders), outside the web root.
    base = current_app.config.get("UPLOAD_FOLDER") or Path(current_app.instance_path) / "uploads"
    folder = Path(base) / "imports"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def store_upload(
    actor: Any, filename: str | None, kind: str, sheet: str | None, stream: IO[bytes]
) -> Upload:
    """Keep an uploaded file (within the size limit) for its uploader; returns its token."""
    check_can_edit(actor)
    _remove_old()
    limit = current_app.config.get("IMPORT_MAX_BYTES", DEFAULT_MAX_IMPORT_BYTES)
    token = secrets.token_urlsafe(32)
    path = _folder() / f"{token}.upload"
    size = 0
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as out:
            while chunk := stream.read(256 * 1024):
                size += len(chunk)
                if size > limit:
                    raise FileRejected(
                        _(
                            "The file is larger than the limit of %(size)s.",
                            size=describe_size(limit),
                        )
                    )
                out.write(chunk)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    if size == 0:
        path.unlink(missing_ok=True)
        raise FileRejected(_("The file is empty."))
    name = "".join(
        ch for ch in (filename or "").replace("\\", "/").rsplit("/", 1)[-1] if ch.isprintable()
    )
    meta = {
        "user_id": getattr(actor, "id", None),
        "filename": name[:255] or "upload",
        "kind": kind,
        "sheet": sheet or None,
    }
    meta_path = _folder() / f"{token}.json"
    fd = os.open(meta_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as out:
        json.dump(meta, out)
    return Upload(token, path, name[:255] or "upload", kind, sheet or None)


def load_upload(actor: Any, token: str) -> Upload:
    """The upload with this token, for the account that made it (NotFound for anyone else)."""
    check_can_edit(actor)
    if not TOKEN.match(token or ""):
        raise NotFound(_("This upload is gone; upload the file again."))
    path = _folder() / f"{token}.upload"
    try:
        meta = json.loads((_folder() / f"{token}.json").read_text())
    except (OSError, ValueError):
        raise NotFound(_("This upload is gone; upload the file again.")) from None
    if meta.get("user_id") != getattr(actor, "id", None) or not path.exists():
        raise NotFound(_("This upload is gone; upload the file again."))
    return Upload(token, path, meta["filename"], meta["kind"], meta.get("sheet"))


def discard_upload(upload: Upload) -> None:
    """Remove an imported (or abandoned) upload."""
    upload.path.unlink(missing_ok=True)
    upload.path.with_suffix(".json").unlink(missing_ok=True)
    upload.path.with_suffix(".preview.json").unlink(missing_ok=True)


def _remove_old() -> None:
    cutoff = time.time() - KEEP_SECONDS
    for path in _folder().iterdir():
        if path.is_dir():  # the kept results of imports
            continue
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
        except OSError:
            continue
