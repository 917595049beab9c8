"""Demo data: three convoys modelled on the first Water4Ukraine convoy.

Everything is created through the domain services, in one transaction, so every rule that
guards the API also guards the demo; dates are relative to today (UTC), so the demo stays
meaningful whenever it is loaded.

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
  warning, as it is for many European vehicles).
- **W4U-03 "Trucks and a bus for Mykolaiv"** — planned two weeks later and blocked: the bus has
  no usage certificate (so it is not export-ready either) and no driver on the first leg, the
  tipper's export plates and insurance end before arrival, and the volunteer on the refuse
  truck holds class C1 where C is needed.

- **One account per role**: an admin, the convoy coordinator, a clerk for the paperwork, a driver
  (Andrij Kovalenko, on the ready convoy) and a recipient at Lvivvodokanal. Their passwords are
  random, returned once by ``load_if_empty`` for ``konvoi demo`` to print, and stored nowhere
  but as argon2 hashes.

Apart from WSW (Wuppertaler Stadtwerke) and the Ukrainian utilities' names, the organisations
and people are invented; EDRPOU codes, VINs, MRNs, plates and the customs office code are
made up so that they pass the format and check-digit rules, and are not the real ones.
"""

import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from sqlalchemy import Engine
from sqlmodel import Session, select
from stdnum.ua import edrpou

from app.auth import service as accounts
from app.auth.roles import Role
from app.auth.schemas import UserCreate
from app.certificates import service as certificates
from app.certificates.schemas import CertificateCreate
from app.convoys import assignments, loading, planning, progress, transitions
from app.convoys import legs as convoy_legs
from app.convoys.models import Convoy, EventKind, Leg, WithdrawalReason
from app.convoys.schemas import (
    AssignmentCreate,
    ConvoyCreate,
    HandoverCreate,
    LegCreate,
    LegEventCreate,
    LoadItem,
    WithdrawalCreate,
)
from app.core.context import Actor
from app.core.identifiers import mrn_check_digit, vin_check_digit
from app.destinations import service as destinations
from app.destinations.schemas import DestinationCreate
from app.donors import service as donors
from app.donors.models import Donor, DonorKind
from app.donors.schemas import DonorCreate
from app.drivers import service as drivers
from app.drivers.schemas import Availability, DriverCreate, Licence
from app.exports import service as exports
from app.exports.schemas import ExportRecordCreate, ExportRecordUpdate
from app.items import service as items
from app.items.models import CargoCategory, Condition, Item, ItemCategory, ItemKind
from app.items.schemas import CargoLineCreate, ItemCreate
from app.needs import service as needs
from app.needs.schemas import NeedCreate

GERMANY = ZoneInfo("Europe/Berlin")
CUSTOMS_OFFICE = "DE003704"  # made up; the real exports went through Zollamt Wuppertal-Vohwinkel
INSURER = "Kommunalversicherung Rhein-Wupper"
ESCORT = "Mercedes-Benz Sprinter (escort team of three, drives back after the handover)"
MEETING_POINT = "WSW bus depot, Wuppertal"
WUPPERTAL = "Wuppertal bus depot"
COORDINATOR = "Rita Falkenberg"
# Who the audit trail names for everything the demo creates.
LOADER = Actor(None, "konvoi demo", "system")


@dataclass(frozen=True)
class DemoLogin:
    """A demo account with its password in clear text: shown once, never stored."""

    role: Role
    username: str
    password: str
    full_name: str


def load_if_empty(engine: Engine) -> list[DemoLogin] | None:
    """Load the demo into a database without donors and return its accounts with their
    passwords (to be shown once); None, and nothing written, if the database has donors."""
    with Session(engine, expire_on_commit=False) as session:
        if session.exec(select(Donor.id).limit(1)).first() is not None:
            return None
        session.info["actor"] = LOADER
        demo = _Demo(session, datetime.now(UTC))
        demo.build()
        session.commit()
    return demo.logins


# --- the Ukrainian side of the papers ---------------------------------------------------------

# What each kind of vehicle is called on the Ukrainian side of the bilingual papers.
KIND_UK = {
    ItemKind.bus: "Автобус",
    ItemKind.truck: "Вантажівка",
    ItemKind.unimog: "Спецавтомобіль",
    ItemKind.van: "Фургон",
    ItemKind.car: "Легковий автомобіль",
    ItemKind.special_vehicle: "Спецтехніка",
}
# The demo's goods, as the Ukrainian side of the papers names them.
GOODS_UK = {
    "Rugged smartphones for the emergency crew": "Захищені смартфони для аварійної бригади",
    "Drainage pumps 2.2 kW": "Дренажні насоси 2,2 кВт",
    "Portable generators 6 kVA": "Переносні генератори 6 кВА",
    "Rugged smartphones for field crews": "Захищені смартфони для польових бригад",
    "Drainage pumps 3 kW": "Дренажні насоси 3 кВт",
    "Smartphones for the dispatch centre": "Смартфони для диспетчерської",
    "Portable flood pumps 1,500 l/min": "Переносні помпи 1500 л/хв",
    "Diesel generating sets 20 kVA on pallets": "Дизельні генератори 20 кВА на палетах",
    "Dosing pumps for water treatment": "Дозувальні насоси для водопідготовки",
    "Centrifugal pumps 15 kW": "Відцентрові насоси 15 кВт",
    "Sewage pumps 7.5 kW": "Каналізаційні насоси 7,5 кВт",
    "Diesel generating set 100 kVA, skid-mounted": "Дизельний генератор 100 кВА на рамі",
    "Diesel generating set 250 kVA, containerised": "Дизельний генератор 250 кВА у контейнері",
    "Submersible drainage pump 15 kW": "Занурювальний дренажний насос 15 кВт",
}


