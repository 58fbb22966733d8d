"""Imports as background jobs: the import button queues a job, the job's page (and its JSON)
follows it across reloads, a worker runs it outside any request, and a worker killed midway
leaves the database as it was."""

import io
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from werkzeug.test import EnvironBuilder

from bench.imports import PERSON_HEADER, STATUS_HEADER, STATUSES, write_person_rows
from tests import factories
from tests.conftest import csrf_token
from tracker.extensions import db
from tracker.imports import jobs, uploads
from tracker.imports.models import ImportBatch
from tracker.imports.services import ImportOptions
from tracker.jobs.queue import EXTENSION, find
from tracker.persons.models import Person, StatusRecord

QUEUED = {"QUEUE_IMMEDIATE": False, "RATELIMIT_ENABLED": False}


def persons() -> int:
    return db.session.execute(select(func.count()).select_from(Person)).scalar_one()


def count(model, *where) -> int:  # type: ignore[no-untyped-def]
    return db.session.execute(select(func.count()).select_from(model).where(*where)).scalar_one()


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


def start_worker(app, database_url: str) -> subprocess.Popen[bytes]:  # type: ignore[no-untyped-def]
    """`tracker worker` in its own process, on the test's database, queue and uploads."""
    env = dict(os.environ)
    env.update(
        TRACKER_DATABASE_URL=database_url,
        TRACKER_INSTANCE_PATH=app.instance_path,
        TRACKER_UPLOAD_FOLDER=app.config["UPLOAD_FOLDER"],
        TRACKER_SECRET_KEY="test-worker-" + "k" * 40,
        PYTHONUNBUFFERED="1",
    )
    return subprocess.Popen(
        [sys.executable, "-m", "tracker", "worker"],
        env=env,
        cwd=Path(__file__).resolve().parents[2],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


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

    worker = start_worker(app, migrated)
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


BIG = 100_000


def post_large_form(client, url: str, data: dict[str, Any]) -> Any:  # type: ignore[no-untyped-def]
    """POST a multipart form through the client, closing the temporary file it encodes a
    large body into (the client leaves it open)."""
    builder = EnvironBuilder(path=url, method="POST", data=data)
    environ = builder.get_environ()
    try:
        return client.open(environ)
    finally:
        environ["wsgi.input"].close()
        builder.close()


PROGRESS = re.compile(r'<progress class="progress-bar" max="(\d+)" value="(\d+)"')


@pytest.mark.parametrize("app_settings", [QUEUED], indirect=True)
def test_a_100000_row_persons_file_with_statuses_imports_from_the_page_as_a_job(
    app, migrated, client, login_as, tmp_path
):
    login_as("researcher")
    path = tmp_path / "persons.csv"
    write_person_rows(path, BIG, statuses=True)
    token = csrf_token(client, "/imports")
    upload = {"csrf_token": token, "kind": "persons", "file": (path.open("rb"), "persons.csv")}
    uploaded = post_large_form(client, "/imports", upload)
    map_path = uploaded.headers["Location"]
    form = {"csrf_token": token, "create_missing": "y", "allow_similar": "y"}
    form |= {f"field-{name}": name for name in (*PERSON_HEADER, *STATUS_HEADER)}
    form["field-status_as_of"], form["field-sources"] = "status_as_of", "sources"

    # A worker killed midway: the page showed the import's progress, a reload kept it, and
    # nothing of it is in the database.
    queued = client.post(map_path + "/import", data=form)
    job_path = queued.headers["Location"]
    assert 'data-status="queued"' in client.get(job_path).get_data(as_text=True)
    job_id = job_path.rstrip("/").rsplit("/", 1)[1]
    worker = start_worker(app, migrated)
    try:
        deadline = time.monotonic() + 300
        while (find(job_id)["done"] or 0) < 5_000:
            assert worker.poll() is None, "the worker stopped"
            assert time.monotonic() < deadline, "the worker never reported progress"
            time.sleep(0.2)
        shown = client.get(job_path).get_data(as_text=True)
        assert 'data-status="running"' in shown
        total, done = map(int, PROGRESS.search(shown).groups())  # type: ignore[union-attr]
        assert total == BIG and 5_000 <= done < BIG
        reloaded = client.get(job_path).get_data(as_text=True)
        assert 'data-status="running"' in reloaded
        assert BIG > int(PROGRESS.search(reloaded).group(2)) >= done  # type: ignore[union-attr]
        progress = client.get(job_path + "/progress").get_json()
        assert progress["status"] == "running" and progress["total"] == BIG
        assert "rows read" in progress["text"]
        worker.send_signal(signal.SIGKILL)
        worker.wait(30)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait(30)
    assert worker.returncode == -signal.SIGKILL
    db.session.remove()
    assert persons() == 0 and count(StatusRecord) == 0 and count(ImportBatch) == 0

    # The same file imported again, to the end: every person, each with the file's status.
    again = client.post(map_path + "/import", data=form)
    run_next_job(app)
    db.session.remove()
    progress = client.get(again.headers["Location"] + "/progress").get_json()
    assert progress["status"] == "done" and progress["done"] == progress["total"] == BIG
    done_page = client.get(again.headers["Location"])
    assert "/imports/" in done_page.headers["Location"]
    batch_page = client.get(done_page.headers["Location"]).get_data(as_text=True)
    assert f"Imported: {BIG} created, 0 updated, 0 unchanged, 0 rejected." in batch_page
    assert persons() == BIG
    assert count(StatusRecord) == BIG
    assert count(Person, Person.status.is_(None)) == 0
    sample = db.session.execute(select(Person).where(Person.external_id == "P-4321")).scalar_one()
    assert sample.status in STATUSES and sample.status_as_of is not None
