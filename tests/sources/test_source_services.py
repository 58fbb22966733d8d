"""Source rules without HTTP: the Admiralty grades, web addresses, file types by content."""

import pytest

from tests import factories
from tracker.exceptions import ValidationFailed
from tracker.sources.kind import source_label
from tracker.sources.services import sniff_content_type, sources


@pytest.fixture
def researcher(app):
    return factories.make_user("researcher")


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"reliability": "G"}, "reliability"),
        ({"credibility": 7}, "credibility"),
        ({"credibility": "two"}, "credibility"),
        ({"url": "javascript:alert(1)"}, "url"),
        ({"kind": "rumour"}, "kind"),
        ({"title": ""}, "title"),
        ({"published_on": "2999-12-31"}, "published_on"),
    ],
)
def test_bad_source_values_are_refused_per_field(researcher, values, field):
    with pytest.raises(ValidationFailed) as caught:
        sources.create(researcher, {"title": "A report", "kind": "media", **values})
    assert field in caught.value.fields


def test_grades_are_stored_in_canonical_form(researcher):
    source = sources.create(
        researcher,
        {"title": "A report", "kind": "ngo_report", "reliability": "b", "credibility": "2"},
    )
    assert (source.reliability, source.credibility) == ("B", 2)


def test_a_confidential_source_is_a_number_to_those_who_may_not_see_it(researcher):
    source = sources.create(
        researcher, {"title": "Interview with a guard", "kind": "interview", "confidential": True}
    )
    assert source_label(source, can_see=True) == "Interview with a guard"
    assert source_label(source, can_see=False) == f"Confidential source #{source.id}"


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b"%PDF-1.7\n", "application/pdf"),
        (b"\x89PNG\r\n\x1a\n....", "image/png"),
        (b"\xff\xd8\xff\xe0..JFIF", "image/jpeg"),
        (b"RIFF\x10\x00\x00\x00WEBPVP8 ", "image/webp"),
        ("평양에서 온 편지\n".encode(), "text/plain"),
        (b"MZ\x90\x00", None),
        (b"PK\x03\x04\x14\x00", None),
        (b"\x7fELF\x02\x01", None),
    ],
)
def test_file_types_are_recognised_by_their_first_bytes(head, expected):
    assert sniff_content_type(head) == expected
