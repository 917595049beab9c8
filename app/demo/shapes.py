"""The shapes of the demo's declarations (``app.demo.data``): plain records that name each
other by key, with dates counted from the day the demo is loaded or from the Friday a convoy
leaves, so the loader can turn them into calls of the domain services."""

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Literal

from app.auth.roles import Role
from app.convoys.models import EventKind, WithdrawalReason
from app.destinations.models import RecipientKind
from app.donors.models import DonorKind
from app.items.models import CargoCategory, ItemKind, Packing


@dataclass(frozen=True)
class Day:
    """A day counted from the day the demo is loaded (``from_today``) or from the Friday the
    convoy of its batch leaves: the demo means the same whenever it is loaded."""

    days: int
    from_today: bool = False

    def __add__(self, days: int) -> "Day":
        return replace(self, days=self.days + days)

    def __sub__(self, days: int) -> "Day":
        return self + -days

    def at(self, hour: int, minute: int = 0) -> "Moment":
        return Moment(self, hour, minute)


@dataclass(frozen=True)
class Moment:
    """German local time on a day: the convoys leave from Wuppertal and plan by its clock."""

    day: Day
    hour: int
    minute: int = 0


TODAY = Day(0, from_today=True)
THU, FRI, SAT, SUN, MON = Day(-1), Day(0), Day(1), Day(2), Day(3)
YEAR = 365  # days: a licence "three years ahead" is TODAY + 3 * YEAR


@dataclass(frozen=True)
class Donor:
    name: str
    kind: DonorKind
    city: str
    postal_code: str
    region: str
    contact_name: str = "Fleet management"
    contact_phone: str = "+49 202 555 0100"
    street: str | None = None


@dataclass(frozen=True)
class Destination:
    name: str
    name_uk: str
    city: str
    oblast: str
    edrpou: str
    contact_name: str
    contact_phone: str
    via: str | None = None  # the destination that receives on its behalf
    # the address in Latin and in Cyrillic
    street: str | None = None
    street_uk: str | None = None
    postal_code: str | None = None
    city_uk: str | None = None
    oblast_uk: str | None = None
    kind: RecipientKind = RecipientKind.utility


@dataclass(frozen=True)
class Organisation:
    """The association that runs the convoys: the carrier on the consignment notes."""

    name: str
    legal_form: str
    street: str
    postal_code: str
    city: str
    register_court: str
    register_number: str
    contact_name: str
    contact_phone: str


@dataclass(frozen=True)
class Need:
    destination: str
    kind: ItemKind
    quantity: int
    priority: int  # 1 most urgent
    description: str
    requested: Day = TODAY - 150


@dataclass(frozen=True)
class Cargo:
    """Goods packed into a vehicle."""

    description: str
    description_uk: str
    quantity: int
    weight_kg: int
    value_eur: int
    hs_code: str
    category: CargoCategory = CargoCategory.technical
    unit: str = "pcs"
    packing: Packing = Packing.carton
    marks: str | None = None


@dataclass(frozen=True)
class Trailer:
    type: str
    registration: str
    permissible_weight_kg: int


@dataclass(frozen=True)
class Vehicle:
    """A vehicle taken out of a donor's fleet; its name is make and model. Fields named as the
    API's (``ItemCreate``) go to it as they are."""

    donor: str
    kind: ItemKind
    make: str
    model: str
    vin: str
    year: int
    gross_weight_kg: int
    weight_kg: int  # its own
    value_eur: int
    seats: int | None = None
    hs_code: str = "8704"
    description: str | None = None
    trailer: Trailer | None = None
    cargo: tuple[Cargo, ...] = ()


@dataclass(frozen=True)
class Equipment:
    """Fields named as the API's (``ItemCreate``) go to it as they are."""

    donor: str
    kind: ItemKind
    name: str
    name_uk: str
    weight_kg: int
    value_eur: int
    hs_code: str
    serial_number: str


@dataclass(frozen=True)
class Allocation:
    """The Ukrainian coordinator's decision: these items go to ``destination`` for ``need``."""

    destination: str
    need: str | None
    items: tuple[str, ...]


@dataclass(frozen=True)
class Certificate:
    """A usage certificate (Verwendungsnachweis) for ``items``, valid a year from issue."""

    number: str
    destination: str
    items: tuple[str, ...]
    issued: Day
    use: str
    use_uk: str | None = None


