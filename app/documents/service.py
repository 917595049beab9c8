"""The convoy's papers: what exists, previews in every format, issuing with a number and the
exact bytes, and what changed since a document was issued.

Who may have which paper is decided here, once, for the API and the pages: the office all of
them; a recipient the handover act of its own destination; a driver the CMR note of a vehicle
they drive.
"""

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from sqlmodel import Session, col, func, select

from app.auth import visibility
from app.auth.roles import Role
from app.auth.service import Principal
from app.certificates.models import CertificateItem, UsageCertificate
from app.convoys.models import Assignment, Convoy
from app.core.errors import InvalidInput, NotFound
from app.core.i18n import N_, _
from app.core.localtime import local_date, today_at
from app.core.service import flush_or_conflict, hold
from app.documents import facts as papers
from app.documents import render
from app.documents.models import IssuedDocument

PDF = "application/pdf"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"
MEDIA_TYPES = {"pdf": PDF, "xlsx": XLSX, "csv": CSV}


@dataclass(frozen=True)
class Kind:
    name: str  # manifest
    code: str  # MAN: the part of the number that says what it is
    title: str  # "Ladeliste / Пакувальний лист"
    formats: tuple[str, ...]  # what previews exist; the first is what is issued
    # None (the convoy), "vehicle_id", "destination_id" or "donor_destination" (both ids)
    subject: str | None


KINDS = {
    k.name: k
    for k in (
        Kind("manifest", "MAN", "Ladeliste / Пакувальний лист", ("pdf", "xlsx", "csv"), None),
        # One note per consignment: a vehicle's own recipient's, and one for each other
        # recipient it carries goods for (then destination_id says whose).
        Kind("cmr", "CMR", "Frachtbrief CMR / Накладна CMR", ("pdf",), "vehicle_id"),
        Kind(
            "handover_act",
            "AKT",
            "Übergabeprotokoll / Акт приймання-передачі",
            ("pdf",),
            "destination_id",
        ),
        Kind(
            "donation_letter",
            "SCH",
            "Schenkungsurkunde / Дарчий лист",
            ("pdf",),
            "donor_destination",
        ),
        Kind(
            "usage_form",
            "VN",
            "Verwendungsnachweis / Сертифікат використання",
            ("pdf",),
            "destination_id",
        ),
        Kind(
            "driver_papers",
            "FP",
            "Fahrerpapiere / Документи водія",
            ("pdf",),
            "driver_id",
        ),
        Kind(
            "export_sheet",
            "EXP",
            "Ausfuhrdaten / Експортні дані",
            ("xlsx", "csv"),
            None,
        ),
    )
}

# The box numbers of the usual CMR form (IRU model): a mapping onto the fields by meaning.
CMR_BOXES = {
    "sender": 1,
    "consignee": 2,
    "place_of_delivery": 3,
    "taking_over": 4,
    "documents": 5,
    "marks": 6,
    "packages": 7,
    "nature": 9,
    "statistical_number": 10,
    "gross_weight": 11,
    "instructions": 13,
    "carrier": 16,
    "successive_carriers": 17,
    "made_out": 21,
    "packing": 8,
    "charges": 20,
    "cmr_statement": 22,
}


@dataclass(frozen=True)
class Paper:
    """One document of a convoy, before or after issue."""

    kind: Kind
    vehicle_id: int | None = None
    destination_id: int | None = None
    donor_id: int | None = None
    driver_id: int | None = None

    @property
    def subject(self) -> str:
        """ "4" for a vehicle's or a recipient's paper, "2-4" for a donor's to a recipient,
        "4-7" for the note of a vehicle's goods for another recipient."""
        if self.kind.subject == "vehicle_id":
            return (
                f"{self.vehicle_id}-{self.destination_id}"
                if self.destination_id
                else str(self.vehicle_id)
            )
        if self.kind.subject == "donor_destination":
            return f"{self.donor_id}-{self.destination_id}"
        if self.kind.subject == "driver_id":
            return str(self.driver_id)
        return str(self.destination_id) if self.destination_id else ""