def _goods_uk(name: str) -> str | None:
    if name.startswith("Borehole pump 160"):
        return (
            "Свердловинний насос 160 м³/год, 75 кВт" + name[len("Borehole pump 160 m³/h, 75 kW") :]
        )
    return GOODS_UK.get(name)


# --- identifiers that pass the checks ---------------------------------------------------------


def _edrpou(first7: str) -> str:
    return first7 + edrpou.calc_check_digit(first7)


def _vin(head: str, tail: str, *, check_digit_ok: bool = True) -> str:
    """A VIN from positions 1-8 (maker, type) and 10-17 (model year, plant, serial).

    Position 9 weighs 0 in the ISO 3779 sum, so the check digit can be computed with any
    placeholder there; a deliberately wrong one shows the check-digit warning.
    """
    digit = vin_check_digit(f"{head}0{tail}")
    if not check_digit_ok:
        digit = "1" if digit == "0" else "0"
    return f"{head}{digit}{tail}"


class _Record(Protocol):
    id: int | None


def _id(record: _Record) -> int:
    assert record.id is not None  # every service flushes, so ids are assigned
    return record.id


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    """German local time on ``day``, stored as UTC."""
    return datetime.combine(day, time(hour, minute), GERMANY).astimezone(UTC)


def _friday_on_or_after(day: date) -> date:
    return day + timedelta(days=(4 - day.weekday()) % 7)


@dataclass(frozen=True)
class _LegPlan:
    from_place: str
    to_place: str
    departs: datetime
    arrives: datetime
    km: int
    border: bool = False
    wait_minutes: int = 0


GOERLITZ = "Görlitz rest area"
KORCZOWA = "Korczowa border car park"
KRAKOVETS = "Krakovets customs"
LVIV_DEPOT = "Lvivvodokanal depot in Lviv"
HANDOVER_PLACE = "Lvivvodokanal yard, Lviv"
# The zone of each place a demo leg ends at: times there are shown in it.
ZONES = {
    GOERLITZ: "Europe/Berlin",
    KORCZOWA: "Europe/Warsaw",
    KRAKOVETS: "Europe/Kyiv",
    LVIV_DEPOT: "Europe/Kyiv",
}


def _three_day_route(friday: date) -> list[_LegPlan]:
    """Wuppertal to Lviv in three driving days that keep to Regulation 561/2006."""
    saturday, sunday = friday + timedelta(days=1), friday + timedelta(days=2)
    return [
        _LegPlan(WUPPERTAL, GOERLITZ, _at(friday, 6), _at(friday, 15, 30), 640,
                 wait_minutes=60),
        _LegPlan(GOERLITZ, KORCZOWA, _at(saturday, 6), _at(saturday, 15, 30), 600,
                 wait_minutes=60),
        _LegPlan(KORCZOWA, LVIV_DEPOT, _at(sunday, 6), _at(sunday, 16), 90, border=True,
                 wait_minutes=8 * 60),
    ]  # fmt: skip


def _first_convoy_route(friday: date) -> list[_LegPlan]:
    """Friday 17:00 at the Wuppertal bus depot to Lviv on Sunday 05:00: 1,400 km in 36 hours.

    Only the queue at the border gives the drivers a long rest; the convoy claims the
    humanitarian exemption, so readiness warns about the driving time instead of blocking.
    """
    saturday, sunday = friday + timedelta(days=1), friday + timedelta(days=2)
    return [
        _LegPlan(WUPPERTAL, GOERLITZ, _at(friday, 17), _at(saturday, 3), 690,
                 wait_minutes=60),
        _LegPlan(GOERLITZ, KORCZOWA, _at(saturday, 3, 45), _at(saturday, 14, 45), 620,
                 wait_minutes=90),
        _LegPlan(KORCZOWA, KRAKOVETS, _at(saturday, 14, 45), _at(sunday, 2, 30), 10,
                 border=True, wait_minutes=10 * 60 + 45),
        _LegPlan(KRAKOVETS, LVIV_DEPOT, _at(sunday, 2, 30), _at(sunday, 5), 80),
    ]  # fmt: skip


