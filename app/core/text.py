"""Text a database can store, the same on SQLite and PostgreSQL.

PostgreSQL refuses the NUL character in text where SQLite stores it, and neither driver can
encode a lone surrogate (``"\\ud800"`` is valid in JSON, not in UTF-8). No one types either:
both are refused as input, naming the field, wherever text comes in.
"""

import re
from collections.abc import Iterator
from typing import Any

from app.core.i18n import _

# The characters no column can hold: NUL, and UTF-16 surrogates (only ever alone in a str).
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def refusal(value: str) -> str | None:
    """Why ``value`` cannot be stored, or None when it can."""
    found = _UNSTORABLE.search(value)
    if found is None:
        return None
    if found.group() == "\x00":
        return _("must not contain the NUL character")
    return _("must be Unicode text (a lone surrogate is not)")


# Where a value sits in a body: its keys and list positions.
Location = tuple[str | int, ...]


def unstorable(value: Any) -> Iterator[tuple[Location, str]]:
    """Where in ``value`` (parsed JSON or form fields) text cannot be stored, and why. Walked
    without recursion: a body may nest as deep as the JSON parser allows."""
    stack: list[tuple[Location, Any]] = [((), value)]
    while stack:
        loc, inner = stack.pop()
        if isinstance(inner, str):
            if (reason := refusal(inner)) is not None:
                yield loc, reason
        elif isinstance(inner, dict):
            for key, item in reversed(inner.items()):
                if isinstance(key, str) and (reason := refusal(key)) is not None:
                    yield (*loc, printable(key)), reason
                else:
                    stack.append(((*loc, key), item))
        elif isinstance(inner, list | tuple):
            stack.extend(((*loc, index), item) for index, item in reversed(list(enumerate(inner))))


def printable(value: str) -> str:
    """``value`` with each lone surrogate replaced, so it can be echoed in an answer."""
    return _UNSTORABLE.sub(lambda c: c.group() if c.group() == "\x00" else "\ufffd", value)


# How deep an echo goes: a body nested hundreds deep is echoed as its outer levels only.
ECHO_DEPTH = 16


def echoable(value: Any, depth: int = ECHO_DEPTH) -> Any:
    """``value`` (an error's input, its context) made safe to encode as UTF-8 JSON: lone
    surrogates replaced, and nothing nested beyond ``depth``."""
    if isinstance(value, str):
        return printable(value)
    if isinstance(value, bytes):
        return printable(value.decode("utf-8", "replace"))
    if isinstance(value, dict | list | tuple) and depth <= 0:
        return "…"
    if isinstance(value, dict):
        return {echoable(key, 1): echoable(inner, depth - 1) for key, inner in value.items()}
    if isinstance(value, list | tuple):
        return [echoable(inner, depth - 1) for inner in value]
    return value
