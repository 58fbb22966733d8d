"""An import as a background job: the worker reads every row, writes the batch in one
transaction (a worker killed midway leaves the database as it was) and records its progress
(rows done of the file's rows) where the job's page reads it."""

from dataclasses import asdict
from typing import Any

from flask_babel import force_locale

from tracker import unit_of_work
from tracker.accounts.models import User
from tracker.extensions import db
from tracker.i18n import DEFAULT, current_language
from tracker.imports import results, services, uploads
from tracker.jobs.queue import RUNNERS, Job, submit

NAME = "import"
PREVIEW = "import-preview"


def start_import(
    actor: Any,
    upload: uploads.Upload,
    mapping: dict[str, Any],
    options: services.ImportOptions,
    preview: bool = False,
) -> Job:
    """Queue the import (or its preview) of an upload; the job's page follows it."""
    payload = {"token": upload.token, "mapping": mapping, "options": asdict(options)}
    payload["language"] = current_language()  # the rows' problems are written in it
    return submit(
        PREVIEW if preview else NAME,
        getattr(actor, "id", None),
        payload,
        upload.filename,
        about={"token": upload.token},
    )


def _import(job: Job, payload: dict[str, Any], dry_run: bool) -> tuple[Any, Any]:
    """The upload imported as its uploader, in one unit of work, progress reported to the
    job: rolled back for a preview, kept only when a row was accepted."""
    actor = db.session.get(User, job["user_id"])
    upload = uploads.load_upload(actor, payload["token"])
    options = services.ImportOptions(**payload["options"])
    job.progress(0, services.count_rows(upload.path, options.sheet))
    with force_locale(payload.get("language") or DEFAULT):  # the language of its page
        report = unit_of_work.run_job(
            lambda: services.import_file(
                actor,
                upload.path,
                upload.filename,
                upload.kind,
                payload["mapping"],
                options,
                progress=job.progress,
                dry_run=dry_run,
            ),
            dry_run=dry_run,
            keep=lambda done: done.accepted > 0,
        )
    return upload, report


def run_preview(job: Job, payload: dict[str, Any]) -> dict[str, Any]:
    """The preview job: the same import, rolled back; what it found is kept for the
    preview's pages."""
    upload, report = _import(job, payload, dry_run=True)
    results.save_preview(upload.path, report, payload["options"])
    first = next((s for s in ("rejected", *results.SHOWS) if getattr(report, s)), "created")
    return {"token": upload.token, "show": first}


def run_import(job: Job, payload: dict[str, Any]) -> dict[str, Any]:
    """The job: import the upload as its uploader, commit once, keep the rows' results."""
    upload, report = _import(job, payload, dry_run=False)
    if report.accepted == 0:
        return {"batch_id": None, "counts": report.counts(), "nothing": True}
    results.save_batch(report)
    uploads.discard_upload(upload)
    return {"batch_id": report.batch_id, "counts": report.counts(), "nothing": False}


RUNNERS[NAME] = run_import
RUNNERS[PREVIEW] = run_preview
