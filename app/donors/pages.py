"""Donors as pages: the register, a donor with its history, the forms."""

from collections.abc import Sequence
from typing import Any

from sqlmodel import Session

from app.auth.service import Principal
from app.core.types import utcnow
from app.documents import donor_report
from app.donors import service
from app.donors.models import Donor
from app.donors.schemas import DonorCreate, DonorUpdate
from app.registers.pages import Register, routes
from app.web.i18n import N_


def _search(
    session: Session,
    _principal: Principal,
    q: str | None,
    cursor: str | None,
    _filters: dict[str, str],
) -> tuple[Sequence[Donor], str | None]:
    return service.search(
        session, q=q, kind=None, country=None, sort="name", cursor=cursor, limit=50
    )


def _details(session: Session, donor: Any) -> dict[str, Any]:
    return {
        "links": donor_report.links(session, donor.id),
        "shared_url": None,
        "shared_until": None,
        "now": utcnow(),  # which links have expired
    }


DONORS = Register(
    path="donors",
    entity="donor",
    title=N_("Donors"),
    singular=N_("Donor"),
    operations={
        "list": "list_donors",
        "get": "get_donor",
        "create": "create_donor",
        "update": "update_donor",
    },
    create_schema=DonorCreate,
    update_schema=DonorUpdate,
    labels={
        "name": N_("Name"),
        "kind": N_("Kind"),
        "contact_name": N_("Contact person"),
        "contact_email": N_("Email"),
        "contact_phone": N_("Phone"),
        "street": N_("Street"),
        "postal_code": N_("Postal code"),
        "city": N_("City"),
        "region": N_("Region"),
        "country": N_("Country (two letters)"),
    },
    columns=[("name", N_("Name")), ("city", N_("City")), ("kind", N_("Kind"))],
    get=service.get,
    create=service.create,
    update=service.update,
    search=_search,
    details=_details,
    detail_template="donors/donor.html",
)

router = routes(DONORS)
