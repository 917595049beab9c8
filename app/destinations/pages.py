"""Destinations (the receiving utilities) as pages."""

from collections.abc import Sequence
from typing import Any

from sqlmodel import Session, col, select

from app.auth.service import Principal
from app.convoys.models import Convoy, ConvoyItem
from app.destinations import service
from app.destinations.models import Destination
from app.destinations.schemas import DestinationCreate, DestinationUpdate
from app.items.models import Item
from app.registers.pages import Register, routes
from app.web.i18n import N_


def _search(
    session: Session,
    _principal: Principal,
    q: str | None,
    cursor: str | None,
    _filters: dict[str, str],
) -> tuple[Sequence[Destination], str | None]:
    return service.search(session, q=q, oblast=None, sort="name", cursor=cursor, limit=50)


def _details(session: Session, destination: Any) -> dict[str, Any]:
    """The convoys bringing it something: their handover acts and usage forms."""
    convoys = session.exec(
        select(Convoy)
        .join(ConvoyItem, col(ConvoyItem.convoy_id) == col(Convoy.id))
        .join(Item, col(Item.id) == col(ConvoyItem.item_id))
        .where(Item.destination_id == destination.id)
        .distinct()
        .order_by(col(Convoy.planned_departure_at))
    ).all()
    return {"convoys": convoys}


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
        "street": N_("Street and number"),
        "street_uk": N_("Street and number in Ukrainian"),
        "postal_code": N_("Postal code"),
        "city": N_("City"),
        "city_uk": N_("City in Ukrainian"),
        "oblast": N_("Oblast"),
        "oblast_uk": N_("Oblast in Ukrainian"),
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
    details=_details,
    detail_template="destinations/destination.html",
)

router = routes(DESTINATIONS)
