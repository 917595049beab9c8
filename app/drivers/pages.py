"""Drivers as pages: the register, a driver with licences, availability and history."""

from collections.abc import Callable, Sequence
from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlmodel import Session
from starlette.datastructures import FormData

from app.auth.deps import require_version
from app.auth.service import Principal
from app.core.database import SessionDep
from app.core.errors import DomainError, PreconditionFailed
from app.core.i18n import _
from app.core.identifiers import LicenceClass
from app.drivers import service
from app.drivers.models import Driver
from app.drivers.schemas import DriverCreate, DriverUpdate
from app.registers.pages import VERSION_FIELD, Register, routes
from app.web import forms
from app.web.forms import SubmittedForm
from app.web.i18n import N_
from app.web.pages import PagePrincipalDep


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
    shown = service.read(session, driver)
    held = {lic.licence_class.value: lic.expires_on.isoformat() for lic in shown.licences}
    classes = [c.value for c in LicenceClass]
    return {
        "driver": shown,
        "classes": classes,
        "licence_inputs": [f"expires_{c}" for c in classes],
        "held": held,
        "held_until": {lic.licence_class.value: lic.expires_on for lic in shown.licences},
    }


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


# --- licences and availability: the lists the API replaces whole, edited on the driver's page


def _saved_or_refused(
    request: Request,
    session: Session,
    principal: Principal,
    driver_id: int,
    changes: dict[str, Any],
    errors_under: Callable[[str], str],
    form: FormData,
    typed: dict[str, Any],
) -> Response:
    """Save the new lists through the service; refused, the driver's page names the field and
    keeps what was typed (``typed``: the page's inputs as the form sent them).

    The lists are replaced whole: a form loaded before someone else changed them would undo
    that change, so it is refused (412) with the lists as saved now shown."""
    DRIVERS.admit(principal, "update_driver")
    driver = DRIVERS.fetch(session, principal, driver_id)
    try:
        require_version(request, driver, str(form.get(VERSION_FIELD, "")) or None)
        service.update(session, driver, DriverUpdate.model_validate(changes))
        session.flush()
    except PreconditionFailed:
        session.rollback()
        said = _(
            "Someone else changed this driver after you opened the page: nothing was saved. "
            "The licences and days saved now are shown; your input is kept in the form."
        )
        return DRIVERS.record_page(
            request,
            session,
            principal,
            driver_id,
            problems={"": said},
            status_code=PreconditionFailed.status_code,
            extra={**typed, "stale": True},
        )
    except (ValidationError, DomainError) as exc:
        problems = forms.field_errors(exc)
        if not problems:
            raise
        session.rollback()
        status_code = exc.status_code if isinstance(exc, DomainError) else 422
        return DRIVERS.record_page(
            request,
            session,
            principal,
            driver_id,
            problems={errors_under(k): v for k, v in problems.items()},
            status_code=status_code,
            extra=typed,
        )
    back = forms.back_or(form.get("back"), f"/drivers/{driver_id}")
    return RedirectResponse(back, status_code=303)


@router.post("/drivers/{driver_id}/licences", response_model=None, name="drivers_licences")
def licences(
    request: Request,
    driver_id: int,
    form: SubmittedForm,
    session: SessionDep,
    principal: PagePrincipalDep,
) -> Response:
    """One date per class: the day the licence of that class expires; empty, not held."""
    held = [
        {"licence_class": cls.value, "expires_on": str(form.get(f"expires_{cls.value}", ""))}
        for cls in LicenceClass
        if str(form.get(f"expires_{cls.value}", "")).strip()
    ]
    classes = [entry["licence_class"] for entry in held]

    def under(field: str) -> str:  # "licences.2" -> the input of the third class held
        parts = field.split(".")
        if len(parts) >= 2 and parts[0] == "licences" and parts[1].isdigit():
            return f"expires_{classes[int(parts[1])]}"
        return field

    typed = {
        "typed_held": {cls.value: str(form.get(f"expires_{cls.value}", "")) for cls in LicenceClass}
    }
    return _saved_or_refused(
        request, session, principal, driver_id, {"licences": held}, under, form, typed
    )


@router.post("/drivers/{driver_id}/availability", response_model=None, name="drivers_free")
def availability(
    request: Request,
    driver_id: int,
    form: SubmittedForm,
    session: SessionDep,
    principal: PagePrincipalDep,
) -> Response:
    """Add a window the driver is free (``available_from_on``, ``available_to_on``), or remove
    one (``remove``: its position in the list); the stored list is replaced by the result."""
    driver = service.read(session, DRIVERS.fetch(session, principal, driver_id))
    windows: list[dict[str, str]] = [
        {
            "available_from_on": w.available_from_on.isoformat(),
            "available_to_on": w.available_to_on.isoformat(),
        }
        for w in driver.availability
    ]
    remove = str(form.get("remove", ""))
    if remove.isdigit() and int(remove) < len(windows):
        del windows[int(remove)]
    else:
        windows.append(
            {
                "available_from_on": str(form.get("available_from_on", "")),
                "available_to_on": str(form.get("available_to_on", "")),
            }
        )
    last = len(windows) - 1

    def under(field: str) -> str:  # the new window's inputs, by their names
        parts = field.split(".")
        if parts[:2] == ["availability", str(last)] and len(parts) == 3:
            return parts[2]
        return "available_from_on" if parts[:1] == ["availability"] else field

    typed = {
        "typed_window": {
            name: str(form.get(name, ""))
            for name in ("available_from_on", "available_to_on", "back")
        }
    }
    return _saved_or_refused(
        request, session, principal, driver_id, {"availability": windows}, under, form, typed
    )
