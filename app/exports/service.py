"""Export records: customs office, MRN, export plates and exit confirmation of one item.

The rules follow DOMAIN.md ("Export plates", "MRN", "Export declaration"): an export plate
(§ 19 FZV) is valid at most one year, its red field shows the last day of the liability
insurance, and the vehicle's inspection (HU) must not expire before the plate does.
"""

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, func, or_
from sqlmodel import Session, col, select

from app.core.errors import Conflict, InvalidInput, NotFound
from app.core.i18n import N_, _
from app.core.pagination import keyset_page
from app.core.service import apply_changes, get_or_404, like
from app.exports.models import ExportRecord
from app.exports.schemas import ExportRecordCreate, ExportRecordUpdate
from app.items.models import Item, ItemCategory

SORTABLE = {"created_at": col(ExportRecord.created_at), "id": col(ExportRecord.id)}


def record_for_item(session: Session, item_id: int) -> ExportRecord | None:
    return session.exec(select(ExportRecord).where(ExportRecord.item_id == item_id)).first()


def get(session: Session, export_record_id: int) -> ExportRecord:
    return get_or_404(session, ExportRecord, export_record_id, N_("Export record"))


def get_for_item(session: Session, item_id: int) -> ExportRecord:
    get_or_404(session, Item, item_id, N_("Item"))
    record = record_for_item(session, item_id)
    if record is None:
        raise NotFound(N_("Export record for item"), item_id)
    return record


def one_year_after(day: date) -> date:
    """The same calendar day a year later; 29 February maps to 28 February."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return day.replace(year=day.year + 1, day=28)


def record_problems(record: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Every cross-field rule the (merged) record breaks, as (field, reason)."""
    errors: list[tuple[str, str]] = []
    plate = record.get("export_plate")
    valid_from: date | None = record.get("plate_valid_from_on")
    valid_to: date | None = record.get("plate_valid_to_on")
    insurance_until: date | None = record.get("insurance_until_on")
    inspection_due: date | None = record.get("inspection_due_on")
    if plate:
        if valid_from is None:
            errors.append(
                ("plate_valid_from_on", _("an export plate needs the first day it is valid"))
            )
        if valid_to is None:
            errors.append(
                ("plate_valid_to_on", _("an export plate needs its expiry date (the red field)"))
            )
    elif valid_from is not None or valid_to is not None:
        errors.append(
            ("export_plate", _("plate validity dates were given without an export plate"))
        )
    if valid_from is not None and valid_to is not None:
        latest = one_year_after(valid_from)
        if valid_to <= valid_from:
            errors.append(
                (
                    "plate_valid_to_on",
                    _("{valid_to} is not after the first valid day {valid_from}").format(
                        valid_to=valid_to, valid_from=valid_from
                    ),
                )
            )
        elif valid_to > latest:
            errors.append(
                (
                    "plate_valid_to_on",
                    (
                        _(
                            "an export plate is valid at most one year: from "
                            "{valid_from} it can run until {latest}, not {valid_to}"
                        ).format(valid_from=valid_from, latest=latest, valid_to=valid_to)
                    ),
                )
            )
    if valid_to is not None and insurance_until is not None and insurance_until < valid_to:
        errors.append(
            (
                "insurance_until_on",
                (
                    _(
                        "insurance ends {insurance_until}, before the plate expires "
                        "{valid_to}; the red field shows the last day of insurance"
                    ).format(insurance_until=insurance_until, valid_to=valid_to)
                ),
            )
        )
    if valid_to is not None and inspection_due is not None and inspection_due < valid_to:
        errors.append(
            (
                "inspection_due_on",
                _(
                    "the inspection (HU) is due {inspection_due}, before the "
                    "plate expires {valid_to}"
                ).format(inspection_due=inspection_due, valid_to=valid_to),
            )
        )
    if record.get("exit_confirmed_on") is not None and not record.get("mrn"):
        errors.append(
            ("exit_confirmed_on", _("an exit confirmation needs the MRN of the export declaration"))
        )
    return errors


def _check_mrn_free(session: Session, mrn: str | None, own_id: int | None = None) -> None:
    if mrn is None:
        return
    stmt = select(ExportRecord.item_id).where(ExportRecord.mrn == mrn)
    if own_id is not None:
        stmt = stmt.where(ExportRecord.id != own_id)
    holder = session.exec(stmt).first()
    if holder is not None:
        raise Conflict(
            _("MRN {mrn} is already recorded for item {holder}").format(mrn=mrn, holder=holder),
            field="mrn",
        )


