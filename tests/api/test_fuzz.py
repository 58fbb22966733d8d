"""Property-based fuzzing from the API's own OpenAPI document (schemathesis): whatever a client
sends, no 5xx, and every answer matches what the document promises."""

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from tests import factories
from tests.api.conftest import PREFIX, new_token
from tracker.extensions import db
from tracker.sample.services import load_october_2023

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture
def researcher_token(app) -> str:
    load_october_2023(None)  # ids 1, 2, ... exist, so reads and updates reach the services
    db.session.commit()
    return new_token(factories.make_user("researcher"))


@pytest.fixture
def api_schema(app, researcher_token):
    return schemathesis.openapi.from_wsgi(
        f"{PREFIX}/openapi.json", app, headers={"Authorization": f"Bearer {researcher_token}"}
    )


SETTINGS = settings(
    max_examples=10,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)


def test_no_input_makes_the_api_fail_or_break_its_document(api_schema, researcher_token):
    # schemathesis's own pytest plugin does not run on this pytest yet, so each operation of
    # the document gets its own Hypothesis run here.
    headers = {"Authorization": f"Bearer {researcher_token}"}
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 30

    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @SETTINGS
            @given(case=operation.as_strategy(generation_mode=mode))
            def fuzz(case: schemathesis.Case) -> None:
                case.call_and_validate(headers=headers, checks=CHECKS)

            fuzz()
