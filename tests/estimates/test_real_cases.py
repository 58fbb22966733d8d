"""A real multi-source case list in and out without hand work: HRDAG's Manila killings, one
column per source that recorded each, imported with the mapping shipped beside the file so
that every ticked source documents the person, then estimated from lists of those sources."""

import json

import openpyxl
import pytest
from sqlalchemy import select

from tests.estimates.conftest import MSE_DATA
from tracker.estimates import services
from tracker.extensions import db
from tracker.sources.models import Source

HRDAG = MSE_DATA.parent / "hrdag-philippines"
MANILA = HRDAG / "Manila_Complete_Sources_clean.xlsx"
# Sources grouped into lists by who keeps them (a researcher's choice, made before looking).
GROUPS = {
    "Police": ["Police", "Police Reports Submitted to the House of Representatives"],
    "News": ["News"],
    "Rights groups": [
        "Commission on Human Rights",
        "Task Force Detainees of the Philippines",
        "Philippine Human Rights Information Center",
    ],
    "Church and research": ["RiseUp for Life and Rights", "CCT-DRK Research", "Parishes"],
}

pytestmark = pytest.mark.skipif(not MANILA.exists(), reason="shared/data is not beside the repo")


def test_manila_killings_imported_then_estimated(app, runner, tmp_path):
    mapping = tmp_path / "map.json"
    mapping.write_text((HRDAG / "Manila_Complete_Sources_clean.map.json").read_text())
    book = openpyxl.load_workbook(MANILA, read_only=True)
    flagged = 0
    for sheet in book.worksheets:
        table = list(sheet.iter_rows(values_only=True))
        headers = [h for h in table[0] if h]
        flagged += sum(
            1 for row in table[1:] if row[0] is not None and any(v is True for v in row[5:14])
        )
        result = runner.invoke(
            args=["import", str(MANILA), "--kind", "persons", "--map", str(mapping)]
            + ["--create-missing", "--sheet", sheet.title]
        )
        assert result.exit_code == 0, result.output
        assert headers[5:] == json.loads(mapping.read_text())["sources"]["flags"]

    ids = {s.title: s.id for s in db.session.execute(select(Source)).scalars()}
    lists = {name: [ids[title] for title in titles] for name, titles in GROUPS.items()}
    result = services.estimate(services.EstimateRequest(lists))
    assert result["documented"] == flagged
    assert result["lower"] <= result["estimate"] <= result["upper"]
    assert result["estimate"] >= result["documented"]
    assert result["model"] == "stepwise" and result["terms"]
