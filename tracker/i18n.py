"""The interface language: English or Korean, from the user's setting, else the language
cookie the switcher sets before login, else the browser's Accept-Language, else English.

The catalogues' sources are the .po files under tracker/translations (in git and in the
wheel); they are compiled into the instance folder when their .mo is missing or older, so
a fresh clone and an installed wheel both work without a build step."""

import functools
import os
from datetime import date
from pathlib import Path
from typing import Any

from babel import Locale
from babel.dates import format_date, format_skeleton
from babel.dates import format_interval as babel_format_interval
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask, g, has_request_context, request
from flask_babel import Babel, get_locale, get_translations
from flask_babel import format_decimal as babel_format_decimal
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from tracker.requests import is_api_request

LANGUAGES = {"en": "English", "ko": "한국어"}
DEFAULT = "en"
COOKIE = "tracker_lang"
COOKIE_MAX_AGE = 365 * 24 * 3600
CATALOGUES = Path(__file__).resolve().parent / "translations"

ROLE_LABELS = {"admin": _l("admin"), "researcher": _l("researcher"), "analyst": _l("analyst")}

# The kinds of record by their stored or URL name (imports, exports, the audit log).
KIND_LABELS = {
    "events": _l("Events"),
    "persons": _l("Persons"),
    "facilities": _l("Facilities"),
    "crossings": _l("Crossing points"),
    "sources": _l("Sources"),
    "statuses": _l("Status records"),
    "contacts": _l("Contacts"),
    "summary": _l("Summary tables"),
}

babel = Babel()


def select_locale() -> str:
    """The saved setting, the switcher's cookie, the browser's preference, or English.

    The JSON API stays English: scripts match on its messages."""
    if not has_request_context():
        return DEFAULT
    if is_api_request():
        return DEFAULT
    user = current_user
    if user and user.is_authenticated and user.locale in LANGUAGES:
        return str(user.locale)
    chosen = request.cookies.get(COOKIE)
    if chosen in LANGUAGES:
        return str(chosen)
    return request.accept_languages.best_match(LANGUAGES) or DEFAULT


def current_language() -> str:
    """The language of the page being rendered ("en" or "ko")."""
    locale = get_locale()
    return locale.language if locale is not None else DEFAULT


def compile_catalogues(target: Path) -> Path:
    """Write each catalogue's .mo under `target` unless an up-to-date one is there."""
    for po in CATALOGUES.glob("*/LC_MESSAGES/*.po"):
        mo = target / po.relative_to(CATALOGUES).with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        mo.parent.mkdir(parents=True, exist_ok=True)
        with po.open("rb") as source:
            catalog = read_po(source)
        partial = mo.with_name(f".{mo.name}.{os.getpid()}")
        with partial.open("wb") as out:
            write_mo(out, catalog)
        os.replace(partial, mo)  # atomic: another process never reads half a catalogue
    return target


def role_label(role: str) -> str:
    """A role's name in the interface language (stored codes stay English)."""
    return str(ROLE_LABELS.get(role, role))


# How an export was made, as its history lists it (stored as codes in the audit entry).
EXPORT_PROFILES = {"redacted": _l("redacted"), "identifying": _l("identifying")}


def export_profile_label(code: str) -> str:
    """An export's redaction profile in the interface language ("redacted" → "비식별")."""
    return str(EXPORT_PROFILES.get(code, code))


def kind_label(name: str) -> str:
    """A kind of record's plural name in the interface language ("events" → "송환 사건")."""
    return str(KIND_LABELS.get(name, name))


def format_number(value: Any) -> str:
    """A count with the locale's grouping: 1,022."""
    if value is None:
        return ""
    return str(babel_format_decimal(value))


def format_day(value: date | None, precision: str = "day") -> str:
    """A date as the locale writes it, to the precision known: 9 October 2023 /
    2023년 10월 9일, October 2023 / 2023년 10월, 2023 / 2023년."""
    if value is None:
        return ""
    return _format_day(value, precision, current_language())


@functools.lru_cache(maxsize=8192)
def _format_day(value: date, precision: str, language: str) -> str:
    # Remembered: a list, a dashboard or an export names the same few dates again and again,
    # and each of Babel's formattings costs tens of microseconds.
    if language == "en":
        pattern = {"month": "MMMM y", "year": "y"}.get(precision, "d MMMM y")
        return str(format_date(value, pattern, locale="en"))
    skeleton = {"month": "yMMMM", "year": "y"}.get(precision, "yMMMMd")
    return str(format_skeleton(skeleton, value, locale=language))


def format_interval(start: date, end: date) -> str:
    """Two days as the locale writes a range: "8–10 October 2023", "2023년 10월 8일~10일"."""
    # English dates read "9 October 2023" here (format_day), so ranges take the British form.
    locale = "en_GB" if current_language() == "en" else get_locale()
    return str(babel_format_interval(start, end, "yMMMMd", locale=locale))


def _territories() -> dict[str, str]:
    """Every country name in English and Korean (and its code) → ISO 3166-1 alpha-2 code."""
    found: dict[str, str] = {}
    for language in LANGUAGES:
        for code, name in Locale.parse(language).territories.items():
            if len(code) == 2 and code.isalpha():
                found.setdefault(name.casefold(), code)
                found.setdefault(code.casefold(), code)
    # The names researchers write for the two countries this tool is most about.
    found.update({"north korea": "KP", "dprk": "KP", "북한": "KP", "조선": "KP", "중국": "CN"})
    found.update({"south korea": "KR", "rok": "KR", "남한": "KR", "prc": "CN"})
    return found


_TERRITORIES: dict[str, str] = {}


def country_code(text: str) -> str | None:
    """An ISO 3166-1 alpha-2 code from a code or a country's name in English or Korean."""
    if not _TERRITORIES:
        _TERRITORIES.update(_territories())
    return _TERRITORIES.get(" ".join(text.split()).casefold())


def country_name(code: str) -> str:
    """A country's name in the interface's language ("North Korea", "북한"), else its code."""
    locale = get_locale() or Locale.parse(DEFAULT)
    return str(locale.territories.get(code, code))


def _remembered_gettext(message: str) -> str:
    """Templates' gettext, remembered for the rest of the request in its locale: a dashboard
    asks for the same few texts hundreds of times, and each Flask-Babel look-up walks the
    request context for the domain, the locale and the translations again."""
    memo: dict[tuple[str, Any], str] = g.setdefault("_translated", {})
    key = (message, get_locale())
    text = memo.get(key)
    if text is None:
        text = memo[key] = get_translations().ugettext(message)
    return text


def _templates_ngettext(singular: str, plural: str, number: int) -> str:
    return get_translations().ungettext(singular, plural, number)  # type: ignore[no-any-return]


def init_app(app: Flask) -> None:
    """Bind Flask-Babel with compiled catalogues, and give templates the helpers."""
    target = Path(app.instance_path) / "translations"
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT)
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(compile_catalogues(target))
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        _remembered_gettext, _templates_ngettext, newstyle=True
    )
    app.jinja_env.globals.update(
        languages=LANGUAGES,
        current_language=current_language,
        role_label=role_label,
        import_kind_label=kind_label,
        export_profile_label=export_profile_label,
    )
    app.jinja_env.filters.update(number=format_number, day=format_day)


__all__ = ["COOKIE", "LANGUAGES", "babel", "init_app", "select_locale"]
