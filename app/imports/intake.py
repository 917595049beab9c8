"""Importing an intake list: sorted goods a hall recorded on paper or in its own sheet. First
a dry run that names every bad row and column and why, then the import, every row or none.

A row is recorded under a client key made from the hall, its row number and its values, so
sending the same file again records nothing twice (the intake's own double-tap rule). The
place is named as its shelf says: zone-row-shelf (A-3-2).
"""

import hashlib
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from pydantic import ValidationError
from sqlmodel import Session, col, select

from app.collection import service as collection
from app.collection.catalogue import CATALOGUE, goods_name
from app.collection.models import StockCategory, StockLine
from app.collection.schemas import IntakeCreate
from app.core import i18n
from app.core.errors import InvalidInput
from app.core.i18n import _
from app.documents import render
from app.imports.needs import Report
from app.imports.sheets import Problem, Unreadable, read

# The template's columns, in order: the field each fills, and whether a row must have it.
COLUMNS = {
    "place": ("place_id", True),
    "category": ("category", True),
    "subcategory": ("subcategory", True),
    "gender": ("gender", False),
    "size": ("size", False),
    "season": ("season", False),
    "quantity": ("quantity", True),
    "unit": ("unit", False),
    "condition": ("condition", False),
    "priority": ("priority", False),
    "best_before_on": ("best_before_on", False),
    "batch": ("batch", False),
    "expires_on": ("expires_on", False),
    "description": ("description", False),
}
FIELD_COLUMN = {fld: name for name, (fld, _required) in COLUMNS.items()}
EXAMPLE = {
    "place": "A-1-1",
    "category": "clothing",
    "subcategory": "jackets",
    "gender": "men",
    "size": "L",
    "season": "winter",
    "quantity": "12",
    "unit": "pcs",
    "condition": "good",
    "priority": "urgent",
    "best_before_on": "",
    "batch": "",
    "expires_on": "",
    "description": "",
}


@dataclass(frozen=True)
class RowResult:
    """One row as the import page lists it: what it holds and what becomes of it."""

    row: int
    goods: str  # as the reader's language names it; the sheet's text where it names nothing
    size: str
    quantity: str
    place: str
    outcome: str  # "new", "recorded_before" or "refused"


@dataclass
class IntakeReport(Report):
    results: list[RowResult] = field(default_factory=list)


def _key(point_id: int, number: int, values: dict[str, str]) -> str:
    text = "|".join([str(point_id), str(number), *(values.get(c, "") for c in COLUMNS)])
    return "sheet-" + hashlib.sha256(text.encode()).hexdigest()[:40]


def run(session: Session, point_id: int, content: bytes, *, dry_run: bool) -> IntakeReport:
    """Check every row; unless ``dry_run`` and only when no row has a problem, record them."""
    report = IntakeReport(dry_run=dry_run)
    try:
        sheet = read(content)
    except Unreadable as exc:
        report.problems.append(Problem(0, "", exc.message))
        return report
    report.problems.extend(sheet.problems)
    missing = [
        name for name, (_f, required) in COLUMNS.items() if required and name not in sheet.columns
    ]
    for name in missing:
        report.problems.append(Problem(1, name, _("the column is missing")))
    if missing:
        return report
    report.rows = len(sheet.rows)
    if not sheet.rows:
        report.problems.append(Problem(2, "", _("the file has no rows under its header")))
        return report
    places = {
        collection.place_label(p).upper(): p.id for p in collection.places_of(session, point_id)
    }
    wanted: list[IntakeCreate] = []
    checked: list[tuple[int, dict[str, str], IntakeCreate | None]] = []
    for number, values in sheet.rows:
        data = _row(number, values, places, point_id, report)
        checked.append((number, values, data))
        if data is not None:
            wanted.append(data)
    keys = [d.client_key for d in wanted]
    recorded = set(
        session.exec(
            select(StockLine.client_key).where(
                StockLine.collection_point_id == point_id, col(StockLine.client_key).in_(keys)
            )
        ).all()
    )
    fresh = [d for d in wanted if d.client_key not in recorded]
    report.already_recorded = len(wanted) - len(fresh)
    report.results = [_result(number, values, data, recorded) for number, values, data in checked]
    if report.problems:
        return report  # nothing is recorded, dry run or not
    report.created = len(fresh)
    if dry_run:
        return report
    for data in fresh:
        collection.record_intake(session, point_id, data)
    session.flush()
    return report


def _row(
    number: int,
    values: dict[str, str],
    places: dict[str, int | None],
    point_id: int,
    report: Report,
) -> IntakeCreate | None:
    flagged = {(p.row, p.column) for p in report.problems}
    before = sum(1 for p in report.problems if p.row == number)
    label = values.get("place", "").strip().upper()
    place_id = places.get(label)
    if place_id is None:
        said = _("no place {label} in this hall; add it first")
        report.problems.append(Problem(number, "place", said.format(label=label)))
    fields: dict[str, Any] = {
        fld: values[name].strip()
        for name, (fld, _required) in COLUMNS.items()
        if name != "place" and values.get(name, "").strip()
    }
    for name in ("category", "subcategory", "gender", "season", "unit", "condition", "priority"):
        if name in fields:
            fields[name] = fields[name].lower().replace(" ", "_").replace("-", "_")
    fields["place_id"] = place_id or 1
    fields["client_key"] = _key(point_id, number, values)
    try:
        data = IntakeCreate.model_validate(fields)
        problems = collection.catalogue_errors(data)
        if problems:
            raise InvalidInput(problems)
    except ValidationError as exc:
        for error in exc.errors():
            column = FIELD_COLUMN.get(str(error["loc"][0]) if error["loc"] else "", "")
            if column == "place" or (number, column) in flagged:
                continue
            report.problems.append(Problem(number, column, i18n.pydantic_message(error)))
        return None
    except InvalidInput as exc:
        for name, message in exc.errors:
            report.problems.append(Problem(number, FIELD_COLUMN.get(name, name), message))
        return None
    after = sum(1 for p in report.problems if p.row == number)
    return data if after == before == 0 else None


def _result(
    number: int, values: dict[str, str], data: IntakeCreate | None, recorded: set[str | None]
) -> RowResult:
    if data is None:
        goods = _named(values.get("category", ""), values.get("subcategory", ""))
        outcome = "refused"
    else:
        goods = goods_name(data.category, data.subcategory, i18n.language())
        outcome = "recorded_before" if data.client_key in recorded else "new"
    return RowResult(
        row=number,
        goods=goods,
        size=values.get("size", ""),
        quantity=values.get("quantity", ""),
        place=values.get("place", ""),
        outcome=outcome,
    )


def _named(category: str, subcategory: str) -> str:
    """A refused row's goods as the catalogue names them, where its words name any."""
    code = category.strip().lower().replace(" ", "_")
    if code not in StockCategory.__members__:
        return f"{category} {subcategory}".strip()
    sub = subcategory.strip().lower().replace(" ", "_").replace("-", "_")
    known = CATALOGUE[StockCategory(code)].subcategory(sub)
    return goods_name(StockCategory(code), sub if known else None, i18n.language())


def template(fmt: str) -> bytes:
    """The expected columns with one example row."""
    columns = [render.Column(name, name, None, 16) for name in COLUMNS]
    if fmt == "csv":
        return render.csv_bytes(columns, [EXAMPLE])
    stamp = render.Stamp("intake_template", "Konvoi", "", "intake", date(2026, 1, 1), "")
    return render.xlsx("intake", columns, [EXAMPLE], stamp)
