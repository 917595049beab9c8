"""Importing a donation offer: the vehicles and equipment a donor offers, with the cargo the
vehicles carry, from one sheet. A row's ``row_type`` says what it is: ``item`` (a vehicle or
a piece of equipment) or ``cargo`` (goods on the vehicle named by ``vehicle_vin``).

Every row goes through the same service calls as the API, inside a savepoint: the dry run
reports every refused row and column with the rules' own words and then rolls back; the import
keeps all rows or, if one is refused, none. A vehicle whose VIN is already recorded (or an item
with the same donor, name and serial number) is not recorded again, nor is its cargo.
"""

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic import ValidationError
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, col, func, select

from app.core import i18n
from app.core.errors import DomainError, InvalidInput, RuleViolation
from app.core.i18n import _
from app.documents import render
from app.donors.models import Donor
from app.imports.needs import Report
from app.imports.sheets import Problem, Unreadable, read
from app.items import service as items
from app.items.models import Item
from app.items.schemas import CargoLineCreate, ItemCreate

COLUMNS = (
    "row_type",
    "donor",
    "category",
    "kind",
    "name",
    "name_uk",
    "make",
    "model",
    "vin",
    "year",
    "weight_kg",
    "gross_weight_kg",
    "seats",
    "declared_value_eur",
    "hs_code",
    "serial_number",
    "vehicle_vin",
    "description",
    "description_uk",
    "quantity",
    "unit",
    "value_eur",
    "marks",
    "packing",
)
REQUIRED = ("row_type",)
CARGO_FIELDS = (
    "description",
    "description_uk",
    "quantity",
    "unit",
    "weight_kg",
    "hs_code",
    "marks",
    "packing",
)
# Where a field's refusal is shown: the column the sender filled.
COLUMN_OF = {
    "donor_id": "donor",
    "declared_value_cents": "declared_value_eur",
    "value_cents": "value_eur",
    "weight_kg": "weight_kg",
}
EXAMPLE_ROWS = [
    {
        "row_type": "item",
        "donor": "WSW mobil GmbH",
        "category": "vehicle",
        "kind": "bus",
        "name": "MAN Lion's City A21",
        "name_uk": "Автобус MAN Lion's City A21",
        "make": "MAN",
        "model": "Lion's City A21",
        "vin": "WMAA21ZZ49B004711",
        "year": "2009",
        "weight_kg": "11300",
        "gross_weight_kg": "18000",
        "seats": "32",
        "declared_value_eur": "45000",
        "hs_code": "8702",
    },
    {
        "row_type": "cargo",
        "vehicle_vin": "WMAA21ZZ49B004711",
        "description": "Drainage pumps 3 kW",
        "description_uk": "Дренажні насоси 3 кВт",
        "quantity": "20",
        "unit": "pcs",
        "weight_kg": "600",
        "value_eur": "24000",
        "hs_code": "8413",
        "marks": "Pallet 1/2",
        "packing": "pallet",
    },
]


def _cents(value: str) -> int | str:
    """Euros as typed ("45000", "45.000,50", "45000.50") in cents; left as typed otherwise,
    so the schema names the column and the reason."""
    text = value.replace(" ", "")
    if "," in text:
        text = text.replace(".", "").replace(",", ".")
    try:
        return int((Decimal(text) * 100).to_integral_value())
    except InvalidOperation:
        return value


def _said(report: Report, number: int, exc: Exception) -> None:
    if isinstance(exc, ValidationError):
        for error in exc.errors():
            field = str(error["loc"][0]) if error["loc"] else ""
            column = COLUMN_OF.get(field, field if field in COLUMNS else "")
            report.problems.append(Problem(number, column, i18n.pydantic_message(error)))
    elif isinstance(exc, InvalidInput):
        for field, message in exc.errors:
            head = field.split(".")[0]
            column = COLUMN_OF.get(head, head if head in COLUMNS else "")
            report.problems.append(Problem(number, column, message))
    elif isinstance(exc, RuleViolation):
        for reason in exc.reasons:
            report.problems.append(Problem(number, reason.field or "", reason.message))
    elif isinstance(exc, DomainError):
        column = getattr(exc, "field", None) or ""
        report.problems.append(Problem(number, column, exc.message))


