"""Estimates as a user meets them: refusals that say why, merged duplicates counted once,
warnings about unreviewed look-alikes, and "documented by" entered through the API."""

from tests.estimates.conftest import THREE_LISTS, build_lists
from tracker.dashboard.filters import Filters
from tracker.estimates import queries
from tracker.extensions import db
from tracker.persons.services import persons
from tracker.search.merge import merge
from tracker.sources.services import sources

THREE = ["A", "B", "C"]


def post(api, lists, **more):  # type: ignore[no-untyped-def]
    return api.post("/estimates", json={"lists": lists, **more})


def test_fewer_than_three_lists_is_refused(app, api_as):
    ids = build_lists(["A", "B"], [((1, 0), 40), ((0, 1), 40), ((1, 1), 20)])
    response = post(api_as("analyst"), {name: [i] for name, i in ids.items()})
    assert response.status_code == 422
    assert "at least three lists" in response.get_json()["error"]["message"]


def test_a_list_that_overlaps_no_other_is_refused(app, api_as):
    ids = build_lists(THREE, [((1, 0, 0), 30), ((0, 1, 0), 30), ((1, 1, 0), 10), ((0, 0, 1), 10)])
    response = post(api_as("analyst"), {name: [i] for name, i in ids.items()})
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert "“C” shares nobody with any other list" in error["message"]
    assert "C" in error["fields"]


def test_too_few_persons_is_refused_with_the_threshold(app, api_as):
    ids = build_lists(
        THREE,
        [((1, 0, 0), 5), ((0, 1, 0), 5), ((0, 0, 1), 5), ((1, 1, 0), 2), ((0, 1, 1), 2)],
    )
    response = post(api_as("analyst"), {name: [i] for name, i in ids.items()})
    assert response.status_code == 422
    message = response.get_json()["error"]["message"]
    assert "Only 19 persons" in message and "at least 50" in message


def test_an_infinite_estimate_is_refused_in_plain_words(app, api_as, monkeypatch):
    # Three lists whose three pairs overlap but nobody is on all three: the search over
    # every model skips those without a finite estimate; with none left, no number is given.
    ids = build_lists(
        THREE,
        [((1, 0, 0), 50), ((0, 1, 0), 40), ((0, 0, 1), 30), ((1, 1, 0), 10), ((1, 0, 1), 8)],
    )
    from tracker.estimates import mse

    monkeypatch.setattr(mse, "ABSURD_RATIO", 0.01)  # every model's estimate is "infinite"
    response = post(api_as("analyst"), {name: [i] for name, i in ids.items()}, model="aic")
    assert response.status_code == 422
    assert "infinite" in response.get_json()["error"]["message"]


def test_unknown_sources_and_a_source_in_two_lists_are_refused(app, api_as):
    ids = build_lists(THREE, [((1, 0, 0), 30), ((0, 1, 0), 30), ((1, 1, 1), 10)])
    api = api_as("analyst")
    response = post(api, {"A": [ids["A"]], "B": [ids["B"]], "C": [99_999]})
    assert response.status_code == 422
    assert "No such source" in response.get_json()["error"]["fields"]["C"]
    response = post(api, {"A": [ids["A"]], "B": [ids["B"]], "C": [ids["A"], ids["C"]]})
    assert response.status_code == 422
    assert "in two lists" in response.get_json()["error"]["fields"]["C"]
    response = post(api, {"A": [ids["A"]], "B": [ids["B"]]}, model="magic")
    assert response.status_code == 422


