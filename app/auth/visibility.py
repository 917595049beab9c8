"""What a driver or a recipient may see: the row-level half of authorization.

Office roles (admin, coordinator, clerk) see everything. A volunteer sees the stock, movements
and pallets of the collection point they work at. A driver sees the convoys they are
assigned to (with their legs), the vehicles they are assigned to and the goods those vehicles
carry, those vehicles' export records and their own driver record. A recipient sees its own
destination, the items allocated to it, its needs and the convoys carrying its items.
Lists are filtered with these conditions; a single record outside them is a 404, so its
existence is not revealed.
"""

from collections.abc import Iterable
from typing import Any, cast

from sqlalchemy import ColumnElement, and_, exists, false, or_, true
from sqlmodel import Session, col, select

from app.auth.roles import Role
from app.auth.service import Principal
from app.collection.models import CollectionPoint, Pallet, StockLine, StockMovement
from app.convoys.models import Assignment, Convoy, ConvoyItem, DriverWithdrawal, Leg
from app.core.errors import Forbidden, InvalidInput, NotFound
from app.core.i18n import N_, _
from app.destinations.models import Destination
from app.drivers.models import Driver
from app.exports.models import ExportRecord
from app.items.models import Item
from app.needs.models import Need

OFFICE = frozenset({Role.admin, Role.coordinator, Role.clerk})


def is_office(principal: Principal) -> bool:
    return principal.role in OFFICE


def _driver(principal: Principal) -> int | None:
    """The driver record a driver account is tied to (None: sees nothing)."""
    return principal.driver_id if principal.role == Role.driver else None


def _volunteer(principal: Principal) -> int | None:
    """The collection point a volunteer account works at (None: sees nothing)."""
    return principal.collection_point_id if principal.role == Role.volunteer else None


def _recipient(principal: Principal) -> int | None:
    """The destination a recipient account is tied to (None: sees nothing)."""
    return principal.destination_id if principal.role == Role.recipient else None


# --- conditions for lists -------------------------------------------------------------------


def convoys(principal: Principal) -> ColumnElement[bool]:
    if is_office(principal):
        return true()
    if (driver_id := _driver(principal)) is not None:
        return exists().where(
            col(Assignment.convoy_id) == col(Convoy.id), col(Assignment.driver_id) == driver_id
        )
    if (destination_id := _recipient(principal)) is not None:
        return exists().where(
            col(ConvoyItem.convoy_id) == col(Convoy.id),
            col(Item.id) == col(ConvoyItem.item_id),
            col(Item.destination_id) == destination_id,
        )
    return false()


def items(principal: Principal) -> ColumnElement[bool]:
    if is_office(principal):
        return true()
    if (driver_id := _driver(principal)) is not None:
        # The vehicles of the driver's own assignments, and the goods loaded into them:
        # another driver's vehicle on the same convoy is not theirs to see.
        drives = exists().where(
            col(Assignment.vehicle_id) == col(Item.id), col(Assignment.driver_id) == driver_id
        )
        rides_in_driven = exists().where(
            col(ConvoyItem.item_id) == col(Item.id),
            col(Assignment.convoy_id) == col(ConvoyItem.convoy_id),
            col(Assignment.vehicle_id) == col(ConvoyItem.carrier_id),
            col(Assignment.driver_id) == driver_id,
        )
        return or_(drives, rides_in_driven)
    if (destination_id := _recipient(principal)) is not None:
        return col(Item.destination_id) == destination_id
    return false()


def export_records(principal: Principal) -> ColumnElement[bool]:
    """The export papers of the items one may see."""
    if is_office(principal):
        return true()
    return col(ExportRecord.item_id).in_(select(Item.id).where(items(principal)))


def needs(principal: Principal) -> ColumnElement[bool]:
    if is_office(principal):
        return true()
    if (destination_id := _recipient(principal)) is not None:
        return col(Need.destination_id) == destination_id
    return false()


def destinations(principal: Principal) -> ColumnElement[bool]:
    if is_office(principal):
        return true()
    if (destination_id := _recipient(principal)) is not None:
        return col(Destination.id) == destination_id
    return false()


def drivers(principal: Principal) -> ColumnElement[bool]:
    if is_office(principal):
        return true()
    if (driver_id := _driver(principal)) is not None:
        return col(Driver.id) == driver_id
    return false()


def _at_hall(principal: Principal, column: Any) -> ColumnElement[bool]:
    """The office sees every hall; a volunteer only their own."""
    if is_office(principal):
        return true()
    if (point_id := _volunteer(principal)) is not None:
        return cast(ColumnElement[bool], column == point_id)
    return false()


