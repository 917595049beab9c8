"""A pallet's label and packing list: what is on it in German and Ukrainian, for whom, its
weight and volume, and a QR code of its page, so a phone in the hall or at the border opens
the pallet by scanning it."""

from typing import Any

import segno
from sqlmodel import Session

from app.collection import service as collection
from app.collection.models import Pallet
from app.core.config import get_settings
from app.core.localtime import today_at
from app.destinations.models import Destination
from app.documents import facts as papers
from app.documents import render
from app.needs.models import Need

UNITS = {
    "pcs": ("Stk", "шт"),
    "pairs": ("Paar", "пар"),
    "packs": ("Pck", "уп"),
    "boxes": ("Kart", "кор"),
    "kg": ("kg", "кг"),
}


def page_url(pallet: Pallet) -> str:
    return f"{get_settings().site_url.rstrip('/')}/collection/pallets/{pallet.id}"


def qr_svg(url: str) -> str:
    """The URL as a QR code in SVG (error correction M: a scuffed label still scans)."""
    code = segno.make(url, error="m", micro=False)
    return str(code.svg_inline(scale=4, border=2, omitsize=False))


def facts(session: Session, pallet: Pallet) -> dict[str, Any]:
    point = collection.get_point(session, pallet.collection_point_id)
    read = collection.read_pallet(session, pallet)
    need = session.get(Need, pallet.need_id) if pallet.need_id else None
    recipient = session.get(Destination, need.destination_id) if need else None
    url = page_url(pallet)
    return {
        "pallet": {
            "number": pallet.number,
            "kind_de": "Palette" if pallet.kind == "pallet" else "Karton",
            "kind_uk": "Палета" if pallet.kind == "pallet" else "Коробка",
            "weight": papers.kg(pallet.weight_kg) if pallet.weight_kg else "–",
            "volume": f"{pallet.volume_dm3 / 1000:.2f} m³".replace(".", ",")
            if pallet.volume_dm3
            else "–",
            "url": url,
            "qr": qr_svg(url),
        },
        "hall": {
            "name": point.name,
            "address": ", ".join(
                part for part in (point.street, f"{point.postal_code or ''} {point.city}") if part
            ).strip(),
        },
        "recipient": {
            "name": recipient.name if recipient else "",
            "name_uk": (recipient.name_uk or "") if recipient else "",
            "city": recipient.city if recipient else "",
            "need": need.description if need else "",
        },
        "lines": [
            {
                "position": n,
                "de": line.contents_de,
                "uk": line.contents_uk,
                "quantity": line.quantity,
                "unit_de": UNITS[line.unit.value][0],
                "unit_uk": UNITS[line.unit.value][1],
            }
            for n, line in enumerate(read.lines, start=1)
        ],
        "total": sum(line.quantity for line in read.lines),
    }


def pdf(session: Session, pallet: Pallet, kind: str) -> bytes:
    """``kind`` is "label" or "packing_list"."""
    point = collection.get_point(session, pallet.collection_point_id)
    titles = {
        "label": "Palettenetikett / Етикетка палети",
        "packing_list": "Packliste / Пакувальний лист",
    }
    day = today_at(point.time_zone)
    stamp = render.Stamp(
        kind=f"pallet_{kind}",
        title=titles[kind],
        subtitle=point.name,
        number=pallet.number,
        issued_on=day,
        issued_label=f"{papers.day(day)}",
    )
    return render.pdf(f"pallet_{kind}", facts(session, pallet), stamp)
