"""Imports as background jobs: the import button queues a job, the job's page (and its JSON)
follows it across reloads, a worker runs it outside any request, and a worker killed midway
leaves the database as it was."""

import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bench.imports import write_person_rows
from tests import factories
from tests.conftest import csrf_token
from tracker.extensions import db
from tracker.imports import jobs, uploads
from tracker.imports.models import ImportBatch
from tracker.imports.services import ImportOptions
from tracker.jobs.queue import EXTENSION, find
from tracker.persons.models import Person

QUEUED = {"QUEUE_IMMEDIATE": False, "RATELIMIT_ENABLED": False}


def persons() -> int:
    return db.session.execute(select(func.count()).select_from(Person)).scalar_one()


def run_next_job(app) -> None:  # type: ignore[no-untyped-def]
    """What a worker does with the next job (in this process, so the test drives it)."""
    queue = app.extensions[EXTENSION]
    task = queue.dequeue()
    assert task is not None
    queue.execute(task)


@pytest.mark.parametrize("app_settings", [QUEUED], indirect=True)
def test_the_import_runs_as_a_job_that_its_page_follows(app, client, login_as):
    login_as("researcher")
    token = csrf_token(client, "/imports")
    text = "family_name,given_name,birth_year\nKim,Ok,1990\nLee,Sun,1985\n"
    response = client.post(
        "/imports",
        data={"csrf_token": token, "kind": "persons", "file": (io.BytesIO(text.encode()), "p.csv")},
        content_type="multipart/form-data",
    )
    map_path = response.headers["Location"]
    form = {"csrf_token": token, "field-family_name": "family_name"}
    form |= {"field-given_name": "given_name", "field-birth_year": "birth_year"}

    # The preview is a job too (a large file's preview outlives no request).
    previewing = client.post(map_path + "/preview", data=form)
    assert "/imports/jobs/" in previewing.headers["Location"]
    assert "Previewing p.csv" in client.get(previewing.headers["Location"]).get_data(as_text=True)
    run_next_job(app)
    previewed = client.get(previewing.headers["Location"])
    assert "/preview?show=created" in previewed.headers["Location"]
    shown = client.get(previewed.headers["Location"]).get_data(as_text=True)
    assert 'data-count="created">2<' in shown and persons() == 0

    queued = client.post(map_path + "/import", data=form)
    assert queued.status_code == 302 and "/imports/jobs/" in queued.headers["Location"]
    job_path = queued.headers["Location"]

    page = client.get(job_path).get_data(as_text=True)
    assert 'data-status="queued"' in page and persons() == 0
    assert client.get(job_path + "/progress").get_json()["status"] == "queued"
    assert client.get(job_path).status_code == 200  # a reload finds the same job

    run_next_job(app)
    db.session.remove()
    progress = client.get(job_path + "/progress").get_json()
    assert progress["status"] == "done" and progress["done"] == progress["total"] == 2
    assert progress["next"].endswith(job_path)
    done = client.get(job_path)
    assert done.status_code == 302 and "/imports/" in done.headers["Location"]
    batch_page = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "Imported: 2 created" in batch_page
    assert persons() == 2

    # Someone else's job is nobody else's business.
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    login_as("researcher")
    assert client.get(job_path).status_code == 404


# A worker in its own process, killed while its import has written rows but not committed.
@pytest.mark.parametrize("app_settings", [QUEUED], indirect=True)
def test_a_worker_killed_midway_leaves_nothing(app, migrated, tmp_path):
    researcher = factories.make_user("researcher")
    db.session.commit()
    path = tmp_path / "persons.csv"
    write_person_rows(path, 20_000)
    with path.open("rb") as handle:
        upload = uploads.store_upload(researcher, "persons.csv", "persons", None, handle)
    mapping = {"external_id": "external_id", "family_name": "family_name"}
    mapping |= {"given_name": "given_name", "gender": "gender", "birth_year": "birth_year"}
    job = jobs.start_import(researcher, upload, mapping, ImportOptions())
    db.session.commit()

    env = dict(os.environ)
    env.update(
        TRACKER_DATABASE_URL=migrated,
        TRACKER_INSTANCE_PATH=app.instance_path,
        TRACKER_UPLOAD_FOLDER=app.config["UPLOAD_FOLDER"],
        TRACKER_SECRET_KEY="test-worker-" + "k" * 40,
        PYTHONUNBUFFERED="1",
    )
    worker = subprocess.Popen(
        [sys.executable, "-m", "tracker", "worker"],
        env=env,
        cwd=Path(__file__).resolve().parents[2],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        # Wait for the worker's own report that it has read (and written) rows.
        deadline = time.monotonic() + 300
        while (find(job.id)["done"] or 0) < 2_000:
            assert worker.poll() is None, "the worker stopped"
            assert time.monotonic() < deadline, "the worker never reported progress"
            time.sleep(0.2)
        assert find(job.id)["status"] == "running"
        worker.send_signal(signal.SIGKILL)
        worker.wait(30)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait(30)
    assert worker.returncode == -signal.SIGKILL
    db.session.remove()
    assert persons() == 0
    assert db.session.execute(select(func.count()).select_from(ImportBatch)).scalar_one() == 0
