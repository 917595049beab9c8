"""The demo data set: three convoys modelled on the first Water4Ukraine convoy, declared.

- **W4U-01 "Generator and crane truck for Chuhuiv"** — delivered about seven weeks ago: a van,
  a crane truck and a 100 kVA generator for the Chuhuiv water utility, handed over at
  Lvivvodokanal's depot in Lviv (Chuhuiv receives through Lviv); progress events including the
  border queue, handovers recorded, convoy closed.
- **W4U-02 "Six WSW vehicles for Lviv"** — ready to depart in a few weeks, the shape of the
  first convoy: six decommissioned WSW vehicles (two buses, a Unimog, three trucks) packed with
  pumps, generators and smartphones, leaving the Wuppertal bus depot on a Friday at 17:00 and
  reaching Lviv on Sunday at 05:00 (1,400 km, 36 hours; it claims the humanitarian exemption of
  Regulation 561/2006 Art. 3(d), so the driving-time limits show as warnings). Declared value
  **EUR 750,000**: vehicles EUR 290,000 + generator and pumps carried as items EUR 161,000 +
  cargo lines EUR 299,000. The Mercedes-Benz Citaro's VIN fails the ISO 3779 check digit (a
  warning, as it is for many European vehicles). The escort team drives home in the Sprinter,
  Andrij at the wheel four hours after the handover: a rest warning a coordinator fixes with a
  later return.
- **W4U-03 "Trucks and a bus for Mykolaiv"** — planned two weeks later and blocked: the bus has
  no usage certificate (so it is not export-ready either) and no driver on the first leg, the
  tipper's export plates and insurance end before arrival, and the volunteer on the refuse
  truck holds class C1 where C is needed.
- A van and a pump export-ready for Lviv on no convoy yet, and a volunteer free to drive in
  eight weeks: what a coordinator plans the next convoy with.
- **One account per role**: an admin, the convoy coordinator, a clerk for the paperwork, a driver
  (Andrij Kovalenko, on the ready convoy) and a recipient at Lvivvodokanal.

Apart from WSW (Wuppertaler Stadtwerke) and the Ukrainian utilities' names, the organisations
and people are invented; EDRPOU codes, VINs, MRNs, plates and the customs office code are
made up so that they pass the format and check-digit rules (all but the Citaro's VIN), and are
not the real ones.
"""

from app.auth.roles import Role
from app.convoys.models import EventKind, WithdrawalReason
from app.demo.shapes import (
    FRI,
    MON,
    SAT,
    SUN,
    THU,
    TODAY,
    YEAR,
    Account,
    Allocation,
    Batch,
    Cargo,
    Certificate,
    Convoy,
    Destination,
    Donor,
    Drive,
    Driver,
    Equipment,
    ExitConfirmed,
    Export,
    HandOver,
    Leg,
    Load,
    Need,
    Organisation,
    Report,
    ReturnDrive,
    Trailer,
    Vehicle,
    WayBack,
    Withdraw,
)
from app.destinations.models import RecipientKind
from app.donors.models import DonorKind
from app.items.models import ItemKind, Packing

# --- the same for every convoy ------------------------------------------------------------

COORDINATOR = "Rita Falkenberg"
COORDINATOR_PHONE = "+49 202 555 0142"
MEETING_POINT = "WSW bus depot, Wuppertal"
MEETING_POINT_UK = "Автобусне депо WSW, Вупперталь"
MEETING_TIME_ZONE = "Europe/Berlin"
ESCORT = "Mercedes-Benz Sprinter (escort team of three, drives back after the handover)"
CUSTOMS_OFFICE = "DE003704"  # made up; the real exports went through Zollamt Wuppertal-Vohwinkel
INSURER = "Kommunalversicherung Rhein-Wupper"
CERTIFICATE_ISSUER = "Lvivvodokanal, deputy technical director"

# What each kind of vehicle is called on the Ukrainian side of the bilingual papers.
KIND_UK = {
    ItemKind.bus: "Автобус",
    ItemKind.truck: "Вантажівка",
    ItemKind.unimog: "Спецавтомобіль",
    ItemKind.van: "Фургон",
    ItemKind.car: "Легковий автомобіль",
    ItemKind.special_vehicle: "Спецтехніка",
}
# The words in a model's name that are a description, not a type designation, in Ukrainian:
# "Вантажівка MAN TGM 18.290 з краном-маніпулятором", not "… with loading crane".
MODELS_UK = {
    "TGM 13.290 4x4 with loading crane": "TGM 13.290 4x4 з краном-маніпулятором",
    "TGM 18.290 with loading crane": "TGM 18.290 з краном-маніпулятором",
    "Atego 1524 flatbed": "Atego 1524 бортовий",
    "TGL 8.180 box truck": "TGL 8.180 фургон",
    "TGS 26.320 6x4 tipper": "TGS 26.320 6x4 самоскид",
    "Econic 1830 refuse collection truck": "Econic 1830 сміттєвоз",
    "Sprinter 316 CDI workshop van": "Sprinter 316 CDI фургон-майстерня",
    "Unimog U 400": "Unimog U 400 (всюдихід)",
}