def _check_plate_allowed(item: Item, plate: str | None) -> None:
    if plate and item.category != ItemCategory.vehicle:
        raise Conflict(
            _("Item {id} ({item}) is equipment; export plates are for vehicles only").format(
                id=item.id, item=item.name
            ),
            field="export_plate",
        )


def create(session: Session, data: ExportRecordCreate) -> ExportRecord:
    errors = record_problems(data.model_dump())
    item = session.get(Item, data.item_id)
    if item is None:
        errors.insert(
            0, ("item_id", _("Item {item_id} does not exist").format(item_id=data.item_id))
        )
    if errors:
        raise InvalidInput(errors)
    assert item is not None
    existing = record_for_item(session, data.item_id)
    if existing is not None:
        raise Conflict(
            _("Item {item_id} already has export record {id}; change that one").format(
                item_id=data.item_id, id=existing.id
            ),
            field="item_id",
        )
    _check_mrn_free(session, data.mrn)
    _check_plate_allowed(item, data.export_plate)
    record = ExportRecord.model_validate(data)
    session.add(record)
    session.flush()
    return record


def update(
    session: Session,
    record: ExportRecord,
    changes: ExportRecordUpdate,
    *,
    recheck_item: Callable[[Session, Item], object],
) -> ExportRecord:
    """Apply a PATCH; the rules are checked on the stored record merged with the changes.

    ``recheck_item`` is the items' rule that an export-ready item still meets its trip
    (``items.recheck_export``), passed in by the caller: the items' service reads export
    records, so this one does not import it."""
    sent = changes.model_dump(exclude_unset=True)
    merged = {**record.model_dump(), **sent}
    errors = record_problems(merged)
    if errors:
        raise InvalidInput(errors)
    if "mrn" in sent:
        _check_mrn_free(session, sent["mrn"], record.id)
    if sent.get("export_plate"):
        item = session.get(Item, record.item_id)
        assert item is not None  # the foreign key guarantees it
        _check_plate_allowed(item, sent["export_plate"])
    apply_changes(record, changes)
    session.flush()
    # An export-ready item must still meet its trip with the changed data (plates shortened,
    # insurance cut): otherwise it goes back to certified, with the reason recorded.
    item = session.get(Item, record.item_id)
    assert item is not None  # the foreign key guarantees it
    recheck_item(session, item)
    return record


def search(
    session: Session,
    *,
    q: str | None,
    item_id: int | None,
    customs_office_code: str | None,
    has_mrn: bool | None,
    exit_confirmed: bool | None,
    sort: str,
    cursor: str | None,
    limit: int,
    visible: ColumnElement[bool] | None = None,
) -> tuple[Sequence[ExportRecord], str | None]:
    stmt = select(ExportRecord)
    if visible is not None:  # the caller's row-level view (app.auth.visibility)
        stmt = stmt.where(visible)
    if q:
        pattern = like(q)
        stmt = stmt.where(
            or_(
                func.lower(func.coalesce(ExportRecord.mrn, "")).like(pattern, escape="\\"),
                func.lower(func.coalesce(ExportRecord.export_plate, "")).like(pattern, escape="\\"),
                func.lower(func.coalesce(ExportRecord.insurer, "")).like(pattern, escape="\\"),
            )
        )
    if item_id is not None:
        stmt = stmt.where(ExportRecord.item_id == item_id)
    if customs_office_code:
        stmt = stmt.where(ExportRecord.customs_office_code == customs_office_code.strip().upper())
    if has_mrn is not None:
        mrn = col(ExportRecord.mrn)
        stmt = stmt.where(mrn.is_not(None) if has_mrn else mrn.is_(None))
    if exit_confirmed is not None:
        confirmed = col(ExportRecord.exit_confirmed_on)
        stmt = stmt.where(confirmed.is_not(None) if exit_confirmed else confirmed.is_(None))
    return keyset_page(
        session,
        stmt,
        id_column=col(ExportRecord.id),
        sort=sort,
        sortable=SORTABLE,
        cursor=cursor,
        limit=limit,
    )
