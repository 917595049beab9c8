"""Usage certificates (Verwendungsnachweise) as pages: the register, a certificate with the
items it covers and its history, the forms. The coverage rules are the service's."""

from collections.abc import Sequence
from typing import Any

from sqlmodel import Session, col, select

from app.auth.service import Principal
from app.certificates import service
from app.certificates.models import UsageCertificate
from app.certificates.schemas import CertificateCreate, CertificateUpdate
from app.destinations import service as destinations
from app.items.models import Item, ItemStatus
from app.registers.pages import Register, routes
from app.web.i18n import N_

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
    return {"covered": covered}


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
