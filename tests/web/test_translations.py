"""Every string a page shows has a translation in each language's catalog."""

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from app.web import i18n

ROOT = Path(__file__).resolve().parents[2]


def shown_strings() -> set[str]:
    """The msgids of the templates and page code, extracted as `make translations` does."""
    with (ROOT / "babel.cfg").open() as cfg:
        methods, options = parse_mapping_cfg(cfg)  # type: ignore[no-untyped-call]
    found: set[str] = set()
    for _file, _line, message, _comments, _context in extract_from_dir(str(ROOT), methods, options):
        # A plural message is identified by its singular form, as in the catalog.
        found.add(message if isinstance(message, str) else message[0])
    return found


def test_pages_have_strings_to_translate() -> None:
    assert "Log in to Konvoi" in shown_strings()


def _is_filled(string: object) -> bool:
    """A singular translation is non-empty; a plural one has every form filled."""
    if isinstance(string, str):
        return bool(string)
    return isinstance(string, (tuple, list)) and all(string)


@pytest.mark.parametrize("language", i18n.LANGUAGES)
def test_every_shown_string_is_translated(language: str) -> None:
    with (i18n.LOCALE_DIR / language / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalog = read_po(po)
    translated = {
        m.id if isinstance(m.id, str) else m.id[0]
        for m in catalog
        if m.id and not m.fuzzy and _is_filled(m.string)
    }
    missing = sorted(shown_strings() - translated)
    assert missing == [], f"{language}: {len(missing)} string(s) without a translation"


def test_ukrainian_counts_take_the_ukrainian_plural_forms() -> None:
    """One, few and many: 1 перешкода, 3 перешкоди, 5 перешкод (the catalog's Plural-Forms)."""
    uk = i18n.translations("uk")
    forms = [uk.ngettext("%(num)d blocker", "%(num)d blockers", n) % {"num": n} for n in (1, 3, 5)]
    assert forms == ["1 перешкода", "3 перешкоди", "5 перешкод"]
