"""A driver's rights over their personal data (GDPR): a copy of everything (Art. 15 and 20)
and erasure (Art. 17).

Erasure anonymises the person and keeps the facts. The driver record stays, named
"Erased driver #<id>", so that assignments still say that driver #12 drove vehicle X on leg Y
of convoy W4U-02: that is what donors and customs auditors check, and it names nobody once the
record is anonymised. What identifies the person goes: name, date of birth, phone, email,
languages, emergency contact, notes, licences and availability, the name on a linked account
(which is deactivated), and the same values inside the audit entries about them.
"""

from collections.abc import Sequence
from datetime import datetime

from pydantic import Field
from sqlalchemy import ColumnElement, and_, or_
from sqlmodel import Session, col, select

from app.audit import service as audit
from app.audit.models import AuditEntry
from app.audit.schemas import AuditEntryRead
from app.auth import service as accounts
from app.auth.models import User
from app.auth.schemas import UserRead, UserUpdate
from app.convoys.models import Assignment, Convoy, ConvoyStatus, Leg
from app.core.errors import Conflict
from app.core.i18n import _
from app.core.schemas import Schema
from app.core.service import touch
from app.core.types import utcnow
from app.drivers import service as drivers
from app.drivers.models import Driver
from app.drivers.schemas import DriverRead
from app.items.models import Item

# The personal fields of each table, as the audit trail names them: erased from the trail too.
PERSONAL_FIELDS: dict[str, frozenset[str]] = {
    "driver": frozenset(
        {
            "name",
            "date_of_birth",
            "phone",
            "email",
            "languages",
            "emergency_contact_name",
            "emergency_contact_phone",
            "notes",
        }
    ),
    "driver_licence": frozenset({"licence_class", "expires_on"}),
    "driver_availability": frozenset({"available_from_on", "available_to_on"}),
    "app_user": frozenset({"full_name"}),
}


def erased_name(driver_id: int) -> str:
    return f"Erased driver #{driver_id}"


class DrivenLeg(Schema):
    """One assignment: the driver drove this vehicle on this leg of this convoy."""

    assignment_id: int
    convoy_id: int
    convoy_number: str
    convoy_name: str
    convoy_status: ConvoyStatus
    leg_id: int
    leg_position: int
    from_place: str
    to_place: str
    vehicle_id: int
    vehicle_name: str
    vehicle_vin: str | None
    starts_at: datetime
    ends_at: datetime


class DriverPersonalData(Schema):
    """Everything Konvoi stores about one driver."""

    exported_at: datetime
    driver: DriverRead = Field(description="The record, with its licences and availability")
    assignments: list[DrivenLeg]
    user_accounts: list[UserRead] = Field(
        description="Accounts linked to the driver record (the password hash is never exported)"
    )
    audit_entries: list[AuditEntryRead] = Field(
        description="Entries on the record, its licences and availability, its assignments "
        "and its accounts, oldest first"
    )


# --- export -------------------------------------------------------------------------------------


def _assignments(session: Session, driver_id: int) -> list[DrivenLeg]:
    stmt = (
        select(Assignment, Convoy, Leg, Item)
        .join(Convoy, col(Convoy.id) == col(Assignment.convoy_id))
        .join(Leg, col(Leg.id) == col(Assignment.leg_id))
        .join(Item, col(Item.id) == col(Assignment.vehicle_id))
        .where(Assignment.driver_id == driver_id)
        .order_by(col(Assignment.starts_at), col(Assignment.id))
    )
    return [
        DrivenLeg(
            assignment_id=a.id or 0,
            convoy_id=convoy.id or 0,
            convoy_number=convoy.number,
            convoy_name=convoy.name,
            convoy_status=convoy.status,
            leg_id=leg.id or 0,
            leg_position=leg.position,
            from_place=leg.from_place,
            to_place=leg.to_place,
            vehicle_id=vehicle.id or 0,
            vehicle_name=vehicle.name,
            vehicle_vin=vehicle.vin,
            starts_at=a.starts_at,
            ends_at=a.ends_at,
        )
        for a, convoy, leg, vehicle in session.exec(stmt).all()
    ]


