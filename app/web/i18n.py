"""Languages of the pages: German, Ukrainian and English (the catalogs: ``app.core.i18n``).

A page is shown in the account's chosen language, otherwise the browser's first choice among
ours; a recipient account, in Ukrainian.
"""

from app.core.i18n import LANGUAGES, LOCALE_DIR, N_, from_header, translations

DEFAULT = "de"
# The name of each language in itself, for the switch.
NAMES = {"de": "Deutsch", "uk": "Українська", "en": "English"}

__all__ = [
    "DEFAULT",
    "LANGUAGES",
    "LOCALE_DIR",
    "NAMES",
    "N_",
    "choose",
    "from_header",
    "translations",
]


def choose(chosen: str | None, accept_language: str | None, default: str = DEFAULT) -> str:
    if chosen in LANGUAGES:
        return chosen
    return from_header(accept_language) or default
