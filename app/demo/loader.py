"""Turns the demo's declarations (``app.demo.data``) into records through the domain services,
in one transaction: every rule that guards the API also guards the demo."""

import secrets
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from sqlalchemy import Engine
from sqlmodel import Session, select

from app.auth import service as accounts
from app.auth.roles import Role
from app.auth.schemas import UserCreate
from app.certificates import service as certificates
from app.certificates.schemas import CertificateCreate
from app.collection import service as collection
from app.collection.catalogue import CATALOGUE
from app.collection.models import Gender, Reservation, Season, StockCategory
from app.collection.schemas import (
    CollectionPointCreate,
    IntakeCreate,
    PalletCreate,
    PalletLoad,
    PalletPack,
    PalletUpdate,
    ReservationCreate,
    StoragePlaceCreate,
)
from app.convoys import assignments, loading, planning, progress, transitions, way_back
from app.convoys import legs as convoy_legs
from app.convoys.models import Convoy, Leg
from app.convoys.schemas import (
    AssignmentCreate,
    ConvoyCreate,
    HandoverCreate,
    LegCreate,
    LegEventCreate,
    LoadItem,
    ReturnLegCreate,
    ReturnVehicleCreate,
    WithdrawalCreate,
)
from app.core.context import Actor
from app.core.identifiers import mrn_check_digit
from app.demo import data, shapes
from app.demo import funding as funding_demo
from app.destinations import service as destinations
from app.destinations.schemas import DestinationCreate
from app.donors import service as donors
from app.donors.models import Donor
from app.donors.schemas import DonorCreate
from app.drivers import service as drivers
from app.drivers.schemas import Availability, DriverCreate, Licence
from app.exports import service as exports
from app.exports.schemas import ExportRecordCreate, ExportRecordUpdate
from app.items import service as items
from app.items.models import Condition, Item, ItemCategory, ItemKind
from app.items.schemas import CargoLineCreate, ItemCreate
from app.needs import service as needs
from app.needs.models import Need
from app.needs.schemas import NeedCreate
from app.organisation import service as organisations
from app.organisation.schemas import OrganisationCreate

GERMANY = ZoneInfo("Europe/Berlin")
# Who the audit trail names for everything the demo creates.
LOADER = Actor(None, "konvoi demo", "system")
# The made-up MRNs and export plates are running numbers, counted on from these.
FIRST_MRN_SERIAL, MRN_STEP = 10_482_300, 17
FIRST_PLATE, PLATE_STEP = 2200, 13


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
        logins = load(session)
        session.commit()
    return logins


def load(session: Session) -> list[DemoLogin]:
    """Load the demo into ``session`` (flushed, not committed) and return its accounts."""
    session.info["actor"] = LOADER
    return _Loader(session, datetime.now(UTC).date()).load()


class _Record(Protocol):
    id: int | None


def _id(record: _Record) -> int:
    assert record.id is not None  # every service flushes, so ids are assigned
    return record.id


