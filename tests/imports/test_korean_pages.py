"""The import pages in Korean with the CP949 persons sheet: fields by their Korean labels
with sample values, values translated on the page with no JSON, a preview that lists the rows
(paged, no cap), the rejected rows downloadable before and after the import, and a second
upload of the same file flagged with a link to the first import."""

import csv
import html
import io
import json
import re

import pytest
from sqlalchemy import func, select

from tests.conftest import csrf_token
from tests.imports.test_jobs import QUEUED, run_next_job
from tests.imports.test_korean_sheet import SHEET
from tracker.accounts.models import User
from tracker.extensions import db
from tracker.imports import results
from tracker.imports.uploads import load_upload
from tracker.persons.models import Person
from tracker.sample.services import load_october_2023


def upload(client, data: bytes, name: str = "ngo.csv") -> str:  # type: ignore[no-untyped-def]
    token = csrf_token(client, "/imports")
    response = client.post(
        "/imports",
        data={"csrf_token": token, "kind": "persons", "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    return str(response.headers["Location"])


def form_of(page: str) -> dict[str, str]:
    """What the mapping form would post as the page shows it (the selected options)."""
    form: dict[str, str] = {}
    for name, body in re.findall(
        r'<select id="[^"]+" name="([^"]+)"[^>]*>(.*?)</select>', page, re.S
    ):
        chosen = re.search(r'<option value="([^"]*)" selected', body)
        form[name] = html.unescape(chosen.group(1)) if chosen else ""
    for name, value in re.findall(
        r'<input type="hidden" name="(values-[^"]+)" value="([^"]*)"', page
    ):
        form[name] = html.unescape(value)
    for name in re.findall(
        r'<input id="(split-[^"]+)" name="[^"]+" type="checkbox" value="y" checked', page
    ):
        form[name] = "y"
    return form


def translation_of(form: dict[str, str], field: str, written: str) -> str:
    index = next(
        key.split("-")[2]
        for key, value in form.items()
        if key.startswith(f"values-{field}-") and key.endswith("-from") and value == written
    )
    return f"values-{field}-{index}-to"


def test_korean_sheet_through_the_korean_pages(client, login_as):
    load_october_2023()
    db.session.commit()
    login_as("researcher")
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "ko"
    map_path = upload(client, SHEET.read_bytes())
    page = client.get(map_path).get_data(as_text=True)

    # Fields by their Korean labels, with three sample values of the proposed column.
    assert '<label for="field-gender">성별</label>' in page
    assert '<label for="field-name_hangul">한글 이름</label>' in page
    assert "김영희 · 이순자 · 박미영" in page
    form = form_of(page)
    for field, header in {
        "name_hangul": "이름",
        "gender": "성별",
        "birth_year": "생년",
        "repatriation_date": "송환일",
        "crossing": "송환 경로",
        "facilities": "수용시설",
    }.items():
        assert form[f"field-{field}"] == header
    assert form["split-facilities"] == "y"  # the column has commas: split on them is proposed
    # Values matching a term in any language are pre-filled; the others wait for the user.
    assert form[translation_of(form, "gender", "여")] == "female"
    assert form[translation_of(form, "gender", "M")] == "male"
    assert form[translation_of(form, "gender", "여(추정)")] == ""
    assert form[translation_of(form, "status", "강제송환")] == "repatriated"
    assert form[translation_of(form, "status", "송환됨")] == ""

    form[translation_of(form, "gender", "여(추정)")] = "female"
    form[translation_of(form, "status", "송환됨")] = "repatriated"
    token = csrf_token(client, map_path)
    preview = client.post(
        map_path + "/preview",
        data={"csrf_token": token, **form, "create_missing": "y", "save_as": "NGO"},
    )
    assert preview.status_code == 302 and "show=rejected" in preview.headers["Location"]
    shown = client.get(preview.headers["Location"]).get_data(as_text=True)
    assert re.search(r'data-count="created">28<', shown)
    assert re.search(r'data-count="rejected">2<', shown)
    assert "2023.13.5" in shown
    assert db.session.execute(select(func.count()).select_from(Person)).scalar_one() == 0

    created = client.get(map_path + "/preview?show=created&page=1").get_data(as_text=True)
    assert created.count('<tr data-row="') == 28 and "김영희" in created

    rejects = client.get(map_path + "/rejects.csv")
    assert rejects.status_code == 200 and rejects.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(rejects.get_data().decode("utf-8-sig"))))
    assert [row["row"] for row in rows] == ["8", "20"]
    assert all("체포일" in row["problems"] for row in rows)

    mapping_json = re.search(r'name="mapping_json" value="([^"]*)"', shown).group(1)
    imported = client.post(
        map_path + "/import",
        data={
            "csrf_token": token,
            "mapping_json": html.unescape(mapping_json),
            "create_missing": "y",
        },
    )
    assert imported.status_code == 302
    assert db.session.execute(select(func.count()).select_from(Person)).scalar_one() == 28
    batch_page = client.get(imported.headers["Location"]).get_data(as_text=True)
    assert "2023.13.5" in batch_page  # the rejected rows are still listed after the import
    batch_id = int(imported.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    after = client.get(f"/imports/{batch_id}/rejects.csv").get_data().decode("utf-8-sig")
    assert after == rejects.get_data().decode("utf-8-sig")

    # The same file again: flagged before anything is written, with a link to the import.
    again = upload(client, SHEET.read_bytes(), "ngo-again.csv")
    again_preview = client.post(
        again + "/preview",
        data={"csrf_token": token, "mapping_json": html.unescape(mapping_json)},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert 'id="earlier-import"' in again_preview
    assert f'href="/imports/{batch_id}"' in again_preview
    refused = client.post(
        again + "/import",
        data={"csrf_token": token, "mapping_json": html.unescape(mapping_json)},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert f"#{batch_id}" in refused
    assert db.session.execute(select(func.count()).select_from(Person)).scalar_one() == 28


def test_the_preview_pages_every_row_without_a_cap(client, login_as, tmp_path):
    login_as("researcher")
    lines = ["이름,성별"] + [f"사람{i},모르는값" for i in range(1, 1201)]
    map_path = upload(client, "\n".join(lines).encode("utf-8"))
    token = csrf_token(client, map_path)
    form = {"csrf_token": token, "field-name_hangul": "이름", "field-gender": "성별"}
    shown = client.post(map_path + "/preview", data=form, follow_redirects=True)
    text = shown.get_data(as_text=True)
    assert re.search(r'data-count="rejected">1200<', text)
    pages = -(-1200 // results.PER_PAGE)
    last = client.get(f"{map_path}/preview?show=rejected&page={pages}").get_data(as_text=True)
    assert 'data-row="1201"' in last  # the last row of the file, past any 1,000 cap
    rejects = client.get(map_path + "/rejects.csv").get_data().decode("utf-8-sig")
    assert len(rejects.strip().splitlines()) == 1201  # the header and every rejected row


def import_then_preview(client, form: dict[str, str], first: str, second: str) -> str:  # type: ignore[no-untyped-def]
    """Import the CSV `first`, then preview `second` with the same mapping: its page."""
    path = upload(client, first.encode())
    form = form | {"csrf_token": csrf_token(client, path)}
    client.post(path + "/preview", data=form)
    client.post(path + "/import", data=form)
    again = upload(client, second.encode())
    client.post(again + "/preview", data=form)
    return again


def updated_rows(client, path: str) -> str:  # type: ignore[no-untyped-def]
    """The preview's table of updated rows, as the page shows it."""
    page = client.get(path + "/preview?show=updated").get_data(as_text=True)
    start = page.index('id="updated-rows"')
    return page[start : page.index("</table>", start)]


def test_an_update_is_previewed_field_by_field_in_the_readers_words(client, login_as):
    login_as("researcher")
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "ko"
    form = {"field-external_id": "관리번호", "field-name_hangul": "이름"}
    form |= {"field-birth_year": "생년", "field-gender": "성별", "source_key": "NGO"}
    header = "관리번호,이름,생년,성별\n"
    second = import_then_preview(
        client, form, header + "A-1,김영희,1990,여\n", header + "a-1,김영희,약 1991,남\n"
    )
    text = client.get(second + "/preview").get_data(as_text=True)
    assert re.search(r'data-count="updated">1<', text)
    changes = updated_rows(client, second)
    # Each field once, by its Korean label, its values as the interface names them: not the
    # stored codes ("female"), nor the year and its "approximate" flag as two rows.
    assert re.search(r"<td>성별</td><td>여성</td><td>남성</td>", changes)
    assert re.search(r"<td>출생 연도</td><td>1990</td><td>1991년경</td>", changes)
    assert "female" not in changes and "approximate" not in changes
    assert changes.count("<tr data-row=") == 2  # a key in another case is not a change

    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"  # the same preview, read in English
    assert "<td>Gender</td><td>Female</td><td>Male</td>" in updated_rows(client, second)


def test_a_status_claim_an_update_adds_is_previewed_as_the_history_shows_it(client, login_as):
    login_as("researcher")
    form = {"field-external_id": "id", "field-name_hangul": "name", "field-status": "status"}
    form |= {"field-status_as_of": "as_of", "field-sources": "source", "create_missing": "y"}
    header = "id,name,status,as_of,source\n"
    first, second = "A-1,김영희,detained,2023-10-01,NGO\n", "A-1,김영희,vanished,2024-01-02,NGO\n"
    changes = updated_rows(
        client, import_then_preview(client, form, header + first, header + second)
    )
    row = re.search(r"<td>Status record</td><td>—</td><td>([^<]+)</td>", changes)
    assert row and "Vanished" in row[1] and "2 January 2024" in row[1], changes


def test_a_preview_saved_before_changes_were_kept_as_the_audit_keeps_them_still_shows(
    client, login_as
):
    login_as("researcher")
    form = {"field-external_id": "id", "field-name_hangul": "name", "field-birth_year": "year"}
    second = import_then_preview(
        client, form, "id,name,year\nA-1,김영희,1990\n", "id,name,year\nA-1,김영희,1991\n"
    )
    user = db.session.execute(select(User)).scalar_one()
    saved = results.preview_path(load_upload(user, second.rsplit("/", 1)[1]).path)
    data = json.loads(saved.read_text(encoding="utf-8"))
    data["changes"] = {"2": [["birth_year", "1990", "1991"]]}  # the earlier form
    saved.write_text(json.dumps(data), encoding="utf-8")
    assert "<td>Birth year</td><td>1990</td><td>1991</td>" in updated_rows(client, second)


# The preview runs in a worker, outside any request: in the language of the page it came from.
@pytest.mark.parametrize("app_settings", [QUEUED], indirect=True)
def test_a_korean_researcher_reads_the_rows_problems_in_korean(app, client, login_as):
    login_as("researcher")
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "ko"
    sheet = (
        "external_id,family_name,given_name,status,status_as_of,sources\n"
        "K-1,Kim,Ok,detained,2023-10-09,\n"  # a status without its source
        "K-2,Ri,Sun,,,\n"
        "K-2,Pak,Chol,,,\n"  # the key of the row above again
    )
    map_path = upload(client, sheet.encode())
    form = form_of(client.get(map_path).get_data(as_text=True))
    token = csrf_token(client, map_path)
    queued = client.post(map_path + "/preview", data={"csrf_token": token, **form})
    run_next_job(app)
    preview = client.get(queued.headers["Location"])
    assert preview.status_code == 302 and "show=rejected" in preview.headers["Location"]
    shown = html.unescape(client.get(preview.headers["Location"]).get_data(as_text=True))
    assert "이 상태를 보고한 출처를 밝히십시오." in shown
    assert "Say which source reports this status." not in shown
    assert "위의 3행과 키가 같습니다." in shown
    assert db.session.execute(select(func.count()).select_from(Person)).scalar_one() == 0
