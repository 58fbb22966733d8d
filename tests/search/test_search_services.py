"""Stored search keys and ranked search, without HTTP, on the database under test."""

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import select, text

from tests import factories
from tests.conftest import csrf_token
from tracker.extensions import db
from tracker.persons.models import Person, PersonNameKey
from tracker.persons.services import persons
from tracker.places.models import CrossingPoint, Facility
from tracker.places.services import crossings, facilities
from tracker.search.services import search_persons, search_places


@pytest.fixture
def researcher(app):
    return factories.make_user("researcher")


def _person(actor, family, given, **values):
    values = {"family_name": family, "given_name": given, "gender": "unknown", **values}
    return persons.create(actor, values)


def _keys(person):
    db.session.expire_all()
    return set(
        db.session.execute(
            select(PersonNameKey.name_key).where(PersonNameKey.person_id == person.id)
        ).scalars()
    )


def test_keys_are_kept_on_create_update_and_revert(researcher):
    person = _person(researcher, "Kim", "Cheol-ok", name_hangul="김철옥", aliases=["Rim Ok"])
    db.session.commit()
    assert _keys(person) == {"kimjolok", "jolokkim", "imok", "okim"}
    persons.update(researcher, person, person.version, {"given_name": "Young-hee"})
    db.session.commit()
    assert "kimyoqhi" in _keys(person)
    assert "kimjolok" in _keys(person)  # still the Hangul name's key
    persons.update(researcher, person, person.version, {"name_hangul": "", "aliases": []})
    db.session.commit()
    assert _keys(person) == {"kimyoqhi", "yoqhikim"}
    first = persons.history(person)[-1].entry.id
    persons.revert(researcher, person, first, person.version)
    db.session.commit()
    assert "kimjolok" in _keys(person)


@pytest.mark.parametrize(
    "term", ["kim chol ok", "김철옥", "Kim Ch'ŏr-ok", "Gim Cheolok", "cheol-ok kim", "Chol-ok"]
)
def test_the_issue_example_is_found_first(researcher, term):
    wanted = _person(researcher, "Kim", "Cheol-ok")
    _person(researcher, "Kim", "Cheol-uk")
    _person(researcher, "Park", "Cheol-ok")
    db.session.commit()
    ranked = search_persons(term)
    assert ranked[0][0].id == wanted.id
    assert ranked[0][1].variant == "Kim Cheol-ok"
    scores = [match.score for _, match in ranked]
    assert scores == sorted(scores, reverse=True)


def test_the_variant_that_matched_is_shown(researcher):
    _person(researcher, "Lee", "Young-hee", name_hangul="이영희", aliases=["Ri Yŏng-hŭi"])
    db.session.commit()
    assert search_persons("이영희")[0][1].variant == "이영희"
    assert search_persons("Ri Yŏng-hŭi")[0][1].score == 100


def test_deleted_persons_and_filters_narrow(researcher):
    kept = _person(researcher, "Kim", "Cheol-ok", gender="female")
    gone = _person(researcher, "Kim", "Cheol-ok", gender="female")
    other = _person(researcher, "Kim", "Cheol-ok", gender="male")
    persons.delete(researcher, gone)
    db.session.commit()
    assert {p.id for p, _ in search_persons("kim chol ok")} == {kept.id, other.id}
    within = select(Person).where(Person.gender == "female")
    assert [p.id for p, _ in search_persons("kim chol ok", within)] == [kept.id]


def test_case_codes_are_found_too(researcher):
    person = _person(researcher, "Kim", "Cheol-ok")
    db.session.commit()
    assert search_persons(person.case_code)[0][0].id == person.id
    assert search_persons(person.case_code)[0][1].score == 100


@pytest.mark.parametrize("term", ["", "   ", "-", "%", "_", "'; --", "\x00", "a" * 200, "丹东"])
def test_odd_terms_are_answered(researcher, term):
    _person(researcher, "Kim", "Cheol-ok")
    db.session.commit()
    assert isinstance(search_persons(term), list)


def test_places_by_alias_script_and_spelling(researcher):
    dandong = crossings.create(
        researcher, {"name": "Dandong", "aliases": ["丹东", "단둥"], "province": "Liaoning"}
    )
    onsong = crossings.create(researcher, {"name": "Onsong", "aliases": ["온성"]})
    prison = facilities.create(researcher, {"name": "Shenyang Prison", "kind": "prison"})
    db.session.commit()
    for term in ("丹东", "단둥", "dandong"):
        assert [p.id for p, _ in search_places(CrossingPoint, term)] == [dandong.id]
    for term in ("Onsŏng", "온성", "onsong"):
        assert search_places(CrossingPoint, term)[0][0].id == onsong.id
    assert search_places(CrossingPoint, "Onsŏng")[0][1].variant == "온성"  # the same sounds
    assert search_places(CrossingPoint, "ONSONG")[0][1].variant == "Onsong"
    assert [p.id for p, _ in search_places(Facility, "shenyang")] == [prison.id]


def test_the_migration_fills_keys_for_existing_persons(app):
    downgrade(revision="0006")
    with db.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO persons (id, version, created_at, updated_at, case_code, family_name,"
                " given_name, name_hangul, aliases, gender, birth_year_approximate) VALUES"
                " (7, 1, '2026-01-01', '2026-01-01', 'RT-2023-0007', 'Kim', 'Cheol-ok', '김철옥',"
                " '[\"Rim Ok\"]', 'female', false)"
            )
        )
    upgrade()
    rows = db.session.execute(
        select(PersonNameKey.name_key).where(PersonNameKey.person_id == 7)
    ).scalars()
    assert set(rows) == {"kimjolok", "jolokkim", "imok", "okim"}


def test_the_sql_search_condition_matches_any_spelling(researcher):
    from tracker.persons.kind import PERSONS as person_kind
    from tracker.places.kind import CROSSINGS as crossing_kind

    wanted = _person(researcher, "Kim", "Cheol-ok")
    _person(researcher, "Park", "Sun-hee")
    crossings.create(researcher, {"name": "Dandong", "aliases": ["丹东"], "province": "Liaoning"})
    db.session.commit()
    found = db.session.execute(
        select(Person.id).where(person_kind.search("김철옥", True))
    ).scalars()
    assert list(found) == [wanted.id]
    names = db.session.execute(
        select(CrossingPoint.name).where(crossing_kind.search("丹东", True))
    ).scalars()
    assert list(names) == ["Dandong"]


def test_the_longest_names_a_form_accepts_are_stored_and_found(researcher, client, login_as):
    # 100 Hangul syllables (the form's limit) read as 300 and more sound symbols: their keys
    # must still fit the key column (PostgreSQL refused them with a 500).
    long_hangul = "뷁김" * 50
    person = _person(
        researcher, "Kwang" * 20, "Kwang" * 20, name_hangul=long_hangul, aliases=["꽝" * 100]
    )
    db.session.commit()
    keys = _keys(person)
    assert keys and all(len(key) <= PersonNameKey.name_key.type.length for key in keys)
    assert person.id in {found.id for found, _ in search_persons(long_hangul)}
    assert person.id in {found.id for found, _ in search_persons("꽝" * 100)}
    login_as("researcher")  # and through the form, as a researcher types it
    form = {"family_name": "Ri", "given_name": "Ok", "gender": "female", "name_hangul": "꿿" * 100}
    response = client.post(
        "/persons/new", data={"csrf_token": csrf_token(client, "/persons/new"), **form}
    )
    assert response.status_code == 302
    assert db.session.execute(select(Person).where(Person.name_hangul == "꿿" * 100)).scalar_one()