def _accounts(session: Session, driver_id: int) -> Sequence[User]:
    return session.exec(
        select(User).where(User.driver_id == driver_id).order_by(col(User.id))
    ).all()


def _driven_by(driver_id: int) -> ColumnElement[bool]:
    """Assignment entries that name the driver: created for them, moved to or from them, or
    deleted while theirs (the assignment itself may be gone)."""
    changes = col(AuditEntry.changes)
    return and_(
        col(AuditEntry.entity) == "assignment",
        or_(
            changes[("driver_id", "after")].as_integer() == driver_id,
            changes[("driver_id", "before")].as_integer() == driver_id,
        ),
    )


def _entries_about(
    session: Session, driver_id: int, account_ids: Sequence[int]
) -> Sequence[AuditEntry]:
    """The driver's own entries, their accounts' and all entries of the assignments that ever
    named them (a later update of an assignment's times no longer repeats the driver)."""
    assignment_ids = set(
        session.exec(select(AuditEntry.entity_id).where(_driven_by(driver_id)).distinct()).all()
    )
    assignment_ids |= {
        str(i) for i in session.exec(select(Assignment.id).where(Assignment.driver_id == driver_id))
    }
    stmt = select(AuditEntry).where(
        or_(
            audit.about("driver", [str(driver_id)]),
            and_(
                col(AuditEntry.entity) == "app_user",
                col(AuditEntry.entity_id).in_([str(i) for i in account_ids]),
            ),
            and_(
                col(AuditEntry.entity) == "assignment",
                col(AuditEntry.entity_id).in_(sorted(assignment_ids)),
            ),
        )
    )
    return session.exec(stmt.order_by(col(AuditEntry.id))).all()


def export(session: Session, driver: Driver) -> DriverPersonalData:
    assert driver.id is not None
    users = _accounts(session, driver.id)
    entries = _entries_about(session, driver.id, [u.id for u in users if u.id is not None])
    return DriverPersonalData(
        exported_at=utcnow(),
        driver=drivers.read(session, driver),
        assignments=_assignments(session, driver.id),
        user_accounts=[UserRead.model_validate(u) for u in users],
        audit_entries=audit.shown_all(entries),
    )


# --- erasure ------------------------------------------------------------------------------------


def erase(session: Session, driver: Driver) -> Driver:
    """Anonymise the driver and every trace of their personal data; keep the facts.

    Each step goes through the ORM, so the erasure itself is in the audit trail (by whom and
    when, under the operation ``erase_driver``); then the personal values are erased from every
    entry about the driver, those just written included, so no old name or phone survives
    there either.
    """
    assert driver.id is not None
    if driver.erased_at is not None:
        raise Conflict(
            _("driver {id} was already erased on {erased_at:%Y-%m-%d}").format(
                id=driver.id, erased_at=driver.erased_at
            )
        )
    drivers.remove_licences(session, driver.id)
    drivers.remove_availability(session, driver.id)
    driver.name = erased_name(driver.id)
    driver.date_of_birth = None
    driver.phone = ""  # NOT NULL: the empty string is "no phone"
    driver.email = None
    driver.languages = ""
    driver.emergency_contact_name = None
    driver.emergency_contact_phone = None
    driver.notes = None
    driver.erased_at = utcnow()
    touch(driver)
    session.flush()

    users = _accounts(session, driver.id)
    for user in users:
        # Deactivating also ends the account's open tokens and sessions.
        accounts.update_user(
            session, user, UserUpdate(full_name=erased_name(driver.id), is_active=False)
        )

    entries = _entries_about(session, driver.id, [u.id for u in users if u.id is not None])
    audit.erase_values(
        session,
        entries,
        PERSONAL_FIELDS,
        kept={
            "driver": {f: getattr(driver, f) for f in PERSONAL_FIELDS["driver"]},
            "app_user": {"full_name": erased_name(driver.id)},
        },
    )
    return driver
