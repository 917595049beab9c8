"""Data in both languages: what users type (an item's name, a need, a place) can carry its
Ukrainian text beside the German or English one. A Ukrainian reader gets the Ukrainian text;
where it is missing, the original, marked as not translated, so nobody mistakes it for a
translation and a coordinator sees what to add."""

from dataclasses import dataclass

UKRAINIAN = "uk"


@dataclass(frozen=True)
class Said:
    text: str
    translated: bool  # False: ``text`` is the original, shown to a Ukrainian reader as is


def written_in_cyrillic(text: str) -> bool:
    """A recipient types its needs in Ukrainian into the one field it has: such an original
    needs no Ukrainian text beside it."""
    return any("\u0400" <= char <= "\u04ff" for char in text)


def needs_ukrainian(original: str | None, ukrainian: str | None) -> bool:
    """Whether a Ukrainian reader would get this value untranslated."""
    if ukrainian and ukrainian.strip():
        return False
    return bool(original and original.strip()) and not written_in_cyrillic(original or "")


def in_language(original: str | None, ukrainian: str | None, language: str) -> Said:
    if language != UKRAINIAN:
        return Said(original or "", True)
    if ukrainian and ukrainian.strip():
        return Said(ukrainian, True)
    return Said(original or "", not needs_ukrainian(original, ukrainian))


def ukrainian_or_original(original: str | None, ukrainian: str | None) -> str:
    """The text for a sentence in Ukrainian (a place name inside it): the Ukrainian one where
    there is one."""
    return in_language(original, ukrainian, UKRAINIAN).text


def ukrainian_half(original: str | None, ukrainian: str | None) -> str:
    """What a paper's Ukrainian half prints for a value: its Ukrainian text, the original when
    that is already Cyrillic, or "" (the paper then marks it as not translated)."""
    if ukrainian and ukrainian.strip():
        return ukrainian
    if needs_ukrainian(original, ukrainian):
        return ""
    return original or ""