@dataclass(frozen=True)
class File:
    content: bytes
    media_type: str
    filename: str


def paper(
    kind: str,
    vehicle_id: int | None,
    destination_id: int | None,
    donor_id: int | None = None,
    driver_id: int | None = None,
) -> Paper:
    """The paper asked for; 422 naming the field when the kind or its subject is missing."""
    found = KINDS.get(kind)
    if found is None:
        raise InvalidInput(
            [("kind", _("is not a kind of document: {kinds}").format(kinds=", ".join(KINDS)))]
        )
    if found.subject == "vehicle_id" and vehicle_id is None:
        raise InvalidInput([("vehicle_id", _("a CMR note is made per vehicle: say which"))])
    if found.subject in ("destination_id", "donor_destination") and destination_id is None:
        raise InvalidInput([("destination_id", _("this paper is made per recipient: say which"))])
    if found.subject == "driver_id" and driver_id is None:
        raise InvalidInput([("driver_id", _("a driver's papers are made per driver: say which"))])
    if found.subject == "donor_destination" and donor_id is None:
        raise InvalidInput([("donor_id", _("a donation letter is made per donor: say which"))])
    return Paper(
        found,
        vehicle_id if found.subject == "vehicle_id" else None,
        destination_id
        if found.subject in ("destination_id", "donor_destination", "vehicle_id")
        else None,
        donor_id if found.subject == "donor_destination" else None,
        driver_id if found.subject == "driver_id" else None,
    )


def require_paper(session: Session, principal: Principal, convoy: Convoy, wanted: Paper) -> None:
    """The office has every paper; a recipient its own handover act; a driver the CMR note of
    a vehicle they drive on this convoy. Anyone else: 404, as if it did not exist."""
    if visibility.is_office(principal):
        return
    if (
        principal.role == Role.recipient
        and wanted.kind.name in ("handover_act", "donation_letter", "usage_form")
        and wanted.destination_id == principal.destination_id
    ):
        return
    if (
        principal.role == Role.driver
        and wanted.kind.name == "driver_papers"
        and wanted.driver_id == principal.driver_id
    ):
        return
    if principal.role == Role.driver and wanted.kind.name == "cmr":
        drives = session.exec(
            select(Assignment.id).where(
                Assignment.convoy_id == convoy.id,
                Assignment.vehicle_id == wanted.vehicle_id,
                Assignment.driver_id == principal.driver_id,
            )
        ).first()
        if drives is not None:
            return
    raise NotFound(N_("Document"), wanted.kind.name)


def facts_of(
    session: Session, convoy: Convoy, wanted: Paper, everything: papers.Facts | None = None
) -> papers.Facts:
    """The facts ``wanted`` prints; ``everything`` (the convoy's facts) when already gathered."""
    everything = everything or papers.convoy_facts(session, convoy)
    if wanted.kind.subject == "vehicle_id":
        vehicle = papers.vehicle_of(everything, wanted.vehicle_id or 0)
        if vehicle is None:
            raise InvalidInput(
                [
                    (
                        "vehicle_id",
                        _("is not a vehicle of convoy {number}").format(number=convoy.number),
                    )
                ]
            )
        note = papers.cmr_facts(everything, vehicle, wanted.destination_id)
        if note is None:
            said = _("this vehicle carries nothing for this recipient")
            raise InvalidInput([("destination_id", said)])
        return {**note, "boxes": CMR_BOXES}
    if wanted.kind.name == "driver_papers":
        theirs = papers.driver_facts(everything, wanted.driver_id or 0)
        if theirs is None:
            said = _("this driver drives nothing on convoy {number}")
            raise InvalidInput([("driver_id", said.format(number=convoy.number))])
        return {**theirs, "boxes": CMR_BOXES}
    if wanted.kind.name == "donation_letter":
        given = papers.donation_facts(everything, wanted.donor_id or 0, wanted.destination_id or 0)
        if given is None:
            said = _("this donor gives this recipient nothing on convoy {number}")
            raise InvalidInput([("donor_id", said.format(number=convoy.number))])
        return given
    if wanted.kind.name == "usage_form":
        theirs = papers.handover_facts(everything, wanted.destination_id or 0)
        if theirs is None:
            said = _("convoy {number} carries nothing for this recipient")
            raise InvalidInput([("destination_id", said.format(number=convoy.number))])
        covering = _certificates(session, wanted.destination_id, papers.covered_items(theirs))
        form = papers.usage_form_facts(everything, wanted.destination_id or 0, covering)
        assert form is not None
        return form
    if wanted.kind.subject == "destination_id":
        theirs = papers.handover_facts(everything, wanted.destination_id or 0)
        if theirs is None:
            raise InvalidInput(
                [
                    (
                        "destination_id",
                        _("convoy {number} carries nothing for this recipient").format(
                            number=convoy.number
                        ),
                    )
                ]
            )
        return theirs
    return everything