# --- organisations and what they asked for -------------------------------------------------

NRW, LOWER_SAXONY = "Nordrhein-Westfalen", "Niedersachsen"
DONORS = {
    "wsw_mobil": Donor("WSW mobil GmbH", DonorKind.utility, "Wuppertal", "42281", NRW,
                       street="Bromberger Straße 39–41"),
    "wsw_water": Donor("WSW Energie & Wasser AG", DonorKind.utility, "Wuppertal", "42281", NRW,
                       street="Bromberger Straße 39–41"),
    "weserbergland": Donor("Stadtwerke Weserbergland GmbH", DonorKind.utility, "Hameln",
                           "31785", LOWER_SAXONY, street="Süntelstraße 2"),
    "altmuehl": Donor("Stadtwerke Altmühlfranken KU", DonorKind.utility, "Weißenburg i. Bay.",
                      "91781", "Bayern", street="Nürnberger Straße 20"),
    "mittelhessen": Donor("Abfallwirtschaftsverband Mittelhessen", DonorKind.association,
                          "Gießen", "35390", "Hessen", street="Ostanlage 15"),
    "pumps": Donor("Bergische Pumpenwerke GmbH", DonorKind.manufacturer, "Remscheid", "42853",
                   NRW, street="Industriestraße 12"),
}  # fmt: skip

# The association that runs the convoys: the carrier on every consignment note.
ORGANISATION = Organisation(
    "Water4Ukraine e.V.", "eingetragener Verein (e.V.)", "Bromberger Straße 39–41", "42281",
    "Wuppertal", "Amtsgericht Wuppertal", "VR 31245", COORDINATOR, COORDINATOR_PHONE,
)  # fmt: skip

DESTINATIONS = {
    "lviv": Destination(
        "Lvivvodokanal", "ЛМКП «Львівводоканал»", "Lviv", "Lvivska", "03350120",
        "Deputy technical director", "+380 32 555 0101",
        street="Zelena St 64", street_uk="вул. Зелена, 64", postal_code="79017",
        city_uk="Львів", oblast_uk="Львівська область",
    ),
    "chuhuiv": Destination(
        "Chuhuiv water utility", "КП «Чугуївводоканал»", "Chuhuiv", "Kharkivska", "31704432",
        "Chief engineer", "+380 57 555 0102", via="lviv",
        street="Kharkivska St 37", street_uk="вул. Харківська, 37", postal_code="63503",
        city_uk="Чугуїв", oblast_uk="Харківська область",
    ),
    "mykolaiv": Destination(
        "Mykolaivvodokanal", "МКП «Миколаївводоканал»", "Mykolaiv", "Mykolaivska", "31528706",
        "Head of the vehicle fleet", "+380 51 555 0103", via="lviv",
        street="Kakhovska St 2", street_uk="вул. Каховська, 2", postal_code="54018",
        city_uk="Миколаїв", oblast_uk="Миколаївська область",
    ),
    # The LVR's partner clinic: winter clothing from the collection point, not vehicles.
    "kulparkiv": Destination(
        "Lviv Regional Clinical Psychiatric Hospital (Kulparkiv)",
        "КНП ЛОР «Львівська обласна клінічна психіатрична лікарня»", "Lviv", "Lvivska",
        "01994126", "Deputy medical director", "+380 32 555 0141",
        street="Kulparkivska St 95", street_uk="вул. Кульпарківська, 95", postal_code="79021",
        city_uk="Львів", oblast_uk="Львівська область", kind=RecipientKind.clinic,
    ),
}  # fmt: skip

NEEDS = {
    # Need(destination, kind, quantity, priority: 1 most urgent, description)
    "lviv_pumps":
        Need("lviv", ItemKind.pump, 4, 1,
             "Submersible borehole pumps for the well fields, 160 m³/h"),
    "lviv_generators":
        Need("lviv", ItemKind.generator, 3, 1,
             "Diesel generating sets ≥ 200 kVA for pumping stations"),
    "lviv_pipes":
        Need("lviv", ItemKind.pipes, 1, 2, "PE pipes DN 315 for network repairs, 2 km"),
    "lviv_trucks":
        Need("lviv", ItemKind.truck, 3, 2, "Trucks with crane or tipper for repair crews"),
    "lviv_buses":
        Need("lviv", ItemKind.bus, 2, 3, "Buses to carry repair crews"),
    "chuhuiv_generator":
        Need("chuhuiv", ItemKind.generator, 1, 1, "Mobile generator for the water intake"),
    "chuhuiv_pumps":
        Need("chuhuiv", ItemKind.pump, 3, 1, "Sewage pumps for the main pumping station"),
    "chuhuiv_trucks":
        Need("chuhuiv", ItemKind.truck, 2, 2, "Trucks for pipe repairs (crane or flatbed)"),
    "chuhuiv_van":
        Need("chuhuiv", ItemKind.van, 1, 2, "Van for the emergency crew"),
    "chuhuiv_unimog":
        Need("chuhuiv", ItemKind.unimog, 1, 2, "All-terrain vehicle to inspect the pipeline"),
    "mykolaiv_trucks":
        Need("mykolaiv", ItemKind.truck, 2, 1, "Tipper trucks to repair mains and roads"),
    "mykolaiv_bus":
        Need("mykolaiv", ItemKind.bus, 1, 2, "Bus for shift crews"),
    "mykolaiv_refuse":
        Need("mykolaiv", ItemKind.special_vehicle, 1, 2, "Refuse or sewer-cleaning vehicle"),
    "mykolaiv_generators":
        Need("mykolaiv", ItemKind.generator, 5, 1, "Diesel generators for pumping stations"),
}  # fmt: skip

