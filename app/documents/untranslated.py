"""What a convoy's papers would print untranslated in their Ukrainian half.

The recipients read the Ukrainian half; a name without its Ukrainian text prints there as the
original, marked. The desk and the convoy's papers list these before the papers are issued,
each with the page where the Ukrainian text is added. A fixed number of statements for any
number of convoys (the desk asks for all upcoming ones at once).
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from sqlmodel import Session, col, select

from app.certificates.models import CertificateItem, UsageCertificate
from app.convoys.models import Convoy, ConvoyItem, Leg
from app.core.bilingual import needs_ukrainian
from app.core.i18n import N_
from app.destinations.models import Destination
from app.items.models import CargoLine, Item


@dataclass(frozen=True)
class Untranslated:
    what: str  # a message id: "Convoy name", "Leg 2: to", … (translated when shown)
    original: str
    link: str  # the page where the Ukrainian text is typed
    position: int | None = None  # the leg's number, for "Leg %(n)s"


def lacking_ukrainian(session: Session, convoys: Sequence[Convoy]) -> dict[int, list[Untranslated]]:
    """For each convoy, the texts its papers print whose Ukrainian text is missing."""
    ids = [c.id for c in convoys if c.id is not None]
    found: dict[int, list[Untranslated]] = {i: [] for i in ids}
    if not ids:
        return found

    def lacking(convoy_id: int, what: str, original: str | None, ukrainian: str | None,
                link: str, position: int | None = None) -> None:  # fmt: skip
        if needs_ukrainian(original, ukrainian):
            found[convoy_id].append(Untranslated(what, original or "", link, position))

    for convoy in convoys:
        assert convoy.id is not None
        board = f"/convoys/{convoy.id}"
        lacking(convoy.id, N_("Convoy name"), convoy.name, convoy.name_uk, board)
        lacking(convoy.id, N_("Meeting point"), convoy.meeting_point, convoy.meeting_point_uk,
                board)  # fmt: skip
        lacking(convoy.id, N_("Handover place"), convoy.handover_place,
                convoy.handover_place_uk, board)  # fmt: skip
    for leg in session.exec(
        select(Leg).where(col(Leg.convoy_id).in_(ids)).order_by(col(Leg.position))
    ).all():
        board = f"/convoys/{leg.convoy_id}#leg-{leg.id}"
        lacking(leg.convoy_id, N_("Leg %(n)s: from"), leg.from_place, leg.from_place_uk, board,
                leg.position)  # fmt: skip
        lacking(leg.convoy_id, N_("Leg %(n)s: to"), leg.to_place, leg.to_place_uk, board,
                leg.position)  # fmt: skip

    loaded = session.exec(
        select(ConvoyItem.convoy_id, Item)
        .join(Item, col(Item.id) == col(ConvoyItem.item_id))
        .where(col(ConvoyItem.convoy_id).in_(ids))
        .order_by(col(Item.id))
    ).all()
    convoy_of = {item.id: convoy_id for convoy_id, item in loaded}
    for convoy_id, item in loaded:
        lacking(convoy_id, N_("Item name"), item.name, item.name_uk, f"/items/{item.id}/edit")
    item_ids = list(convoy_of)
    for line in session.exec(
        select(CargoLine)
        .where(col(CargoLine.vehicle_id).in_(item_ids))
        .order_by(col(CargoLine.vehicle_id), col(CargoLine.id))
    ).all():
        lacking(convoy_of[line.vehicle_id], N_("Cargo line"), line.description,
                line.description_uk, f"/items/{line.vehicle_id}")  # fmt: skip

    going_to: dict[int, set[int]] = defaultdict(set)
    for convoy_id, item in loaded:
        if item.destination_id is not None:
            going_to[item.destination_id].add(convoy_id)
    for destination in session.exec(
        select(Destination)
        .where(col(Destination.id).in_(list(going_to)))
        .order_by(col(Destination.name))
    ).all():
        link = f"/destinations/{destination.id}/edit"
        for convoy_id in sorted(going_to[destination.id or 0]):
            lacking(convoy_id, N_("Recipient"), destination.name, destination.name_uk, link)
            lacking(convoy_id, N_("Recipient's city"), destination.city, destination.city_uk,
                    link)  # fmt: skip

    # The purposes on the usage certificates of the convoy's items.
    for certificate_id, item_id, use, use_uk in session.exec(
        select(
            UsageCertificate.id,
            CertificateItem.item_id,
            UsageCertificate.intended_use,
            UsageCertificate.intended_use_uk,
        )
        .join(CertificateItem, col(CertificateItem.certificate_id) == col(UsageCertificate.id))
        .where(col(CertificateItem.item_id).in_(item_ids))
        .order_by(col(UsageCertificate.id))
    ).all():
        convoy_id = convoy_of[item_id]
        link = f"/certificates/{certificate_id}/edit"
        if not any(u.link == link for u in found[convoy_id]):
            lacking(convoy_id, N_("Purpose on a usage certificate"), use, use_uk, link)
    return found
