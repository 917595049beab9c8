"""Usage certificates (Verwendungsnachweise) as pages: the register, a certificate with the
items it covers and its history, the forms. The coverage rules are the service's."""

from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import Form, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlmodel import Session, col, select

from app.auth.service import Principal
from app.certificates import service
from app.certificates.models import UsageCertificate
from app.certificates.schemas import CertificateCreate, CertificateUpdate
from app.core.database import SessionDep
from app.core.errors import DomainError, InvalidInput
from app.core.i18n import _
from app.destinations import service as destinations
from app.items.models import Item, ItemStatus
from app.registers.pages import Register, routes
from app.web import forms
from app.web.i18n import N_
from app.web.pages import PagePrincipalDep

# Items a certificate can cover: allocated to a utility and not gone.
_COVERABLE = (
    ItemStatus.allocated,
    ItemStatus.certified,
    ItemStatus.export_ready,
    ItemStatus.in_convoy,
)


def _search(
    session: Session,
    _principal: Principal,
    q: str | None,
    cursor: str | None,
    _filters: dict[str, str],
) -> tuple[Sequence[UsageCertificate], str | None]:
    return service.search(
        session, q=q, destination_id=None, item_id=None, sort="-issued_on", cursor=cursor, limit=50
    )


def _choices(session: Session) -> dict[str, list[tuple[str, str]]]:
    places = destinations.choices(session)
    names = dict(places)
    items = session.exec(
        select(Item.id, Item.name, Item.destination_id)
        .where(col(Item.status).in_(_COVERABLE))
        .order_by(col(Item.name))
    ).all()
    return {
        "destination_id": places,
        "item_ids": [(str(i), f"{n} → {names.get(str(d), '–')}") for i, n, d in items],
    }


def _details(session: Session, certificate: Any) -> dict[str, Any]:
    ids = service.read(session, certificate).item_ids
    covered = session.exec(select(Item).where(col(Item.id).in_(ids))).all() if ids else []
    # What could be added: the utility's items not on this certificate yet.
    addable = session.exec(
        select(Item)
        .where(
            col(Item.destination_id) == certificate.destination_id,
            col(Item.status).in_(_COVERABLE),
            col(Item.id).not_in(ids) if ids else col(Item.id).is_not(None),
        )
        .order_by(col(Item.name))
    ).all()
    return {"covered": covered, "addable": addable}


CERTIFICATES = Register(
    path="certificates",
    entity="usage_certificate",
    title=N_("Usage certificates"),
    singular=N_("Usage certificate"),
    operations={
        "list": "list_certificates",
        "get": "get_certificate",
        "create": "create_certificate",
        "update": "update_certificate",
    },
    create_schema=CertificateCreate,
    update_schema=CertificateUpdate,
    labels={
        "number": N_("Number"),
        "destination_id": N_("Utility"),
        "intended_use": N_("Intended use"),
        "intended_use_uk": N_("Intended use in Ukrainian"),
        "issued_on": N_("Issued on"),
        "issuer": N_("Issued by"),
        "valid_until_on": N_("Valid until"),
        "item_ids": N_("Items covered"),
    },
    columns=[
        ("number", N_("Number")),
        ("issued_on", N_("Issued on")),
        ("valid_until_on", N_("Valid until")),
        ("issuer", N_("Issued by")),
    ],
    get=service.get,
    create=service.create,
    update=service.update,
    search=_search,
    choices=_choices,
    details=_details,
    detail_template="certificates/certificate.html",
    search_hint=N_("Number, issuer or use"),
)

router = routes(CERTIFICATES)


@router.post("/certificates/{certificate_id}/items", response_model=None)
def add_items(
    request: Request,
    certificate_id: int,
    session: SessionDep,
    principal: PagePrincipalDep,
    item_id: Annotated[list[str] | None, Form()] = None,
) -> Response:
    """Further items onto an existing certificate, by the API's service (add_items);
    refused, the certificate's page says why and nothing is kept."""
    CERTIFICATES.admit(principal, "add_certificate_items")
    certificate = service.get(session, certificate_id)
    try:
        chosen = [forms.record_id("item_id", value) for value in item_id or []]
        wanted = [i for i in chosen if i is not None]
        if not wanted:
            raise InvalidInput([("item_id", _("tick at least one item"))])
        service.add_items(session, certificate, wanted)
        session.flush()
    except (ValidationError, DomainError) as exc:
        problems = forms.field_errors(exc)
        if not problems:
            raise
        session.rollback()
        status_code = exc.status_code if isinstance(exc, DomainError) else 422
        return CERTIFICATES.record_page(
            request, session, principal, certificate_id, problems=problems, status_code=status_code
        )
    return RedirectResponse(f"/certificates/{certificate_id}#covered-heading", status_code=303)


@router.post("/certificates/{certificate_id}/items/{item_id}/remove", response_model=None)
def remove_item(
    certificate_id: int,
    item_id: int,
    session: SessionDep,
    principal: PagePrincipalDep,
) -> Response:
    """An item taken off the certificate (it names the wrong vehicle), by the API's service."""
    CERTIFICATES.admit(principal, "remove_certificate_item")
    service.remove_item(session, service.get(session, certificate_id), item_id)
    return RedirectResponse(f"/certificates/{certificate_id}#covered-heading", status_code=303)
