"""Files attached to sources: checked by content and size, stored outside the web root
under their SHA-256, downloadable only by roles that may see them."""

import hashlib
import io
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.conftest import csrf_token
from tracker.extensions import db
from tracker.sources.models import SourceFile
from tracker.sources.services import sources

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


@pytest.fixture
def source(login_as):
    researcher = login_as("researcher")
    record = sources.create(researcher, {"title": "RFA report", "kind": "media"})
    db.session.commit()
    return record


def upload(client, source, content, name):
    token = csrf_token(client, f"/sources/{source.id}")
    return client.post(
        f"/sources/{source.id}/files",
        data={"csrf_token": token, "file": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
        follow_redirects=True,
    )


def test_a_pdf_is_stored_under_its_sha256_outside_the_web_root(app, client, source):
    page = upload(client, source, PDF, "report.pdf").get_data(as_text=True)
    digest = hashlib.sha256(PDF).hexdigest()
    assert "Attached report.pdf." in page
    assert digest in page
    stored = Path(app.config["UPLOAD_FOLDER"]) / digest[:2] / digest
    assert stored.read_bytes() == PDF
    assert Path(app.static_folder) not in stored.parents
    attached = db.session.execute(select(SourceFile)).scalar_one()
    assert (attached.content_type, attached.size) == ("application/pdf", len(PDF))


def test_a_program_named_like_a_pdf_is_refused_by_its_content(client, source):
    page = upload(client, source, b"MZ\x90\x00\x03\x00\x00\x00" + bytes(200), "report.pdf")
    assert "The file was not attached: Attach a PDF, PNG, JPEG, GIF, WebP or plain text file." in (
        page.get_data(as_text=True)
    )
    assert db.session.execute(select(SourceFile)).first() is None


@pytest.mark.parametrize("app_settings", [{"SOURCE_FILE_MAX_BYTES": 1024}], indirect=True)
def test_a_file_over_the_size_limit_is_refused_and_not_kept(app, client, source):
    page = upload(client, source, b"a" * 2048, "long.txt").get_data(as_text=True)
    assert "The file is larger than" in page
    assert db.session.execute(select(SourceFile)).first() is None
    folder = Path(app.config["UPLOAD_FOLDER"])
    assert not [p for p in folder.rglob("*") if p.is_file()]


def test_an_empty_upload_gets_a_message_not_an_error(client, source):
    response = upload(client, source, b"", "empty.txt")
    assert response.status_code == 200
    assert "empty" in response.get_data(as_text=True).lower()
