"""Items as pages: the register with search and filters, an item with its cargo, papers and
history, the lifecycle actions (a refusal lists every reason), and the forms."""

from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import Form, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlmodel import Session, col, select

from app.auth.deps import require_version
from app.auth.service import Principal
from app.certificates import service as certificates
from app.convoys import service as convoys
from app.convoys import trip as trips
from app.convoys.models import Convoy, ConvoyItem
from app.core.database import SessionDep
from app.core.errors import DomainError, InvalidInput, NotFound, PreconditionFailed
from app.core.i18n import _
from app.destinations import service as destinations
from app.donors.models import Donor
from app.exports import service as exports
from app.imports import offers
from app.imports import pages as import_pages
from app.items import service
from app.items.lifecycle import TRANSITIONS, Action
from app.items.models import CargoCategory, Item, ItemCategory, ItemStatus, Packing
from app.items.schemas import (
    CargoLineCreate,
    CargoLineUpdate,
    ExportReadyRequest,
    ItemCreate,
    ItemUpdate,
    WithdrawRequest,
)
from app.registers.pages import VERSION_FIELD, Register, routes
from app.web import forms
from app.web.forms import SubmittedForm
from app.web.i18n import N_
from app.web.pages import PagePrincipalDep

STATUS_WORDS = {
    "offered": N_("offered"),
    "accepted": N_("accepted"),
    "allocated": N_("allocated"),
    "certified": N_("certified"),
    "export_ready": N_("export-ready"),
    "in_convoy": N_("in a convoy"),
    "delivered": N_("delivered"),
    "withdrawn": N_("withdrawn"),
}
# The actions a page offers, by the name in its URL: the lifecycle action and its operation.
ACTIONS = {
    "accept": (Action.accept, "accept_item", N_("Accept")),
    "allocate": (Action.allocate, "allocate_item", N_("Allocate")),
    "certify": (Action.certify, "certify_item", N_("Certify")),
    "mark-export-ready": (Action.mark_export_ready, "mark_item_export_ready", N_("Export-ready")),
    "withdraw": (Action.withdraw, "withdraw_item", N_("Withdraw")),
}


def _enum(value: str | None, kind: type[Any]) -> Any:
    try:
        return kind(value) if value else None
    except ValueError:
        return None


def _search(
    session: Session,
    _principal: Principal,
    q: str | None,
    cursor: str | None,
    filters: dict[str, str],
) -> tuple[Sequence[Item], str | None]:
    return service.search(
        session,
        q=q,
        status=_enum(filters.get("status"), ItemStatus),
        category=_enum(filters.get("category"), ItemCategory),
        kind=None,
        donor_id=forms.record_id("donor_id", filters.get("donor_id")),
        destination_id=forms.record_id("destination_id", filters.get("destination_id")),
        sort="name",
        cursor=cursor,
        limit=50,
    )


def _names(session: Session) -> dict[str, list[tuple[str, str]]]:
    donors = session.exec(select(Donor.id, Donor.name).order_by(col(Donor.name))).all()
    return {
        "donor_id": [(str(i), n) for i, n in donors],
        "destination_id": destinations.choices(session),
    }


def _list_context(session: Session) -> dict[str, Any]:
    return {"choices": _names(session), "statuses": STATUS_WORDS}


def _certificates_for(session: Session, item: Item) -> list[tuple[str, str]]:
    """The certificates the item could be added to: those naming its destination, newest
    first (whether one still holds is the service's rule, said when it is chosen)."""
    if item.destination_id is None:
        return []
    rows, _next = certificates.search(
        session,
        q=None,
        destination_id=item.destination_id,
        item_id=None,
        sort="-issued_on",
        cursor=None,
        limit=50,
    )
    return [(str(c.id), f"{c.number} ({c.issued_on.isoformat()})") for c in rows]


def _trip_of(session: Session, convoy: Convoy | None) -> dict[str, str]:
    """The convoy's first and last day, as the export-ready form starts with them."""
    if convoy is None or convoy.id is None:
        return {}
    shape = trips.of(convoy, convoys.legs_of(session, convoy.id))
    return {
        "plates_valid_until": shape.handover.day.isoformat(),
        "trip_starts_on": shape.departure.day.isoformat(),
    }


