"""Destinations and items stored directly, already in the state a test needs.

Certificates and export records depend on an item's allocation, which belongs to the items
domain; storing rows here keeps these tests independent of how that action is called. The
session is committed (a savepoint inside the test's transaction) so that a refused request,
which rolls back, does not take the set-up with it.
"""

import itertools
from typing import Any

from sqlmodel import Session
from stdnum.ua import edrpou

from app.destinations.models import Destination
from app.donors.models import Donor
from app.items.models import Item, ItemCategory, ItemKind, ItemStatus

_seq = itertools.count(1)


def destination(session: Session, name: str, **overrides: Any) -> Destination:
    base = f"{4400000 + next(_seq):07d}"
    fields = {
        "city": "Lviv",
        "oblast": "Lvivska",
        "edrpou": base + edrpou.calc_check_digit(base),
        **overrides,
    }
    row = Destination(name=name, **fields)
    session.add(row)
    session.commit()
    return row


def donor(session: Session) -> Donor:
    row = Donor(name=f"Stadtwerke Nr. {next(_seq)}", city="Wuppertal")
    session.add(row)
    session.commit()
    return row


def item(
    session: Session,
    donor_id: int,
    name: str,
    *,
    destination_id: int | None = None,
    category: ItemCategory = ItemCategory.vehicle,
    **overrides: Any,
) -> Item:
    """A vehicle (or equipment), allocated when a destination is given."""
    kind = ItemKind.bus if category == ItemCategory.vehicle else ItemKind.generator
    status = ItemStatus.allocated if destination_id is not None else ItemStatus.accepted
    row = Item(
        category=category,
        kind=overrides.pop("kind", kind),
        name=name,
        donor_id=donor_id,
        destination_id=destination_id,
        status=overrides.pop("status", status),
        declared_value_cents=2_500_000,
        **overrides,
    )
    session.add(row)
    session.commit()
    return row