class _Demo:
    def __init__(self, session: Session, now: datetime) -> None:
        self.session = session
        self.today = now.date()
        self._mrn_serial = 10_482_300
        self._plate_number = 2200
        self.logins: list[DemoLogin] = []

    # --- small builders -----------------------------------------------------------------------

    def donor(self, name: str, kind: DonorKind, city: str, postal_code: str, region: str) -> int:
        data = DonorCreate(
            name=name,
            kind=kind,
            city=city,
            postal_code=postal_code,
            region=region,
            contact_name="Fleet management",
            contact_phone="+49 202 555 0100",
        )
        return _id(donors.create(self.session, data))

    def need(
        self, destination: int, kind: ItemKind, description: str, quantity: int, priority: int
    ) -> int:
        data = NeedCreate(
            destination_id=destination,
            item_kind=kind,
            description=description,
            quantity=quantity,
            priority=priority,
            requested_on=self.today - timedelta(days=150),
        )
        return _id(needs.create(self.session, data))

    def vehicle(
        self,
        donor: int,
        kind: ItemKind,
        make: str,
        model: str,
        vin: str,
        year: int,
        gross_kg: int,
        own_kg: int,
        value_eur: int,
        *,
        seats: int | None = None,
        hs_code: str = "8704",
        description: str | None = None,
        trailer: tuple[str, str, int] | None = None,
    ) -> Item:
        trailer_type, trailer_registration, trailer_kg = trailer or (None, None, None)
        data = ItemCreate(
            category=ItemCategory.vehicle,
            kind=kind,
            name=f"{make} {model}",
            name_uk=f"{KIND_UK[kind]} {make} {model}",
            description=description,
            donor_id=donor,
            declared_value_cents=value_eur * 100,
            weight_kg=own_kg,
            condition=Condition.used,
            hs_code=hs_code,
            make=make,
            model=model,
            vin=vin,
            year=year,
            gross_weight_kg=gross_kg,
            seats=seats,
            registration_papers_held=True,
            trailer_type=trailer_type,
            trailer_registration=trailer_registration,
            trailer_permissible_weight_kg=trailer_kg,
        )
        item = items.create(self.session, data)
        return items.accept(self.session, item)

    def equipment(
        self,
        donor: int,
        kind: ItemKind,
        name: str,
        weight_kg: int,
        value_eur: int,
        hs_code: str,
        serial: str,
    ) -> Item:
        data = ItemCreate(
            category=ItemCategory.equipment,
            kind=kind,
            name=name,
            name_uk=_goods_uk(name),
            donor_id=donor,
            declared_value_cents=value_eur * 100,
            weight_kg=weight_kg,
            condition=Condition.good,
            hs_code=hs_code,
            serial_number=serial,
        )
        item = items.create(self.session, data)
        return items.accept(self.session, item)

    def cargo(
        self,
        vehicle: Item,
        description: str,
        quantity: int,
        weight_kg: int,
        value_eur: int,
        hs_code: str,
        category: CargoCategory = CargoCategory.technical,
    ) -> None:
        data = CargoLineCreate(
            description=description,
            description_uk=_goods_uk(description),
            quantity=quantity,
            unit="pcs",
            weight_kg=weight_kg,
            value_cents=value_eur * 100,
            category=category,
            hs_code=hs_code,
        )
        items.add_cargo_line(self.session, vehicle, data)

    def allocate(self, item: Item, destination: int, need: int | None) -> None:
        items.allocate(self.session, item, destination, need)

    def certify(
        self, number: str, destination: int, covered: list[Item], issued_on: date, use: str
    ) -> None:
        data = CertificateCreate(
            number=number,
            destination_id=destination,
            intended_use=use,
            issued_on=issued_on,
            issuer="Lvivvodokanal, deputy technical director",
            valid_until_on=issued_on + timedelta(days=365),
            item_ids=[_id(item) for item in covered],
        )
        certificates.create(self.session, data)
        for item in covered:
            items.certify(self.session, item)

    def _mrn(self, year: int) -> str:
        # 2 digits year, DE, 13 characters set by Germany (office, running number), check digit.
        self._mrn_serial += 17
        first17 = f"{year % 100:02d}DE{CUSTOMS_OFFICE[4:]}{self._mrn_serial:08d}E"
        return first17 + mrn_check_digit(first17)

    def export_record(self, item: Item, declared_in: int, plates: tuple[date, date]) -> int:
        """Export data for an item; a vehicle also gets plates, insured to the plate's end."""
        fields: dict[str, object] = {
            "item_id": _id(item),
            "customs_office_code": CUSTOMS_OFFICE,
            "mrn": self._mrn(declared_in),
        }
        if item.category == ItemCategory.vehicle:
            self._plate_number += 13
            valid_from, valid_to = plates
            fields |= {
                "export_plate": f"W {self._plate_number} A",
                "plate_valid_from_on": valid_from,
                "plate_valid_to_on": valid_to,
                "insurer": INSURER,
                # The red field shows the last day of insurance (§ 19 FZV).
                "insurance_until_on": valid_to,
                "inspection_due_on": valid_to + timedelta(days=150),
            }
        record = exports.create(self.session, ExportRecordCreate.model_validate(fields))
        return _id(record)

    def driver(
        self,
        name: str,
        age_years: int,
        phone: str,
        languages: list[str],
        licences: dict[str, date],
        windows: list[tuple[date, date]],
        notes: str | None = None,
    ) -> int:
        born = self.today - timedelta(days=age_years * 365 + age_years // 4 + 120)
        data = DriverCreate(
            name=name,
            date_of_birth=born,
            phone=phone,
            languages=languages,
            emergency_contact_name="Family contact",
            emergency_contact_phone="+49 202 555 0199",
            notes=notes,
            licences=[Licence.model_validate({"licence_class": c, "expires_on": until})
                      for c, until in licences.items()],
            availability=[Availability(available_from_on=a, available_to_on=b)
                          for a, b in windows],
        )  # fmt: skip
        return _id(drivers.create(self.session, data))

    def convoy(
        self,
        number: str,
        name: str,
        route: list[_LegPlan],
        returns_at: datetime,
        *,
        exemption: bool,
        notes: str,
        handover_at: datetime | None = None,
    ) -> tuple[Convoy, list[Leg]]:
        convoy = planning.create(
            self.session,
            ConvoyCreate(
                number=number,
                name=name,
                coordinator_name=COORDINATOR,
                coordinator_phone="+49 202 555 0142",
                planned_departure_at=route[0].departs,
                planned_return_at=returns_at,
                meeting_point=MEETING_POINT,
                meeting_time_zone="Europe/Berlin",
                planned_handover_at=handover_at,
                handover_place=HANDOVER_PLACE if handover_at else None,
                escort_vehicle=ESCORT,
                claims_humanitarian_exemption=exemption,
                notes=notes,
            ),
        )
        legs = [
            convoy_legs.add_leg(
                self.session,
                convoy,
                LegCreate(
                    from_place=plan.from_place,
                    to_place=plan.to_place,
                    to_time_zone=ZONES[plan.to_place],
                    planned_departure_at=plan.departs,
                    planned_arrival_at=plan.arrives,
                    distance_km=plan.km,
                    is_border_crossing=plan.border,
                    planned_wait_minutes=plan.wait_minutes,
                ),
            )
            for plan in route
        ]
        return convoy, legs

    def load(self, convoy: Convoy, item: Item, carrier: Item | None = None) -> None:
        data = LoadItem(item_id=_id(item), carrier_id=_id(carrier) if carrier else None)
        loading.load_item(self.session, convoy, data)

    def assign(self, convoy: Convoy, legs: list[Leg], vehicle: Item, driver: int) -> None:
        for leg in legs:
            data = AssignmentCreate(leg_id=_id(leg), vehicle_id=_id(vehicle), driver_id=driver)
            assignments.assign(self.session, convoy, data)

    # --- the data set ---------------------------------------------------------------------------

    def build(self) -> None:
        self.organisations()
        self.delivered_convoy()
        self.ready_convoy()
        self.blocked_convoy()
        self.waiting_for_a_convoy()
        self.users()

    def user(self, role: Role, username: str, full_name: str, **links: int) -> None:
        password = secrets.token_urlsafe(15)  # 20 characters, 120 bits
        data = UserCreate(
            username=username, full_name=full_name, role=role, password=password, **links
        )
        accounts.create_user(self.session, data)
        self.logins.append(DemoLogin(role, username, password, full_name))

    def users(self) -> None:
        """One account per role; the driver is on the ready convoy, the recipient in Lviv."""
        self.user(Role.admin, "admin", "Konvoi administrator")
        self.user(Role.coordinator, "rita.falkenberg", COORDINATOR)
        self.user(Role.clerk, "jana.lindner", "Jana Lindner (export papers)")
        self.user(Role.driver, "andrij.kovalenko", "Andrij Kovalenko", driver_id=self.andrij)
        self.user(
            Role.recipient,
            "lvivvodokanal",
            "Deputy technical director, Lvivvodokanal",
            destination_id=self.lviv,
        )

    def organisations(self) -> None:
        nrw, lower_saxony = "Nordrhein-Westfalen", "Niedersachsen"
        self.wsw_mobil = self.donor("WSW mobil GmbH", DonorKind.utility, "Wuppertal", "42281", nrw)
        self.wsw_water = self.donor(
            "WSW Energie & Wasser AG", DonorKind.utility, "Wuppertal", "42281", nrw
        )
        self.weserbergland = self.donor(
            "Stadtwerke Weserbergland GmbH", DonorKind.utility, "Hameln", "31785", lower_saxony
        )
        self.altmuehl = self.donor(
            "Stadtwerke Altmühlfranken KU", DonorKind.utility, "Weißenburg i. Bay.", "91781",
            "Bayern",
        )  # fmt: skip
        self.mittelhessen = self.donor(
            "Abfallwirtschaftsverband Mittelhessen", DonorKind.association, "Gießen", "35390",
            "Hessen",
        )  # fmt: skip
        self.pumps = self.donor(
            "Bergische Pumpenwerke GmbH", DonorKind.manufacturer, "Remscheid", "42853", nrw
        )

        lviv = DestinationCreate(
            name="Lvivvodokanal",
            name_uk="ЛМКП «Львівводоканал»",
            city="Lviv",
            oblast="Lvivska",
            edrpou=_edrpou("0335012"),
            contact_name="Deputy technical director",
            contact_phone="+380 32 555 0101",
        )
        self.lviv = _id(destinations.create(self.session, lviv))
        chuhuiv = DestinationCreate(
            name="Chuhuiv water utility",
            name_uk="КП «Чугуївводоканал»",
            city="Chuhuiv",
            oblast="Kharkivska",
            edrpou=_edrpou("3170443"),
            contact_name="Chief engineer",
            contact_phone="+380 57 555 0102",
            via_destination_id=self.lviv,
        )
        self.chuhuiv = _id(destinations.create(self.session, chuhuiv))
        mykolaiv = DestinationCreate(
            name="Mykolaivvodokanal",
            name_uk="МКП «Миколаївводоканал»",
            city="Mykolaiv",
            oblast="Mykolaivska",
            edrpou=_edrpou("3152870"),
            contact_name="Head of the vehicle fleet",
            contact_phone="+380 51 555 0103",
            via_destination_id=self.lviv,
        )
        self.mykolaiv = _id(destinations.create(self.session, mykolaiv))

        pump, generator, pipes = ItemKind.pump, ItemKind.generator, ItemKind.pipes
        bus, truck = ItemKind.bus, ItemKind.truck
        self.lviv_pumps = self.need(
            self.lviv, pump, "Submersible borehole pumps for the well fields, 160 m³/h", 4, 1
        )
        self.lviv_generators = self.need(
            self.lviv, generator, "Diesel generating sets ≥ 200 kVA for pumping stations", 3, 1
        )
        self.need(self.lviv, pipes, "PE pipes DN 315 for network repairs, 2 km", 1, 2)
        self.lviv_trucks = self.need(
            self.lviv, truck, "Trucks with crane or tipper for repair crews", 3, 2
        )
        self.lviv_buses = self.need(self.lviv, bus, "Buses to carry repair crews", 2, 3)
        self.chuhuiv_generator = self.need(
            self.chuhuiv, generator, "Mobile generator for the water intake", 1, 1
        )
        self.need(self.chuhuiv, pump, "Sewage pumps for the main pumping station", 3, 1)
        self.chuhuiv_trucks = self.need(
            self.chuhuiv, truck, "Trucks for pipe repairs (crane or flatbed)", 2, 2
        )
        self.chuhuiv_van = self.need(self.chuhuiv, ItemKind.van, "Van for the emergency crew", 1, 2)
        self.chuhuiv_unimog = self.need(
            self.chuhuiv, ItemKind.unimog, "All-terrain vehicle to inspect the pipeline", 1, 2
        )
        self.mykolaiv_trucks = self.need(
            self.mykolaiv, truck, "Tipper trucks to repair mains and roads", 2, 1
        )
        self.mykolaiv_bus = self.need(self.mykolaiv, bus, "Bus for shift crews", 1, 2)
        self.mykolaiv_refuse = self.need(
            self.mykolaiv, ItemKind.special_vehicle, "Refuse or sewer-cleaning vehicle", 1, 2
        )
        self.need(self.mykolaiv, generator, "Diesel generators for pumping stations", 5, 1)

    def delivered_convoy(self) -> None:
        """W4U-01: left about seven weeks ago, handed over in Lviv, closed."""
        friday = _friday_on_or_after(self.today - timedelta(days=55))
        route = _three_day_route(friday)
        sunday = friday + timedelta(days=2)

        van = self.vehicle(
            self.wsw_water, ItemKind.van, "Mercedes-Benz", "Sprinter 316 CDI",
            _vin("WDB90663", "ES402817"), 2014, 3_500, 2_250, 14_000,
            description="Panel van of the WSW network service",
        )  # fmt: skip
        crane = self.vehicle(
            self.weserbergland, ItemKind.truck, "MAN", "TGM 13.290 4x4 with loading crane",
            _vin("WMAN38ZZ", "DY193355"), 2013, 13_000, 8_400, 52_000,
        )  # fmt: skip
        generator = self.equipment(
            self.altmuehl, ItemKind.generator, "Diesel generating set 100 kVA, skid-mounted",
            1_850, 32_000, "8502", "GS100-2016-0447",
        )  # fmt: skip
        self.cargo(van, "Rugged smartphones for the emergency crew", 40, 30, 12_000, "8517")
        self.cargo(crane, "Drainage pumps 2.2 kW", 12, 300, 7_200, "8413")
        self.cargo(crane, "Portable generators 6 kVA", 6, 540, 9_000, "8502")
        self.allocate(van, self.chuhuiv, self.chuhuiv_van)
        self.allocate(crane, self.chuhuiv, self.chuhuiv_trucks)
        self.allocate(generator, self.chuhuiv, self.chuhuiv_generator)
        self.certify(
            "VN-CHU-001", self.chuhuiv, [van, crane, generator], friday - timedelta(days=20),
            "Emergency power, pipe repairs and crew transport for the Chuhuiv water supply",
        )  # fmt: skip
        plate_from = friday - timedelta(days=3)
        records = [
            self.export_record(item, friday.year, (plate_from, plate_from + timedelta(days=120)))
            for item in (van, crane, generator)
        ]
        # Marked export-ready now (the service's "today" rule); the plates still run.
        for item in (van, crane, generator):
            items.mark_export_ready(self.session, item, self.today + timedelta(days=1))

        mia = self.driver(
            "Mia Rautenbach", 18, "+49 202 555 0161", ["de", "en"], {"B": self.far(10)},
            [(friday - timedelta(days=1), sunday + timedelta(days=2))],
            notes="Youngest volunteer; drives the van",
        )  # fmt: skip
        juergen = self.driver(
            "Jürgen Ostermann", 61, "+49 202 555 0162", ["de", "ru"],
            {"B": self.far(10), "CE": self.far(2)},
            [(friday - timedelta(days=1), sunday + timedelta(days=2))],
        )  # fmt: skip

        convoy, legs = self.convoy(
            "W4U-01", "Generator and crane truck for Chuhuiv", route,
            _at(sunday + timedelta(days=1), 20), exemption=False,
            notes="Handed over at Lvivvodokanal's depot; Chuhuiv collects from Lviv.",
        )  # fmt: skip
        self.load(convoy, van)
        self.load(convoy, crane)
        self.load(convoy, generator, carrier=crane)
        self.assign(convoy, legs, van, mia)
        self.assign(convoy, legs, crane, juergen)
        transitions.depart(self.session, convoy)

        reporter = "Escort team (Sprinter)"
        for leg, plan in zip(legs, route, strict=True):
            events: list[tuple[EventKind, datetime, str | None]] = [
                (EventKind.departed, plan.departs + timedelta(minutes=10), None)
            ]
            if plan.border:
                events += [
                    (EventKind.border_queued, plan.departs + timedelta(hours=1),
                     "Queue of about 4 km before the crossing"),
                    (EventKind.border_crossed, plan.arrives - timedelta(hours=2),
                     "Customs cleared as humanitarian aid"),
                ]  # fmt: skip
            events.append((EventKind.arrived, plan.arrives - timedelta(minutes=20), None))
            for kind, occurred_at, note in events:
                data = LegEventCreate(
                    kind=kind, occurred_at=occurred_at, reported_by=reporter, note=note
                )
                progress.report_event(self.session, convoy, leg, data)
        transitions.arrive(self.session, convoy)
        for item in (van, crane, generator):
            handover = HandoverCreate(
                item_id=_id(item),
                receiver_name="Serhii Tkachenko",
                receiver_role="Chief engineer, Chuhuiv water utility",
                handed_over_on=sunday,
                place=LVIV_DEPOT,
                note="Acceptance-transfer act signed; forwarded to Chuhuiv",
            )
            progress.hand_over(self.session, convoy, handover)
        transitions.close(self.session, convoy)
        # The exit confirmation (Ausgangsvermerk) arrived after the border crossing.
        for record_id in records:
            exports.update(
                self.session,
                exports.get(self.session, record_id),
                ExportRecordUpdate(exit_confirmed_on=sunday + timedelta(days=3)),
                recheck_item=items.recheck_export,
            )

    def ready_convoy(self) -> None:
        """W4U-02: the first convoy's shape, EUR 750,000, every check passed."""
        friday = _friday_on_or_after(self.today + timedelta(days=21))
        route = _first_convoy_route(friday)
        monday = friday + timedelta(days=3)

        lions_city = self.vehicle(
            self.wsw_mobil, ItemKind.bus, "MAN", "Lion's City A21", _vin("WMAA21ZZ", "9B004711"),
            2009, 18_000, 11_300, 45_000, seats=35, hs_code="8702",
            description="City bus, WSW fleet no. 4711",
        )  # fmt: skip
        citaro = self.vehicle(
            self.wsw_mobil, ItemKind.bus, "Mercedes-Benz", "O 530 Citaro",
            _vin("WEB62803", "A3123456", check_digit_ok=False), 2010, 18_000, 11_000, 48_000,
            seats=32, hs_code="8702", description="City bus, WSW fleet no. 5132",
        )  # fmt: skip
        unimog = self.vehicle(
            self.wsw_water, ItemKind.unimog, "Mercedes-Benz", "Unimog U 400",
            _vin("WDB40512", "7V212345"), 2007, 11_990, 6_100, 62_000,
        )  # fmt: skip
        tgm = self.vehicle(
            self.wsw_water, ItemKind.truck, "MAN", "TGM 18.290 with loading crane",
            _vin("WMAN36ZZ", "CY271145"), 2012, 18_000, 9_800, 58_000,
        )  # fmt: skip
        atego = self.vehicle(
            self.wsw_water, ItemKind.truck, "Mercedes-Benz", "Atego 1524 flatbed",
            _vin("WDB97063", "BL548812"), 2011, 15_000, 7_200, 41_000,
        )  # fmt: skip
        tgl = self.vehicle(
            self.wsw_mobil, ItemKind.truck, "MAN", "TGL 8.180 box truck",
            _vin("WMAN01ZZ", "DY301278"), 2013, 7_490, 4_300, 36_000,
        )  # fmt: skip
        vehicles = [lions_city, citaro, unimog, tgm, atego, tgl]
        big_generator = self.equipment(
            self.wsw_water, ItemKind.generator, "Diesel generating set 250 kVA, containerised",
            3_400, 85_000, "8502", "GS250-2015-0112",
        )  # fmt: skip
        borehole_pumps = [
            self.equipment(self.pumps, ItemKind.pump, f"Borehole pump 160 m³/h, 75 kW, no. {n}",
                           480, 38_000, "8413", f"BP160-{n:04d}")
            for n in (1, 2)
        ]  # fmt: skip
        # Cargo lines: EUR 299,000 in all.
        self.cargo(lions_city, "Rugged smartphones for field crews", 150, 330, 60_000, "8517")
        self.cargo(lions_city, "Portable generators 6 kVA", 8, 760, 16_000, "8502")
        self.cargo(citaro, "Drainage pumps 3 kW", 20, 600, 24_000, "8413")
        self.cargo(citaro, "Smartphones for the dispatch centre", 100, 220, 40_000, "8517")
        self.cargo(unimog, "Portable flood pumps 1,500 l/min", 4, 760, 26_000, "8413")
        self.cargo(tgm, "Diesel generating sets 20 kVA on pallets", 6, 4_200, 54_000, "8502")
        self.cargo(atego, "Dosing pumps for water treatment", 30, 450, 39_000, "8413")
        self.cargo(atego, "Centrifugal pumps 15 kW", 6, 1_500, 40_000, "8413")

        for bus in (lions_city, citaro):
            self.allocate(bus, self.lviv, self.lviv_buses)
        for truck in (tgm, atego):
            self.allocate(truck, self.lviv, self.lviv_trucks)
        self.allocate(big_generator, self.lviv, self.lviv_generators)
        for pump in borehole_pumps:
            self.allocate(pump, self.lviv, self.lviv_pumps)
        self.allocate(unimog, self.chuhuiv, self.chuhuiv_unimog)
        self.allocate(tgl, self.chuhuiv, self.chuhuiv_trucks)
        issued = self.today - timedelta(days=12)
        self.certify(
            "VN-LVIV-002", self.lviv, [lions_city, citaro, tgm, atego, big_generator,
                                       *borehole_pumps], issued,
            "Water supply and network repairs of Lvivvodokanal: crew transport, emergency "
            "power for pumping stations, replacement borehole pumps",
        )  # fmt: skip
        self.certify(
            "VN-CHU-002", self.chuhuiv, [unimog, tgl], issued,
            "Pipeline inspection and repairs of the Chuhuiv water utility (via Lvivvodokanal)",
        )  # fmt: skip
        plate_from = self.today - timedelta(days=2)
        for item in [*vehicles, big_generator, *borehole_pumps]:
            self.export_record(item, self.today.year, (plate_from, monday + timedelta(days=30)))
            items.mark_export_ready(self.session, item, monday)

        window = [(friday - timedelta(days=1), monday + timedelta(days=1))]
        licence_until = self.far(3)
        team = [
            self.driver("Klaus Wiesemann", 76, "+49 202 555 0171", ["de"],
                        {"B": licence_until, "D": licence_until}, window,
                        notes="Retired WSW bus driver"),
            self.driver("Andrij Kovalenko", 45, "+49 202 555 0172", ["uk", "de", "pl"],
                        {"B": licence_until, "D": licence_until, "CE": licence_until}, window),
            self.driver("Petra Hülsbusch", 58, "+49 202 555 0173", ["de", "en"],
                        {"B": licence_until, "CE": licence_until},
                        [*window, (friday + timedelta(days=12), friday + timedelta(days=18))]),
            self.driver("Marek Nowak", 39, "+49 202 555 0174", ["pl", "de", "en"],
                        {"B": licence_until, "CE": licence_until}, window),
            self.driver("Jonas Brenner", 24, "+49 202 555 0175", ["de", "en"],
                        {"B": licence_until, "C": licence_until}, window),
            self.driver("Svitlana Bondar", 33, "+49 202 555 0176", ["uk", "de"],
                        {"B": licence_until, "C1E": licence_until}, window),
        ]  # fmt: skip
        self.andrij = team[1]  # the demo driver account's record
        self.petra = team[2]  # drives the Econic again on W4U-03, two weeks later

        convoy, legs = self.convoy(
            "W4U-02", "Six WSW vehicles for Lviv", route, _at(monday, 20), exemption=True,
            notes="Modelled on the first Water4Ukraine convoy: Friday 17:00 from the bus depot, "
            "Lviv on Sunday 05:00; handed over on Monday morning after the team has slept.",
            handover_at=_at(monday, 8),  # 09:00 in Lviv
        )  # fmt: skip
        for vehicle in vehicles:
            self.load(convoy, vehicle)
        self.load(convoy, big_generator, carrier=tgm)
        for pump in borehole_pumps:
            self.load(convoy, pump, carrier=tgl)
        for vehicle, driver in zip(vehicles, team, strict=True):
            self.assign(convoy, legs, vehicle, driver)
        transitions.mark_ready(self.session, convoy)

    def blocked_convoy(self) -> None:
        """W4U-03: planned, with blockers a coordinator can read and fix."""
        friday = _friday_on_or_after(self.today + timedelta(days=35))
        route = _three_day_route(friday)
        sunday = friday + timedelta(days=2)

        setra = self.vehicle(
            self.weserbergland, ItemKind.bus, "Setra", "S 415 NF", _vin("WKK63412", "A1034567"),
            2010, 18_000, 11_600, 39_000, seats=41, hs_code="8702",
        )  # fmt: skip
        tipper = self.vehicle(
            self.altmuehl, ItemKind.truck, "MAN", "TGS 26.320 6x4 tipper",
            _vin("WMA13XZZ", "BM004512"), 2011, 26_000, 11_500, 47_000,
            # The drawbar trailer goes with it; over 750 kg, so the tipper needs class CE.
            trailer=("Tandem drawbar tipping trailer", "KEH-AW 318", 18_000),
        )  # fmt: skip
        econic = self.vehicle(
            self.mittelhessen, ItemKind.special_vehicle, "Mercedes-Benz",
            "Econic 1830 refuse collection truck", _vin("WDB95703", "9V118822"), 2009, 18_000,
            11_000, 44_000, hs_code="8705",
        )  # fmt: skip
        self.cargo(tipper, "Sewage pumps 7.5 kW", 8, 720, 18_400, "8413")
        self.allocate(setra, self.mykolaiv, self.mykolaiv_bus)
        self.allocate(tipper, self.mykolaiv, self.mykolaiv_trucks)
        self.allocate(econic, self.mykolaiv, self.mykolaiv_refuse)
        # The bus is not on the certificate: Mykolaivvodokanal has not signed for it yet.
        self.certify(
            "VN-MYK-001", self.mykolaiv, [tipper, econic], self.today - timedelta(days=5),
            "Repair of water mains and waste collection in Mykolaiv (via Lvivvodokanal)",
        )  # fmt: skip
        plate_from = self.today - timedelta(days=1)
        # The tipper's plates were booked for the original date, a day too short now.
        short = friday + timedelta(days=1)
        self.export_record(tipper, self.today.year, (plate_from, short))
        items.mark_export_ready(self.session, tipper, short)
        self.export_record(econic, self.today.year, (plate_from, sunday + timedelta(days=30)))
        items.mark_export_ready(self.session, econic, sunday + timedelta(days=1))
        self.export_record(setra, self.today.year, (plate_from, sunday + timedelta(days=30)))

        window = [(friday - timedelta(days=1), sunday + timedelta(days=2))]
        thomas = self.driver(
            "Thomas Kerkhoff", 52, "+49 202 555 0181", ["de"],
            {"B": self.far(4), "CE": self.far(4)}, window,
        )  # fmt: skip
        lea = self.driver(
            "Lea Schmitz", 19, "+49 202 555 0182", ["de", "en"],
            {"B": self.far(9), "C1": self.far(4)}, window,
        )  # fmt: skip
        horst = self.driver(
            "Horst Dahlmann", 67, "+49 202 555 0183", ["de"], {"B": self.far(3), "D": self.far(3)},
            [(friday + timedelta(days=1), sunday + timedelta(days=2))],
            notes="Joins in Görlitz on Saturday",
        )  # fmt: skip

        convoy, legs = self.convoy(
            "W4U-03", "Trucks and a bus for Mykolaiv", route, _at(sunday + timedelta(days=1), 20),
            exemption=False, notes="Forwarded from Lviv to Mykolaiv by Lvivvodokanal.",
        )  # fmt: skip
        for vehicle in (setra, tipper, econic):
            self.load(convoy, vehicle)
        self.assign(convoy, legs, tipper, thomas)
        self.assign(convoy, legs[:1], econic, lea)
        self.assign(convoy, legs[1:], econic, self.petra)
        self.assign(convoy, legs[1:], setra, horst)
        # Uwe was to bring the bus to Görlitz, where Horst takes over; the heat stopped him.
        uwe = self.driver(
            "Uwe Bergmann", 71, "+49 202 555 0184", ["de"], {"B": self.far(2), "D": self.far(2)},
            window,
        )  # fmt: skip
        self.assign(convoy, legs[:1], setra, uwe)
        assignments.withdraw_driver(
            self.session, convoy, uwe,
            WithdrawalCreate(reason=WithdrawalReason.heat,
                             note="Heat warning of 36 °C; his doctor advised against the drive"),
        )  # fmt: skip

    def waiting_for_a_convoy(self) -> None:
        """A van and a pump export-ready for Lviv, on no convoy yet, and a volunteer free to
        drive in eight weeks: what a coordinator plans the next convoy with."""
        friday = _friday_on_or_after(self.today + timedelta(days=56))
        sprinter = self.vehicle(
            self.wsw_water, ItemKind.van, "Mercedes-Benz", "Sprinter 316 CDI workshop van",
            _vin("WDB90661", "3S904417"), 2013, 3_500, 2_300, 16_000, hs_code="8704",
        )  # fmt: skip
        pump = self.equipment(
            self.wsw_water, ItemKind.pump, "Submersible drainage pump 15 kW", 180, 6_500,
            "8413", "DP-15-2207",
        )  # fmt: skip
        self.allocate(sprinter, self.lviv, None)
        self.allocate(pump, self.lviv, None)
        self.certify(
            "VN-LVIV-003", self.lviv, [sprinter, pump], self.today - timedelta(days=2),
            "Workshop van and drainage pump for the repair crews of Lvivvodokanal",
        )  # fmt: skip
        plates = (self.today - timedelta(days=1), friday + timedelta(days=40))
        self.export_record(sprinter, self.today.year, plates)
        self.export_record(pump, self.today.year, plates)
        items.mark_export_ready(self.session, sprinter, friday + timedelta(days=10))
        items.mark_export_ready(self.session, pump, friday + timedelta(days=10))
        self.driver(
            "Katrin Wolff", 44, "+49 202 555 0185", ["de", "en", "uk"],
            {"B": self.far(6), "C1": self.far(6)},
            [(friday - timedelta(days=2), friday + timedelta(days=6))],
            notes="Free for the next convoy; speaks Ukrainian",
        )  # fmt: skip

    def far(self, years: int) -> date:
        """A licence expiry ``years`` ahead."""
        return self.today + timedelta(days=365 * years)
