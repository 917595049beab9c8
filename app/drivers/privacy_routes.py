"""A driver's personal data on request (GDPR): export and erasure.

The policy table decides who may ask (export: admin, coordinator and the driver themself;
erasure: admin only); ``DriverDep`` hides another driver's record from a driver (404) and
applies If-Match to the erasure.
"""

from fastapi import APIRouter

from app.core.database import SessionDep
from app.drivers import privacy, service
from app.drivers.privacy import DriverPersonalData
from app.drivers.routes import DriverDep
from app.drivers.schemas import DriverRead

router = APIRouter(prefix="/drivers", tags=["drivers"])


@router.get(
    "/{driver_id}/personal-data",
    operation_id="export_driver_data",
    responses={404: {"description": "No such driver, or another driver's record"}},
)
def export_driver_data(driver: DriverDep, session: SessionDep) -> DriverPersonalData:
    """Everything stored about the driver, as JSON (GDPR Art. 15 and 20)."""
    return privacy.export(session, driver)


@router.post(
    "/{driver_id}/erase",
    operation_id="erase_driver",
    responses={
        409: {"description": "The driver was already erased"},
        412: {"description": "If-Match names a version that is no longer current"},
    },
)
def erase_driver(driver: DriverDep, session: SessionDep) -> DriverRead:
    """Anonymise the driver's personal data (GDPR Art. 17); assignments and the audit trail's
    facts stay, with the personal values in the trail replaced by "erased"."""
    return service.read(session, privacy.erase(session, driver))
