"""In a bulk job a field is cleaned once per distinct input (tracker/records/service.py's
`clean_fields`): every record still gets values of its own, and a value refused once is
checked again, since a later row may create what it names."""

import pytest

from tracker.exceptions import ValidationFailed
from tracker.persons.services import persons
from tracker.places.services import facilities
from tracker.records.bulk import cached_lookups


def test_a_list_cleaned_once_is_given_to_each_record_as_its_own(app):
    prison = facilities.create(None, {"name": "Shenyang Prison"})
    given = {"family_name": "Kim", "aliases": ["Ok-sun", "Oksun"], "facility_ids": [prison.id]}
    with cached_lookups():
        first = persons.prepare(None, dict(given))
        second = persons.prepare(None, dict(given))
        first["aliases"].append("changed in one record")
        first["detentions"][0]["facility_id"] = None
        third = persons.prepare(None, dict(given))
    assert second["aliases"] == third["aliases"] == ["Ok-sun", "Oksun"]
    assert second["aliases"] is not third["aliases"]
    assert [row["facility_id"] for row in third["detentions"]] == [prison.id]
    assert second["detentions"] is not third["detentions"]


def test_the_fields_a_file_has_no_column_for_are_the_same_for_every_record(app):
    with cached_lookups():
        one = persons.prepare(None, {"family_name": "Kim"})
        other = persons.prepare(None, {"family_name": "Ri"})
    outside = persons.prepare(None, {"family_name": "Ri"})
    assert other == outside
    assert one["detentions"] == other["detentions"] == []
    assert one["detentions"] is not other["detentions"]


def test_a_reference_refused_in_a_job_is_accepted_once_a_later_row_creates_it(app):
    first = facilities.create(None, {"name": "Shenyang Prison"})
    not_yet = first.id + 1  # the next facility's id, on either database
    values = {"family_name": "Kim", "facility_ids": [not_yet]}
    with cached_lookups():
        with pytest.raises(ValidationFailed):
            persons.prepare(None, dict(values))
        created = facilities.create(None, {"name": "Tumen Detention Centre"})
        assert created.id == not_yet
        cleaned = persons.prepare(None, dict(values))
    assert [row["facility_id"] for row in cleaned["detentions"]] == [not_yet]