def _details(session: Session, item: Item) -> dict[str, Any]:
    assert item.id is not None
    on_convoy = session.exec(
        select(Convoy)
        .join(ConvoyItem, col(ConvoyItem.convoy_id) == col(Convoy.id))
        .where(ConvoyItem.item_id == item.id)
    ).first()
    rows, _ = service.search_cargo(
        session, item, q=None, category=None, sort="id", cursor=None, limit=200
    )
    return {
        "item": service.read(session, item),
        "cargo": rows,
        "certificates": certificates.covering(session, [item.id]).get(item.id, []),
        "export_record": exports.record_for_item(session, item.id),
        "status_words": STATUS_WORDS,
        "actions": {
            name: label
            for name, (action, _, label) in ACTIONS.items()
            if item.status in TRANSITIONS[action].sources
        },
        "destinations": _names(session)["destination_id"],
        "cargo_labels": CARGO_LABELS,
        "cargo_choices": CARGO_CHOICES,
        "on_convoy": on_convoy,
        "certificate_choices": _certificates_for(session, item),
        "trip": _trip_of(session, on_convoy),
    }


ITEMS = Register(
    path="items",
    entity="item",
    title=N_("Items"),
    singular=N_("Item"),
    operations={
        "list": "list_items",
        "get": "get_item",
        "create": "create_item",
        "update": "update_item",
    },
    create_schema=ItemCreate,
    update_schema=ItemUpdate,
    labels={
        "category": N_("Category"),
        "kind": N_("Kind"),
        "name": N_("Name"),
        "name_uk": N_("Name in Ukrainian"),
        "description": N_("Description"),
        "donor_id": N_("Donor"),
        "declared_value_cents": N_("Declared value (EUR)"),
        "weight_kg": N_("Own weight (kg)"),
        "condition": N_("Condition"),
        "hs_code": N_("HS code"),
        "serial_number": N_("Serial number"),
        "make": N_("Make"),
        "model": N_("Model"),
        "vin": N_("VIN"),
        "year": N_("Year"),
        "gross_weight_kg": N_("Permissible gross weight (kg)"),
        "seats": N_("Seats"),
        "registration_papers_held": N_("Registration papers held"),
        "trailer_type": N_("Trailer"),
        "trailer_registration": N_("Trailer registration"),
        "trailer_permissible_weight_kg": N_("Trailer permissible weight (kg)"),
        "destination_id": N_("Earmarked for"),
    },
    columns=[
        ("name", N_("Name")),
        ("status", N_("Status")),
        ("category", N_("Category")),
        ("vin", N_("VIN")),
    ],
    get=service.get,
    create=service.create,
    update=service.update,
    search=_search,
    choices=_names,
    details=_details,
    detail_template="items/item.html",
    list_template="items/register.html",
    list_context=_list_context,
    search_hint=N_("Name, make, model or VIN"),
)

router = routes(ITEMS)

# The inputs of the form that loads a cargo line onto a vehicle, as the API takes them.
CARGO_LABELS = {
    "description": N_("Description"),
    "description_uk": N_("Description in Ukrainian"),
    "quantity": N_("Quantity"),
    "unit": N_("Unit"),
    "packing": N_("Packing"),
    "marks": N_("Marks and numbers"),
    "weight_kg": N_("Weight (kg)"),
    "value_cents": N_("Value (EUR)"),
    "category": N_("Category"),
    "hs_code": N_("HS code"),
}
CARGO_CHOICES = {
    "packing": [(p.value, p.value.replace("_", " ")) for p in Packing],
    "category": [(c.value, c.value) for c in CargoCategory],
}


@router.post("/items/{item_id}/cargo", response_model=None)
def add_cargo(
    request: Request,
    item_id: int,
    form: SubmittedForm,
    session: SessionDep,
    principal: PagePrincipalDep,
) -> Response:
    """A cargo line loaded from the item's page, through the API's schema and service;
    refused, the page names each field beside its input and keeps what was typed."""
    ITEMS.admit(principal, "create_cargo_line")
    typed = {name: str(form.get(name) or "").strip() for name in CARGO_LABELS}
    item = service.get(session, item_id)
    try:
        values: dict[str, object] = {k: v for k, v in typed.items() if v}
        values["value_cents"] = forms.cents("value_cents", typed["value_cents"])
        data = CargoLineCreate.model_validate({k: v for k, v in values.items() if v is not None})
        service.add_cargo_line(session, item, data)
        session.flush()
    except (ValidationError, DomainError) as exc:
        problems = forms.field_errors(exc)
        if not problems:
            raise
        session.rollback()
        status_code = exc.status_code if isinstance(exc, DomainError) else 422
        return ITEMS.record_page(
            request,
            session,
            principal,
            item_id,
            problems=problems,
            status_code=status_code,
            extra={"typed_cargo": typed},
        )
    return RedirectResponse(f"/items/{item_id}#cargo-heading", status_code=303)


