"""The API's clients, for the tests that walk every door."""

from tests.api.conftest import api_as  # noqa: F401