def test_a_merged_duplicate_in_two_lists_counts_once(app, login_as):
    researcher = login_as("researcher")
    first_list = sources.create(researcher, {"title": "Interviews", "kind": "interview"})
    second_list = sources.create(researcher, {"title": "Relatives", "kind": "relative"})
    third_list = sources.create(researcher, {"title": "Media", "kind": "media"})
    one = persons.create(
        researcher,
        {
            "family_name": "Kim",
            "given_name": "Cheol-ok",
            "gender": "female",
            "birth_year": 1985,
            "source_ids": [first_list.id],
        },
    )
    again = persons.create(
        researcher,
        {
            "family_name": "Gim",
            "given_name": "Chol Ok",
            "gender": "female",
            "birth_year": 1985,
            "source_ids": [second_list.id, third_list.id],
        },
    )
    db.session.commit()
    lists = [[first_list.id], [second_list.id], [third_list.id]]
    assert queries.pattern_counts(lists, Filters()) == {(1, 0, 0): 1, (0, 1, 1): 1}
    from tracker.estimates import mse
    from tracker.estimates.services import warnings_for

    table = mse.Table(("I", "R", "M"), queries.pattern_counts(lists, Filters()))
    assert any(
        "Possible duplicates not yet reviewed: 1." in w
        for w in warnings_for(table, Filters(), dict(zip("IRM", lists, strict=True)))
    )

    merge(researcher, one, again, set())
    db.session.commit()
    assert queries.pattern_counts(lists, Filters()) == {(1, 1, 1): 1}
    table = mse.Table(("I", "R", "M"), queries.pattern_counts(lists, Filters()))
    assert not any(
        "duplicate" in w
        for w in warnings_for(table, Filters(), dict(zip("IRM", lists, strict=True)))
    )


def test_documented_by_is_entered_and_read_through_the_api(app, api_as):
    researcher = api_as("researcher")
    created = researcher.post(
        "/sources", json={"title": "NGO interviews 2024", "kind": "interview"}
    ).get_json()
    response = researcher.post(
        "/persons",
        json={
            "gender": "female",
            "documented_by": [{"source_id": created["id"], "says": "Seen in Tumen, October 2023"}],
        },
    )
    assert response.status_code == 201, response.get_data(as_text=True)
    person = response.get_json()
    assert [row["source_id"] for row in person["documented_by"]] == [created["id"]]
    # An analyst reads which source documents the person, never what it says.
    seen = api_as("analyst").get(f"/persons/{person['id']}").get_json()
    assert [row["source_id"] for row in seen["documented_by"]] == [created["id"]]
    assert "Tumen" not in str(seen)


def test_lists_saved_by_name_are_reused_by_the_api_the_cli_and_the_panel(
    app, api_as, runner, login_as, client
):
    ids = build_lists(THREE, THREE_LISTS)
    analyst = api_as("analyst")
    saved = analyst.post("/estimates/lists", json={"lists": {"Interviews": [ids["A"]]}})
    assert saved.status_code == 201, saved.get_data(as_text=True)
    assert [entry["name"] for entry in analyst.get("/estimates/lists").get_json()] == ["Interviews"]

    body = {"lists": {"B": [ids["B"]], "C": [ids["C"]]}, "saved_lists": ["Interviews"]}
    response = analyst.post("/estimates", json=body)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["estimate"] == 360
    unknown = analyst.post("/estimates", json={**body, "saved_lists": ["Nope"]})
    assert unknown.status_code == 422

    result = runner.invoke(
        args=["estimate", "--list", "Interviews", f"--list=B={ids['B']}", f"--list=C={ids['C']}"]
    )
    assert result.exit_code == 0, result.output
    assert '"estimate": 360' in result.stdout

    login_as("analyst")
    from tests.conftest import csrf_token

    token = csrf_token(client, "/")
    form = {
        "csrf_token": token,
        "status": "",
        "list1": "Relatives",
        "list1_sources": str(ids["B"]),
        "list2": "Media",
        "list2_sources": str(ids["C"]),
    }
    answer = client.post("/estimates/lists", data=form)
    assert answer.status_code == 302
    assert "list1_saved=" in answer.headers["Location"]
    page = client.get(answer.headers["Location"].replace("#estimate", "")).get_data(as_text=True)
    assert "Or a saved list" in page and "Relatives" in page