# Where no certificate covers the items yet (a form for a certificate still to be issued).
USUAL_USE = {
    "number": "",
    "issued_on": "",
    "intended_use": "Trinkwasserversorgung und Abwasserentsorgung des Empfängers",
    "intended_use_uk": "Питне водопостачання та водовідведення отримувача",
}


def _certificates(
    session: Session, destination_id: int | None, item_ids: list[int]
) -> list[papers.Facts]:
    """The recipient's certificates that cover these items, each with its purpose; the usual
    purpose where none does. A certificate for other items of the recipient is not theirs."""
    found = session.exec(
        select(UsageCertificate)
        .join(CertificateItem, col(CertificateItem.certificate_id) == col(UsageCertificate.id))
        .where(
            UsageCertificate.destination_id == destination_id,
            col(CertificateItem.item_id).in_(item_ids),
        )
        .distinct()
        .order_by(col(UsageCertificate.issued_on), col(UsageCertificate.number))
    ).all()
    if not found:
        return [USUAL_USE]
    return [
        {
            "number": c.number,
            "issued_on": papers.day(c.issued_on),
            "intended_use": c.intended_use,
            "intended_use_uk": c.intended_use_uk or "",
        }
        for c in found
    ]


def _addressed(everything: papers.Facts, wanted: Paper) -> Paper:
    """A vehicle's note for its own recipient is addressed by the vehicle alone: the same
    paper (and number) whether or not the recipient is named."""
    if wanted.kind.subject == "vehicle_id" and wanted.destination_id is not None:
        vehicle = papers.vehicle_of(everything, wanted.vehicle_id or 0)
        if vehicle is not None and vehicle["recipient"]["id"] == wanted.destination_id:
            return replace(wanted, destination_id=None)
    return wanted


# Blanks of any width; control characters are the download's to make harmless.
_BLANKS = re.compile(r"[^\S\x00-\x1f\x7f]+")


def _file_name(convoy: Convoy, wanted: Paper, fmt: str, number: str | None = None) -> str:
    """ "W4U-02-MAN-1-rev2.pdf": no slash and no blank, which a browser or a mail program
    would quote, cut or turn into "%20"."""
    base = (number or f"{convoy.number}-{wanted.kind.name}").replace("/", "-")
    if number is None and wanted.subject:
        base += f"-{wanted.subject}"
    return _BLANKS.sub("-", f"{base}.{fmt}")


