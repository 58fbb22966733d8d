"""Record ids typed by people: anything but a plain in-range number is refused, never a 500."""

import pytest

from tracker.security.converters import MAX_ID, parse_id


@pytest.mark.parametrize(
    ("given", "expected"),
    [("12", 12), (" 7 ", 7), (42, 42), (str(MAX_ID), MAX_ID)],
)
def test_plain_numbers_are_ids(given, expected):
    assert parse_id(given) == expected


@pytest.mark.parametrize(
    "given", ["", None, "0", "-1", "1e3", "²", "١٢", "12a", str(MAX_ID + 1), "9" * 40]
)
def test_everything_else_is_not_an_id(given):
    assert parse_id(given) is None


def test_audit_log_record_number_filter_with_a_superscript_digit(login_as, client):
    login_as("admin")
    response = client.get("/admin/audit", query_string={"entity_id": "²"})
    assert response.status_code < 500


def test_a_form_naming_a_facility_by_a_superscript_digit_gets_a_message(login_as, client):
    """The event form once answered 500: '²'.isdigit() is true but int('²') fails."""
    from tests.conftest import csrf_token

    login_as("researcher")
    token = csrf_token(client, "/events/new")
    response = client.post(
        "/events/new",
        data={
            "csrf_token": token,
            "crossing_id": "²",
            "facility_ids": "²",
            "date_start": "2023-10-09",
        },
    )
    assert 400 <= response.status_code < 500
