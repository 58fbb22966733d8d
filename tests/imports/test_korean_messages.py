"""The importer's own words in the Korean interface: why a row that looks like an existing
case or event was refused (and which one it looks like), the report of an import, why a
file, a mapping or a repeated import was refused, and every field of the mapping page. The
command line keeps English."""

import csv
import html
import io
import re
from pathlib import Path

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from tests import factories
from tests.conftest import csrf_token
from tests.imports.test_jobs import QUEUED, run_next_job
from tests.imports.test_korean_pages import form_of
from tests.imports.test_pages import upload as upload_bytes
from tracker.events.models import RepatriationEvent
from tracker.extensions import db
from tracker.imports import services
from tracker.imports.columns import IMPORT_KINDS, import_columns
from tracker.persons.lookalike import YEARS_APART
from tracker.persons.services import persons
from tracker.unit_of_work import run_job

HANGUL = re.compile(r"[\uac00-\ud7a3]")
PERSON_FIELDS = {
    "field-family_name": "family_name",
    "field-given_name": "given_name",
    "field-birth_year": "birth_year",
}


def in_korean(client) -> None:  # type: ignore[no-untyped-def]
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "ko"


def upload(client, text: str, kind: str = "persons", name: str = "ngo.csv"):  # type: ignore[no-untyped-def]
    """Upload a file as the import page does; the response (a redirect to its mapping)."""
    return upload_bytes(client, text.encode(), kind=kind, name=name)


