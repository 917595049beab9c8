"""The demo's transport series: the LVR's aid transports to its partner psychiatric clinic in
Kulparkiv (Lviv oblast), organised by the support association of the LVR clinic in
Langenfeld. Nineteen transports done since mid-2022, the twentieth being planned; payroll
giving ("LVR-Ukraine-Euro": 2, 5 or 10 euros a month) grown to about EUR 2,000 a month, with
other donations about EUR 70,000 in so far; an Engagement Global grant whose report is due.

Booked through the funding service, as a treasurer would: every rule of the books holds.
"""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session

from app.auth.roles import Role
from app.auth.service import Principal
from app.convoys import planning
from app.convoys.schemas import ConvoyCreate
from app.destinations import service as destinations
from app.funding import service as funding
from app.funding.models import EntryKind, TransportStatus
from app.funding.papers import KIND_WORDS
from app.funding.schemas import (
    EntryCreate,
    FundCreate,
    GrantCreate,
    PledgeCreate,
    ProgrammeCreate,
    TransportCreate,
)
from app.items.models import ItemKind
from app.needs import service as needs
from app.needs.schemas import NeedCreate

GERMANY = ZoneInfo("Europe/Berlin")
TREASURER_NAME = "Petra Schönfeld"
BOOKS = Principal(0, "petra.schoenfeld", Role.treasurer, full_name=TREASURER_NAME)
FIRST_TRANSPORT = date(2022, 8, 20)
DONE = 19
# The payroll giving grew in three steps: (from, euros a month, employees).
PLEDGES = (
    (date(2022, 7, 1), 2, 100), (date(2022, 7, 1), 5, 20), (date(2022, 7, 1), 10, 10),
    (date(2024, 1, 1), 2, 100), (date(2024, 1, 1), 5, 60), (date(2024, 1, 1), 10, 30),
    (date(2025, 7, 1), 2, 100), (date(2025, 7, 1), 5, 40), (date(2025, 7, 1), 10, 40),
)  # fmt: skip
# Donations of the political representatives and staff: (months after July 2022, euros, donor).
DONATIONS = (
    (1, 1500, "Fraktion im Landschaftsausschuss", "Kennedy-Ufer 2, 50679 Köln"),
    (4, 500, "Dr. Anna Berger", "Rheinstraße 12, 40764 Langenfeld"),
    (8, 1000, "Personalrat LVR-Klinik Langenfeld", "Kölner Str. 82, 40764 Langenfeld"),
    (14, 750, None, None),
    (20, 1200, "Mitglieder der Landschaftsversammlung", "Kennedy-Ufer 2, 50679 Köln"),
    (27, 300, "Jürgen Weiß", "Hauptstraße 5, 42799 Leichlingen"),
    (33, 1000, None, None),
    (40, 650, "Förderkreis Kulparkiv", "Am Markt 3, 40764 Langenfeld"),
    (46, 400, "Marion Keller", "Lindenweg 9, 40789 Monheim am Rhein"),
)
# What a transport cost, in euros: vehicle hire, fuel, tolls, goods bought.
COSTS = ((EntryKind.vehicle_hire, 1100), (EntryKind.fuel, 780), (EntryKind.tolls, 190),
         (EntryKind.goods, 700))  # fmt: skip


# What the clinic asked of the twentieth transport: (description, in Ukrainian, quantity,
# priority).
CLINIC_NEEDS = (
    ("Incontinence pads and bed linen, pallets", "Урологічні пелюшки та постільна білизна, палети",
     6, 1),
    ("Winter clothing for patients, sacks", "Зимовий одяг для пацієнтів, мішки", 40, 2),
    ("Emergency generator 20 kVA for the ward block",
     "Аварійний генератор 20 кВА для корпусу відділень", 1, 1),
)  # fmt: skip


def _month(start: date, months: int) -> date:
    year, month = divmod(start.month - 1 + months, 12)
    return date(start.year + year, month + 1, 1)