@dataclass(frozen=True)
class Export:
    """An item's export record; a vehicle's ``plates`` run (from, to) and are insured to the
    end. ``trip_ends``: marked export-ready for a trip ending then; None, not marked."""

    item: str
    plates: tuple[Day, Day] | None = None
    trip_ends: Day | None = None
    declared: Day = TODAY  # the MRN carries its year
    humanitarian_aid: bool = False  # declared as a relief consignment


@dataclass(frozen=True)
class Driver:
    name: str
    age: int
    phone: str
    languages: tuple[str, ...]
    licences: Mapping[str, Day]  # class → expiry
    availability: tuple[tuple[Day, Day], ...]
    notes: str | None = None
    emergency_contact_name: str = "Family contact"
    emergency_contact_phone: str = "+49 202 555 0199"


@dataclass(frozen=True)
class Leg:
    from_place: str
    to_place: str
    departs: Moment
    arrives: Moment
    km: int
    border: bool = False
    wait_minutes: int = 0


@dataclass(frozen=True)
class Load:
    item: str
    on: str | None = None  # the vehicle that carries it; None, it goes on its own wheels


@dataclass(frozen=True)
class Drive:
    """``driver`` drives ``vehicle`` on the legs numbered (from 1) in ``legs``, or on all."""

    driver: str
    vehicle: str
    legs: tuple[int, ...] | None = None


@dataclass(frozen=True)
class ReturnDrive:
    """A leg of the way back and the driver (a key) at the wheel."""

    from_place: str
    to_place: str
    departs: Moment
    arrives: Moment
    km: int
    driver: str


@dataclass(frozen=True)
class WayBack:
    """A vehicle that brings the team home after the handover, with its legs."""

    vehicle: str
    gross_weight_kg: int
    seats: int
    legs: tuple[ReturnDrive, ...]


@dataclass(frozen=True)
class Report:
    """Progress reported from the road on leg number ``leg``."""

    leg: int
    kind: EventKind
    at: Moment
    note: str | None = None
    by: str = "Escort team (Sprinter)"


@dataclass(frozen=True)
class HandOver:
    """The receiving utility signs for ``items``: the acceptance–transfer act."""

    items: tuple[str, ...]
    receiver_name: str
    receiver_role: str
    on: Day
    place: str
    note: str


@dataclass(frozen=True)
class ExitConfirmed:
    """The exit confirmation (Ausgangsvermerk) for ``items`` arrived."""

    items: tuple[str, ...]
    on: Day


@dataclass(frozen=True)
class Withdraw:
    driver: str
    reason: WithdrawalReason
    note: str


# What happened to a convoy after it was planned, in order; the strings are the transitions.
Step = (
    Literal["mark_ready", "depart", "arrive", "close"]
    | Report
    | HandOver
    | ExitConfirmed
    | Withdraw
)


@dataclass(frozen=True)
class Convoy:
    """A convoy; coordinator, meeting point and escort are the same for every demo convoy."""

    number: str
    name: str
    route: tuple[Leg, ...]
    returns: Moment
    claims_humanitarian_exemption: bool
    notes: str
    loads: tuple[Load, ...]
    crew: tuple[Drive, ...]
    steps: tuple[Step, ...] = ()
    handover_at: Moment | None = None
    handover_place: str | None = None
    way_back: tuple[WayBack, ...] = ()


@dataclass(frozen=True)
class Batch:
    """What one convoy takes, from the donors' offers to the road: its items (keys name them
    within the batch), their papers, its drivers (keys name them across batches) and the
    convoy; without a convoy, goods waiting for the next one.

    ``FRI`` is the first Friday on or after the day ``friday_after`` days from today (a
    negative number counts back)."""

    friday_after: int
    items: Mapping[str, Vehicle | Equipment]
    allocations: tuple[Allocation, ...]
    certificates: tuple[Certificate, ...]
    exports: tuple[Export, ...]
    drivers: Mapping[str, Driver]
    convoy: Convoy | None = None


@dataclass(frozen=True)
class Account:
    role: Role
    username: str
    full_name: str
    driver: str | None = None  # a driver's key: the record a driver account sees
    destination: str | None = None  # a destination's key: where a recipient receives
    collection_point: bool = False  # a volunteer of the demo's collection point