def make(facts: papers.Facts, convoy: Convoy, wanted: Paper, fmt: str, stamp: render.Stamp) -> File:
    """The document in ``fmt`` from the facts: the one place that turns facts into bytes."""
    if fmt not in wanted.kind.formats:
        raise InvalidInput(
            [
                (
                    "format",
                    _("a {kind} is made as {formats}").format(
                        kind=wanted.kind.name, formats=", ".join(wanted.kind.formats)
                    ),
                )
            ]
        )
    if fmt == "pdf":
        content = render.pdf(_TEMPLATES[wanted.kind.name], facts, stamp)
    else:
        columns, rows = _TABLES[wanted.kind.name](facts, stamp.pair)
        if stamp.pair == "en":
            columns = [
                replace(
                    c,
                    title=_ENGLISH_COLUMNS.get(c.key, c.title),
                    number_format=_ENGLISH_FORMATS.get(c.number_format or "", c.number_format),
                )
                for c in columns
            ]
        content = (
            render.xlsx(wanted.kind.title.split(" / ")[0], columns, rows, stamp)
            if fmt == "xlsx"
            else render.csv_bytes(columns, rows)
        )
    return File(content, MEDIA_TYPES[fmt], _file_name(convoy, wanted, fmt))


# The papers a transit country may ask for in English, and their English titles.
ENGLISH_TITLES = {"manifest": "Packing list", "export_sheet": "Export data"}


def preview(
    session: Session, convoy: Convoy, wanted: Paper, fmt: str, language: str = "de-uk"
) -> File:
    with papers.written_in(language):
        everything = papers.convoy_facts(session, convoy)
        wanted = _addressed(everything, wanted)
        facts = facts_of(session, convoy, wanted, everything)
    if language == "en":
        if wanted.kind.name not in ENGLISH_TITLES:
            said = _("only the manifest and the export sheet are made in English")
            raise InvalidInput([("language", said)])
        stamp = render.Stamp(
            kind=wanted.kind.name,
            title=ENGLISH_TITLES[wanted.kind.name],
            subtitle=f"{convoy.number} · {convoy.name}",
            number="Preview",
            issued_on=today_at(convoy.meeting_time_zone),
            issued_label="not issued",
            pair="en",
        )
    else:
        stamp = render.Stamp(
            kind=wanted.kind.name,
            title=wanted.kind.title,
            subtitle=f"{convoy.number} · {convoy.name}",
            number="Vorschau / Перегляд",
            issued_on=today_at(convoy.meeting_time_zone),
            issued_label="nicht ausgegeben / не видано",
        )
    with papers.written_in(language):
        return make(facts, convoy, wanted, fmt, stamp)


def _issued_of(session: Session, convoy: Convoy, wanted: Paper) -> list[IssuedDocument]:
    stmt = select(IssuedDocument).where(
        IssuedDocument.convoy_id == convoy.id,
        IssuedDocument.kind == wanted.kind.name,
        IssuedDocument.vehicle_id == wanted.vehicle_id,
        IssuedDocument.destination_id == wanted.destination_id,
        IssuedDocument.donor_id == wanted.donor_id,
        IssuedDocument.driver_id == wanted.driver_id,
    )
    return list(session.exec(stmt.order_by(col(IssuedDocument.revision))).all())


def issue(session: Session, convoy: Convoy, wanted: Paper, principal: Principal) -> IssuedDocument:
    """Give the paper a number (the same number again for a reissue, one revision more), make
    it, and keep its bytes, their SHA-256 and the facts it was made from."""
    # Two clerks issuing at once would both read the same last number or revision, and the
    # second paper's row would then collide with the first's: a convoy's papers are issued
    # one at a time.
    hold(session, Convoy, convoy.id)
    everything = papers.convoy_facts(session, convoy)
    wanted = _addressed(everything, wanted)
    earlier = _issued_of(session, convoy, wanted)
    if earlier:
        number, revision = earlier[-1].number, earlier[-1].revision + 1
    else:
        numbered = session.exec(
            select(func.count(func.distinct(IssuedDocument.number))).where(
                IssuedDocument.convoy_id == convoy.id, IssuedDocument.kind == wanted.kind.name
            )
        ).one()
        number, revision = f"{convoy.number}/{wanted.kind.code}/{numbered + 1}", 1
    facts = facts_of(session, convoy, wanted, everything)
    # Made out today where the convoy sets off (remake reads that day from issued_at).
    stamp = _issued_stamp(convoy, wanted, number, revision, today_at(convoy.meeting_time_zone))
    fmt = wanted.kind.formats[0]
    made = make(facts, convoy, wanted, fmt, stamp)
    assert convoy.id is not None
    document = IssuedDocument(
        kind=wanted.kind.name,
        convoy_id=convoy.id,
        vehicle_id=wanted.vehicle_id,
        destination_id=wanted.destination_id,
        donor_id=wanted.donor_id,
        driver_id=wanted.driver_id,
        number=number,
        revision=revision,
        media_type=made.media_type,
        filename=_file_name(
            convoy, wanted, fmt, number if revision == 1 else f"{number}-rev{revision}"
        ),
        content=made.content,
        sha256=hashlib.sha256(made.content).hexdigest(),
        size_bytes=len(made.content),
        facts=facts,
        issued_by_user_id=principal.user_id,
        issued_by_name=principal.full_name or principal.username,
    )
    session.add(document)
    # Whatever else raced past the lock: a 409 on the paper asked for, never a 500.
    flush_or_conflict(session, _("this paper was issued meanwhile: issue it again"), "kind")
    return document