# What each utility asked for, in its own words.
NEEDS_UK = {
    "lviv_pumps": "Заглибні свердловинні насоси для водозаборів, 160 м³/год",
    "lviv_generators": "Дизельні генераторні установки ≥ 200 кВА для насосних станцій",
    "lviv_pipes": "Поліетиленові труби DN 315 для ремонту мереж, 2 км",
    "lviv_trucks": "Вантажівки з краном або самоскиди для ремонтних бригад",
    "lviv_buses": "Автобуси для перевезення ремонтних бригад",
    "chuhuiv_generator": "Мобільний генератор для водозабору",
    "chuhuiv_pumps": "Каналізаційні насоси для головної насосної станції",
    "chuhuiv_trucks": "Вантажівки для ремонту труб (з краном або бортові)",
    "chuhuiv_van": "Фургон для аварійної бригади",
    "chuhuiv_unimog": "Позашляховик для огляду трубопроводу",
    "mykolaiv_trucks": "Самоскиди для ремонту магістралей і доріг",
    "mykolaiv_bus": "Автобус для змінних бригад",
    "mykolaiv_refuse": "Сміттєвоз або каналоочисна машина",
    "mykolaiv_generators": "Дизельні генератори для насосних станцій",
}

# The convoys' names in Ukrainian. W4U-03's is still to be added: the desk lists it among
# what its papers would print untranslated.
CONVOY_NAMES_UK = {
    "W4U-01": "Генератор і вантажівка з краном для Чугуєва",
    "W4U-02": "Шість машин WSW для Львова",
}

# --- the roads ------------------------------------------------------------------------------

WUPPERTAL = "Wuppertal bus depot"
GOERLITZ = "Görlitz rest area"
KORCZOWA = "Korczowa border car park"
KRAKOVETS = "Krakovets customs"
LVIV_DEPOT = "Lvivvodokanal depot in Lviv"
HANDOVER_PLACE = "Lvivvodokanal yard, Lviv"
# The places in Ukrainian, for the recipients' pages and the Ukrainian half of the papers.
PLACES_UK = {
    WUPPERTAL: "Автобусне депо, Вупперталь",
    GOERLITZ: "Стоянка для відпочинку, Ґерліц",
    KORCZOWA: "Стоянка перед кордоном, Корчова",
    KRAKOVETS: "Митниця Краковець",
    LVIV_DEPOT: "Депо Львівводоканалу у Львові",
    HANDOVER_PLACE: "Подвір'я Львівводоканалу, Львів",
}
# The zone of each place a leg ends at: times there are shown in it.
ZONES = {
    GOERLITZ: "Europe/Berlin",
    KORCZOWA: "Europe/Warsaw",
    KRAKOVETS: "Europe/Kyiv",
    LVIV_DEPOT: "Europe/Kyiv",
    WUPPERTAL: "Europe/Berlin",
}

# Wuppertal to Lviv in three driving days that keep to Regulation 561/2006.
THREE_DAY_ROUTE = (
    Leg(WUPPERTAL, GOERLITZ, FRI.at(6), FRI.at(15, 30), 640, wait_minutes=60),
    Leg(GOERLITZ, KORCZOWA, SAT.at(6), SAT.at(15, 30), 600, wait_minutes=60),
    Leg(KORCZOWA, LVIV_DEPOT, SUN.at(6), SUN.at(16), 90, border=True, wait_minutes=8 * 60),
)

# Friday 17:00 at the Wuppertal bus depot to Lviv on Sunday 05:00: 1,400 km in 36 hours. Only
# the queue at the border gives the drivers a long rest; the convoy claims the humanitarian
# exemption, so readiness warns about the driving time instead of blocking.
FIRST_CONVOY_ROUTE = (
    Leg(WUPPERTAL, GOERLITZ, FRI.at(17), SAT.at(3), 690, wait_minutes=60),
    Leg(GOERLITZ, KORCZOWA, SAT.at(3, 45), SAT.at(14, 45), 620, wait_minutes=90),
    Leg(KORCZOWA, KRAKOVETS, SAT.at(14, 45), SUN.at(2, 30), 10, border=True,
        wait_minutes=10 * 60 + 45),
    Leg(KRAKOVETS, LVIV_DEPOT, SUN.at(2, 30), SUN.at(5), 80),
)  # fmt: skip

