"""The funding papers: a transport's report for its funders, a fund's yearly report, donation
receipts, and the ledger export for a tax adviser.

The PDFs are set by the documents' renderer (typst, its fonts from PyPI, reproducible bytes);
an issued paper is kept as it was handed out, with its number and SHA-256, and never made
again under the same number.
"""

import csv
import hashlib
import io
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from babel.numbers import format_currency
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, func, select

from app.auth.service import Principal
from app.convoys import service as convoys
from app.core.errors import Conflict, InvalidInput, NotFound
from app.core.i18n import N_, _
from app.core.service import flush_or_conflict, hold
from app.core.spreadsheets import neutral
from app.documents import render
from app.funding import service
from app.funding.models import (
    COSTS,
    EntryKind,
    Fund,
    FundingPaper,
    FundingPaperKind,
    LedgerEntry,
    Programme,
    Transport,
)

# The German words of each kind, as a tax adviser and a funder read them.
KIND_WORDS = {
    EntryKind.payroll_pledge: "Lohnspende",
    EntryKind.donation: "Geldspende",
    EntryKind.grant: "Zuschuss",
    EntryKind.goods: "Warenkauf",
    EntryKind.vehicle_hire: "Fahrzeugmiete",
    EntryKind.fuel: "Kraftstoff",
    EntryKind.tolls: "Maut",
    EntryKind.other_cost: "Sonstige Kosten",
}
KIND_WORDS_UK = {
    EntryKind.payroll_pledge: "пожертва із зарплати",
    EntryKind.donation: "пожертва",
    EntryKind.grant: "грант",
    EntryKind.goods: "закупівля товарів",
    EntryKind.vehicle_hire: "оренда транспорту",
    EntryKind.fuel: "пальне",
    EntryKind.tolls: "дорожні збори",
    EntryKind.other_cost: "інші витрати",
}


@dataclass(frozen=True)
class Made:
    content: bytes
    media_type: str
    filename: str


def euros(cents: int) -> str:
    """ "1.234,56 €", from the integer cents (no float on the way)."""
    return format_currency(Decimal(cents).scaleb(-2), "EUR", locale="de_DE")


def _day(value: date | None) -> str:
    return f"{value:%d.%m.%Y}" if value else ""


# --- the amount in words, as the receipt's model asks ("in Buchstaben") -----------------------

_ONES = [
    "null",
    "eins",
    "zwei",
    "drei",
    "vier",
    "fünf",
    "sechs",
    "sieben",
    "acht",
    "neun",
    "zehn",
    "elf",
    "zwölf",
    "dreizehn",
    "vierzehn",
    "fünfzehn",
    "sechzehn",
    "siebzehn",
    "achtzehn",
    "neunzehn",
]
_TENS = [
    "",
    "",
    "zwanzig",
    "dreißig",
    "vierzig",
    "fünfzig",
    "sechzig",
    "siebzig",
    "achtzig",
    "neunzig",
]


def _below_thousand(n: int) -> str:
    hundreds, rest = divmod(n, 100)
    words = (("ein" if hundreds == 1 else _ONES[hundreds]) + "hundert") if hundreds else ""
    if rest == 0:
        return words
    if rest < 20:
        return words + ("ein" if rest == 1 and hundreds else _ONES[rest])
    tens, ones = divmod(rest, 10)
    unit = "" if ones == 0 else ("ein" if ones == 1 else _ONES[ones]) + "und"
    return words + unit + _TENS[tens]


def number_in_words(n: int) -> str:
    """A whole number in German words: 1234 -> "eintausendzweihundertvierunddreißig"."""
    if n == 0:
        return "null"
    millions, rest = divmod(n, 1_000_000)
    thousands, ones = divmod(rest, 1000)
    parts = []
    if millions:
        parts.append(
            "eine Million " if millions == 1 else f"{_below_thousand(millions)} Millionen "
        )
    if thousands:
        parts.append(("ein" if thousands == 1 else _below_thousand(thousands)) + "tausend")
    if ones:
        parts.append(_below_thousand(ones))
    return "".join(parts).strip()