class _Loader:
    def __init__(self, session: Session, today: date) -> None:
        self.session = session
        self.today = today
        self.friday: date | None = None  # FRI of the batch being loaded
        self.mrn_serial = FIRST_MRN_SERIAL
        self.plate = FIRST_PLATE
        # Ids by key, across batches.
        self.donors: dict[str, int] = {}
        self.destinations: dict[str, int] = {}
        self.needs: dict[str, int] = {}
        self.drivers: dict[str, int] = {}
        self.items: dict[str, Item] = {}
        self.convoys: dict[str, Convoy] = {}
        self.collection_point: int | None = None

    def day(self, day: shapes.Day) -> date:
        if day.from_today:
            return self.today + timedelta(days=day.days)
        assert self.friday is not None, "a day counted from FRI belongs to a batch"
        return self.friday + timedelta(days=day.days)

    def moment(self, moment: shapes.Moment) -> datetime:
        local = datetime.combine(self.day(moment.day), time(moment.hour, moment.minute), GERMANY)
        return local.astimezone(UTC)

    def load(self) -> list[DemoLogin]:
        organisations.create(
            self.session, OrganisationCreate.model_validate(asdict(data.ORGANISATION))
        )
        for key, donor in data.DONORS.items():
            offering = donors.create(self.session, DonorCreate.model_validate(asdict(donor)))
            self.donors[key] = _id(offering)
        for key, place in data.DESTINATIONS.items():
            fields = asdict(place)
            if via := fields.pop("via"):
                fields["via_destination_id"] = self.destinations[via]
            receiving = destinations.create(self.session, DestinationCreate.model_validate(fields))
            self.destinations[key] = _id(receiving)
        for key, need in data.NEEDS.items():
            asked = NeedCreate(
                destination_id=self.destinations[need.destination],
                item_kind=need.kind,
                description=need.description,
                description_uk=data.NEEDS_UK[key],
                quantity=need.quantity,
                priority=need.priority,
                requested_on=self.day(need.requested),
            )
            self.needs[key] = _id(needs.create(self.session, asked))
        for batch in data.BATCHES:
            self.batch(batch)
        funding_demo.load(self.session, self.today, self.destinations["kulparkiv"])
        self.collection()
        return [self.account(account) for account in data.ACCOUNTS]

    def batch(self, batch: shapes.Batch) -> None:
        ahead = self.today + timedelta(days=batch.friday_after)
        self.friday = ahead + timedelta(days=(4 - ahead.weekday()) % 7)
        made = {key: self.item(plan) for key, plan in batch.items.items()}
        self.items.update(made)
        for key, plan in batch.items.items():
            if isinstance(plan, shapes.Vehicle):
                for cargo in plan.cargo:
                    line = asdict(cargo)
                    line["value_cents"] = line.pop("value_eur") * 100
                    packed = CargoLineCreate.model_validate(line)
                    items.add_cargo_line(self.session, made[key], packed)
        for allocation in batch.allocations:
            need = self.needs[allocation.need] if allocation.need else None
            for key in allocation.items:
                destination = self.destinations[allocation.destination]
                items.allocate(self.session, made[key], destination, need)
        for certificate in batch.certificates:
            issued = self.day(certificate.issued)
            covering = CertificateCreate(
                number=certificate.number,
                destination_id=self.destinations[certificate.destination],
                intended_use=certificate.use,
                intended_use_uk=certificate.use_uk,
                issued_on=issued,
                issuer=data.CERTIFICATE_ISSUER,
                valid_until_on=issued + timedelta(days=365),
                item_ids=[_id(made[key]) for key in certificate.items],
            )
            certificates.create(self.session, covering)
            for key in certificate.items:
                items.certify(self.session, made[key])
        records = {
            export.item: self.export_record(made[export.item], export) for export in batch.exports
        }
        for key, driver in batch.drivers.items():
            self.drivers[key] = self.driver(driver)
        if batch.convoy is not None:
            self.convoy(batch.convoy, made, records)

    def item(self, plan: shapes.Vehicle | shapes.Equipment) -> Item:
        """The item offered by its donor, and accepted."""
        fields = asdict(plan)
        fields |= {
            "donor_id": self.donors[fields.pop("donor")],
            "declared_value_cents": fields.pop("value_eur") * 100,
        }
        if isinstance(plan, shapes.Vehicle):
            del fields["cargo"]  # packed once the batch's items are made
            trailer = fields.pop("trailer") or {}
            fields |= {f"trailer_{name}": value for name, value in trailer.items()}
            fields |= {
                "category": ItemCategory.vehicle,
                "name": f"{plan.make} {plan.model}",
                "name_uk": f"{data.KIND_UK[plan.kind]} {plan.make} "
                f"{data.MODELS_UK.get(plan.model, plan.model)}",
                "condition": Condition.used,
                "registration_papers_held": True,
            }
        else:
            fields |= {"category": ItemCategory.equipment, "condition": Condition.good}
        offered = items.create(self.session, ItemCreate.model_validate(fields))
        return items.accept(self.session, offered)

    def export_record(self, item: Item, export: shapes.Export) -> int:
        """The item's export data, then export-ready if the declaration says for which trip."""
        # 2 digits year, DE, 13 characters set by Germany (office, running number), check digit.
        self.mrn_serial += MRN_STEP
        year = self.day(export.declared).year % 100
        first17 = f"{year:02d}DE{data.CUSTOMS_OFFICE[4:]}{self.mrn_serial:08d}E"
        fields: dict[str, object] = {
            "item_id": _id(item),
            "customs_office_code": data.CUSTOMS_OFFICE,
            "mrn": first17 + mrn_check_digit(first17),
            "humanitarian_aid": export.humanitarian_aid,
        }
        if export.plates is not None:
            self.plate += PLATE_STEP
            valid_from, valid_to = (self.day(d) for d in export.plates)
            fields |= {
                "export_plate": f"W {self.plate} A",
                "plate_valid_from_on": valid_from,
                "plate_valid_to_on": valid_to,
                "insurer": data.INSURER,
                # The red field shows the last day of insurance (§ 19 FZV).
                "insurance_until_on": valid_to,
                "inspection_due_on": valid_to + timedelta(days=150),
            }
        record = exports.create(self.session, ExportRecordCreate.model_validate(fields))
        if export.trip_ends is not None:
            items.mark_export_ready(self.session, item, self.day(export.trip_ends))
        return _id(record)

    def driver(self, driver: shapes.Driver) -> int:
        # Born ``age`` years and about four months ago.
        age = driver.age
        born = self.today - timedelta(days=age * 365 + age // 4 + 120)
        licences = [
            Licence.model_validate({"licence_class": c, "expires_on": self.day(until)})
            for c, until in driver.licences.items()
        ]
        availability = [
            Availability(available_from_on=self.day(a), available_to_on=self.day(b))
            for a, b in driver.availability
        ]
        volunteer = DriverCreate(
            name=driver.name,
            date_of_birth=born,
            phone=driver.phone,
            languages=list(driver.languages),
            emergency_contact_name=driver.emergency_contact_name,
            emergency_contact_phone=driver.emergency_contact_phone,
            notes=driver.notes,
            licences=licences,
            availability=availability,
        )
        return _id(drivers.create(self.session, volunteer))

    def convoy(self, plan: shapes.Convoy, made: dict[str, Item], records: dict[str, int]) -> None:
        convoy = planning.create(
            self.session,
            ConvoyCreate(
                number=plan.number,
                name=plan.name,
                name_uk=data.CONVOY_NAMES_UK.get(plan.number),
                coordinator_name=data.COORDINATOR,
                coordinator_phone=data.COORDINATOR_PHONE,
                planned_departure_at=self.moment(plan.route[0].departs),
                planned_return_at=self.moment(plan.returns),
                meeting_point=data.MEETING_POINT,
                meeting_point_uk=data.MEETING_POINT_UK,
                meeting_time_zone=data.MEETING_TIME_ZONE,
                planned_handover_at=self.moment(plan.handover_at) if plan.handover_at else None,
                handover_place=plan.handover_place,
                handover_place_uk=data.PLACES_UK[plan.handover_place]
                if plan.handover_place
                else None,
                escort_vehicle=data.ESCORT,
                claims_humanitarian_exemption=plan.claims_humanitarian_exemption,
                notes=plan.notes,
            ),
        )
        self.convoys[plan.number] = convoy
        legs = [
            convoy_legs.add_leg(
                self.session,
                convoy,
                LegCreate(
                    from_place=leg.from_place,
                    to_place=leg.to_place,
                    from_place_uk=data.PLACES_UK[leg.from_place],
                    to_place_uk=data.PLACES_UK[leg.to_place],
                    to_time_zone=data.ZONES[leg.to_place],
                    planned_departure_at=self.moment(leg.departs),
                    planned_arrival_at=self.moment(leg.arrives),
                    distance_km=leg.km,
                    is_border_crossing=leg.border,
                    planned_wait_minutes=leg.wait_minutes,
                ),
            )
            for leg in plan.route
        ]
        for load in plan.loads:
            carrier = _id(made[load.on]) if load.on else None
            loaded = LoadItem(item_id=_id(made[load.item]), carrier_id=carrier)
            loading.load_item(self.session, convoy, loaded)
        for drive in plan.crew:
            for number in drive.legs or range(1, len(legs) + 1):
                seat = AssignmentCreate(
                    leg_id=_id(legs[number - 1]),
                    vehicle_id=_id(made[drive.vehicle]),
                    driver_id=self.drivers[drive.driver],
                )
                assignments.assign(self.session, convoy, seat)
        for back in plan.way_back:
            vehicle = way_back.add_vehicle(
                self.session,
                convoy,
                ReturnVehicleCreate(
                    name=back.vehicle, gross_weight_kg=back.gross_weight_kg, seats=back.seats
                ),
            )
            for stretch in back.legs:
                way_back.add_leg(
                    self.session,
                    convoy,
                    vehicle,
                    ReturnLegCreate(
                        from_place=stretch.from_place,
                        to_place=stretch.to_place,
                        to_time_zone=data.ZONES[stretch.to_place],
                        planned_departure_at=self.moment(stretch.departs),
                        planned_arrival_at=self.moment(stretch.arrives),
                        distance_km=stretch.km,
                        driver_id=self.drivers[stretch.driver],
                    ),
                )
        for step in plan.steps:
            self.step(convoy, legs, step, made, records)

    def step(
        self,
        convoy: Convoy,
        legs: list[Leg],
        step: shapes.Step,
        made: dict[str, Item],
        records: dict[str, int],
    ) -> None:
        match step:
            case "mark_ready":
                transitions.mark_ready(self.session, convoy)
            case "depart":
                transitions.depart(self.session, convoy)
            case "arrive":
                transitions.arrive(self.session, convoy)
            case "close":
                transitions.close(self.session, convoy)
            case shapes.Report():
                event = LegEventCreate(
                    kind=step.kind,
                    occurred_at=self.moment(step.at),
                    reported_by=step.by,
                    note=step.note,
                )
                progress.report_event(self.session, convoy, legs[step.leg - 1], event)
            case shapes.HandOver():
                for key in step.items:
                    handover = HandoverCreate(
                        item_id=_id(made[key]),
                        receiver_name=step.receiver_name,
                        receiver_role=step.receiver_role,
                        handed_over_on=self.day(step.on),
                        place=step.place,
                        note=step.note,
                    )
                    progress.hand_over(self.session, convoy, handover)
            case shapes.ExitConfirmed():
                confirmed = ExportRecordUpdate(exit_confirmed_on=self.day(step.on))
                for key in step.items:
                    record = exports.get(self.session, records[key])
                    exports.update(
                        self.session, record, confirmed, recheck_item=items.recheck_export
                    )
            case shapes.Withdraw():
                withdrawal = WithdrawalCreate(reason=step.reason, note=step.note)
                driver = self.drivers[step.driver]
                assignments.withdraw_driver(self.session, convoy, driver, withdrawal)

    def collection(self) -> None:
        """The Westfalenhalle: its shelves, a few hundred sorted lines, the clinic's winter
        request met from them, and two pallets of jackets loaded on a convoy."""
        hall = collection.create_point(
            self.session, CollectionPointCreate.model_validate(data.HALL)
        )
        self.collection_point = _id(hall)
        places: dict[str, list[int]] = {}
        for zone in data.HALL_ZONES:
            for row in range(1, data.HALL_ROWS + 1):
                for shelf in range(1, data.HALL_SHELVES + 1):
                    place = collection.create_place(
                        self.session,
                        hall,
                        StoragePlaceCreate(zone=zone, row=str(row), shelf=str(shelf)),
                    )
                    places.setdefault(zone, []).append(_id(place))
        donor_keys = [None, *self.donors]
        n = 0
        for (category, subcategory), lines in data.HALL_STOCK.items():
            entry = CATALOGUE[StockCategory(category)]
            zone = {"clothing": "A", "shoes": "B", "bedding": "B", "hygiene": "C"}.get(
                category, "C" if category == "baby_care" else "D"
            )
            for i in range(lines):
                n += 1
                sizes = (
                    data.SHOE_SIZES
                    if category == "shoes"
                    else data.BABY_SIZES
                    if category == "baby_care"
                    else data.CLOTHING_SIZES
                )
                genders = ("women", "men", "unisex", "girls", "boys")
                seasons = ("winter", "winter", "all_year", "summer", "winter")
                donor = donor_keys[n % len(donor_keys)]
                sorted_in = IntakeCreate.model_validate(
                    {
                        "place_id": places[zone][(n * 5) % len(places[zone])],
                        "category": category,
                        "subcategory": subcategory,
                        "gender": genders[i % len(genders)] if entry.gender else None,
                        "size": sizes[i % len(sizes)] if entry.size else None,
                        "season": seasons[i % len(seasons)] if entry.season else None,
                        "quantity": 4 + (n * 7 + i * 3) % 37,
                        "condition": ("good", "new", "good", "worn")[n % 4],
                        "priority": "not_usable"
                        if n % 23 == 0
                        else "urgent"
                        if entry.season and seasons[i % len(seasons)] == "winter"
                        else "not_urgent",
                        "best_before_on": self.today + timedelta(days=120 + n)
                        if entry.best_before
                        else None,
                        "batch": f"CH-{2026}-{n:04d}" if entry.batch_and_expiry else None,
                        "expires_on": self.today + timedelta(days=400 + n)
                        if entry.batch_and_expiry
                        else None,
                        "donor_id": self.donors[donor] if donor else None,
                    }
                )
                collection.record_intake(self.session, _id(hall), sorted_in)
        asked: dict[str, Need] = {}
        for key, wanted in data.KULPARKIV_NEEDS.items():
            category, subcategory, gender, size, season, quantity, priority, text = wanted
            asked[key] = needs.create(
                self.session,
                NeedCreate(
                    destination_id=self.destinations["kulparkiv"],
                    item_kind=ItemKind.goods,
                    description=text,
                    quantity=quantity,
                    priority=priority,
                    requested_on=self.today - timedelta(days=9),
                    goods_category=StockCategory(category),
                    goods_subcategory=subcategory,
                    gender=Gender(gender) if gender else None,
                    size=size,
                    season=Season(season) if season else None,
                ),
            )
        jackets = asked["jackets"]
        wanted_total = sum(count for count, _kg, _litres in data.KULPARKIV_PALLETS)
        held: list[Reservation] = []
        for stock in collection.fitting_lines(self.session, jackets, _id(hall)):
            if wanted_total <= 0:
                break
            take = min(stock.quantity - stock.reserved, wanted_total)
            held.append(
                collection.reserve(
                    self.session,
                    ReservationCreate(
                        need_id=_id(jackets), stock_line_id=_id(stock), quantity=take
                    ),
                )
            )
            wanted_total -= take
        number, vehicle = data.PALLET_CARRIER
        for count, kg, litres in data.KULPARKIV_PALLETS:
            pallet = collection.create_pallet(
                self.session,
                PalletCreate(collection_point_id=_id(hall), need_id=_id(jackets)),
            )
            for reservation in held:
                left = reservation.quantity - reservation.packed
                if count <= 0 or left <= 0:
                    continue
                packed = min(left, count)
                collection.pack(
                    self.session,
                    pallet,
                    PalletPack(reservation_id=_id(reservation), quantity=packed),
                )
                count -= packed
            collection.update_pallet(
                self.session, pallet, PalletUpdate(weight_kg=kg, volume_dm3=litres)
            )
            collection.load(
                self.session,
                pallet,
                PalletLoad(
                    convoy_id=_id(self.convoys[number]), vehicle_id=_id(self.items[vehicle])
                ),
            )

    def account(self, account: shapes.Account) -> DemoLogin:
        password = secrets.token_urlsafe(15)  # 20 characters, 120 bits
        user = UserCreate(
            username=account.username,
            full_name=account.full_name,
            role=account.role,
            password=password,
            driver_id=self.drivers[account.driver] if account.driver else None,
            destination_id=self.destinations[account.destination] if account.destination else None,
            collection_point_id=self.collection_point if account.collection_point else None,
        )
        accounts.create_user(self.session, user)
        return DemoLogin(account.role, account.username, password, account.full_name)