# The batches' records, by position:
#   Vehicle(donor, kind, make, model, VIN, year, gross weight kg, own weight kg, value EUR, …)
#   Equipment(donor, kind, name, Ukrainian name, weight kg, value EUR, HS code, serial number)
#   Cargo(description, Ukrainian description, quantity, weight kg, value EUR, HS code)
#   Driver(name, age, phone, languages, {licence class: expiry}, ((available from, to), …))
#   Report(leg number, kind, when), HandOver(items, receiver, role, day, place, note)

# --- W4U-01: left about seven weeks ago, handed over in Lviv, closed --------------------------

DELIVERED = Batch(
    friday_after=-55,
    items={
        "van": Vehicle(
            "wsw_water", ItemKind.van, "Mercedes-Benz", "Sprinter 316 CDI", "WDB906630ES402817",
            2014, 3_500, 2_250, 14_000, description="Panel van of the WSW network service",
            cargo=(Cargo("Rugged smartphones for the emergency crew",
                         "Захищені смартфони для аварійної бригади", 40, 30, 12_000, "8517",
                         marks="W4U-01 1/1–2"),),
        ),
        "crane": Vehicle(
            "weserbergland", ItemKind.truck, "MAN", "TGM 13.290 4x4 with loading crane",
            "WMAN38ZZ2DY193355", 2013, 13_000, 8_400, 52_000,
            cargo=(Cargo("Drainage pumps 2.2 kW", "Дренажні насоси 2,2 кВт",
                         12, 300, 7_200, "8413", packing=Packing.crate, marks="W4U-01 2/1–3"),
                   Cargo("Portable generators 6 kVA", "Переносні генератори 6 кВА",
                         6, 540, 9_000, "8502", packing=Packing.pallet,
                         marks="W4U-01 2/4–5")),
        ),
        "generator": Equipment(
            "altmuehl", ItemKind.generator, "Diesel generating set 100 kVA, skid-mounted",
            "Дизельний генератор 100 кВА на рамі", 1_850, 32_000, "8502", "GS100-2016-0447",
        ),
    },
    allocations=(
        Allocation("chuhuiv", "chuhuiv_van", ("van",)),
        Allocation("chuhuiv", "chuhuiv_trucks", ("crane",)),
        Allocation("chuhuiv", "chuhuiv_generator", ("generator",)),
    ),
    certificates=(
        Certificate("VN-CHU-001", "chuhuiv", ("van", "crane", "generator"), FRI - 20,
                    "Emergency power, pipe repairs and crew transport for the Chuhuiv water "
                    "supply",
                    "Аварійне електроживлення, ремонт трубопроводів і перевезення бригад "
                    "для водопостачання Чугуєва"),
    ),
    # Marked export-ready now, for a trip ending tomorrow (the service's "today" rule); the
    # plates, declared for the trip weeks ago, still run.
    exports=(
        Export("van", (FRI - 3, FRI + 117), trip_ends=TODAY + 1, declared=FRI),
        Export("crane", (FRI - 3, FRI + 117), trip_ends=TODAY + 1, declared=FRI),
        Export("generator", trip_ends=TODAY + 1, declared=FRI),
    ),
    drivers={
        "mia": Driver("Mia Rautenbach", 18, "+49 202 555 0161", ("de", "en"),
                      {"B": TODAY + 10 * YEAR}, ((THU, SUN + 2),),
                      notes="Youngest volunteer; drives the van"),
        "juergen": Driver("Jürgen Ostermann", 61, "+49 202 555 0162", ("de", "ru"),
                          {"B": TODAY + 10 * YEAR, "CE": TODAY + 2 * YEAR}, ((THU, SUN + 2),)),
    },
    convoy=Convoy(
        "W4U-01", "Generator and crane truck for Chuhuiv", THREE_DAY_ROUTE, returns=MON.at(20),
        claims_humanitarian_exemption=False,
        notes="Handed over at Lvivvodokanal's depot; Chuhuiv collects from Lviv.",
        loads=(Load("van"), Load("crane"), Load("generator", on="crane")),
        crew=(Drive("mia", "van"), Drive("juergen", "crane")),
        steps=(
            "depart",
            Report(1, EventKind.departed, FRI.at(6, 10)),
            Report(1, EventKind.arrived, FRI.at(15, 10)),
            Report(2, EventKind.departed, SAT.at(6, 10)),
            Report(2, EventKind.arrived, SAT.at(15, 10)),
            Report(3, EventKind.departed, SUN.at(6, 10)),
            Report(3, EventKind.border_queued, SUN.at(7),
                   "Queue of about 4 km before the crossing"),
            Report(3, EventKind.border_crossed, SUN.at(14), "Customs cleared as humanitarian aid"),
            Report(3, EventKind.arrived, SUN.at(15, 40)),
            "arrive",
            HandOver(("van", "crane", "generator"), "Serhii Tkachenko",
                     "Chief engineer, Chuhuiv water utility", SUN, LVIV_DEPOT,
                     "Acceptance-transfer act signed; forwarded to Chuhuiv"),
            "close",
            ExitConfirmed(("van", "crane", "generator"), SUN + 3),
        ),
    ),
)  # fmt: skip

