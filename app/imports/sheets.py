"""Reading the spreadsheets people send: XLSX or CSV, into rows of text by column name.

A file is read by what it is, not by its name: an XLSX is a zip, anything else must decode as
UTF-8 (with or without a byte-order mark) and parse as CSV with a comma or a semicolon. A cell
holding a formula is refused rather than evaluated: the value the sender saw is not in the file.
So is text that starts like one (``-cmd|...``, ``@SUM(...)``): stored, it would reach every sheet
Konvoi writes; a number such as "-5" is a number.
"""

import csv
import io
import zipfile
from dataclasses import dataclass, field

from app.core.i18n import _
from app.core.spreadsheets import is_number, starts_like_formula


@dataclass
class Problem:
    row: int  # 1 is the header row, as the spreadsheet numbers it
    column: str  # the column's name as the template writes it, "" for the whole row or file
    message: str


@dataclass
class Sheet:
    columns: list[str]
    rows: list[tuple[int, dict[str, str]]]  # (row number, column -> text)
    problems: list[Problem] = field(default_factory=list)


class Unreadable(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _not_a_sheet() -> str:
    return _("the file is neither an XLSX spreadsheet nor a CSV file in UTF-8")


def read(content: bytes) -> Sheet:
    if not content.strip():
        raise Unreadable(_("the file is empty"))
    if content.startswith(b"PK"):
        return _xlsx(content)
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise Unreadable(
            _("the file is neither an XLSX spreadsheet nor a CSV file in UTF-8")
        ) from exc
    return _csv(text)


def _clean(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "date") and hasattr(value, "hour"):  # a datetime from a date cell
        return str(value.date())  # type: ignore[attr-defined]
    return str(value).strip()


def _xlsx(content: bytes) -> Sheet:
    from openpyxl import load_workbook  # when a sheet is read, not at start-up

    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise Unreadable(
            _("the file is neither an XLSX spreadsheet nor a CSV file in UTF-8")
        ) from exc
    sheet = book.worksheets[0]
    rows = sheet.iter_rows()
    header = next(rows, None)
    if header is None:
        raise Unreadable(_("the file is empty"))
    columns = [_clean(c.value) for c in header]
    found = Sheet(columns, [])
    for number, cells in enumerate(rows, start=2):
        values: dict[str, str] = {}
        for name, cell in zip(columns, cells, strict=False):
            if not name:
                continue
            if cell.data_type == "f":
                found.problems.append(
                    Problem(number, name, _("holds a formula; enter the value itself"))
                )
                continue
            if isinstance(cell.value, str) and _runs(cell.value):
                found.problems.append(Problem(number, name, _starts_like_formula()))
                continue
            values[name] = _clean(cell.value)
        if any(values.values()):
            found.rows.append((number, values))
    book.close()
    return found


def _csv(text: str) -> Sheet:
    # Only the delimiter is guessed, from the header; the quoting is the standard one
    # (RFC 4180: a quote inside a quoted cell is doubled), which a guess from a header without
    # quotes would get wrong.
    try:
        delimiter = csv.Sniffer().sniff(text.splitlines()[0], delimiters=",;\t").delimiter
    except csv.Error:
        delimiter = ","
    reader = csv.reader(io.StringIO(text, newline=""), csv.excel, delimiter=delimiter)
    header = next(reader, None)
    if not header:
        raise Unreadable(_("the file is empty"))
    columns = [c.strip() for c in header]
    found = Sheet(columns, [])
    for number, cells in enumerate(reader, start=2):
        values = {name: cell.strip() for name, cell in zip(columns, cells, strict=False) if name}
        for name, cell in zip(columns, cells, strict=False):
            # A spreadsheet would run it: "=HYPERLINK(...)" is an instruction, not a value.
            if name and _runs(cell):
                found.problems.append(Problem(number, name, _starts_like_formula()))
        if any(values.values()):
            found.rows.append((number, values))
    return found


def _runs(text: str) -> bool:
    """Text a spreadsheet would run, before or after its blanks are trimmed; not a number."""
    return (starts_like_formula(text) or starts_like_formula(text.strip())) and not is_number(text)


def _starts_like_formula() -> str:
    return _(
        "starts with =, +, -, @, a tab or a line break, as a formula does; "
        "enter the text without it"
    )
