"""What the tests of shared pages have in common: which templates were rendered, and a
logged-in analyst of their own."""

import pytest
from flask import Flask, template_rendered
from flask.testing import FlaskClient

from tests import factories
from tests.conftest import log_in
from tracker.extensions import db


@pytest.fixture
def rendered(app):  # type: ignore[no-untyped-def]
    """The names of the templates rendered since the test began, in order."""
    names: list[str] = []

    def note(sender, template, context, **extra):  # type: ignore[no-untyped-def]
        names.append(template.name)

    template_rendered.connect(note, app)
    yield names
    template_rendered.disconnect(note, app)


def analyst(app: Flask) -> FlaskClient:
    """A client of its own, logged in as a new analyst."""
    client = app.test_client()
    user = factories.make_user("analyst")
    db.session.commit()
    assert log_in(client, user.email).status_code == 302
    return client
