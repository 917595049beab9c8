"""Documents as files: PDF through typst (its compiler and fonts come with the PyPI package, so
Cyrillic and German render the same everywhere), spreadsheets through openpyxl, CSV in UTF-8.

A PDF shows whatever a user typed: typst's Libertinus sets Latin, Greek and Cyrillic, the Noto
fonts of two PyPI packages (manimgx-fonts, manimgx-fonts-cjk) emoji, Chinese, Japanese,
Korean and most other scripts. A character no font has is shown as U+FFFD "�" rather than
refused: PDF/A allows no character without a glyph, and a paper must never fail for a name.

Output is reproducible: the same facts and the same number and date give the same bytes (no
system fonts, no clock: the issue date is part of the input, and the spreadsheet's own dates
are fixed to it).
"""

import csv
import importlib.util
import io
import json
import re
import unicodedata
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path
from typing import Any

from app.core.spreadsheets import neutral

TEMPLATES = Path(__file__).resolve().parent / "typst"


@dataclass(frozen=True)
class Stamp:
    """What makes a document this document: its kind, title, number and day."""

    kind: str
    title: str  # "Ladeliste / Пакувальний лист"
    subtitle: str
    number: str  # "W4U-02/MAN/1", or "Vorschau / Попередній перегляд" before it is issued
    issued_on: date
    issued_label: str  # "ausgegeben 16.07.2027" or "Vorschau – nicht ausgegeben"
    pair: str = "de-uk"  # the languages: German beside Ukrainian, or "en" for a transit country


def pdf(template: str, facts: dict[str, Any], stamp: Stamp) -> bytes:
    """The template (``templates/<template>.typ``) set with the facts, as PDF/A-2b."""
    meta: dict[str, Any] = {
        "kind": stamp.kind,
        "title": stamp.title,
        "subtitle": stamp.subtitle,
        "number": stamp.number,
        "issued": [stamp.issued_on.year, stamp.issued_on.month, stamp.issued_on.day],
        "issued_label": stamp.issued_label,
        "pair": stamp.pair,
    }
    # Imported when a paper is made, not at start-up: typst and openpyxl take a tenth of a
    # second and some 17 MB that a server answering a phone never needs.
    import typst

    inputs = _marked({"facts": facts, "meta": meta}, _never_shown)
    for _attempt in range(_TRIES):
        try:
            return _compile(template, inputs)
        except typst.TypstError as exc:
            # typst names each text no font can show (the message the first, its diagnostic
            # all); mark them and set the paper again.
            missing = _NOT_DISPLAYED.findall(f"{exc}\n{getattr(exc, 'diagnostic', '')}")
            if not missing:
                raise
            inputs = _marked(inputs, set("".join(missing)).__contains__)
    # Still a character without a glyph: keep what the built-in fonts surely have.
    return _compile(template, _marked(inputs, lambda c: not c.isascii()))


# The character that stands for one no font can show.
MARK = "\ufffd"
# Rounds of marking what typst names before the paper is set with only what surely shows.
_TRIES = 4
_NOT_DISPLAYED = re.compile(r'the text `"(.+?)"` could not be displayed')


def _compile(template: str, inputs: dict[str, Any]) -> bytes:
    import typst

    result = typst.compile(
        str(TEMPLATES / f"{template}.typ"),
        root=str(TEMPLATES),
        font_paths=list(_font_paths()),
        ignore_system_fonts=True,
        sys_inputs={
            name: json.dumps(value, ensure_ascii=False, sort_keys=True)
            for name, value in inputs.items()
        },
        pdf_standards="a-2b",
    )
    assert isinstance(result, bytes)
    return result


@cache
def _font_paths() -> tuple[str, ...]:
    """The folders of the font packages (never the system's: the same data, the same bytes)."""
    folders: list[str] = []
    for package in ("manimgx_fonts", "manimgx_fonts_cjk"):
        spec = importlib.util.find_spec(package)
        if spec is not None and spec.submodule_search_locations:
            folders.extend(spec.submodule_search_locations)
    return tuple(folders)


def _never_shown(char: str) -> bool:
    """Characters no font has: controls (but line breaks and tabs), unassigned code points,
    private use, lone surrogates."""
    return unicodedata.category(char) in ("Cc", "Cn", "Co", "Cs") and char not in "\n\t\r"


def _marked(value: Any, unshown: Callable[[str], bool]) -> Any:
    """``value`` with every character ``unshown`` picks in its texts replaced by MARK (or "?"
    where MARK itself is picked)."""
    if isinstance(value, str):
        if value.isascii() and not any(unshown(c) for c in value):
            return value
        stand_in = "?" if unshown(MARK) else MARK
        return "".join(stand_in if unshown(c) else c for c in value)
    if isinstance(value, dict):
        return {k: _marked(v, unshown) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_marked(v, unshown) for v in value]
    return value


@dataclass(frozen=True)
class Column:
    title: str  # "Gross weight (kg) / Вага брутто (кг)"
    key: str
    number_format: str | None = None  # "0", "#,##0.00", "dd.mm.yyyy"
    width: int = 14


def xlsx(
    sheet: str, columns: Sequence[Column], rows: Sequence[dict[str, Any]], stamp: Stamp
) -> bytes:
    """One sheet, a bold header, typed cells: numbers as numbers, dates as dates, text as text
    (never a formula, whatever it starts with)."""
    from openpyxl import Workbook  # when a sheet is made (see pdf)
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.writer.excel import ExcelWriter

    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = sheet[:31]
    ws.append([c.title for c in columns])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append([neutral(row.get(c.key)) for c in columns])
        for cell in ws[ws.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # openpyxl would store "=..." as a formula
            if row.get("total"):
                cell.font = Font(bold=True)
    for n, column in enumerate(columns, start=1):
        letter = get_column_letter(n)
        ws.column_dimensions[letter].width = column.width
        if column.number_format:
            for (cell,) in ws.iter_rows(min_row=2, min_col=n, max_col=n):
                cell.number_format = column.number_format
    ws.freeze_panes = "A2"
    issued = datetime.combine(stamp.issued_on, datetime.min.time(), tzinfo=UTC).replace(tzinfo=None)
    book.properties.creator = "Konvoi"
    book.properties.title = f"{stamp.title} {stamp.number}"
    book.properties.keywords = stamp.number
    book.properties.created = issued
    book.properties.modified = issued
    buffer = io.BytesIO()
    # Not ``book.save``: it sets ``modified`` to the clock, and the same facts would give
    # other bytes every second.
    ExcelWriter(book, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED)).save()
    return _fixed_zip_times(buffer.getvalue(), stamp.issued_on)


def _fixed_zip_times(data: bytes, day: date) -> bytes:
    """An XLSX is a zip whose entries carry the time they were written: set them to the issue
    day, so the same facts give the same bytes."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(
                info.filename, date_time=(day.year, day.month, day.day, 0, 0, 0)
            )
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            target.writestr(fixed, source.read(info.filename))
    return out.getvalue()


def csv_bytes(columns: Sequence[Column], rows: Sequence[dict[str, Any]]) -> bytes:
    """UTF-8 with a byte-order mark, so a spreadsheet opens the Cyrillic intact; numbers with
    a dot, dates as ISO days, text that starts like a formula behind a single quote."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([c.title for c in columns])
    for row in rows:
        values = []
        for c in columns:
            value = row.get(c.key)
            values.append(value.isoformat() if isinstance(value, date) else neutral(value))
        writer.writerow(values)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
