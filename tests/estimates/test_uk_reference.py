"""The UK 2013 modern slavery lists (../shared/data/mse), entered as persons and sources
through the tracker's services, estimated through the command line and the API: every
reference figure of the data's README within 0.5%, the stepwise interval within 1%."""

import json

import pytest

from tests.estimates.conftest import MSE_DATA, build_lists, read_table

pytestmark = pytest.mark.skipif(not MSE_DATA.exists(), reason="shared/data is not beside the repo")


def close(value: float, reference: float, tolerance: float) -> bool:
    return abs(value - reference) <= tolerance * reference


def run_cli(runner, ids: dict[str, int], *options: str) -> dict:
    lists = [f"--list={name}={source_id}" for name, source_id in ids.items()]
    result = runner.invoke(args=["estimate", *lists, *options])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_five_lists_through_the_command_line(app, runner):
    names, patterns = read_table(MSE_DATA / "uk2013_modern_slavery_5lists.csv")
    ids = build_lists(names, patterns)

    stepwise = run_cli(runner, ids, "--format", "json")
    assert stepwise["documented"] == 2744
    assert close(stepwise["estimate"], 11_313, 0.005)
    assert close(stepwise["lower"], 9_889, 0.01)
    assert close(stepwise["upper"], 13_063, 0.01)
    assert stepwise["model"] == "stepwise"
    assert {tuple(t) for t in stepwise["terms"]} == {
        ("LA", "NG"),
        ("NG", "GP"),
        ("PFNCA", "GP"),
        ("LA", "PFNCA"),
        ("GO", "GP"),
        ("NG", "GO"),
    }
    assert stepwise["undocumented"] == stepwise["estimate"] - 2744
    assert any("“LA” and “GP” share nobody" in w for w in stepwise["warnings"])

    independence = run_cli(runner, ids, "--model", "independence")
    assert close(independence["estimate"], 13_444, 0.005)
    assert independence["terms"] == []

    bic = run_cli(runner, ids, "--model", "bic", "--max-order", "2")
    assert close(bic["estimate"], 22_991, 0.005)

    # The overlap table for R: a 0/1 column per list and `count`, the file's own rows.
    table = runner.invoke(
        args=["estimate", *[f"--list={n}={i}" for n, i in ids.items()], "--format", "csv"]
    )
    assert table.exit_code == 0, table.output
    lines = table.stdout.strip().splitlines()
    assert lines[0] == '"LA","NG","PFNCA","GO","GP","count"'
    read = {
        tuple(int(v) for v in line.split(",")[:-1]): int(line.split(",")[-1]) for line in lines[1:]
    }
    assert read == dict(patterns)


def test_six_lists_through_the_api_as_an_analyst(app, api_as):
    names, patterns = read_table(MSE_DATA / "uk2013_modern_slavery_6lists.csv")
    ids = build_lists(names, patterns)
    api = api_as("analyst")
    lists = {name: [source_id] for name, source_id in ids.items()}

    response = api.post("/estimates", json={"lists": lists, "filters": {}, "model": "stepwise"})
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert body["documented"] == 2744
    assert close(body["estimate"], 11_418, 0.005)
    assert close(body["lower"], 9_982, 0.01)
    assert close(body["upper"], 13_182, 0.01)
    assert sorted(entry["name"] for entry in body["lists"]) == sorted(names)
    assert sum(row["count"] for row in body["overlaps"]) == 2744

    response = api.post("/estimates", json={"lists": lists, "model": "independence"})
    assert close(response.get_json()["estimate"], 12_214, 0.005)

    # Searching all models of six lists is a long job, not a request.
    response = api.post("/estimates", json={"lists": lists, "model": "bic"})
    assert response.status_code == 422
    assert "tracker estimate" in response.get_json()["error"]["message"]