@router.post("/items/{item_id}/actions/{item_action}", response_model=None)
def act(
    request: Request,
    item_id: int,
    item_action: str,
    session: SessionDep,
    principal: PagePrincipalDep,
    destination_id: Annotated[str | None, Form()] = None,
    plates_valid_until: Annotated[str | None, Form()] = None,
    trip_starts_on: Annotated[str | None, Form()] = None,
    reason: Annotated[str | None, Form()] = None,
    version: Annotated[str | None, Form(alias=VERSION_FIELD)] = None,
    back: Annotated[str | None, Form()] = None,
) -> Response:
    """One lifecycle action through the same service call as the API; refused, the item's
    page lists every reason (409), or names the field (422). Sent from a page loaded before
    someone else changed the item (``version``), it is refused (412): allocating again would
    move the item away from where they just put it."""
    action = item_action
    if action not in ACTIONS:
        return Response(status_code=404)
    _action, operation, _label = ACTIONS[action]
    ITEMS.admit(principal, operation)
    item = service.get(session, item_id)
    typed = {
        "destination_id": destination_id or "",
        "plates_valid_until": plates_valid_until or "",
        "reason": reason or "",
    }
    try:
        require_version(request, item, version)
    except PreconditionFailed:
        said = _(
            "Someone else changed this item after you opened the page: nothing was done. It "
            "is shown as it is now, with your input kept in the form; try again if it still "
            "applies."
        )
        return ITEMS.record_page(
            request,
            session,
            principal,
            item_id,
            problems={"": said},
            status_code=PreconditionFailed.status_code,
            extra={"typed_action": typed},
        )
    try:
        if action == "accept":
            service.accept(session, item)
        elif action == "allocate":
            target = forms.record_id("destination_id", destination_id)
            if target is None:
                raise ValidationError.from_exception_data(
                    "AllocateRequest",
                    [{"type": "missing", "loc": ("destination_id",), "input": destination_id}],
                )
            service.allocate(session, item, target, None)
        elif action == "certify":
            service.certify(session, item)
        elif action == "mark-export-ready":
            data = ExportReadyRequest.model_validate(
                {
                    "plates_valid_until": plates_valid_until or None,
                    "trip_starts_on": trip_starts_on or None,
                }
            )
            service.mark_export_ready(session, item, data.plates_valid_until, data.trip_starts_on)
        else:
            data_w = WithdrawRequest.model_validate({"reason": reason or ""})
            service.withdraw(session, item, data_w.reason)
        session.flush()
    except (ValidationError, DomainError) as exc:
        problems = forms.field_errors(exc)
        if not problems:
            raise
        session.rollback()
        status_code = exc.status_code if isinstance(exc, DomainError) else 422
        return ITEMS.record_page(
            request,
            session,
            principal,
            item_id,
            problems=problems,
            status_code=status_code,
            extra={"typed_action": typed},
        )
    return RedirectResponse(forms.back_or(back, f"/items/{item_id}"), status_code=303)