def _issued_stamp(
    convoy: Convoy, wanted: Paper, number: str, revision: int, day: date
) -> render.Stamp:
    """What an issued paper says of itself: its number and revision, and the day it is made
    out at the place the convoy sets off (a CMR note's place and date of making out)."""
    return render.Stamp(
        kind=wanted.kind.name,
        title=wanted.kind.title,
        subtitle=f"{convoy.number} · {convoy.name}",
        number=number if revision == 1 else f"{number} · Rev. {revision}",
        issued_on=day,
        issued_label=f"ausgegeben / видано {papers.day(day)}",
    )


def remake(session: Session, document: IssuedDocument) -> bytes:
    """The issued file made again from the facts, number and day it was made from: the very
    bytes that were issued, unless what sets them (a template, a library) changed since."""
    convoy = session.get(Convoy, document.convoy_id)
    assert convoy is not None
    wanted = paper_of(document)
    day = local_date(document.issued_at, convoy.meeting_time_zone)
    stamp = _issued_stamp(convoy, wanted, document.number, document.revision, day)
    return make(document.facts, convoy, wanted, wanted.kind.formats[0], stamp).content


def issued(session: Session, convoy: Convoy) -> list[IssuedDocument]:
    stmt = (
        select(IssuedDocument)
        .where(IssuedDocument.convoy_id == convoy.id)
        .order_by(col(IssuedDocument.number), col(IssuedDocument.revision))
    )
    return list(session.exec(stmt).all())


def get_issued(session: Session, document_id: int) -> IssuedDocument:
    document = session.get(IssuedDocument, document_id)
    if document is None:
        raise NotFound(N_("Document"), document_id)
    return document


def paper_of(document: IssuedDocument) -> Paper:
    return Paper(
        KINDS[document.kind],
        document.vehicle_id,
        document.destination_id,
        document.donor_id,
        document.driver_id,
    )


def changes_since_issue(
    session: Session, document: IssuedDocument, everything: papers.Facts | None = None
) -> list[str]:
    """Where the facts now differ from those the document was made from ("vehicles.2.
    export_plate"); empty while the document still says what the data says. ``everything``:
    the convoy's facts, when a list of its documents is checked at once."""
    convoy = session.get(Convoy, document.convoy_id)
    assert convoy is not None
    try:
        now = facts_of(session, convoy, paper_of(document), everything)
    except InvalidInput:
        return ["(the document's subject is no longer on the convoy)"]
    found: list[str] = []
    _diff(document.facts, now, "", found)
    return found


def _diff(before: Any, after: Any, path: str, found: list[str], limit: int = 20) -> None:
    if len(found) >= limit:
        return
    if isinstance(before, dict) and isinstance(after, dict):
        for key in sorted(set(before) | set(after)):
            _diff(before.get(key), after.get(key), f"{path}.{key}" if path else key, found)
    elif isinstance(before, list) and isinstance(after, list) and len(before) == len(after):
        for n, (b, a) in enumerate(zip(before, after, strict=True)):
            _diff(b, a, f"{path}.{n}", found)
    elif before != after:
        found.append(path)