def amount_in_words(cents: int) -> str:
    """ "eintausend Euro", "fünfzig Euro und zwanzig Cent"."""
    whole, rest = divmod(cents, 100)
    # Before a unit "eins" is "ein": "ein Euro", "einhundertein Euro".
    said = number_in_words(whole)
    words = f"{said.removesuffix('s') if whole % 100 == 1 else said} Euro"
    cent_words = "ein" if rest == 1 else number_in_words(rest)
    return f"{words} und {cent_words} Cent" if rest else words


# --- issuing and keeping ----------------------------------------------------------------------


def get(session: Session, paper_id: int) -> FundingPaper:
    paper = session.get(FundingPaper, paper_id)
    if paper is None:
        raise NotFound(N_("Funding paper"), paper_id)
    return paper


def issued(session: Session, programme: Programme) -> list[FundingPaper]:
    return list(
        session.exec(
            select(FundingPaper)
            .where(FundingPaper.programme_id == programme.id)
            .order_by(col(FundingPaper.issued_at).desc(), col(FundingPaper.id).desc())
        ).all()
    )


def _keep(
    session: Session,
    *,
    kind: FundingPaperKind,
    programme: Programme,
    number: str,
    template: str,
    title: str,
    subtitle: str,
    facts: dict[str, Any],
    principal: Principal,
    **about: Any,
) -> FundingPaper:
    day = service.today()
    stamp = render.Stamp(
        kind=kind.value,
        title=title,
        subtitle=subtitle,
        number=number,
        issued_on=day,
        issued_label=f"ausgestellt / видано {_day(day)}",
    )
    content = render.pdf(template, facts, stamp)
    paper = FundingPaper(
        kind=kind,
        programme_id=programme.id or 0,
        number=number,
        media_type="application/pdf",
        filename=number.replace("/", "-") + ".pdf",
        content=content,
        sha256=hashlib.sha256(content).hexdigest(),
        size_bytes=len(content),
        facts=facts,
        issued_by_name=service.booked_by(principal),
        **about,
    )
    session.add(paper)
    # Whatever else raced past the lock: a 409 naming the number, never a 500.
    flush_or_conflict(session, _("this paper was issued meanwhile: issue it again"), "number")
    return paper


def _count(session: Session, kind: FundingPaperKind, **where: Any) -> int:
    stmt = select(func.count(col(FundingPaper.id))).where(FundingPaper.kind == kind)
    for name, value in where.items():
        stmt = stmt.where(getattr(FundingPaper, name) == value)
    return int(session.exec(stmt).one())


def _entry_row(entry: LedgerEntry, funds: dict[int, Fund]) -> dict[str, Any]:
    fund = funds.get(entry.fund_id)
    return {
        "on": _day(entry.booked_on),
        "kind": KIND_WORDS[entry.kind],
        "kind_uk": KIND_WORDS_UK[entry.kind],
        "description": entry.description,
        "reference": entry.reference or "",
        "fund": fund.name if fund else "",
        "amount": euros(entry.amount_cents),
        "cost": euros(-entry.amount_cents),
    }