def collection_points(principal: Principal) -> ColumnElement[bool]:
    return _at_hall(principal, col(CollectionPoint.id))


def stock_lines(principal: Principal) -> ColumnElement[bool]:
    return _at_hall(principal, col(StockLine.collection_point_id))


def stock_movements(principal: Principal) -> ColumnElement[bool]:
    return _at_hall(principal, col(StockMovement.collection_point_id))


def pallets(principal: Principal) -> ColumnElement[bool]:
    return _at_hall(principal, col(Pallet.collection_point_id))


def require_collection_point(principal: Principal, point_id: int) -> None:
    """404 for a hall one does not work at: a volunteer of hall A cannot tell hall B exists."""
    if is_office(principal) or (
        _volunteer(principal) is not None and _volunteer(principal) == point_id
    ):
        return
    raise NotFound(N_("Collection point"), point_id)


def visible_item_ids(session: Session, principal: Principal, item_ids: Iterable[int]) -> set[int]:
    """Which of these items the principal may see: one query, for a whole convoy or page."""
    wanted = set(item_ids)
    if is_office(principal) or not wanted:
        return wanted
    stmt = select(Item.id).where(col(Item.id).in_(wanted), items(principal))
    return {item_id for item_id in session.exec(stmt).all() if item_id is not None}


# --- single records: 404 outside the principal's view -----------------------------------------


def require_convoy(session: Session, principal: Principal, convoy_id: int) -> None:
    if is_office(principal):
        return
    stmt = select(Convoy.id).where(and_(col(Convoy.id) == convoy_id, convoys(principal)))
    if session.exec(stmt).first() is None:
        _refuse_withdrawn_driver(session, principal, convoy_id)
        raise NotFound(N_("Convoy"), convoy_id)


def _refuse_withdrawn_driver(session: Session, principal: Principal, convoy_id: int) -> None:
    """A driver who dropped out knows the convoy exists: tell them why they cannot act on it,
    rather than that it does not exist."""
    if principal.role != Role.driver or principal.driver_id is None:
        return
    withdrew = session.exec(
        select(DriverWithdrawal.id).where(
            DriverWithdrawal.convoy_id == convoy_id,
            DriverWithdrawal.driver_id == principal.driver_id,
        )
    ).first()
    if withdrew is not None:
        raise Forbidden(_("You are no longer assigned to this convoy"))


def require_item(session: Session, principal: Principal, item_id: int, what: str = "Item") -> None:
    """404 unless the principal may see the item; ``what`` names the record asked for (an
    item's export record or cargo line is hidden exactly when the item is)."""
    if item_id not in visible_item_ids(session, principal, [item_id]):
        raise NotFound(what, item_id)


def require_driver_record(principal: Principal, driver_id: int) -> None:
    if is_office(principal) or (_driver(principal) is not None and _driver(principal) == driver_id):
        return
    raise NotFound(N_("Driver"), driver_id)


def require_destination(principal: Principal, destination_id: int) -> None:
    if is_office(principal) or (
        _recipient(principal) is not None and _recipient(principal) == destination_id
    ):
        return
    raise NotFound(N_("Destination"), destination_id)


def require_own_destination_for_need(principal: Principal, destination_id: int | None) -> None:
    """A recipient records needs only for its own destination; the answer is the same whether
    the other destination exists or not."""
    if principal.role == Role.recipient and destination_id not in (None, principal.destination_id):
        raise InvalidInput(
            [
                (
                    "destination_id",
                    _("you record needs only for your own destination ({destination_id})").format(
                        destination_id=principal.destination_id
                    ),
                )
            ]
        )


def require_own_item_for_handover(session: Session, principal: Principal, item_id: int) -> None:
    """A recipient confirms receipt only of items for its own destination."""
    if principal.role != Role.recipient:
        return
    item = session.get(Item, item_id)
    if item is None or item.destination_id != principal.destination_id:
        raise NotFound(N_("Item"), item_id)


def require_need(principal: Principal, need: Need) -> None:
    if is_office(principal) or (
        _recipient(principal) is not None and _recipient(principal) == need.destination_id
    ):
        return
    raise NotFound(N_("Need"), need.id if need.id is not None else "-")


def require_driver_on_leg(session: Session, principal: Principal, leg: Leg) -> None:
    """A driver reports progress only on legs they drive."""
    if principal.role != Role.driver:
        return
    assigned = session.exec(
        select(Assignment.id).where(
            Assignment.leg_id == leg.id, Assignment.driver_id == principal.driver_id
        )
    ).first()
    if assigned is None or principal.driver_id is None:
        raise NotFound(N_("Leg"), leg.id if leg.id is not None else "-")
