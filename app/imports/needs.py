"""Importing a needs list: first a dry run that names every bad row and column and why, then
the import, every row or none. A row already recorded (same utility, kind, description and
day) is not recorded twice, so sending the same file again changes nothing.

The utility is named by its EDRPOU, the one identifier both sides of the border share.
"""

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from pydantic import ValidationError
from sqlmodel import Session, col, select
from stdnum.exceptions import ValidationError as BadNumber
from stdnum.ua import edrpou as edrpou_code

from app.core import i18n
from app.core.i18n import _
from app.destinations.models import Destination
from app.documents import render
from app.imports.sheets import Problem, Unreadable, read
from app.items.models import ItemKind
from app.needs import service as needs
from app.needs.models import Need
from app.needs.schemas import NeedCreate

# The template's columns, in order: the field each fills, and whether a row must have it.
COLUMNS = {
    "edrpou": ("destination_id", True),
    "kind": ("item_kind", True),
    "description": ("description", True),
    "description_uk": ("description_uk", False),
    "quantity": ("quantity", True),
    "priority": ("priority", False),
    "requested_on": ("requested_on", False),
}
FIELD_COLUMN = {fld: name for name, (fld, _required) in COLUMNS.items()}
EXAMPLE = {
    "edrpou": "03348471",
    "kind": "pump",
    "description": "Submersible borehole pump 160 m³/h",
    "description_uk": "Заглибний свердловинний насос 160 м³/год",
    "quantity": "4",
    "priority": "1",
    "requested_on": "2026-11-02",
}


@dataclass
class Report:
    rows: int = 0
    created: int = 0
    already_recorded: int = 0
    problems: list[Problem] = field(default_factory=list)
    dry_run: bool = True

    def as_dict(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "created": self.created,
            "already_recorded": self.already_recorded,
            "dry_run": self.dry_run,
            "problems": [p.__dict__ for p in self.problems],
        }


def _key(data: NeedCreate) -> tuple[int, str, str, date]:
    kind, text = data.item_kind.value, data.description.strip().lower()
    return (data.destination_id, kind, text, data.requested_on)


def run(session: Session, content: bytes, *, dry_run: bool) -> Report:
    """Check every row; unless ``dry_run`` and only when no row has a problem, record them."""
    report = Report(dry_run=dry_run)
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
    codes = {values.get("edrpou", "") for _n, values in sheet.rows}
    utilities = {
        d.edrpou: d.id
        for d in session.exec(select(Destination).where(col(Destination.edrpou).in_(codes))).all()
    }
    wanted: list[NeedCreate] = []
    for number, values in sheet.rows:
        data = _row(number, values, utilities, report)
        if data is not None:
            wanted.append(data)
    recorded = _recorded(session, wanted)
    fresh: list[NeedCreate] = []
    for data in wanted:
        if _key(data) in recorded:
            report.already_recorded += 1
        else:
            recorded.add(_key(data))
            fresh.append(data)
    if report.problems:
        return report  # nothing is created, dry run or not
    if dry_run:
        report.created = len(fresh)
        return report
    needs.create_many(session, fresh)
    report.created = len(fresh)
    return report


def _row(
    number: int, values: dict[str, str], utilities: dict[str, int | None], report: Report
) -> NeedCreate | None:
    flagged = {(p.row, p.column) for p in report.problems}
    code = values.get("edrpou", "").strip()
    problems_before = sum(1 for p in report.problems if p.row == number)
    destination_id: int | None = None
    try:
        code = edrpou_code.validate(code)
    except BadNumber:
        report.problems.append(
            Problem(number, "edrpou", _("{code!r} is not a valid EDRPOU code").format(code=code))
        )
    else:
        destination_id = utilities.get(code)
        if destination_id is None:
            said = _("no utility with EDRPOU {code} is recorded; add it first")
            report.problems.append(Problem(number, "edrpou", said.format(code=code)))
    fields: dict[str, Any] = {
        fld: values[name]
        for name, (fld, _required) in COLUMNS.items()
        if name != "edrpou" and values.get(name, "").strip()
    }
    if "item_kind" in fields:
        fields["item_kind"] = fields["item_kind"].strip().lower().replace(" ", "_")
    fields["destination_id"] = destination_id or 0
    try:
        data = NeedCreate.model_validate(fields)
    except ValidationError as exc:
        for error in exc.errors():
            column = FIELD_COLUMN.get(str(error["loc"][0]) if error["loc"] else "", "")
            if column == "edrpou" or (number, column) in flagged:
                continue  # said already: the code, or a formula where a value should be
            report.problems.append(Problem(number, column, i18n.pydantic_message(error)))
        return None
    problems_after = sum(1 for p in report.problems if p.row == number)
    return data if problems_after == problems_before == 0 else None


def _recorded(session: Session, wanted: list[NeedCreate]) -> set[tuple[int, str, str, date]]:
    places = {d.destination_id for d in wanted}
    if not places:
        return set()
    stored = session.exec(select(Need).where(col(Need.destination_id).in_(places))).all()
    return {
        (n.destination_id, n.item_kind.value, n.description.strip().lower(), n.requested_on)
        for n in stored
    }


def template(fmt: str) -> bytes:
    """The expected columns with one example row (``kind`` is one of KINDS)."""
    columns = [render.Column(name, name, None, 24) for name in COLUMNS]
    if fmt == "csv":
        return render.csv_bytes(columns, [EXAMPLE])
    stamp = render.Stamp("needs_template", "Konvoi", "", "needs", date(2026, 1, 1), "")
    return render.xlsx("needs", columns, [EXAMPLE], stamp)


KINDS = tuple(k.value for k in ItemKind)