def load(session: Session, today: date, clinic_id: int) -> None:
    # The clinic is the demo's recipient of sorted goods (app/demo/data.py, "kulparkiv").
    clinic = destinations.get(session, clinic_id)
    assert clinic.id is not None
    asked = [
        needs.create(
            session,
            NeedCreate(
                destination_id=clinic.id,
                item_kind=ItemKind.other_equipment,
                description=description,
                description_uk=description_uk,
                quantity=quantity,
                priority=priority,
                requested_on=today - timedelta(days=20),
            ),
        )
        for description, description_uk, quantity, priority in CLINIC_NEEDS
    ]
    programme = funding.create_programme(
        session,
        ProgrammeCreate(
            code="LVR",
            name="LVR-Hilfstransporte nach Kulparkiv",
            partner_name="Psychiatrische Klinik Kulparkiv, Lwiw",
            partner_name_uk="Психіатрична лікарня Кульпарків, Львів",
            destination_id=clinic.id,
            description="Partnerschaft des Landschaftsverbands Rheinland mit der Klinik; "
            "Lohnspende 'LVR-Ukraine-Euro' seit Mitte 2022",
            organiser_name="Förderverein der LVR-Klinik Langenfeld e.V.",
            organiser_street="Kölner Straße 82",
            organiser_postal_code="40764",
            organiser_city="Langenfeld",
            tax_office="Finanzamt Leverkusen",
            tax_number="230/5712/0815",
            exemption_notice_on=date(2024, 5, 14),
            exemption_period="2023",
            tax_purpose="der Hilfe für Kranke und für Menschen in Not (§ 52 Abs. 2 Nr. 3 und 9 AO)",
        ),
    )
    giving = funding.create_fund(
        session,
        programme,
        FundCreate(name="LVR-Ukraine-Euro und Spenden", purpose="Hilfstransporte nach Kulparkiv"),
    )
    grant_fund = funding.create_fund(
        session,
        programme,
        FundCreate(
            name="Engagement Global 2026",
            purpose="Medizinisches Material und Winterhilfe",
            restricted=True,
        ),
    )
    assert giving.id is not None and grant_fund.id is not None
    for starts, euros, employees in PLEDGES:
        funding.create_pledge(
            session,
            giving,
            PledgeCreate(monthly_cents=euros * 100, employees=employees, starts_on=starts),
        )
    # Every month of pledges up to the last one, each booked on the 10th after it.
    month = date(2022, 7, 1)
    this_month = today.replace(day=1)
    while month < this_month:
        paid = funding.next_month(month) + timedelta(days=9)
        funding.book_pledge_month(session, giving, month, min(paid, today), BOOKS)
        month = funding.next_month(month)
    for after, euros, donor, address in DONATIONS:
        on = _month(date(2022, 7, 1), after) + timedelta(days=14)
        if on > today:
            continue
        funding.book(
            session,
            EntryCreate(
                fund_id=giving.id,
                booked_on=on,
                kind=EntryKind.donation,
                amount_cents=euros * 100,
                description=f"Spende {donor or 'anonym'}",
                donor_name=donor,
                donor_address=address,
            ),
            BOOKS,
        )
    grant = funding.create_grant(
        session,
        grant_fund,
        GrantCreate(
            funder="Engagement Global",
            reference="EG-2026-0417",
            purpose="Medizinisches Material und Winterkleidung für die Klinik Kulparkiv",
            amount_cents=1_500_000,
            starts_on=today - timedelta(days=300),
            ends_on=today + timedelta(days=30),
            conditions="Verwendungsnachweis mit Belegen und Sachbericht; 10 % Eigenanteil",
            report_due_on=today + timedelta(days=115),
        ),
    )
    funding.book(
        session,
        EntryCreate(
            fund_id=grant_fund.id,
            booked_on=today - timedelta(days=270),
            kind=EntryKind.grant,
            amount_cents=1_000_000,
            description="Engagement Global, erste Rate",
            reference="EG-2026-0417",
            grant_id=grant.id,
        ),
        BOOKS,
    )
    # Nineteen transports done, about every eleven weeks, and the twentieth ahead.
    step = (today - timedelta(days=50) - FIRST_TRANSPORT) / (DONE - 1)
    for number in range(1, DONE + 1):
        on = FIRST_TRANSPORT + step * (number - 1)
        transport = funding.create_transport(
            session,
            programme,
            TransportCreate(number=number, planned_on=on, status=TransportStatus.done),
        )
        for n, (kind, euros) in enumerate(COSTS):
            # The first transports went in the clinic's own vans (fuel and tolls only); trucks
            # were hired once the giving grew, goods bought once it reached EUR 2,000 a month.
            if (kind == EntryKind.vehicle_hire and on < PLEDGES[3][0]) or (
                kind == EntryKind.goods and on < PLEDGES[6][0]
            ):
                continue
            # Goods of the last transports came from the grant; prices rose over the years.
            from_grant = kind == EntryKind.goods and on >= grant.starts_on
            cents = (euros + 12 * number + 37 * ((number * (n + 3)) % 5)) * 100
            funding.book(
                session,
                EntryCreate(
                    fund_id=grant_fund.id if from_grant else giving.id,
                    transport_id=transport.id,
                    booked_on=min(on + timedelta(days=n), today),
                    kind=kind,
                    amount_cents=cents * (3 if from_grant else 1),
                    description=f"Transport {number}: {KIND_WORDS[kind]}",
                    reference=f"B-{number:02d}-{n + 1}",
                ),
                BOOKS,
            )
    departure = today + timedelta(days=45)
    convoy = planning.create(
        session,
        ConvoyCreate(
            number="LVR-20",
            name="20. Hilfstransport nach Kulparkiv",
            name_uk="20-й гуманітарний транспорт до Кульпаркова",
            coordinator_name="Förderverein der LVR-Klinik Langenfeld",
            planned_departure_at=datetime.combine(departure, time(6, 0), GERMANY).astimezone(UTC),
            meeting_point="LVR-Klinik Langenfeld, Kölner Straße 82",
            meeting_point_uk="Клініка LVR Лангенфельд, Кельнер-штрасе, 82",
            meeting_time_zone="Europe/Berlin",
            handover_place="Kulparkiv, Lviv",
            handover_place_uk="Кульпарків, Львів",
            charges="none, free humanitarian aid",
        ),
    )
    twentieth = funding.create_transport(
        session,
        programme,
        TransportCreate(
            number=DONE + 1,
            planned_on=departure,
            convoy_id=convoy.id,
            need_ids=[n.id for n in asked if n.id is not None],
            notes="Zwei gemietete 7,5-t-Lkw und ein Sprinter; Winterkleidung säckeweise gesammelt",
        ),
    )
    funding.book(
        session,
        EntryCreate(
            fund_id=giving.id,
            transport_id=twentieth.id,
            booked_on=today - timedelta(days=3),
            kind=EntryKind.vehicle_hire,
            amount_cents=60_000,
            description="Transport 20: Anzahlung Lkw-Miete",
            reference="B-20-1",
        ),
        BOOKS,
    )
    session.flush()