@router.post("/items/{item_id}/certificate", response_model=None)
def add_to_certificate(
    request: Request,
    item_id: int,
    session: SessionDep,
    principal: PagePrincipalDep,
    certificate_id: Annotated[str | None, Form()] = None,
    export_ready: Annotated[str | None, Form()] = None,
    plates_valid_until: Annotated[str | None, Form()] = None,
    trip_starts_on: Annotated[str | None, Form()] = None,
    back: Annotated[str | None, Form()] = None,
) -> Response:
    """The item added to a certificate of its utility and, being allocated, certified: the
    two calls the API makes (add_certificate_items, certify_item), by the same services, in
    one transaction; refused, the page says why and nothing is kept."""
    ITEMS.admit(principal, "add_certificate_items")
    item = service.get(session, item_id)
    try:
        chosen = forms.record_id("certificate_id", certificate_id)
        if chosen is None:
            raise InvalidInput([("certificate_id", _("choose a certificate"))])
        certificates.add_items(session, certificates.get(session, chosen), [item_id])
        if item.status == ItemStatus.allocated:
            ITEMS.admit(principal, "certify_item")
            service.certify(session, item)
            if export_ready:  # for the convoy it is loaded on: the trip's days
                ITEMS.admit(principal, "mark_item_export_ready")
                data = ExportReadyRequest.model_validate(
                    {
                        "plates_valid_until": plates_valid_until or None,
                        "trip_starts_on": trip_starts_on or None,
                    }
                )
                service.mark_export_ready(
                    session, item, data.plates_valid_until, data.trip_starts_on
                )
        session.flush()
    except (ValidationError, DomainError) as exc:
        problems = forms.field_errors(exc)
        if not problems:
            raise
        session.rollback()
        status_code = exc.status_code if isinstance(exc, DomainError) else 422
        return ITEMS.record_page(
            request, session, principal, item_id, problems=problems, status_code=status_code
        )
    return RedirectResponse(
        forms.back_or(back, f"/items/{item_id}#actions-heading"), status_code=303
    )


# A donation offer from a spreadsheet: checked first, then recorded whole.
imports_router = import_pages.routes(
    import_pages.SheetImport(
        register="items",
        register_title=N_("Items"),
        title=N_("Import a donation offer"),
        intro=N_(
            "An XLSX or CSV file with the columns of the template: one row per vehicle or "
            "piece of equipment (row_type item, the donor by name), and one row per cargo "
            "line on a vehicle (row_type cargo, the vehicle by its VIN). Check it first: "
            "every bad row is named with its column. The import records every row or none, "
            "and never an item twice."
        ),
        operation="import_offer",
        template_operation="get_offer_template",
        run=offers.run,
        template=offers.template,
        template_name="konvoi-offer-template",
    )
)


def _line_of(session: Session, item_id: int, cargo_id: int) -> Any:
    line = service.get_cargo_line(session, cargo_id)
    if line.vehicle_id != item_id:
        raise NotFound(N_("Cargo line"), cargo_id)
    return line


@router.post("/items/{item_id}/cargo/{cargo_id}/edit", response_model=None)
def change_cargo(
    request: Request,
    item_id: int,
    cargo_id: int,
    form: SubmittedForm,
    session: SessionDep,
    principal: PagePrincipalDep,
) -> Response:
    """A cargo line changed (a quantity, a weight), through the API's schema and service;
    only the fields typed differently are sent."""
    ITEMS.admit(principal, "update_cargo_line")
    line = _line_of(session, item_id, cargo_id)
    typed = {name: str(form.get(name) or "").strip() for name in CARGO_LABELS if name in form}
    try:
        now = service.read_cargo_line(line).model_dump(mode="json")
        changed: dict[str, object] = {
            k: v for k, v in typed.items() if k != "value_cents" and v != str(now.get(k) or "")
        }
        if "value_cents" in typed:  # typed in euros, the reader's way
            amount = forms.cents("value_cents", typed["value_cents"])
            if amount != now["value_cents"]:
                changed["value_cents"] = amount
        service.update_cargo_line(session, line, CargoLineUpdate.model_validate(changed))
        session.flush()
    except (ValidationError, DomainError) as exc:
        problems = forms.field_errors(exc)
        if not problems:
            raise
        session.rollback()
        status_code = exc.status_code if isinstance(exc, DomainError) else 422
        return ITEMS.record_page(
            request, session, principal, item_id, problems=problems, status_code=status_code
        )
    return RedirectResponse(f"/items/{item_id}#cargo-heading", status_code=303)


@router.post("/items/{item_id}/cargo/{cargo_id}/delete", response_model=None)
def remove_cargo(
    item_id: int, cargo_id: int, session: SessionDep, principal: PagePrincipalDep
) -> Response:
    """A cargo line taken off the vehicle, after a confirmation on the page."""
    ITEMS.admit(principal, "delete_cargo_line")
    service.delete_cargo_line(session, _line_of(session, item_id, cargo_id))
    return RedirectResponse(f"/items/{item_id}#cargo-heading", status_code=303)