def text_of(response) -> str:  # type: ignore[no-untyped-def]
    """A page as its reader sees it: no tags, entities decoded, spaces collapsed."""
    page = re.sub(r"<script.*?</script>", " ", response.get_data(as_text=True), flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def post_form(client, path: str, form: dict[str, str]):  # type: ignore[no-untyped-def]
    token = csrf_token(client, "/imports")
    return client.post(path, data={"csrf_token": token, **form}, follow_redirects=True)


def test_a_look_alike_person_is_refused_in_korean(client, login_as):
    researcher = login_as("researcher")
    kim = persons.create(
        researcher, {"family_name": "Kim", "given_name": "Cheol-ok", "birth_year": 1990}
    )
    db.session.commit()
    in_korean(client)
    sheet = (
        "family_name,given_name,birth_year\n"
        "Kim,Chol Ok,1991\n"  # Kim Cheol-ok, as another team spells him
        "Jang,Myong Il,1970\n"
        "Jang,Myong Il,1971\n"  # the row above again
    )
    map_path = upload(client, sheet).headers["Location"]
    shown = text_of(post_form(client, map_path + "/preview", PERSON_FIELDS))

    assert (
        f"사례 {kim.case_code}와(과) 비슷합니다(이름이 비슷하고 출생 연도가 {YEARS_APART}년 "
        "이내). 그 사례를 갱신하려면 사례 번호를 입력하고, 새로 추가하려면 비슷한 개인 사례 "
        "추가를 허용하십시오."
    ) in shown
    assert "위의 3행와(과) 비슷합니다" in shown
    # The look-alikes are listed by what they are: a case by its code, a row above by its number.
    assert f"2 {kim.case_code} 4 위의 3행" in shown
    assert "기존 개인 사례와 비슷함(거부된 행 중) 2" in shown
    assert "(행 전체)" in shown
    for english in ("Looks like", "(row)", "above", "case "):
        assert english not in shown

    rejects = client.get(map_path + "/rejects.csv").get_data().decode("utf-8-sig")
    problems = [row["problems"] for row in csv.DictReader(io.StringIO(rejects))]
    assert problems[0].startswith(f"(행 전체): 사례 {kim.case_code}와(과) 비슷합니다")


def test_a_look_alike_event_is_refused_in_korean(client, login_as, tmp_path):
    researcher = login_as("researcher")
    first = tmp_path / "first.csv"
    first.write_text("date,crossing,people,sources\n9 Oct 2023,Onsong,300+,Witness A\n")
    services.import_file(
        researcher,
        first,
        first.name,
        "events",
        None,
        services.ImportOptions(create_missing=True),
    )
    db.session.commit()
    event_id = db.session.execute(select(RepatriationEvent.id)).scalar_one()
    in_korean(client)
    again = "Date,Crossing,People,Sources\n2023-10-09,ONSONG,over 300,witness a\n"
    map_path = upload(client, again, kind="events").headers["Location"]
    form = form_of(client.get(map_path).get_data(as_text=True))
    shown = text_of(post_form(client, map_path + "/preview", form))

    assert (
        f"송환 사건 #{event_id}와(과) 비슷합니다(같은 국경 통과 지점, 겹치는 날짜와 인원). 그 "
        "사건을 갱신하려면 기록 번호나 외부 식별자를 입력하고, 새로 추가하려면 비슷한 송환 사건 "
        "추가를 허용하십시오."
    ) in shown
    assert f"2 송환 사건 #{event_id}" in shown  # the table of look-alikes
    assert "기존 송환 사건과 비슷함(거부된 행 중) 1" in shown
    assert "Looks like" not in shown and "event #" not in shown


# The web pages' imports run as jobs in the language of the page that queued them.
def test_the_report_is_written_in_the_language_of_the_page(app, tmp_path):
    researcher = factories.make_user("researcher")
    persons.create(researcher, {"family_name": "Kim", "given_name": "Cheol-ok", "birth_year": 1990})
    db.session.commit()
    path = tmp_path / "ngo.csv"
    path.write_text(
        "family_name,given_name,birth_year,facilities\n"
        "Kim,Chol Ok,1990,Tumen Detention Centre\n"
        "Ri,Sun Ja,2999,\n",
        encoding="utf-8",
    )
    options = services.ImportOptions(create_missing=True, allow_similar=True)

    def import_it() -> services.ImportReport:
        return run_job(
            lambda: services.import_file(researcher, path, path.name, "persons", None, options)
        )

    with force_locale("ko"):
        report = import_it()
        korean = report.lines()
    english = report.lines()  # the command line: no request, the default language

    assert korean[0].startswith(f"ngo.csv(SHA-256 {report.sha256[:16]}…)에서 개인 사례을(를)")
    assert korean[0].endswith(
        "2행 중 생성 1건, 갱신 0건, 변경 없음 0건, 거부 1건 (그중 1건은 기존 개인 사례와 비슷함)."
    )
    assert "구금 시설 1건도 새로 만들었습니다." in korean
    assert any(line.startswith("3행, 열 'birth_year', 값 '2999': ") for line in korean)
    assert any(
        re.fullmatch(r"2행은 사례 RT-\d{4}-\d+와\(과\) 비슷하지만 새 사례로 추가했습니다\.", line)
        for line in korean
    )
    assert f"가져오기 #{report.batch_id}." in korean
    assert all(HANGUL.search(line) for line in korean)

    assert english[0].startswith(f"Imported persons from ngo.csv (SHA-256 {report.sha256[:16]}…)")
    assert "Also created 1 facilities." in english
    # The rows' problems stay in the language they were found in; the report's own words follow.
    assert any(line.startswith("Row 3, column 'birth_year', value '2999': ") for line in english)
    assert not any(HANGUL.search(line) for line in english if not line.startswith("Row 3,"))


@pytest.mark.parametrize("kind", IMPORT_KINDS)
def test_every_field_of_the_mapping_page_is_labelled_and_described_in_korean(
    client, login_as, kind
):
    login_as("researcher")
    in_korean(client)
    page = client.get(upload(client, "name,x\nA,B\n", kind=kind).headers["Location"])
    text = page.get_data(as_text=True)
    labels = dict(re.findall(r'<label for="field-([^"]+)">([^<]*)</label>', text))
    assert set(labels) == set(import_columns(kind))
    assert {name: label for name, label in labels.items() if not HANGUL.search(label)} == {}
    helps = re.findall(r'<p class="help" id="help-([^"]+)">([^<]*)</p>', text)
    assert [(name, help) for name, help in helps if not HANGUL.search(help)] == []


def test_a_refused_file_or_mapping_is_explained_in_korean(client, login_as):
    login_as("researcher")
    in_korean(client)
    refused = upload(client, "이름,이름\n김영희,이순자\n")
    assert "두 열의 이름이 '이름'(으)로 같습니다(1번째와 2번째 열)." in text_of(
        client.get(refused.headers["Location"], follow_redirects=True)
    )
    assert "CSV나 XLSX 파일이 아닙니다." in text_of(
        client.get(upload(client, "\x00\x01" * 20).headers["Location"], follow_redirects=True)
    )

    map_path = upload(client, "이름,생년\n김영희,1990\n").headers["Location"]
    missing = post_form(client, map_path + "/preview", {"mapping_json": '{"name_hangul": "성명"}'})
    assert "파일에 '성명' 열이 없습니다." in text_of(missing)
    unknown = post_form(client, map_path + "/preview", {"mapping_json": '{"full_name": "이름"}'})
    assert "'full_name'은(는) 개인 사례의 항목이 아닙니다." in text_of(unknown)

    form = {"field-name_hangul": "이름", "field-birth_year": "생년"}
    imported = post_form(client, map_path + "/import", form)
    batch_id = int(re.search(r"/imports/(\d+)/revert", imported.get_data(as_text=True)).group(1))
    again = upload(client, "이름,생년\n김영희,1990\n", name="again.csv").headers["Location"]
    repeated = text_of(post_form(client, again + "/import", form))
    assert f"(가져오기 #{batch_id}). 아무것도 쓰지 않았습니다." in repeated
    assert "'다시 가져오기'를 선택하십시오." in repeated

    revert = f"/imports/{batch_id}/revert"
    post_form(client, revert, {})
    assert "이 가져오기는 이미 되돌렸습니다." in text_of(post_form(client, revert, {}))


@pytest.mark.parametrize("app_settings", [QUEUED], indirect=True)
def test_an_import_job_that_stops_says_so_in_korean(app, client, login_as, monkeypatch):
    login_as("researcher")
    in_korean(client)
    map_path = upload(client, "이름\n김영희\n").headers["Location"]

    def stop(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("the worker's disk is full")

    monkeypatch.setattr(services, "import_file", stop)
    queued = client.post(
        map_path + "/preview",
        data={"csrf_token": csrf_token(client, "/imports"), "field-name_hangul": "이름"},
    )
    run_next_job(app)
    page = text_of(client.get(queued.headers["Location"], follow_redirects=True))
    assert "작업이 중단되었습니다(RuntimeError). 아무것도 기록하지 않았습니다." in page


def test_the_command_line_keeps_english(runner, tmp_path: Path):
    path = tmp_path / "ngo.csv"
    path.write_text("이름,이름\n김영희,이순자\n", encoding="utf-8")
    result = runner.invoke(args=["import", str(path), "--kind", "persons"])
    assert result.exit_code != 0
    assert "Two columns are named '이름' (columns 1 and 2)." in result.output
