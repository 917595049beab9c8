"""The organisation as a page: the one record, its history, the admin's form."""

from collections.abc import Sequence

from sqlmodel import Session

from app.auth.service import Principal
from app.organisation import service
from app.organisation.models import Organisation
from app.organisation.schemas import OrganisationCreate, OrganisationUpdate
from app.registers.pages import Register, routes
from app.web.i18n import N_


def _search(
    session: Session,
    _principal: Principal,
    _q: str | None,
    _cursor: str | None,
    _filters: dict[str, str],
) -> tuple[Sequence[Organisation], str | None]:
    found = service.current(session)
    return ([found] if found else []), None


ORGANISATION = Register(
    path="organisation",
    entity="organisation",
    title=N_("Organisation"),
    singular=N_("Organisation"),
    operations={
        "list": "get_organisation",
        "get": "get_organisation",
        "create": "create_organisation",
        "update": "update_organisation",
    },
    create_schema=OrganisationCreate,
    update_schema=OrganisationUpdate,
    labels={
        "name": N_("Name"),
        "legal_form": N_("Legal form"),
        "street": N_("Street and number"),
        "postal_code": N_("Postal code"),
        "city": N_("City"),
        "country": N_("Country (two letters)"),
        "register_court": N_("Register court"),
        "register_number": N_("Register number"),
        "contact_name": N_("Contact person"),
        "contact_phone": N_("Phone"),
        "contact_email": N_("Email"),
    },
    columns=[
        ("name", N_("Name")),
        ("city", N_("City")),
        ("register_number", N_("Register number")),
    ],
    get=service.get,
    create=service.create,
    update=service.update,
    search=_search,
)

router = routes(ORGANISATION)