# --- W4U-02: the first convoy's shape, EUR 750,000, every check passed ------------------------

READY_LICENCES = TODAY + 3 * YEAR
READY_WINDOW = (THU, MON + 1)
READY = Batch(
    friday_after=21,
    items={
        "lions_city": Vehicle(
            "wsw_mobil", ItemKind.bus, "MAN", "Lion's City A21", "WMAA21ZZ49B004711", 2009,
            18_000, 11_300, 45_000, seats=35, hs_code="8702",
            description="City bus, WSW fleet no. 4711",
            cargo=(Cargo("Rugged smartphones for field crews",
                         "Захищені смартфони для польових бригад", 150, 330, 60_000, "8517",
                         marks="W4U-02 1/1–6"),
                   Cargo("Portable generators 6 kVA", "Переносні генератори 6 кВА",
                         8, 760, 16_000, "8502", packing=Packing.pallet,
                         marks="W4U-02 1/7–8")),
        ),
        # Its VIN fails the ISO 3779 check digit on purpose: a warning, never a blocker.
        "citaro": Vehicle(
            "wsw_mobil", ItemKind.bus, "Mercedes-Benz", "O 530 Citaro", "WEB628031A3123456",
            2010, 18_000, 11_000, 48_000, seats=32, hs_code="8702",
            description="City bus, WSW fleet no. 5132",
            cargo=(Cargo("Drainage pumps 3 kW", "Дренажні насоси 3 кВт", 20, 600, 24_000, "8413",
                         packing=Packing.crate, marks="W4U-02 2/1–5"),
                   Cargo("Smartphones for the dispatch centre", "Смартфони для диспетчерської",
                         100, 220, 40_000, "8517", marks="W4U-02 2/6–9")),
        ),
        "unimog": Vehicle(
            "wsw_water", ItemKind.unimog, "Mercedes-Benz", "Unimog U 400", "WDB4051247V212345",
            2007, 11_990, 6_100, 62_000,
            cargo=(Cargo("Portable flood pumps 1,500 l/min", "Переносні помпи 1500 л/хв",
                         4, 760, 26_000, "8413", packing=Packing.fixed_in_vehicle,
                         marks="W4U-02 3/1–4"),),
        ),
        "tgm": Vehicle(
            "wsw_water", ItemKind.truck, "MAN", "TGM 18.290 with loading crane",
            "WMAN36ZZ5CY271145", 2012, 18_000, 9_800, 58_000,
            cargo=(Cargo("Diesel generating sets 20 kVA on pallets",
                         "Дизельні генератори 20 кВА на палетах", 6, 4_200, 54_000, "8502",
                         packing=Packing.pallet, marks="W4U-02 4/1–6"),),
        ),
        "atego": Vehicle(
            "wsw_water", ItemKind.truck, "Mercedes-Benz", "Atego 1524 flatbed",
            "WDB970639BL548812", 2011, 15_000, 7_200, 41_000,
            cargo=(Cargo("Dosing pumps for water treatment",
                         "Дозувальні насоси для водопідготовки", 30, 450, 39_000, "8413",
                         marks="W4U-02 5/1–10"),
                   Cargo("Centrifugal pumps 15 kW", "Відцентрові насоси 15 кВт",
                         6, 1_500, 40_000, "8413", packing=Packing.crate,
                         marks="W4U-02 5/11–16")),
        ),
        "tgl": Vehicle(
            "wsw_mobil", ItemKind.truck, "MAN", "TGL 8.180 box truck", "WMAN01ZZ4DY301278", 2013,
            7_490, 4_300, 36_000,
        ),
        "big_generator": Equipment(
            "wsw_water", ItemKind.generator, "Diesel generating set 250 kVA, containerised",
            "Дизельний генератор 250 кВА у контейнері", 3_400, 85_000, "8502", "GS250-2015-0112",
        ),
        "borehole_pump_1": Equipment(
            "pumps", ItemKind.pump, "Borehole pump 160 m³/h, 75 kW, no. 1",
            "Свердловинний насос 160 м³/год, 75 кВт, № 1", 480, 38_000, "8413", "BP160-0001",
        ),
        "borehole_pump_2": Equipment(
            "pumps", ItemKind.pump, "Borehole pump 160 m³/h, 75 kW, no. 2",
            "Свердловинний насос 160 м³/год, 75 кВт, № 2", 480, 38_000, "8413", "BP160-0002",
        ),
    },
    allocations=(
        Allocation("lviv", "lviv_buses", ("lions_city", "citaro")),
        Allocation("lviv", "lviv_trucks", ("tgm", "atego")),
        Allocation("lviv", "lviv_generators", ("big_generator",)),
        Allocation("lviv", "lviv_pumps", ("borehole_pump_1", "borehole_pump_2")),
        Allocation("chuhuiv", "chuhuiv_unimog", ("unimog",)),
        Allocation("chuhuiv", "chuhuiv_trucks", ("tgl",)),
    ),
    certificates=(
        Certificate("VN-LVIV-002", "lviv",
                    ("lions_city", "citaro", "tgm", "atego", "big_generator", "borehole_pump_1",
                     "borehole_pump_2"), TODAY - 12,
                    "Water supply and network repairs of Lvivvodokanal: crew transport, "
                    "emergency power for pumping stations, replacement borehole pumps",
                    "Водопостачання та ремонт мереж Львівводоканалу: перевезення бригад, "
                    "аварійне живлення насосних станцій, заміна свердловинних насосів"),
        Certificate("VN-CHU-002", "chuhuiv", ("unimog", "tgl"), TODAY - 12,
                    "Pipeline inspection and repairs of the Chuhuiv water utility (via "
                    "Lvivvodokanal)",
                    "Обстеження та ремонт трубопроводів водоканалу Чугуєва (через "
                    "Львівводоканал)"),
    ),
    exports=(
        # declared as humanitarian aid: the consignment notes instruct customs so
        *(Export(vehicle, (TODAY - 2, MON + 30), trip_ends=MON, humanitarian_aid=True)
          for vehicle in ("lions_city", "citaro", "unimog", "tgm", "atego", "tgl")),
        *(Export(equipment, trip_ends=MON, humanitarian_aid=True)
          for equipment in ("big_generator", "borehole_pump_1", "borehole_pump_2")),
    ),
    drivers={
        "klaus": Driver("Klaus Wiesemann", 76, "+49 202 555 0171", ("de",),
                        {"B": READY_LICENCES, "D": READY_LICENCES}, (READY_WINDOW,),
                        notes="Retired WSW bus driver"),
        "andrij": Driver("Andrij Kovalenko", 45, "+49 202 555 0172", ("uk", "de", "pl"),
                         {"B": READY_LICENCES, "D": READY_LICENCES, "CE": READY_LICENCES},
                         (READY_WINDOW,)),
        # Drives the Econic again on W4U-03, two weeks later.
        "petra": Driver("Petra Hülsbusch", 58, "+49 202 555 0173", ("de", "en"),
                        {"B": READY_LICENCES, "CE": READY_LICENCES},
                        (READY_WINDOW, (FRI + 12, FRI + 18))),
        "marek": Driver("Marek Nowak", 39, "+49 202 555 0174", ("pl", "de", "en"),
                        {"B": READY_LICENCES, "CE": READY_LICENCES}, (READY_WINDOW,)),
        "jonas": Driver("Jonas Brenner", 24, "+49 202 555 0175", ("de", "en"),
                        {"B": READY_LICENCES, "C": READY_LICENCES}, (READY_WINDOW,)),
        "svitlana": Driver("Svitlana Bondar", 33, "+49 202 555 0176", ("uk", "de"),
                           {"B": READY_LICENCES, "C1E": READY_LICENCES}, (READY_WINDOW,)),
    },
    convoy=Convoy(
        "W4U-02", "Six WSW vehicles for Lviv", FIRST_CONVOY_ROUTE, returns=(MON + 1).at(8),
        claims_humanitarian_exemption=True,
        notes="Modelled on the first Water4Ukraine convoy: Friday 17:00 from the bus depot, "
        "Lviv on Sunday 05:00; handed over on Monday morning after the team has slept.",
        handover_at=MON.at(8),  # 09:00 in Lviv
        handover_place=HANDOVER_PLACE,
        loads=(
            *(Load(vehicle)
              for vehicle in ("lions_city", "citaro", "unimog", "tgm", "atego", "tgl")),
            Load("big_generator", on="tgm"),
            Load("borehole_pump_1", on="tgl"),
            Load("borehole_pump_2", on="tgl"),
        ),
        crew=(
            Drive("klaus", "lions_city"),
            Drive("andrij", "citaro"),
            Drive("petra", "unimog"),
            Drive("marek", "tgm"),
            Drive("jonas", "atego"),
            Drive("svitlana", "tgl"),
        ),
        # The escort team drives home in the Sprinter. Andrij takes the first leg four hours
        # after the handover: the readiness check warns (a van is outside 561/2006, the fatigue
        # is not); a departure at 20:00 in Lviv, eleven hours after it, clears the warning.
        way_back=(
            WayBack("Escort van (Mercedes-Benz Sprinter)", 3_500, 3, (
                ReturnDrive(HANDOVER_PLACE, KORCZOWA, MON.at(12), MON.at(17), 90, "andrij"),
                ReturnDrive(KORCZOWA, WUPPERTAL, MON.at(17, 45), (MON + 1).at(6), 1_310,
                            "klaus"),
            )),
        ),
        steps=("mark_ready",),
    ),
)  # fmt: skip

