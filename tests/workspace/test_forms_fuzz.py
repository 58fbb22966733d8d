"""Property-based: nothing typed into any record form gets a server error, and whatever is
refused leaves the database as it was."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from tests import factories
from tests.conftest import csrf_token, log_in
from tracker.audit.models import AuditEntry
from tracker.extensions import db

anything = st.text(
    st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), max_size=300
)
numberish = st.one_of(anything, st.integers(-(10**12), 10**12).map(str), st.just(""))
dateish = st.one_of(anything, st.dates().map(str), st.just("2023-10"), st.just("2023"))

FUZZ = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

FORMS = {
    "facilities": {
        "name": anything,
        "kind": anything,
        "country": anything,
        "latitude": numberish,
        "longitude": numberish,
        "aliases": anything,
    },
    "crossings": {"name": anything, "cn_side": anything, "latitude": numberish},
    "sources": {
        "title": anything,
        "kind": anything,
        "published_on": dateish,
        "reliability": anything,
        "credibility": numberish,
        "url": anything,
    },
    "events": {
        "date_precision": anything,
        "date_start": dateish,
        "date_end": dateish,
        "crossing_id": numberish,
        "facility_ids": numberish,
        "people_min": numberish,
        "people_max": numberish,
        "claims-0-source_id": numberish,
        "claims-0-people_max": numberish,
    },
    "persons": {
        "family_name": anything,
        "gender": anything,
        "birth_year": numberish,
        "arrest_date": dateish,
        "event_id": numberish,
        "detentions-0-facility_id": numberish,
        "detentions-0-date_to": dateish,
    },
}


@pytest.fixture
def researcher_client(app):
    client = app.test_client()
    user = factories.make_user("researcher", "fuzz-researcher@example.org")
    db.session.commit()
    assert log_in(client, user.email).status_code == 302
    return client


def _audit_count() -> int:
    db.session.expire_all()
    return db.session.execute(select(func.count(AuditEntry.id))).scalar_one()


@pytest.mark.parametrize("kind", list(FORMS))
def test_record_forms_never_fail_with_a_server_error(researcher_client, kind):
    token = csrf_token(researcher_client, f"/{kind}/new")

    @FUZZ
    @given(st.fixed_dictionaries(FORMS[kind]))
    def post(values):
        before = _audit_count()
        response = researcher_client.post(f"/{kind}/new", data={"csrf_token": token, **values})
        assert response.status_code in (302, 422), response.status_code
        if response.status_code == 422:
            assert _audit_count() == before

    post()
