"""Languages of the pages: German, Ukrainian and English, from Babel catalogs in app/locale.

The catalogs (.po) are kept in the repository; the compiled .mo files are made at set-up
(``pybabel compile``, run by ``make``). A page is shown in the account's chosen language,
otherwise the browser's first choice among ours; a recipient account, in Ukrainian.
"""

from functools import cache
from gettext import GNUTranslations, NullTranslations
from pathlib import Path

from babel import Locale, UnknownLocaleError

LOCALE_DIR = Path(__file__).resolve().parents[1] / "locale"
LANGUAGES = ("de", "uk", "en")
DEFAULT = "de"
# The name of each language in itself, for the switch.
NAMES = {"de": "Deutsch", "uk": "Українська", "en": "English"}


@cache
def translations(language: str) -> NullTranslations:
    mo = LOCALE_DIR / language / "LC_MESSAGES" / "messages.mo"
    if not mo.exists():
        # English is the source language; the others need the compiled catalog (set-up).
        return NullTranslations()
    with mo.open("rb") as handle:
        return GNUTranslations(handle)


def from_header(accept_language: str | None) -> str | None:
    """The browser's first preference among our languages, or None."""
    if not accept_language:
        return None
    wanted = []
    for part in accept_language.split(","):
        tag, _, q = part.strip().partition(";q=")
        try:
            weight = float(q) if q else 1.0
        except ValueError:
            continue
        wanted.append((weight, tag.strip().replace("-", "_")))
    for _, tag in sorted(wanted, key=lambda w: -w[0]):
        try:
            language = Locale.parse(tag).language
        except (ValueError, UnknownLocaleError):
            continue
        if language in LANGUAGES:
            return language
    return None


def choose(chosen: str | None, accept_language: str | None, default: str = DEFAULT) -> str:
    if chosen in LANGUAGES:
        return chosen
    return from_header(accept_language) or default


def N_(message: str) -> str:  # noqa: N802 (gettext's name for "mark, translate later")
    """Marks a word for the catalogs; the page translates it where it shows it."""
    return message