def test_documented_by_is_entered_in_the_person_form_and_bad_input_changes_nothing(
    app, login_as, client
):
    from sqlalchemy import func, select

    from tests.conftest import csrf_token
    from tracker.persons.models import Person, PersonSource

    researcher = login_as("researcher")
    source = sources.create(researcher, {"title": "Relatives' association", "kind": "relative"})
    db.session.commit()
    form = {"csrf_token": csrf_token(client, "/persons/new"), "gender": "female"}
    refused = client.post("/persons/new", data={**form, "documented_by-0-source_id": "987654"})
    assert refused.status_code == 422
    assert db.session.execute(select(func.count()).select_from(Person)).scalar_one() == 0
    created = client.post(
        "/persons/new",
        data={
            **form,
            "documented_by-0-source_id": str(source.id),
            "documented_by-0-says": "Her sister reported her missing in November 2023",
        },
    )
    assert created.status_code == 302, created.get_data(as_text=True)[:500]
    link = db.session.execute(select(PersonSource)).scalar_one()
    assert link.source_id == source.id and "sister" in (link.says or "")


def test_a_model_that_does_not_converge_is_refused_in_plain_words(app, api_as, monkeypatch):
    from tracker.estimates import mse

    ids = build_lists(THREE, [((1, 0, 0), 60), ((0, 1, 0), 50), ((0, 0, 1), 40), ((1, 1, 1), 10)])

    def never_converges(*args, **kwargs):  # the GLM's iterations run out
        raise mse.NoEstimate("not_converged")

    monkeypatch.setattr(mse, "_glm", never_converges)
    response = post(api_as("analyst"), {name: [i] for name, i in ids.items()})
    assert response.status_code == 422
    assert "does not converge" in response.get_json()["error"]["message"]


def test_a_list_can_be_every_source_of_a_kind(app, api_as):
    from tracker.sources.models import Source

    patterns = [
        ((1, 0, 0, 0), 60),
        ((0, 1, 0, 0), 50),
        ((0, 0, 1, 0), 25),
        ((0, 0, 0, 1), 15),
        ((1, 1, 0, 0), 20),
        ((1, 0, 1, 0), 10),
        ((1, 0, 0, 1), 5),
        ((0, 1, 1, 0), 6),
        ((0, 1, 0, 1), 4),
        ((1, 1, 1, 1), 5),
    ]
    ids = build_lists(["A", "B", "M1", "M2"], patterns)
    for name in ("M1", "M2"):
        db.session.get(Source, ids[name]).kind = "media"
    db.session.commit()
    api = api_as("analyst")
    by_kind = post(api, {"A": [ids["A"]], "B": [ids["B"]], "Media": ["kind:media"]})
    by_ids = post(api, {"A": [ids["A"]], "B": [ids["B"]], "Media": [ids["M1"], ids["M2"]]})
    assert by_kind.status_code == 200, by_kind.get_data(as_text=True)
    assert by_kind.get_json()["estimate"] == by_ids.get_json()["estimate"]
    media = next(entry for entry in by_kind.get_json()["lists"] if entry["name"] == "Media")
    assert sorted(media["source_ids"]) == sorted([ids["M1"], ids["M2"]])
    none = post(api, {"A": [ids["A"]], "B": [ids["B"]], "Sat": ["kind:satellite_imagery"]})
    assert none.status_code == 422
    assert "No source is of this kind yet." in none.get_json()["error"]["fields"]["Sat"]


def test_a_person_on_two_sources_of_one_list_is_on_that_list_once(app, login_as):
    researcher = login_as("researcher")
    interviews = [
        sources.create(researcher, {"title": f"Interviews {n}", "kind": "interview"}).id
        for n in (1, 2)
    ]
    relatives = sources.create(researcher, {"title": "Relatives", "kind": "relative"}).id
    media = sources.create(researcher, {"title": "Media", "kind": "media"}).id
    persons.create(researcher, {"gender": "female", "source_ids": [*interviews, media]})
    persons.create(researcher, {"gender": "male", "source_ids": [interviews[1], relatives]})
    db.session.commit()
    lists = [interviews, [relatives], [media]]
    assert queries.pattern_counts(lists, Filters()) == {(1, 0, 1): 1, (1, 1, 0): 1}
