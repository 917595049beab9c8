"""Export records as pages: the customs data of an item (office, MRN, export plates,
insurance, inspection, exit confirmation), the register, a record with its history, the forms.
A change the item's export-readiness depends on is re-checked by the service, as on the API."""

from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session, col, select

from app.auth.service import Principal
from app.core.database import SessionDep
from app.exports import service
from app.exports.models import ExportRecord
from app.exports.schemas import ExportRecordCreate, ExportRecordUpdate
from app.items import service as items
from app.items.models import Item, ItemStatus
from app.registers.pages import Register, routes
from app.web import forms
from app.web.i18n import N_
from app.web.pages import PagePrincipalDep

_CLOSED = (ItemStatus.delivered, ItemStatus.withdrawn)


def _search(
    session: Session,
    _principal: Principal,
    q: str | None,
    cursor: str | None,
    _filters: dict[str, str],
) -> tuple[Sequence[ExportRecord], str | None]:
    return service.search(
        session,
        q=q,
        item_id=None,
        customs_office_code=None,
        has_mrn=None,
        exit_confirmed=None,
        sort="-created_at",
        cursor=cursor,
        limit=50,
    )


def _choices(session: Session) -> dict[str, list[tuple[str, str]]]:
    """Items that can get export data: not gone, and without a record of their own yet (the
    form of an existing record does not offer the item: it is fixed)."""
    recorded = select(ExportRecord.item_id)
    items = session.exec(
        select(Item.id, Item.name)
        .where(col(Item.status).not_in(_CLOSED), col(Item.id).not_in(recorded))
        .order_by(col(Item.name))
    ).all()
    return {"item_id": [(str(i), n) for i, n in items]}


def _details(session: Session, record: Any) -> dict[str, Any]:
    return {"item": session.get(Item, record.item_id)}


def _update(session: Session, record: ExportRecord, changes: ExportRecordUpdate) -> ExportRecord:
    return service.update(session, record, changes, recheck_item=items.recheck_export)


EXPORT_RECORDS = Register(
    path="export-records",
    entity="export_record",
    title=N_("Export records"),
    singular=N_("Export record"),
    operations={
        "list": "list_export_records",
        "get": "get_export_record",
        "create": "create_export_record",
        "update": "update_export_record",
    },
    create_schema=ExportRecordCreate,
    update_schema=ExportRecordUpdate,
    labels={
        "item_id": N_("Item"),
        "customs_office_code": N_("Export customs office"),
        "mrn": N_("MRN"),
        "export_plate": N_("Export plate"),
        "plate_valid_from_on": N_("Plate valid from"),
        "plate_valid_to_on": N_("Plate valid until"),
        "insurer": N_("Insurer"),
        "insurance_until_on": N_("Insured until"),
        "inspection_due_on": N_("Inspection (HU) due"),
        "exit_confirmed_on": N_("Exit confirmed on"),
        "humanitarian_aid": N_("Declared as humanitarian aid"),
    },
    columns=[
        ("export_plate", N_("Export plate")),
        ("mrn", N_("MRN")),
        ("plate_valid_to_on", N_("Plate valid until")),
        ("exit_confirmed_on", N_("Exit confirmed on")),
    ],
    get=service.get,
    create=service.create,
    update=_update,
    search=_search,
    choices=_choices,
    details=_details,
    detail_template="exports/export_record.html",
    search_hint=N_("MRN, plate or insurer"),
)

router = routes(EXPORT_RECORDS)


@router.get("/export-records/for-item/{item_id}", response_model=None)
def for_item(
    item_id: int, session: SessionDep, principal: PagePrincipalDep, back: str | None = None
) -> Response:
    """The form that fixes an item's export data: its record's edit form, or a new record for
    the item (where a readiness finding about plates, insurance or inspection leads)."""
    EXPORT_RECORDS.admit(principal, "update_export_record")
    items.get(session, item_id)
    record = service.record_for_item(session, item_id)
    going_back = urlencode({"back": back}) if back and forms.back_or(back, "") else ""
    if record is None:
        link = f"/export-records/new?item_id={item_id}&{going_back}".rstrip("&")
        return RedirectResponse(link, status_code=303)
    return RedirectResponse(
        f"/export-records/{record.id}/edit?{going_back}".rstrip("?"), status_code=303
    )
