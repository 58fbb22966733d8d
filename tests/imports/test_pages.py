"""The import pages: upload, mapping, preview, import, revert; refusals and bad files."""

import io
import re

import pytest
from sqlalchemy import func, select

from tests.conftest import csrf_token
from tracker.events.models import RepatriationEvent
from tracker.extensions import db
from tracker.imports.models import ImportBatch, SavedMapping

FILE = (
    "Incident,When,Route,Dead and missing,Information Source\n"
    "A1,9 Oct 2023,Onsong,300+,Witness A\n"
    'A2,October 2023,Dandong,"1,022",Witness B\n'
    "A3,never,Onsong,5,Witness A\n"
)
MAPPING = {
    "field-external_id": "Incident",
    "field-date_start": "When",
    "field-crossing": "Route",
    "field-people_min": "Dead and missing",
    "field-sources": "Information Source",
}


def events() -> int:
    return db.session.execute(select(func.count()).select_from(RepatriationEvent)).scalar_one()


def upload(client, data: bytes, kind: str = "events", name: str = "incidents.csv"):  # type: ignore[no-untyped-def]
    token = csrf_token(client, "/imports")
    return client.post(
        "/imports",
        data={"csrf_token": token, "kind": kind, "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def test_upload_map_preview_import_and_revert(client, login_as):
    login_as("researcher")
    response = upload(client, FILE.encode("utf-8-sig"))
    assert response.status_code == 302
    map_path = response.headers["Location"]
    page = client.get(map_path).get_data(as_text=True)
    assert 'value="Route" selected' in page  # "Route" proposed for the crossing (a synonym)

    token = csrf_token(client, map_path)
    form = {"csrf_token": token, **MAPPING, "create_missing": "y", "save_as": "Partner list"}
    preview = client.post(map_path + "/preview", data=form, follow_redirects=True)
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert re.search(r'data-count="created">2<', html)
    assert re.search(r'data-count="rejected">1<', html)
    assert "never" in html and "Write a date" in html
    assert events() == 0  # a preview writes nothing
    assert db.session.execute(select(SavedMapping.name)).scalar_one() == "Partner list"

    mapping_json = re.search(r'name="mapping_json" value="([^"]*)"', html).group(1)
    imported = client.post(
        map_path + "/import",
        data={
            "csrf_token": token,
            "mapping_json": mapping_json.replace("&#34;", '"'),
            "create_missing": "y",
        },
    )
    assert imported.status_code == 302
    assert events() == 2
    batch_page = client.get(imported.headers["Location"]).get_data(as_text=True)
    assert "incidents.csv" in batch_page

    batch_id = db.session.execute(select(ImportBatch.id)).scalar_one()
    reverted = client.post(f"/imports/{batch_id}/revert", data={"csrf_token": token})
    assert reverted.status_code == 302
    live = select(func.count()).select_from(RepatriationEvent)
    assert db.session.execute(live.where(RepatriationEvent.deleted_at.is_(None))).scalar() == 0
    assert client.get(map_path).status_code == 404  # the upload is gone after its import


def test_a_saved_mapping_is_offered_for_the_next_file(client, login_as):
    login_as("researcher")
    first = upload(client, FILE.encode()).headers["Location"]
    token = csrf_token(client, first)
    client.post(first + "/preview", data={"csrf_token": token, **MAPPING, "save_as": "Mine"})
    second = upload(client, FILE.encode()).headers["Location"]
    saved_id = db.session.execute(select(SavedMapping.id)).scalar_one()
    page = client.get(f"{second}?saved={saved_id}").get_data(as_text=True)
    assert ">Mine<" in page and 'value="When" selected' in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"%PDF-1.4\x00\x00", "not a CSV or XLSX"),
        (b"a,a\n1,2\n", "Two columns"),
    ],
)
def test_bad_files_get_a_message_not_an_error_page(client, login_as, data, message):
    login_as("researcher")
    response = upload(client, data)
    if response.headers["Location"].startswith("/imports/upload/"):
        response = client.get(response.headers["Location"])
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert message in page
    assert events() == 0


@pytest.mark.parametrize("app_settings", [{"MAX_CONTENT_LENGTH": 2048}], indirect=True)
def test_a_file_over_the_limit_is_413(client, login_as):
    login_as("researcher")
    response = upload(client, FILE.encode() * 100)
    assert response.status_code == 413


def test_analysts_may_not_import_and_uploads_are_private(client, login_as, app):
    login_as("researcher")
    map_path = upload(client, FILE.encode()).headers["Location"]
    client.post("/logout", data={"csrf_token": csrf_token(client, "/imports")})
    login_as("analyst")
    assert client.get("/imports").status_code == 403
    assert client.get(map_path).status_code == 403
    client.post("/logout", data={"csrf_token": csrf_token(client, "/account")})
    login_as("researcher")  # another researcher
    assert client.get(map_path).status_code == 404


def test_the_preview_names_the_case_each_similar_row_looks_like(client, login_as):
    from tracker.persons.services import persons

    researcher = login_as("researcher")
    kim = persons.create(
        researcher,
        {"family_name": "Kim", "given_name": "Cheol-ok", "birth_year": 1990, "gender": "male"},
    )
    db.session.commit()
    text = "family_name,given_name,birth_year\nKim,Chol Ok,1990\nJang,Myong Il,1970\n"
    map_path = upload(client, text.encode(), kind="persons", name="partner.csv").headers["Location"]
    form = {
        "csrf_token": csrf_token(client, map_path),
        "field-family_name": "family_name",
        "field-given_name": "given_name",
        "field-birth_year": "birth_year",
    }
    html = client.post(map_path + "/preview", data=form, follow_redirects=True).get_data(
        as_text=True
    )
    similar = html[html.index('id="similar"') :]
    assert f"<td>2</td><td>{kim.case_code}</td>" in similar
    assert re.search(r'data-count="flagged">1<', html)