# --- W4U-03: planned two weeks after W4U-02, with blockers a coordinator can read and fix -----

BLOCKED_WINDOW = (THU, SUN + 2)
BLOCKED = Batch(
    friday_after=35,
    items={
        "setra": Vehicle(
            "weserbergland", ItemKind.bus, "Setra", "S 415 NF", "WKK634124A1034567", 2010,
            18_000, 11_600, 39_000, seats=41, hs_code="8702",
        ),
        "tipper": Vehicle(
            "altmuehl", ItemKind.truck, "MAN", "TGS 26.320 6x4 tipper", "WMA13XZZ6BM004512", 2011,
            26_000, 11_500, 47_000,
            # The drawbar trailer goes with it; over 750 kg, so the tipper needs class CE.
            trailer=Trailer("Tandem drawbar tipping trailer", "KEH-AW 318", 18_000),
            cargo=(Cargo("Sewage pumps 7.5 kW", "Каналізаційні насоси 7,5 кВт",
                         8, 720, 18_400, "8413", packing=Packing.pallet,
                         marks="W4U-03 2/1–2"),),
        ),
        "econic": Vehicle(
            "mittelhessen", ItemKind.special_vehicle, "Mercedes-Benz",
            "Econic 1830 refuse collection truck", "WDB9570329V118822", 2009, 18_000, 11_000,
            44_000, hs_code="8705",
        ),
    },
    allocations=(
        Allocation("mykolaiv", "mykolaiv_bus", ("setra",)),
        Allocation("mykolaiv", "mykolaiv_trucks", ("tipper",)),
        Allocation("mykolaiv", "mykolaiv_refuse", ("econic",)),
    ),
    # The bus is not on the certificate: Mykolaivvodokanal has not signed for it yet.
    certificates=(
        Certificate("VN-MYK-001", "mykolaiv", ("tipper", "econic"), TODAY - 5,
                    "Repair of water mains and waste collection in Mykolaiv (via Lvivvodokanal)",
                    "Ремонт водогонів і вивезення відходів у Миколаєві (через Львівводоканал)"),
    ),
    exports=(
        # The tipper's plates were booked for the original date, a day too short now.
        Export("tipper", (TODAY - 1, SAT), trip_ends=SAT),
        Export("econic", (TODAY - 1, SUN + 30), trip_ends=MON),
        Export("setra", (TODAY - 1, SUN + 30)),
    ),
    drivers={
        "thomas": Driver("Thomas Kerkhoff", 52, "+49 202 555 0181", ("de",),
                         {"B": TODAY + 4 * YEAR, "CE": TODAY + 4 * YEAR}, (BLOCKED_WINDOW,)),
        "lea": Driver("Lea Schmitz", 19, "+49 202 555 0182", ("de", "en"),
                      {"B": TODAY + 9 * YEAR, "C1": TODAY + 4 * YEAR}, (BLOCKED_WINDOW,)),
        "horst": Driver("Horst Dahlmann", 67, "+49 202 555 0183", ("de",),
                        {"B": TODAY + 3 * YEAR, "D": TODAY + 3 * YEAR}, ((SAT, SUN + 2),),
                        notes="Joins in Görlitz on Saturday"),
        "uwe": Driver("Uwe Bergmann", 71, "+49 202 555 0184", ("de",),
                      {"B": TODAY + 2 * YEAR, "D": TODAY + 2 * YEAR}, (BLOCKED_WINDOW,)),
    },
    convoy=Convoy(
        "W4U-03", "Trucks and a bus for Mykolaiv", THREE_DAY_ROUTE, returns=MON.at(20),
        claims_humanitarian_exemption=False,
        notes="Forwarded from Lviv to Mykolaiv by Lvivvodokanal.",
        loads=(Load("setra"), Load("tipper"), Load("econic")),
        crew=(
            Drive("thomas", "tipper"),
            Drive("lea", "econic", legs=(1,)),  # C1 only: the Econic needs C
            Drive("petra", "econic", legs=(2, 3)),
            # Uwe was to bring the bus to Görlitz, where Horst takes over; the heat stopped him.
            Drive("horst", "setra", legs=(2, 3)),
            Drive("uwe", "setra", legs=(1,)),
        ),
        steps=(
            Withdraw("uwe", WithdrawalReason.heat,
                     "Heat warning of 36 °C; his doctor advised against the drive"),
        ),
    ),
)  # fmt: skip