# --- the tabular documents: columns and one row per item or cargo line ----------------------


def _manifest_rows(
    facts: papers.Facts, pair: str
) -> tuple[list[render.Column], list[dict[str, Any]]]:
    columns = [
        render.Column("Fahrzeug / Транспорт", "vehicle", "0", 8),
        render.Column("Pos.", "position", None, 7),
        render.Column("Beschreibung / Опис", "description", None, 40),
        render.Column("Опис (UA)", "description_uk", None, 30),
        render.Column("VIN", "vin", None, 20),
        render.Column("Menge / К-сть", "quantity", "0", 9),
        render.Column("Einheit / Од.", "unit", None, 8),
        render.Column("Gewicht kg / Вага кг", "weight_kg", "#,##0", 12),
        render.Column("Wert EUR / Вартість EUR", "value_eur", "#,##0.00", 14),
        render.Column("HS", "hs_code", None, 11),
        render.Column("Kategorie / Категорія", "category", None, 14),
        render.Column("Zeichen / Маркування", "marks", None, 16),
        render.Column("Empfänger / Отримувач", "recipient", None, 28),
    ]
    return columns, _rows(facts, pair)


# The labels of the sheets' subtotal and total rows, as the PDF manifest words them.
_SUMS = {
    "de-uk": {
        "vehicle": "Summe Fahrzeug {n} / Разом транспортний засіб {n}",
        "recipient": "Summe Empfänger / Разом отримувач",
        "convoy": "Konvoi gesamt / Усього колона",
    },
    "en": {
        "vehicle": "Total vehicle {n}",
        "recipient": "Total consignee",
        "convoy": "Convoy total",
    },
}


def _sum(label: str, rows: list[dict[str, Any]], **shown: Any) -> dict[str, Any]:
    """A subtotal or total row: the quantities, weights and values of ``rows`` added up."""
    return {
        "description": label,
        "quantity": sum(r["quantity"] for r in rows),
        "weight_kg": sum(r["weight_kg"] for r in rows),
        "net_weight_kg": sum(r["net_weight_kg"] for r in rows),
        # In cents, so that the sum of the cells is the sum of the amounts.
        "value_eur": sum(round(r["value_eur"] * 100) for r in rows) / 100,
        "total": True,
        **shown,
    }


def _rows(facts: papers.Facts, pair: str = "de-uk") -> list[dict[str, Any]]:
    """One row per vehicle and per line of its cargo, a subtotal under each vehicle (the
    vehicle counted in its quantity), a total per recipient and one for the convoy."""
    rows = _lines(facts)
    labels = _SUMS[pair]
    shown: list[dict[str, Any]] = []
    for v in facts["vehicles"]:
        own = [r for r in rows if r["vehicle"] == v["position"]]
        shown += own
        label = labels["vehicle"].format(n=v["position"])
        shown.append(_sum(label, own, vehicle=v["position"]))
    for r in facts["recipients"]:
        name = r["recipient"]["name"]
        theirs = [row for row in rows if row["recipient_id"] == r["recipient"]["id"]]
        shown.append(_sum(labels["recipient"], theirs, recipient=name))
    shown.append(_sum(labels["convoy"], rows))
    return shown


