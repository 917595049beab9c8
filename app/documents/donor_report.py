"""The donor report: "where did our vehicles end up" — every item a donor gave, its
recipient, convoy, handover date and who signed for it. As PDF and CSV for the office, and as
a read-only page behind a link the coordinator shares with the donor (unguessable: only the
token's hash is stored; revocable; it expires, KONVOI_REPORT_LINK_DAYS after it is made)."""

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from sqlmodel import Session, col, select

from app.auth.service import Principal
from app.collection import service as collection
from app.collection.catalogue import goods_name
from app.convoys.models import Convoy, ConvoyItem, Handover
from app.core.config import get_settings
from app.core.errors import NotFound
from app.core.i18n import N_
from app.core.localtime import KYIV, today_at
from app.core.types import utcnow
from app.destinations.models import Destination
from app.documents import facts as papers
from app.documents import render
from app.documents.models import DonorReportLink
from app.donors.models import Donor
from app.items.models import Item


def facts(session: Session, donor: Donor) -> dict[str, Any]:
    """Each item to its own recipient; one riding on another recipient's vehicle names it."""
    rows = session.exec(
        select(Item, Convoy, Destination, Handover)
        .join(ConvoyItem, col(ConvoyItem.item_id) == col(Item.id), isouter=True)
        .join(Convoy, col(Convoy.id) == col(ConvoyItem.convoy_id), isouter=True)
        .join(Destination, col(Destination.id) == col(Item.destination_id), isouter=True)
        .join(Handover, col(Handover.item_id) == col(Item.id), isouter=True)
        .where(Item.donor_id == donor.id)
        .order_by(col(Item.name), col(Item.id))
    ).all()
    carriers = dict(
        session.exec(
            select(ConvoyItem.item_id, Item)
            .join(Item, col(Item.id) == col(ConvoyItem.carrier_id))
            .where(col(ConvoyItem.item_id).in_([item.id for item, *_ in rows]))
        ).all()
    )
    items: list[dict[str, Any]] = []
    for item, convoy, destination, handover in rows:
        vehicle = carriers.get(item.id or 0)
        elsewhere = vehicle is not None and vehicle.destination_id != item.destination_id
        items.append(
            {
                "id": item.id,
                "name": item.name,
                "name_uk": item.name_uk or "",
                "kind": papers.both(item.kind.value),
                "vin": item.vin or item.serial_number or "",
                "value_cents": item.declared_value_cents,
                "value": papers.money(item.declared_value_cents),
                "status": papers.both(item.status.value),
                "recipient": destination.name if destination else "",
                "recipient_uk": (destination.name_uk or "") if destination else "",
                "convoy": convoy.number if convoy else "",
                "carried_on": vehicle.name if vehicle is not None and elsewhere else "",
                "handed_over_on": papers.day(handover.handed_over_on) if handover else "",
                "handed_over_iso": handover.handed_over_on.isoformat() if handover else "",
                "received_by": (
                    f"{handover.receiver_name} ({handover.receiver_role})" if handover else ""
                ),
            }
        )
    total = sum(i["value_cents"] for i in items)
    delivered = sum(1 for i in items if i["handed_over_on"])
    return {
        "donor": papers.donor_facts(donor),
        "items": items,
        "goods": _goods(session, donor),
        "totals": {"items": len(items), "delivered": delivered, "value": papers.money(total)},
    }


