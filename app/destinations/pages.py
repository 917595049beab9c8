"""Destinations (the receiving utilities) as pages."""

from collections.abc import Sequence

from sqlmodel import Session

from app.auth.service import Principal
from app.destinations import service
from app.destinations.models import Destination
from app.destinations.schemas import DestinationCreate, DestinationUpdate
from app.web.i18n import N_
from app.web.register import Register, routes


def _search(
    session: Session,
    _principal: Principal,
    q: str | None,
    cursor: str | None,
    _filters: dict[str, str],
) -> tuple[Sequence[Destination], str | None]:
    return service.search(session, q=q, oblast=None, sort="name", cursor=cursor, limit=50)


DESTINATIONS = Register(
    path="destinations",
    entity="destination",
    title=N_("Destinations"),
    singular=N_("Destination"),
    operations={
        "list": "list_destinations",
        "get": "get_destination",
        "create": "create_destination",
        "update": "update_destination",
    },
    create_schema=DestinationCreate,
    update_schema=DestinationUpdate,
    labels={
        "name": N_("Name"),
        "name_uk": N_("Name in Ukrainian"),
        "city": N_("City"),
        "oblast": N_("Oblast"),
        "edrpou": N_("EDRPOU"),
        "contact_name": N_("Contact person"),
        "contact_phone": N_("Phone"),
        "contact_email": N_("Email"),
    },
    columns=[("name", N_("Name")), ("city", N_("City")), ("edrpou", N_("EDRPOU"))],
    get=service.get,
    create=service.create,
    update=service.update,
    search=_search,
)

router = routes(DESTINATIONS)