def _lines(facts: papers.Facts) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for v in facts["vehicles"]:
        rows.append(
            {
                "vehicle": v["position"],
                "position": str(v["position"]),
                "description": f"{v['make']} {v['model']}".strip() or v["name"],
                "description_uk": v["name_uk"],
                "vin": v["vin"],
                "quantity": 1,
                "unit": papers.unit("pcs"),
                "weight_kg": v["own_weight_kg"],
                "net_weight_kg": v["own_weight_kg"],
                "value_eur": v["declared_value_cents"] / 100,
                "hs_code": v["hs_code"],
                "category": v["kind"],
                "marks": v["export_plate"],
                "recipient": v["recipient"]["name"],
                "recipient_id": v["recipient"]["id"],
                "origin": v["origin_country"],
                "mrn": v["mrn"],
                "exit_confirmed_on": _day(v["exit_confirmed_on"]),
                "export_plate": v["export_plate"],
            }
        )
        for n, line in enumerate(v["lines"], start=1):
            rows.append(
                {
                    "vehicle": v["position"],
                    "position": f"{v['position']}.{n}",
                    "description": line["description"],
                    "description_uk": line["description_uk"],
                    "vin": "",
                    "quantity": line["quantity"],
                    "unit": line["unit"],
                    "weight_kg": line["weight_kg"],
                    "net_weight_kg": line["weight_kg"],
                    "value_eur": line["value_cents"] / 100,
                    "hs_code": line["hs_code"],
                    "category": line["category"],
                    "marks": line["marks"],
                    "recipient": line["recipient"]["name"],
                    "recipient_id": line["recipient"]["id"],
                    "origin": v["origin_country"],
                    "mrn": v["mrn"],
                    "exit_confirmed_on": _day(v["exit_confirmed_on"]),
                    "export_plate": v["export_plate"],
                }
            )
    return rows


def _day(iso: str) -> date | None:
    return date.fromisoformat(iso) if iso else None


def _export_rows(
    facts: papers.Facts, pair: str
) -> tuple[list[render.Column], list[dict[str, Any]]]:
    columns = [
        render.Column("Pos.", "position", None, 7),
        render.Column("Warenbezeichnung / Опис товару", "description", None, 40),
        render.Column("HS-Code / УКТЗЕД", "hs_code", None, 12),
        render.Column(
            "Statistischer Wert EUR / Статистична вартість EUR", "value_eur", "#,##0.00", 16
        ),
        render.Column("Rohmasse kg / Вага брутто кг", "weight_kg", "#,##0", 12),
        render.Column("Eigenmasse kg / Вага нетто кг", "net_weight_kg", "#,##0", 12),
        render.Column("Ursprungsland / Країна походження", "origin", None, 10),
        render.Column("MRN", "mrn", None, 20),
        render.Column(
            "Ausgang bestätigt / Вивезення підтверджено", "exit_confirmed_on", "dd.mm.yyyy", 14
        ),
        render.Column("Ausfuhrkennzeichen / Експортний номер", "export_plate", None, 14),
        render.Column("Empfänger / Отримувач", "recipient", None, 28),
    ]
    return columns, _rows(facts, pair)


_ENGLISH_COLUMNS = {
    "vehicle": "Vehicle",
    "position": "Line",
    "description": "Description",
    "description_uk": "Description (UA)",
    "quantity": "Quantity",
    "unit": "Unit",
    "weight_kg": "Gross weight kg",
    "net_weight_kg": "Net weight kg",
    "value_eur": "Value EUR",
    "hs_code": "HS code",
    "category": "Category",
    "marks": "Marks",
    "recipient": "Consignee",
    "origin": "Country of origin",
    "exit_confirmed_on": "Exit confirmed",
    "export_plate": "Export plate",
}

# A date in an English sheet as on the English PDF ("16 Jul 2027"); numbers are shown by
# the reader's own spreadsheet settings either way.
_ENGLISH_FORMATS: dict[str, str | None] = {"dd.mm.yyyy": "d mmm yyyy"}

_TEMPLATES = {
    "manifest": "manifest",
    "cmr": "cmr",
    "handover_act": "handover",
    "donation_letter": "donation",
    "usage_form": "usage",
    "driver_papers": "driver",
}
_TABLES: dict[
    str, Callable[[papers.Facts, str], tuple[list[render.Column], list[dict[str, Any]]]]
] = {
    "manifest": _manifest_rows,
    "export_sheet": _export_rows,
}