def run(session: Session, content: bytes, *, dry_run: bool) -> Report:
    report = Report(dry_run=dry_run)
    try:
        sheet = read(content)
    except Unreadable as exc:
        report.problems.append(Problem(0, "", exc.message))
        return report
    report.problems.extend(sheet.problems)
    for name in REQUIRED:
        if name not in sheet.columns:
            report.problems.append(Problem(1, name, _("the column is missing")))
    if report.problems and any(p.row <= 1 for p in report.problems):
        return report
    report.rows = len(sheet.rows)
    if not sheet.rows:
        report.problems.append(Problem(2, "", _("the file has no rows under its header")))
        return report
    names = {v.get("donor", "").strip().lower() for _n, v in sheet.rows} - {""}
    donors = {
        name.lower(): donor_id
        for donor_id, name in session.exec(
            select(Donor.id, Donor.name).where(func.lower(Donor.name).in_(names))
        ).all()
    }
    savepoint = session.begin_nested()
    vehicles: dict[str, Item | None] = {}  # VIN -> the vehicle (None: recorded before)
    try:
        for number, values in sheet.rows:
            if (number, "") in {(p.row, p.column) for p in report.problems}:
                continue
            try:
                _one(session, number, values, donors, vehicles, report)
            except (ValidationError, DomainError) as exc:
                _said(report, number, exc)
    except SQLAlchemyError:
        savepoint.rollback()
        report.problems.append(Problem(0, "", _("the rows could not be recorded; nothing was")))
        return report
    if report.problems or dry_run:
        savepoint.rollback()
        if report.problems:
            report.created = 0
    else:
        savepoint.commit()
    return report


def _one(
    session: Session,
    number: int,
    values: dict[str, str],
    donors: dict[str, int | None],
    vehicles: dict[str, Item | None],
    report: Report,
) -> None:
    kind = values.get("row_type", "").strip().lower()
    if kind == "item":
        _item(session, number, values, donors, vehicles, report)
    elif kind == "cargo":
        _cargo(session, number, values, vehicles, report)
    else:
        said = _("is {value!r}; a row is an item or cargo").format(value=values.get("row_type"))
        report.problems.append(Problem(number, "row_type", said))


def _item(
    session: Session,
    number: int,
    values: dict[str, str],
    donors: dict[str, int | None],
    vehicles: dict[str, Item | None],
    report: Report,
) -> None:
    donor_id = donors.get(values.get("donor", "").strip().lower())
    if donor_id is None:
        said = _("no donor named {name!r} is recorded; add it first")
        report.problems.append(Problem(number, "donor", said.format(name=values.get("donor"))))
        return
    fields: dict[str, Any] = {
        name: values[name].strip()
        for name in (
            "category",
            "kind",
            "name",
            "name_uk",
            "make",
            "model",
            "vin",
            "year",
            "weight_kg",
            "gross_weight_kg",
            "seats",
            "hs_code",
            "serial_number",
        )
        if values.get(name, "").strip()
    }
    fields["donor_id"] = donor_id
    if values.get("declared_value_eur", "").strip():
        fields["declared_value_cents"] = _cents(values["declared_value_eur"])
    data = ItemCreate.model_validate(fields)
    earlier = _recorded(session, data)
    if earlier is not None:
        report.already_recorded += 1
        if data.vin:
            vehicles[data.vin] = None
        return
    item = items.create(session, data)
    report.created += 1
    if item.vin:
        vehicles[item.vin] = item


def _recorded(session: Session, data: ItemCreate) -> Item | None:
    if data.vin:
        return session.exec(select(Item).where(Item.vin == data.vin)).first()
    return session.exec(
        select(Item).where(
            Item.donor_id == data.donor_id,
            Item.name == data.name,
            col(Item.serial_number) == data.serial_number,
        )
    ).first()


def _cargo(
    session: Session,
    number: int,
    values: dict[str, str],
    vehicles: dict[str, Item | None],
    report: Report,
) -> None:
    vin = values.get("vehicle_vin", "").strip().upper()
    if vin not in vehicles:
        said = _("names no vehicle of an item row above it: {vin!r}").format(vin=vin)
        report.problems.append(Problem(number, "vehicle_vin", said))
        return
    vehicle = vehicles[vin]
    fields: dict[str, Any] = {
        name: values[name].strip() for name in CARGO_FIELDS if values.get(name, "").strip()
    }
    if values.get("value_eur", "").strip():
        fields["value_cents"] = _cents(values["value_eur"])
    data = CargoLineCreate.model_validate(fields)
    if vehicle is None:  # recorded before, with its cargo
        report.already_recorded += 1
        return
    items.add_cargo_line(session, vehicle, data)
    report.created += 1


def template(fmt: str) -> bytes:
    columns = [render.Column(name, name, None, 18) for name in COLUMNS]
    if fmt == "csv":
        return render.csv_bytes(columns, EXAMPLE_ROWS)
    stamp = render.Stamp("offer_template", "Konvoi", "", "offer", date(2026, 1, 1), "")
    return render.xlsx("offer", columns, EXAMPLE_ROWS, stamp)