# --- waiting for a convoy: export-ready for Lviv, and a volunteer free in eight weeks ---------

WAITING = Batch(
    friday_after=56,
    items={
        "sprinter": Vehicle(
            "wsw_water", ItemKind.van, "Mercedes-Benz", "Sprinter 316 CDI workshop van",
            "WDB9066123S904417", 2013, 3_500, 2_300, 16_000, hs_code="8704",
        ),
        "drainage_pump": Equipment(
            "wsw_water", ItemKind.pump, "Submersible drainage pump 15 kW",
            "Занурювальний дренажний насос 15 кВт", 180, 6_500, "8413", "DP-15-2207",
        ),
    },
    allocations=(Allocation("lviv", None, ("sprinter", "drainage_pump")),),
    certificates=(
        Certificate("VN-LVIV-003", "lviv", ("sprinter", "drainage_pump"), TODAY - 2,
                    "Workshop van and drainage pump for the repair crews of Lvivvodokanal",
                    "Фургон-майстерня та дренажний насос для ремонтних бригад Львівводоканалу"),
    ),
    exports=(
        Export("sprinter", (TODAY - 1, FRI + 40), trip_ends=FRI + 10),
        Export("drainage_pump", trip_ends=FRI + 10),
    ),
    drivers={
        "katrin": Driver("Katrin Wolff", 44, "+49 202 555 0185", ("de", "en", "uk"),
                         {"B": TODAY + 6 * YEAR, "C1": TODAY + 6 * YEAR},
                         ((FRI - 2, FRI + 6),), notes="Free for the next convoy; speaks Ukrainian"),
    },
)  # fmt: skip