def transport_facts(session: Session, transport: Transport) -> dict[str, Any]:
    """What a funder asks of a transport: what went where, what it cost, from which fund, and
    who signed for it on arrival."""
    programme = service.get_programme(session, transport.programme_id)
    funds = {f.id or 0: f for f in service.funds(session, programme.id or 0)}
    entries = session.exec(
        select(LedgerEntry)
        .where(LedgerEntry.transport_id == transport.id)
        .order_by(col(LedgerEntry.booked_on), col(LedgerEntry.id))
    ).all()
    costs = [e for e in entries if e.kind in COSTS]
    by_fund: dict[int, int] = defaultdict(int)
    by_kind: dict[EntryKind, int] = defaultdict(int)
    for e in costs:
        by_fund[e.fund_id] -= e.amount_cents
        by_kind[e.kind] -= e.amount_cents
    convoy = service.convoy_of(session, transport)
    cargo: list[dict[str, Any]] = []
    handovers: list[dict[str, Any]] = []
    if convoy is not None and convoy.id is not None:
        for _line, item in convoys.loaded_items(session, convoy.id):
            cargo.append({"name": item.name, "kind": item.kind.value})
        names = {item.id: item.name for _line, item in convoys.loaded_items(session, convoy.id)}
        for h in convoys.handovers_of(session, convoy.id):
            handovers.append(
                {
                    "item": names.get(h.item_id, str(h.item_id)),
                    "on": _day(h.handed_over_on),
                    "place": h.place,
                    "receiver": f"{h.receiver_name} ({h.receiver_role})",
                }
            )
    return {
        "programme": {
            "name": programme.name,
            "partner": programme.partner_name,
            "partner_uk": programme.partner_name_uk or "",
            "organiser": programme.organiser_name,
        },
        "transport": {
            "label": service.label(programme, transport),
            "number": transport.number,
            "planned_on": _day(transport.planned_on),
            "status": transport.status.value,
            "convoy": f"{convoy.number} · {convoy.name}" if convoy else "",
        },
        "costs": [_entry_row(e, funds) for e in costs],
        "by_fund": [
            {"fund": funds[f].name if f in funds else str(f), "amount": euros(c)}
            for f, c in sorted(by_fund.items())
        ],
        "by_kind": [
            {"kind": KIND_WORDS[k], "kind_uk": KIND_WORDS_UK[k], "amount": euros(c)}
            for k, c in sorted(by_kind.items())
        ],
        "total": euros(sum(by_kind.values())),
        "cargo": cargo,
        "handovers": handovers,
    }


def issue_transport_report(
    session: Session, transport: Transport, principal: Principal
) -> FundingPaper:
    programme = service.get_programme(session, transport.programme_id)
    # A programme's papers are numbered by counting those before them: one at a time, or two
    # issued at once take the same number (and two receipts for one donation find none).
    hold(session, Programme, programme.id)
    label = service.label(programme, transport)
    n = _count(session, FundingPaperKind.transport_report, transport_id=transport.id) + 1
    return _keep(
        session,
        kind=FundingPaperKind.transport_report,
        programme=programme,
        number=f"{label}/BER/{n}",
        template="funding_transport",
        title="Bericht an die Förderer / Звіт для донорів",
        subtitle=f"{programme.name} · Transport {transport.number}",
        facts=transport_facts(session, transport),
        principal=principal,
        transport_id=transport.id,
    )


def year_facts(session: Session, fund: Fund, year: int) -> dict[str, Any]:
    """A fund's year: opening balance, each kind's income and costs, closing balance, and the
    transports it paid for. Three queries, however long the ledger."""
    first, last = date(year, 1, 1), date(year, 12, 31)
    opening = session.exec(
        select(func.coalesce(func.sum(LedgerEntry.amount_cents), 0)).where(
            LedgerEntry.fund_id == fund.id, col(LedgerEntry.booked_on) < first
        )
    ).one()
    sums = session.exec(
        select(LedgerEntry.kind, func.sum(LedgerEntry.amount_cents), func.count())
        .where(
            LedgerEntry.fund_id == fund.id,
            col(LedgerEntry.booked_on) >= first,
            col(LedgerEntry.booked_on) <= last,
        )
        .group_by(col(LedgerEntry.kind))
    ).all()
    per_transport = session.exec(
        select(Transport.number, func.sum(LedgerEntry.amount_cents))
        .join(Transport, col(Transport.id) == col(LedgerEntry.transport_id))
        .where(
            LedgerEntry.fund_id == fund.id,
            col(LedgerEntry.booked_on) >= first,
            col(LedgerEntry.booked_on) <= last,
        )
        .group_by(col(Transport.number))
        .order_by(col(Transport.number))
    ).all()
    programme = service.get_programme(session, fund.programme_id)
    by_kind = {EntryKind(k): (int(total), int(count)) for k, total, count in sums}
    income = sum(t for k, (t, _n) in by_kind.items() if k not in COSTS)
    costs = -sum(t for k, (t, _n) in by_kind.items() if k in COSTS)
    return {
        "programme": {"name": programme.name, "organiser": programme.organiser_name},
        "fund": {"name": fund.name, "purpose": fund.purpose or ""},
        "year": year,
        "opening": euros(int(opening)),
        "income": euros(income),
        "costs": euros(costs),
        "closing": euros(int(opening) + income - costs),
        "kinds": [
            {
                "kind": KIND_WORDS[k],
                "kind_uk": KIND_WORDS_UK[k],
                "entries": n,
                "amount": euros(t),
            }
            for k, (t, n) in sorted(by_kind.items())
        ],
        "transports": [
            {"label": f"{programme.code}-{number}", "amount": euros(-int(total))}
            for number, total in per_transport
        ],
    }


