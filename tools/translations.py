"""Catalogue upkeep: extract the messages, update both catalogues, and fill Korean
translations from a JSON file of {"English message": "Korean"}; print what is still missing.

    .venv/bin/python tools/translations.py [NEW_TRANSLATIONS.json]

The same commands as the README's (sorted, no locations, width 100), so the committed .po files
are reproduced exactly. The English catalogue stays empty: a message is its own English."""

import json
import subprocess  # noqa: S404 - runs this venv's own pybabel
import sys
import tempfile
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
CATALOGUES = ROOT / "tracker" / "translations"
BIN = Path(sys.executable).parent


def update() -> None:
    pot = Path(tempfile.mkdtemp()) / "messages.pot"
    extract = [str(BIN / "pybabel"), "-q", "extract", "-F", "babel.cfg", "-k", "lazy_gettext"]
    extract += ["-k", "_l", "--no-location", "--sort-output", "-w", "100", "-o", str(pot), "."]
    subprocess.run(extract, cwd=ROOT, check=True)  # noqa: S603
    subprocess.run(  # noqa: S603
        [str(BIN / "pybabel"), "-q", "update", "-i", str(pot), "-d", str(CATALOGUES)]
        + ["--no-fuzzy-matching", "-w", "100"],
        cwd=ROOT,
        check=True,
    )


def fill(language: str, translations: dict[str, str]) -> list[str]:
    path = CATALOGUES / language / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=language)
    missing = []
    for message in catalog:
        translated = message.string if isinstance(message.string, str) else any(message.string)
        if not message.id or translated:
            continue
        msgid = message.id if isinstance(message.id, str) else message.id[0]
        text = translations.get(msgid)
        if text is None:
            missing.append(msgid)
        elif isinstance(message.id, tuple):
            message.string = (text, text)
        else:
            message.string = text
    with path.open("wb") as handle:
        write_po(handle, catalog, width=100, no_location=True, sort_output=True)
    return missing


def main() -> None:
    update()
    translations = {}
    if len(sys.argv) > 1:
        translations = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    for msgid in fill("ko", translations):
        print(json.dumps(msgid, ensure_ascii=False))


if __name__ == "__main__":
    main()
