"""Drivers as pages: the register, a driver with licences, availability and history."""

from collections.abc import Sequence
from typing import Any

from sqlmodel import Session

from app.auth.service import Principal
from app.drivers import service
from app.drivers.models import Driver
from app.drivers.schemas import DriverCreate, DriverUpdate
from app.web.i18n import N_
from app.web.register import Register, routes


def _search(
    session: Session,
    _principal: Principal,
    q: str | None,
    cursor: str | None,
    _filters: dict[str, str],
) -> tuple[Sequence[Driver], str | None]:
    return service.search(
        session, q=q, licence_class=None, available_on=None, sort="name", cursor=cursor, limit=50
    )


def _details(session: Session, driver: Any) -> dict[str, Any]:
    return {"driver": service.read(session, driver)}


DRIVERS = Register(
    path="drivers",
    entity="driver",
    title=N_("Drivers"),
    singular=N_("Driver"),
    operations={
        "list": "list_drivers",
        "get": "get_driver",
        "create": "create_driver",
        "update": "update_driver",
    },
    create_schema=DriverCreate,
    update_schema=DriverUpdate,
    labels={
        "name": N_("Name"),
        "date_of_birth": N_("Date of birth"),
        "phone": N_("Phone"),
        "email": N_("Email"),
        "emergency_contact_name": N_("Emergency contact"),
        "emergency_contact_phone": N_("Emergency contact's phone"),
        "notes": N_("Notes"),
    },
    columns=[("name", N_("Name")), ("phone", N_("Phone"))],
    get=service.get,
    create=service.create,
    update=service.update,
    search=_search,
    details=_details,
    detail_template="drivers/driver.html",
)

router = routes(DRIVERS)
