"""What a convoy carries: items loaded while it is planned, equipment on a vehicle of the same
convoy, each item on one convoy at a time.
"""

from typing import NamedTuple

from sqlalchemy import bindparam
from sqlalchemy import select as select_rows
from sqlmodel import Session, col, select

from app.convoys import planning
from app.convoys.models import Assignment, Convoy, ConvoyItem
from app.convoys.schemas import LoadItem, LoadItems
from app.core.errors import Conflict, InvalidInput, NotFound, Reason, RuleViolation
from app.core.i18n import N_, _, word
from app.core.service import delete_each, flush_or_conflict
from app.items.models import Item, ItemCategory, ItemStatus

LOADABLE = frozenset(
    {ItemStatus.accepted, ItemStatus.allocated, ItemStatus.certified, ItemStatus.export_ready}
)


class Loadable(NamedTuple):
    id: int
    name: str
    vin: str | None
    status: ItemStatus


_LOADABLE = (
    select_rows(col(Item.id), col(Item.name), col(Item.vin), col(Item.status))
    .where(
        col(Item.status).in_(LOADABLE),
        col(Item.id).not_in(select(ConvoyItem.item_id)),
    )
    .order_by(col(Item.status) != ItemStatus.export_ready, col(Item.name), col(Item.id))
    .limit(bindparam("limit"))
)


def loadable_items(session: Session, limit: int = 200) -> list[Loadable]:
    """Items that could be loaded onto a convoy now: loadable and on no convoy yet,
    export-ready first (the others will block departure until they are). Plain rows: the
    board lists up to 200 of them."""
    return [Loadable(*row) for row in session.execute(_LOADABLE, {"limit": limit})]


def load_item(session: Session, convoy: Convoy, data: LoadItem) -> ConvoyItem:
    planning.require_plannable(convoy, "loading items")
    item = session.get(Item, data.item_id)
    if item is None:
        raise InvalidInput(
            [("item_id", _("item {item_id} does not exist").format(item_id=data.item_id))]
        )
    reasons: list[Reason] = []
    if item.status not in LOADABLE:
        reasons.append(
            Reason(
                "item_not_loadable",
                (
                    _(
                        "{item} is {status}; only accepted items that are not yet on "
                        "the road can be loaded."
                    ).format(item=item.name, status=word(item.status))
                ),
                field="item_id",
            )
        )
    existing = session.exec(select(ConvoyItem).where(ConvoyItem.item_id == item.id)).first()
    if existing is not None:
        other = session.get(Convoy, existing.convoy_id)
        reasons.append(
            Reason(
                "item_already_loaded",
                _("{item} is already loaded on convoy {number}.").format(
                    item=item.name, number=other.number if other else "?"
                ),
                field="item_id",
            )
        )
    if item.category == ItemCategory.vehicle and data.carrier_id is not None:
        reasons.append(
            Reason("vehicle_has_no_carrier", _("A vehicle drives itself."), field="carrier_id")
        )
    if data.carrier_id is not None and item.category == ItemCategory.equipment:
        carrier = session.get(ConvoyItem, (convoy.id, data.carrier_id))
        carrier_item = session.get(Item, data.carrier_id)
        if carrier is None or carrier_item is None:
            reasons.append(
                Reason(
                    "carrier_not_in_convoy",
                    _("Carrier {carrier_id} is not a vehicle loaded on this convoy.").format(
                        carrier_id=data.carrier_id
                    ),
                    field="carrier_id",
                )
            )
        elif carrier_item.category != ItemCategory.vehicle:
            reasons.append(
                Reason(
                    "carrier_not_a_vehicle",
                    _("{carrier_item} is equipment and cannot carry other items.").format(
                        carrier_item=carrier_item.name
                    ),
                    field="carrier_id",
                )
            )
    if reasons:
        raise RuleViolation(
            _("{item} cannot be loaded onto convoy {number}").format(
                item=item.name, number=convoy.number
            ),
            reasons,
        )
    assert convoy.id is not None and item.id is not None
    loaded = ConvoyItem(convoy_id=convoy.id, item_id=item.id, carrier_id=data.carrier_id)
    session.add(loaded)
    planning.back_to_planning(convoy)
    flush_or_conflict(
        session, _("{item} was loaded onto another convoy").format(item=item.name), "item_id"
    )
    return loaded


def load_items(session: Session, convoy: Convoy, data: LoadItems) -> list[ConvoyItem]:
    """Load several items in one transaction: vehicles first, so equipment can name a vehicle
    of the same batch as its carrier; all are loaded, or none, with every reason."""
    order = sorted(range(len(data.items)), key=lambda n: data.items[n].carrier_id is not None)
    loaded: list[ConvoyItem] = []
    errors: list[tuple[str, str]] = []
    reasons: list[Reason] = []
    for n in order:
        wanted = data.items[n]
        try:
            loaded.append(load_item(session, convoy, wanted))
        except InvalidInput as exc:
            errors += [(f"items.{n}.{field}", message) for field, message in exc.errors]
        except RuleViolation as exc:
            for reason in exc.reasons:
                reason.field = f"items.{n}.{reason.field or 'item_id'}"
                reason.item_id = reason.item_id or wanted.item_id
                reasons.append(reason)
        except Conflict as exc:
            reasons.append(
                Reason("conflict", exc.message, f"items.{n}.item_id", item_id=wanted.item_id)
            )
    if errors:
        raise InvalidInput(errors)
    if reasons:
        raise RuleViolation(
            _("{count} item(s) cannot be loaded").format(count=len(reasons)), reasons
        )
    return loaded


def set_carrier(session: Session, convoy: Convoy, item_id: int, carrier_id: int) -> ConvoyItem:
    """Which vehicle of the convoy carries a loaded piece of equipment."""
    planning.require_plannable(convoy, "loading items")
    loaded = session.get(ConvoyItem, (convoy.id, item_id))
    if loaded is None:
        raise NotFound(N_("Loaded item"), item_id)
    vehicle = session.get(ConvoyItem, (convoy.id, carrier_id))
    carrier = session.get(Item, carrier_id) if vehicle is not None else None
    if carrier is None or carrier.category != ItemCategory.vehicle or carrier_id == item_id:
        raise InvalidInput([("carrier_id", _("is not a vehicle of this convoy"))])
    loaded.carrier_id = carrier_id
    planning.back_to_planning(convoy)
    session.flush()
    return loaded


def unload_item(session: Session, convoy: Convoy, item_id: int, reason: str | None = None) -> None:
    """The item off the convoy, its seats freed; ``reason``, when given, kept beside the
    status."""
    planning.require_plannable(convoy, "unloading items")
    loaded = session.get(ConvoyItem, (convoy.id, item_id))
    if loaded is None:
        raise NotFound(N_("Loaded item"), item_id)
    riders = session.exec(select(ConvoyItem).where(ConvoyItem.carrier_id == item_id)).all()
    for rider in riders:
        rider.carrier_id = None
    delete_each(
        session,
        select(Assignment).where(
            Assignment.convoy_id == convoy.id, Assignment.vehicle_id == item_id
        ),
    )
    session.delete(loaded)
    planning.back_to_planning(convoy)
    item = session.get(Item, item_id)
    what = _("{item} unloaded").format(item=item.name if item is not None else item_id)
    planning.note_change(convoy, what, reason)
    session.flush()
