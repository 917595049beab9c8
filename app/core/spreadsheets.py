"""Cells a spreadsheet would run: text that starts like a formula (OWASP, "CSV Injection").

A name typed into Konvoi can begin with ``=``, ``+``, ``-`` or ``@`` (``=HYPERLINK(...)``,
``+cmd|' /C calc'!A0``), or with a tab or a carriage return that hides such a start. Every
sheet Konvoi writes, CSV or XLSX, writes such text behind a single quote, so the program that
opens it shows it instead of running it; every sheet Konvoi reads refuses it. Numbers stay
numbers: only text is ever touched.
"""

import re
from typing import TypeVar

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# "-5", "+3,5", "1 200.50": a number as a sheet's text holds it, not a formula.
_NUMBER = re.compile(r"[+-]?\d[\d .,]*")

Value = TypeVar("Value")


def starts_like_formula(text: str) -> bool:
    """Whether a spreadsheet could take ``text`` for a formula."""
    return text.startswith(FORMULA_STARTS)


def neutral(value: Value) -> Value | str:
    """``value`` as a cell that is never run: text starting like a formula gets a leading
    single quote; numbers, dates and any other text are left as they are."""
    if isinstance(value, str) and starts_like_formula(value):
        return "'" + value
    return value


def is_number(text: str) -> bool:
    """Text that is a plain number ("-5", "+3.5"), which a sheet may hold in a number column."""
    return _NUMBER.fullmatch(text.strip()) is not None