def _goods(session: Session, donor: Donor) -> list[dict[str, Any]]:
    """The sorted goods the donor brought to a collection point, and where each left for."""
    assert donor.id is not None
    given = collection.donated(session, donor.id)
    recipients = {
        d.id: d
        for d in session.exec(
            select(Destination).where(
                col(Destination.id).in_({p[2] for g in given for p in g.pallets if p[2]})
            )
        ).all()
    }
    convoys = {
        c.id: c.number
        for c in session.exec(
            select(Convoy).where(
                col(Convoy.id).in_({p[3] for g in given for p in g.pallets if p[3]})
            )
        ).all()
    }
    goods: list[dict[str, Any]] = []
    for g in given:
        line = g.line
        went: list[dict[str, Any]] = []
        for number, quantity, recipient_id, convoy_id, plate in g.pallets:
            recipient = recipients.get(recipient_id) if recipient_id else None
            went.append(
                {
                    "pallet": number,
                    "quantity": quantity,
                    "recipient": recipient.name if recipient else "",
                    "recipient_uk": (recipient.name_uk or "") if recipient else "",
                    "convoy": convoys.get(convoy_id, "") if convoy_id else "",
                    "truck": plate or "",
                }
            )
        size = f" {line.size}" if line.size else ""
        goods.append(
            {
                "name": goods_name(line.category, line.subcategory, "de") + size,
                "name_uk": goods_name(line.category, line.subcategory, "uk") + size,
                "quantity": line.quantity + sum(p[1] for p in g.pallets),
                "at_hand": line.quantity,
                "hall": g.hall,
                "went": went,
            }
        )
    return goods


def pdf(session: Session, donor: Donor) -> bytes:
    # As of today on Kyiv's calendar, the later one: no handover it lists is dated after it.
    today = today_at(KYIV)
    stamp = render.Stamp(
        kind="donor_report",
        title="Spenderbericht / Звіт для донора",
        subtitle=donor.name,
        number=f"{papers.day(today)}",
        issued_on=today,
        issued_label="Stand / станом на",
    )
    return render.pdf("donor_report", facts(session, donor), stamp)


COLUMNS = [
    render.Column("Gegenstand / Предмет", "name", None, 36),
    render.Column("Art / Вид", "kind", None, 18),
    render.Column("VIN / Nr.", "vin", None, 20),
    render.Column("Wert EUR / Вартість EUR", "value_eur", "#,##0.00", 14),
    render.Column("Stand / Стан", "status", None, 20),
    render.Column("Empfänger / Отримувач", "recipient", None, 28),
    render.Column("Konvoi / Колона", "convoy", None, 10),
    render.Column("Übergeben am / Передано", "handed_over_iso", None, 12),
    render.Column("Empfangen von / Отримав", "received_by", None, 36),
]


def csv(session: Session, donor: Donor) -> bytes:
    rows = [{**i, "value_eur": i["value_cents"] / 100} for i in facts(session, donor)["items"]]
    return render.csv_bytes(COLUMNS, rows)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def share(session: Session, donor: Donor, principal: Principal) -> tuple[DonorReportLink, str]:
    """A new link; the token is returned once and only its hash is kept."""
    assert donor.id is not None
    token = secrets.token_urlsafe(32)
    now = utcnow()
    link = DonorReportLink(
        donor_id=donor.id,
        token_hash=_hash(token),
        created_by_name=principal.full_name or principal.username,
        created_at=now,
        expires_at=now + timedelta(days=get_settings().report_link_days),
    )
    session.add(link)
    session.flush()
    return link, token


def links(session: Session, donor_id: int) -> list[DonorReportLink]:
    stmt = select(DonorReportLink).where(DonorReportLink.donor_id == donor_id)
    return list(session.exec(stmt.order_by(col(DonorReportLink.id))).all())


def revoke(session: Session, link_id: int) -> DonorReportLink:
    link = session.get(DonorReportLink, link_id)
    if link is None:
        raise NotFound(N_("Link"), link_id)
    if link.revoked_at is None:
        link.revoked_at = utcnow()
        session.add(link)
        session.flush()
    return link


def url(token: str) -> str:
    """The address the donor opens: Konvoi's configured one, never a request's Host header
    (whoever sends a request chooses it, and the link would lead the donor there)."""
    return f"{get_settings().site_url}/reports/donors/{token}"


def donor_of(session: Session, token: str) -> tuple[Donor, DonorReportLink]:
    """The donor a shared link shows, and the link; 404 for an unknown, revoked or expired
    one alike: the answer does not say whether a link ever existed."""
    link = session.exec(
        select(DonorReportLink).where(DonorReportLink.token_hash == _hash(token))
    ).first()
    if link is None or link.revoked_at is not None or link.expires_at <= utcnow():
        raise NotFound(N_("Report"), "-")
    donor = session.get(Donor, link.donor_id)
    assert donor is not None
    return donor, link