def issue_year_report(
    session: Session, fund: Fund, year: int, principal: Principal
) -> FundingPaper:
    programme = service.get_programme(session, fund.programme_id)
    hold(session, Programme, programme.id)
    n = _count(session, FundingPaperKind.fund_year_report, fund_id=fund.id, year=year) + 1
    return _keep(
        session,
        kind=FundingPaperKind.fund_year_report,
        programme=programme,
        number=f"{programme.code}/F{fund.id}/{year}/{n}",
        template="funding_year",
        title="Jahresbericht des Fonds / Річний звіт фонду",
        subtitle=f"{programme.name} · {fund.name} · {year}",
        facts=year_facts(session, fund, year),
        principal=principal,
        fund_id=fund.id,
        year=year,
    )


def receipt_facts(programme: Programme, entry: LedgerEntry) -> dict[str, Any]:
    return {
        "organiser": {
            "name": programme.organiser_name,
            "address": ", ".join(
                p
                for p in (
                    programme.organiser_street,
                    f"{programme.organiser_postal_code} {programme.organiser_city}".strip(),
                )
                if p
            ),
            "tax_office": programme.tax_office or "",
            "tax_number": programme.tax_number or "",
            "notice_on": _day(programme.exemption_notice_on),
            "period": programme.exemption_period or "",
            "purpose": programme.tax_purpose or "",
            "city": programme.organiser_city,
        },
        "donor": {"name": entry.donor_name or "", "address": entry.donor_address or ""},
        "amount": euros(entry.amount_cents),
        "amount_words": amount_in_words(entry.amount_cents),
        "on": _day(entry.booked_on),
        "today": _day(service.today()),
    }


def issue_receipt(session: Session, entry: LedgerEntry, principal: Principal) -> FundingPaper:
    """A Zuwendungsbestätigung for a one-off money donation whose donor is named; one per
    donation (a second would let a donor deduct the gift twice)."""
    errors = []
    if entry.kind != EntryKind.donation or entry.amount_cents <= 0:
        errors.append(("entry_id", _("a receipt is issued for a donation only")))
    if not entry.donor_name or not entry.donor_address:
        errors.append(("donor_name", _("a receipt names the donor and their address")))
    fund = service.get_fund(session, entry.fund_id)
    programme = service.get_programme(session, fund.programme_id)
    if not (programme.tax_office and programme.tax_number and programme.exemption_notice_on):
        errors.append(("tax_number", _("the programme's tax exemption is not recorded")))
    if errors:
        raise InvalidInput(errors)
    hold(session, Programme, programme.id)
    if session.exec(select(FundingPaper.id).where(FundingPaper.entry_id == entry.id)).first():
        raise Conflict(_("a receipt for entry {id} was issued already").format(id=entry.id))
    if session.exec(select(LedgerEntry.id).where(LedgerEntry.reverses_id == entry.id)).first():
        raise Conflict(_("entry {id} is reversed; it was not given").format(id=entry.id))
    year = entry.booked_on.year
    n = _count(session, FundingPaperKind.donation_receipt, programme_id=programme.id, year=year)
    return _keep(
        session,
        kind=FundingPaperKind.donation_receipt,
        programme=programme,
        number=f"{programme.code}/ZB/{year}/{n + 1:04d}",
        template="donation_receipt",
        title="Zuwendungsbestätigung",
        subtitle=programme.organiser_name,
        facts=receipt_facts(programme, entry),
        principal=principal,
        entry_id=entry.id,
        year=year,
    )


# --- the ledger export ------------------------------------------------------------------------

