"""The Korean catalogue is complete: every message the code and templates use, as Babel's
extraction finds it with babel.cfg, has a checked, non-fuzzy Korean translation."""

from pathlib import Path

from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
CATALOGUES = ROOT / "tracker" / "translations"


def _extract(tmp_path: Path) -> set[str]:
    pot = tmp_path / "messages.pot"
    CommandLineInterface().run(
        [
            "pybabel",
            "-q",
            "extract",
            "-F",
            str(ROOT / "babel.cfg"),
            "-k",
            "lazy_gettext",
            "-k",
            "_l",
            "-o",
            str(pot),
            str(ROOT),
        ]
    )
    with pot.open("rb") as handle:
        template = read_po(handle)
    return {_msgid(message) for message in template}


def _msgid(message) -> str:  # type: ignore[no-untyped-def]
    """A message's id; a plural message by its singular."""
    return message.id if isinstance(message.id, str) else message.id[0]


def _catalogue(language: str):  # type: ignore[no-untyped-def]
    with (CATALOGUES / language / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle, locale=language)


def test_extraction_finds_the_interface(tmp_path):
    found = _extract(tmp_path)
    assert {"Dashboard", "Log in", "Persons"} <= found


def test_every_message_has_a_korean_translation(tmp_path):
    korean = _catalogue("ko")
    problems = []
    for msgid in sorted(m for m in _extract(tmp_path) if m):
        message = korean.get(msgid)
        text = message.string if message is not None else None
        if isinstance(text, tuple | list):
            text = text[0]
        if message is None:
            problems.append(f"not in the Korean catalogue: {msgid!r}")
        elif not text:
            problems.append(f"untranslated: {msgid!r}")
        elif message.fuzzy:
            problems.append(f"fuzzy: {msgid!r}")
    assert problems == [], "\n".join(problems)


def test_translations_keep_their_placeholders():
    korean = _catalogue("ko")
    problems = [
        f"{message.id!r}: {error}" for message, errors in korean.check() for error in errors
    ]
    assert problems == [], "\n".join(problems)


def test_english_catalogue_exists_for_every_message(tmp_path):
    english = _catalogue("en")
    assert {m for m in _extract(tmp_path) if m} <= {_msgid(m) for m in english if m.id}
