from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date

from sqlalchemy import ColumnElement, exists, func, or_
from sqlmodel import Session, col, select

from app.core.errors import Conflict
from app.core.i18n import N_, _
from app.core.identifiers import LicenceClass
from app.core.localtime import today_at
from app.core.pagination import keyset_page
from app.core.service import apply_changes, get_or_404, like, touch
from app.drivers import rules
from app.drivers.models import Driver, DriverAvailability, DriverLicence
from app.drivers.schemas import (
    DRIVERS_TIMEZONE,
    Availability,
    DriverCreate,
    DriverRead,
    DriverUpdate,
    Licence,
)

SORTABLE = {"name": col(Driver.name), "created_at": col(Driver.created_at), "id": col(Driver.id)}


def get(session: Session, driver_id: int) -> Driver:
    return get_or_404(session, Driver, driver_id, N_("Driver"))


def licences_of(session: Session, driver_ids: Iterable[int]) -> dict[int, list[DriverLicence]]:
    ids = list(driver_ids)
    found: dict[int, list[DriverLicence]] = defaultdict(list)
    if ids:
        stmt = select(DriverLicence).where(col(DriverLicence.driver_id).in_(ids))
        for lic in session.exec(stmt.order_by(col(DriverLicence.licence_class))):
            found[lic.driver_id].append(lic)
    return found


def availability_of(
    session: Session, driver_ids: Iterable[int]
) -> dict[int, list[DriverAvailability]]:
    ids = list(driver_ids)
    found: dict[int, list[DriverAvailability]] = defaultdict(list)
    if ids:
        stmt = select(DriverAvailability).where(col(DriverAvailability.driver_id).in_(ids))
        for window in session.exec(stmt.order_by(col(DriverAvailability.available_from_on))):
            found[window.driver_id].append(window)
    return found


def read_many(session: Session, drivers: Sequence[Driver]) -> list[DriverRead]:
    """Drivers with their licences and availability: three queries for any number of drivers."""
    ids = [d.id for d in drivers if d.id is not None]
    licences = licences_of(session, ids)
    windows = availability_of(session, ids)
    return [
        DriverRead(
            **d.model_dump(exclude={"languages"}),
            languages=[code for code in d.languages.split(",") if code],
            licences=[Licence.model_validate(lic) for lic in licences.get(d.id or 0, [])],
            availability=[Availability.model_validate(w) for w in windows.get(d.id or 0, [])],
        )
        for d in drivers
    ]


def read(session: Session, driver: Driver) -> DriverRead:
    return read_many(session, [driver])[0]


def remove_licences(session: Session, driver_id: int) -> None:
    """Delete row by row (not one DELETE statement), so the audit trail records each licence."""
    for lic in licences_of(session, [driver_id]).get(driver_id, []):
        session.delete(lic)
    # Deleted before the replacements are inserted: a class kept has the same primary key.
    session.flush()


def remove_availability(session: Session, driver_id: int) -> None:
    for window in availability_of(session, [driver_id]).get(driver_id, []):
        session.delete(window)
    session.flush()


def _add_licences(session: Session, driver_id: int, licences: list[Licence]) -> None:
    for lic in licences:
        session.add(
            DriverLicence(
                driver_id=driver_id, licence_class=lic.licence_class, expires_on=lic.expires_on
            )
        )


def _add_availability(session: Session, driver_id: int, windows: list[Availability]) -> None:
    """Overlapping or touching ranges are stored merged, one range per stretch of free days."""
    spans = rules.merged((w.available_from_on, w.available_to_on) for w in windows)
    for first, last in spans:
        session.add(
            DriverAvailability(driver_id=driver_id, available_from_on=first, available_to_on=last)
        )


def create(session: Session, data: DriverCreate) -> Driver:
    driver = Driver.model_validate(
        {
            **data.model_dump(exclude={"licences", "availability", "languages"}),
            "languages": ",".join(data.languages),
        }
    )
    session.add(driver)
    session.flush()
    assert driver.id is not None
    _add_licences(session, driver.id, data.licences)
    _add_availability(session, driver.id, data.availability)
    session.flush()
    return driver


def update(session: Session, driver: Driver, changes: DriverUpdate) -> Driver:
    assert driver.id is not None
    if driver.erased_at is not None:
        # Personal data entered again would undo the erasure the driver asked for.
        raise Conflict(
            _("driver {id} was erased on request and cannot be edited").format(id=driver.id)
        )
    sent = changes.model_fields_set
    plain = DriverUpdate.model_validate(
        changes.model_dump(include=sent - {"licences", "availability", "languages"})
    )
    touched = apply_changes(driver, plain)
    if "languages" in sent:
        driver.languages = ",".join(changes.languages or [])
    if "licences" in sent:
        remove_licences(session, driver.id)
        _add_licences(session, driver.id, changes.licences or [])
    if "availability" in sent:
        remove_availability(session, driver.id)
        _add_availability(session, driver.id, changes.availability or [])
    if sent & {"languages", "licences", "availability"} and not touched:
        touch(driver)  # one new version per request
    session.flush()
    return driver


def search(
    session: Session,
    *,
    q: str | None,
    licence_class: LicenceClass | None,
    available_on: date | None,
    sort: str,
    cursor: str | None,
    limit: int,
    visible: ColumnElement[bool] | None = None,
) -> tuple[Sequence[Driver], str | None]:
    stmt = select(Driver)
    if visible is not None:  # the caller's row-level view (app.auth.visibility)
        stmt = stmt.where(visible)
    if q:
        pattern = like(q)
        stmt = stmt.where(
            or_(
                func.lower(Driver.name).like(pattern, escape="\\"),
                func.lower(Driver.phone).like(pattern, escape="\\"),
            )
        )
    if licence_class:
        stmt = stmt.where(
            exists().where(
                col(DriverLicence.driver_id) == col(Driver.id),
                # A CE holder may drive what needs C: search by what the driver may drive.
                col(DriverLicence.licence_class).in_(rules.classes_covering(licence_class)),
                col(DriverLicence.expires_on) >= (available_on or today_at(DRIVERS_TIMEZONE)),
            )
        )
    if available_on:
        stmt = stmt.where(
            exists().where(
                col(DriverAvailability.driver_id) == col(Driver.id),
                col(DriverAvailability.available_from_on) <= available_on,
                col(DriverAvailability.available_to_on) >= available_on,
            )
        )
    return keyset_page(
        session,
        stmt,
        id_column=col(Driver.id),
        sort=sort,
        sortable=SORTABLE,
        cursor=cursor,
        limit=limit,
    )