# The layout follows the columns of DATEV's Buchungsstapel (the format German tax advisers
# import), by name and in order, without DATEV's EXTF header line: the association keeps no
# chart of accounts in Konvoi, so "Konto" is the fund and "Kostenstelle" (KOST1) the transport.
EXPORT_COLUMNS = (
    "Umsatz (ohne Soll/Haben-Kz)",
    "Soll/Haben-Kennzeichen",
    "WKZ Umsatz",
    "Belegdatum",
    "Belegfeld 1",
    "Buchungstext",
    "Konto",
    "KOST1 - Kostenstelle",
    "Art",
    "Storno zu Beleg",
    "Spender",
    "Gebucht von",
)


def _export_rows(session: Session, programme: Programme, year: int | None) -> list[list[Any]]:
    """The year's entries as plain rows (no ORM objects: a year may hold tens of thousands)."""
    funds = {f.id: f.name for f in service.funds(session, programme.id or 0)}
    numbers = {t.id: t.number for t in service.transports(session, programme.id or 0)}
    stmt = sa_select(
        col(LedgerEntry.id),
        col(LedgerEntry.amount_cents),
        col(LedgerEntry.booked_on),
        col(LedgerEntry.description),
        col(LedgerEntry.fund_id),
        col(LedgerEntry.transport_id),
        col(LedgerEntry.kind),
        col(LedgerEntry.reverses_id),
        col(LedgerEntry.donor_name),
        col(LedgerEntry.booked_by_name),
    ).where(col(LedgerEntry.fund_id).in_(list(funds)))
    if year:
        stmt = stmt.where(
            col(LedgerEntry.booked_on) >= date(year, 1, 1),
            col(LedgerEntry.booked_on) <= date(year, 12, 31),
        )
    rows = []
    for (
        entry_id,
        cents,
        on,
        text,
        fund_id,
        transport_id,
        kind,
        reverses,
        donor,
        by,
    ) in session.execute(stmt.order_by(col(LedgerEntry.booked_on), col(LedgerEntry.id))).all():
        rows.append(
            [
                Decimal(abs(cents)).scaleb(-2),
                "H" if cents > 0 else "S",  # money in: Haben of the fund
                "EUR",
                on,
                str(entry_id),
                text,
                funds.get(fund_id, str(fund_id)),
                f"{programme.code}-{numbers[transport_id]}" if transport_id else "",
                KIND_WORDS[EntryKind(kind)],
                str(reverses) if reverses else "",
                donor or "",
                by,
            ]
        )
    return rows


def ledger_export(session: Session, programme: Programme, fmt: str, year: int | None) -> Made:
    rows = _export_rows(session, programme, year)
    name = f"{programme.code}-Buchungen{'-' + str(year) if year else ''}"
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
        writer.writerow(EXPORT_COLUMNS)
        for row in rows:
            writer.writerow(
                [
                    f"{v:.2f}".replace(".", ",")
                    if isinstance(v, Decimal)
                    else f"{v:%d.%m.%Y}"
                    if isinstance(v, date)
                    else neutral(v)
                    for v in row
                ]
            )
        # Windows-1252 would lose a Cyrillic name; UTF-8 with a BOM opens right everywhere.
        return Made(
            ("\ufeff" + buffer.getvalue()).encode(), "text/csv; charset=utf-8", f"{name}.csv"
        )
    columns = [
        render.Column(title, f"c{i}", number_format=fmt_, width=width)
        for i, (title, fmt_, width) in enumerate(
            zip(
                EXPORT_COLUMNS,
                (
                    "#,##0.00",
                    None,
                    None,
                    "dd.mm.yyyy",
                    None,
                    None,
                    None,
                    None,
                    None,
                    None,
                    None,
                    None,
                ),
                (14, 8, 6, 12, 10, 50, 24, 14, 20, 10, 30, 24),
                strict=True,
            )
        )
    ]
    stamp = render.Stamp("ledger", "Buchungen", programme.name, name, service.today(), "")
    content = render.xlsx(
        "Buchungsstapel", columns, [{f"c{i}": v for i, v in enumerate(r)} for r in rows], stamp
    )
    return Made(
        content,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        f"{name}.xlsx",
    )