# In this order: a driver of W4U-02 drives on W4U-03 too.
BATCHES = (DELIVERED, READY, BLOCKED, WAITING)

# Passwords are made at load time: random, shown once, stored only as hashes.
ACCOUNTS = (
    Account(Role.admin, "admin", "Konvoi administrator"),
    Account(Role.coordinator, "rita.falkenberg", COORDINATOR),
    Account(Role.clerk, "jana.lindner", "Jana Lindner (export papers)"),
    Account(Role.driver, "andrij.kovalenko", "Andrij Kovalenko", driver="andrij"),
    # A utility's people write their names in Ukrainian; the top bar shows it as written.
    Account(Role.recipient, "lvivvodokanal", "Олена Гнатюк (Львівводоканал)",
            destination="lviv"),
    Account(Role.treasurer, "petra.schoenfeld",
            "Petra Schönfeld (treasurer, support association of the LVR clinic)"),
    Account(Role.volunteer, "lena.schmitz", "Lena Schmitz (Westfalenhalle, sorting table)",
            collection_point=True),
)  # fmt: skip


# --- the collection point: the Westfalenhalle in Dortmund ------------------------------------
# Sorted donations of the spring: clothing by gender, size and season, shoes, hygiene, baby
# care, food, medical supplies, bedding and tools, on shelves of four zones. A winter-clothing
# request from the clinic in Kulparkiv is met from it, packed on two pallets and loaded on
# W4U-02's Atego.

HALL = {
    "name": "Westfalenhalle Dortmund, Halle 3",
    "street": "Rheinlanddamm 200",
    "postal_code": "44139",
    "city": "Dortmund",
    "opening_hours": "Mo–Fr 10–18 Uhr, Sa 10–14 Uhr",
    "pallet_prefix": "WH",
}
HALL_ZONES = {"A": "clothing", "B": "shoes and bedding", "C": "hygiene and baby care",
              "D": "food, medical supplies, tools"}  # fmt: skip
HALL_ROWS, HALL_SHELVES = 4, 3
# Lines of each (category, subcategory) sorted in; the sizes, genders and seasons are dealt
# round-robin so every combination a request names has some stock.
HALL_STOCK = {
    ("clothing", "jackets"): 48, ("clothing", "coats"): 18, ("clothing", "sweaters"): 40,
    ("clothing", "trousers"): 36, ("clothing", "underwear"): 16, ("clothing", "socks"): 14,
    ("clothing", "hats_gloves"): 14, ("shoes", "boots"): 20, ("shoes", "shoes"): 12,
    ("shoes", "slippers"): 6, ("hygiene", "soap"): 8, ("hygiene", "dental"): 8,
    ("hygiene", "sanitary"): 6, ("hygiene", "incontinence"): 6, ("baby_care", "nappies"): 8,
    ("baby_care", "wipes"): 4, ("baby_care", "baby_clothes"): 8, ("food", "canned"): 8,
    ("food", "dry"): 8, ("food", "baby_food"): 4, ("medical", "dressings"): 6,
    ("medical", "gloves"): 4, ("medical", "syringes"): 2, ("bedding", "blankets"): 12,
    ("bedding", "sleeping_bags"): 8, ("bedding", "bed_linen"): 4, ("bedding", "pillows"): 4,
    ("tools", "hand_tools"): 4, ("tools", "torches"): 4, ("tools", "power_banks"): 4,
}  # fmt: skip
CLOTHING_SIZES = ("S", "M", "L", "XL", "XXL")
SHOE_SIZES = ("38", "39", "40", "41", "42", "43", "44", "45")
BABY_SIZES = ("56", "62", "68", "74", "80")
# (category, subcategory, gender, size, season, quantity, priority 1–5, description)
KULPARKIV_NEEDS = {
    "jackets": ("clothing", "jackets", None, None, "winter", 80, 1,
                "Winter jackets for the patients of the closed wards"),
    "sweaters": ("clothing", "sweaters", None, None, "winter", 120, 1,
                 "Warm sweaters for the patients"),
    "boots": ("shoes", "boots", "men", "44", "winter", 60, 2, "Winter boots, men's size 44"),
    "blankets": ("bedding", "blankets", None, None, None, 150, 2, "Wool blankets for the wards"),
}  # fmt: skip
# Two pallets of winter jackets for the clinic, each (gross kg, litres), on W4U-02's Atego.
KULPARKIV_PALLETS = ((40, 210, 1_400), (40, 195, 1_400))
PALLET_CARRIER = ("W4U-02", "atego")
