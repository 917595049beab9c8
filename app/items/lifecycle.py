"""The rules of an item's life, as pure functions: no session, no clock, no I/O.

An item moves offered → accepted → allocated → certified → export-ready → in convoy →
delivered, or is withdrawn, only through explicit actions. Each action has one entry in
``TRANSITIONS``; the checks below return every unmet condition as a ``Reason`` so a refusal
tells the coordinator everything that blocks it at once. The service loads the records and
calls these; the convoy domain reuses the same table and checks.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from app.core.errors import Reason
from app.core.i18n import N_, _, word
from app.core.identifiers import LicenceClass
from app.destinations.models import Destination
from app.exports.models import ExportRecord
from app.items.models import Item, ItemCategory, ItemKind, ItemStatus
from app.needs.models import Need

# --- Licence classes (DOMAIN.md, "German licence classes") ---------------------------------

# A class also authorises the classes it contains; every class above B presupposes B.
_AUTHORISES: dict[LicenceClass, frozenset[LicenceClass]] = {
    LicenceClass.B: frozenset({LicenceClass.B}),
    LicenceClass.BE: frozenset({LicenceClass.B, LicenceClass.BE}),
    LicenceClass.C1: frozenset({LicenceClass.B, LicenceClass.C1}),
    LicenceClass.C1E: frozenset(
        {LicenceClass.B, LicenceClass.BE, LicenceClass.C1, LicenceClass.C1E}
    ),
    LicenceClass.C: frozenset({LicenceClass.B, LicenceClass.C1, LicenceClass.C}),
    LicenceClass.CE: frozenset(
        {
            LicenceClass.B,
            LicenceClass.BE,
            LicenceClass.C1,
            LicenceClass.C1E,
            LicenceClass.C,
            LicenceClass.CE,
        }
    ),
    LicenceClass.D1: frozenset({LicenceClass.B, LicenceClass.D1}),
    LicenceClass.D1E: frozenset(
        {LicenceClass.B, LicenceClass.BE, LicenceClass.D1, LicenceClass.D1E}
    ),
    LicenceClass.D: frozenset({LicenceClass.B, LicenceClass.D1, LicenceClass.D}),
    LicenceClass.DE: frozenset(
        {
            LicenceClass.B,
            LicenceClass.BE,
            LicenceClass.D1,
            LicenceClass.D1E,
            LicenceClass.D,
            LicenceClass.DE,
        }
    ),
}

D1_MAX_SEATS = 16
C1_ABOVE_KG = 3_500
C_ABOVE_KG = 7_500


def covers(held: LicenceClass, required: LicenceClass) -> bool:
    """Whether a licence of class ``held`` allows driving a vehicle that needs ``required``."""
    return required in _AUTHORISES[held]


# A trailer up to this permissible weight is "light" and needs no E class.
LIGHT_TRAILER_KG = 750
# B tows a heavier trailer while the combination stays within this; above it, BE.
B_COMBINATION_KG = 3_500
# C1E and D1E end at this combined permissible weight; above it CE (or DE).
SMALL_E_COMBINATION_KG = 12_000

# The class a heavy trailer turns each class into.
_WITH_TRAILER: dict[LicenceClass, LicenceClass] = {
    LicenceClass.B: LicenceClass.BE,
    LicenceClass.C1: LicenceClass.C1E,
    LicenceClass.C: LicenceClass.CE,
    LicenceClass.D1: LicenceClass.D1E,
    LicenceClass.D: LicenceClass.DE,
}


def _motor_vehicle_requirement(
    kind: ItemKind, gross_weight_kg: int, seats: int | None
) -> tuple[LicenceClass, str]:
    if kind == ItemKind.bus:
        # D1 is for buses up to 16 passengers and 8 m; the length is not recorded, so the
        # seat count decides, and a bus of unknown size needs the full class D.
        if seats is not None and seats <= D1_MAX_SEATS:
            return LicenceClass.D1, _("a bus with {seats} seats (at most {most})").format(
                seats=seats, most=D1_MAX_SEATS
            )
        if seats is None:
            return LicenceClass.D, _("a bus with an unknown number of seats")
        return LicenceClass.D, _("a bus with {seats} seats (more than {most})").format(
            seats=seats, most=D1_MAX_SEATS
        )
    weight = _("{kg:,} kg gross weight").format(kg=gross_weight_kg)
    if gross_weight_kg > C_ABOVE_KG:
        return LicenceClass.C, _("a vehicle of {weight} (over {kg:,} kg)").format(
            weight=weight, kg=C_ABOVE_KG
        )
    if gross_weight_kg > C1_ABOVE_KG:
        return LicenceClass.C1, _("a vehicle of {weight} (over {kg:,} kg)").format(
            weight=weight, kg=C1_ABOVE_KG
        )
    return LicenceClass.B, _("a vehicle of {weight} (at most {kg:,} kg)").format(
        weight=weight, kg=C1_ABOVE_KG
    )


def _licence_requirement(
    kind: ItemKind, gross_weight_kg: int, seats: int | None, trailer_kg: int | None = None
) -> tuple[LicenceClass, str]:
    needed, vehicle = _motor_vehicle_requirement(kind, gross_weight_kg, seats)
    if trailer_kg is None or trailer_kg <= LIGHT_TRAILER_KG:
        return needed, vehicle
    combined = gross_weight_kg + trailer_kg
    towing = _("{vehicle} towing a trailer of {kg:,} kg (over {light:,} kg)").format(
        vehicle=vehicle, kg=trailer_kg, light=LIGHT_TRAILER_KG
    )
    if needed == LicenceClass.B and combined <= B_COMBINATION_KG:
        return needed, _("{towing}, together at most {kg:,} kg").format(
            towing=towing, kg=B_COMBINATION_KG
        )
    if needed in (LicenceClass.C1, LicenceClass.D1) and combined > SMALL_E_COMBINATION_KG:
        stronger = LicenceClass.CE if needed == LicenceClass.C1 else LicenceClass.DE
        return stronger, _("{towing}, together over {kg:,} kg").format(
            towing=towing, kg=SMALL_E_COMBINATION_KG
        )
    return _WITH_TRAILER[needed], towing


def required_licence_class(
    kind: ItemKind, gross_weight_kg: int, seats: int | None, trailer_kg: int | None = None
) -> LicenceClass:
    """The weakest licence class that allows driving the vehicle with its trailer.

    Bus: D, or D1 with at most 16 seats; otherwise by permissible gross weight: over 7,500 kg
    C, over 3,500 kg C1, else B (so a Unimog needs C1 or C by its weight). A trailer over
    750 kg adds the E: C → CE, C1 → C1E (CE above 12 t together), D → DE, D1 → D1E, and
    B → BE once vehicle and trailer together exceed 3,500 kg.
    """
    return _licence_requirement(kind, gross_weight_kg, seats, trailer_kg)[0]


def licence_too_weak(
    given: LicenceClass,
    kind: ItemKind,
    gross_weight_kg: int,
    seats: int | None,
    trailer_kg: int | None = None,
) -> str | None:
    """Why ``given`` is not enough for this vehicle, or None when it is."""
    needed, vehicle = _licence_requirement(kind, gross_weight_kg, seats, trailer_kg)
    if covers(given, needed):
        return None
    return _("{vehicle} needs class {needed}; class {given} does not allow driving it").format(
        vehicle=vehicle, needed=needed, given=given
    )


# --- Transitions ---------------------------------------------------------------------------


class Action(StrEnum):
    accept = "accept"
    allocate = "allocate"
    certify = "certify"
    mark_export_ready = "mark_export_ready"
    withdraw = "withdraw"
    # The export data changed after the item was marked export-ready, and no longer holds.
    export_data_lapsed = "export_data_lapsed"
    # Driven by the convoy domain.
    join_convoy = "join_convoy"
    leave_convoy = "leave_convoy"
    deliver = "deliver"


@dataclass(frozen=True)
class Transition:
    sources: tuple[ItemStatus, ...]
    target: ItemStatus
    verb: str  # "The item cannot be <verb>"


S = ItemStatus
TRANSITIONS: dict[Action, Transition] = {
    Action.accept: Transition((S.offered,), S.accepted, N_("accepted")),
    # Allocating again moves an item to another destination before it is certified.
    Action.allocate: Transition((S.accepted, S.allocated), S.allocated, N_("allocated")),
    Action.certify: Transition((S.allocated,), S.certified, N_("certified")),
    Action.mark_export_ready: Transition((S.certified,), S.export_ready, N_("marked export-ready")),
    Action.withdraw: Transition(
        (S.offered, S.accepted, S.allocated, S.certified, S.export_ready),
        S.withdrawn,
        N_("withdrawn"),
    ),
    Action.export_data_lapsed: Transition((S.export_ready,), S.certified, N_("taken back")),
    Action.join_convoy: Transition((S.export_ready,), S.in_convoy, N_("put into a convoy")),
    Action.leave_convoy: Transition((S.in_convoy,), S.export_ready, N_("taken out of a convoy")),
    Action.deliver: Transition((S.in_convoy,), S.delivered, N_("delivered")),
}

# Nothing about a delivered or withdrawn item may change: it is the record auditors ask for.
CLOSED_STATUSES = frozenset({S.delivered, S.withdrawn})

STATUS_LABELS = {
    S.offered: N_("offered"),
    S.accepted: N_("accepted"),
    S.allocated: N_("allocated"),
    S.certified: N_("certified"),
    S.export_ready: N_("export-ready"),
    S.in_convoy: N_("in a convoy"),
    S.delivered: N_("delivered"),
    S.withdrawn: N_("withdrawn"),
}


def _listing(words: Iterable[str]) -> str:
    items = list(words)
    if len(items) == 1:
        return items[0]
    return _("{some} or {last}").format(some=", ".join(items[:-1]), last=items[-1])


def status_reasons(action: Action, status: ItemStatus) -> list[Reason]:
    transition = TRANSITIONS[action]
    if status in transition.sources:
        return []
    allowed = _listing(_(STATUS_LABELS[s]) for s in transition.sources)
    return [
        Reason(
            "wrong_status",
            (
                _("An item can be {verb} only while it is {allowed}; this one is {value}").format(
                    verb=_(transition.verb), allowed=allowed, value=_(STATUS_LABELS[status])
                )
            ),
            "status",
            {"status": status.value, "allowed": [s.value for s in transition.sources]},
        )
    ]


def closed_reason(item: Item) -> Reason | None:
    if item.status not in CLOSED_STATUSES:
        return None
    return Reason(
        "item_closed",
        (
            _(
                "Item {id} ({item}) is {value}; a delivered or withdrawn "
                "item and its cargo can no longer be changed"
            ).format(id=item.id, item=item.name, value=_(STATUS_LABELS[item.status]))
        ),
        "status",
        {"status": item.status.value},
    )


# --- Conditions ------------------------------------------------------------------------------


def need_reasons(
    item: Item, destination: Destination, need: Need, need_destination: Destination
) -> list[Reason]:
    """Why ``item`` cannot be allocated to ``destination`` against ``need``."""
    reasons: list[Reason] = []
    context = {"need_id": need.id}
    if need.destination_id != destination.id:
        reasons.append(
            Reason(
                "need_of_other_destination",
                (
                    _(
                        "Need {id} ({description}) was sent by {need_destination}, "
                        "not by {destination}"
                    ).format(
                        id=need.id,
                        description=need.description,
                        need_destination=need_destination.name,
                        destination=destination.name,
                    )
                ),
                "need_id",
                {**context, "need_destination_id": need.destination_id},
            )
        )
    if need.cancelled:
        reasons.append(
            Reason(
                "need_cancelled",
                _("Need {id} ({description}) was cancelled by the recipient").format(
                    id=need.id, description=need.description
                ),
                "need_id",
                context,
            )
        )
    if need.item_kind != item.kind:
        reasons.append(
            Reason(
                "need_kind_mismatch",
                (
                    _(
                        "Need {id} asks for kind {item_kind!r}; this item is of kind {kind!r}"
                    ).format(id=need.id, item_kind=word(need.item_kind), kind=word(item.kind))
                ),
                "need_id",
                {**context, "need_kind": need.item_kind.value, "item_kind": item.kind.value},
            )
        )
    return reasons


def certificate_reasons(
    item: Item, destination: Destination | None, has_valid_certificate: bool, on: date
) -> list[Reason]:
    """DOMAIN.md: no item may depart without a valid certificate that names its destination."""
    if destination is None:
        return [
            Reason(
                "no_destination",
                (
                    _(
                        "The item is not allocated to a destination, so no usage "
                        "certificate can cover it; allocate it first"
                    )
                ),
                "destination_id",
            )
        ]
    if has_valid_certificate:
        return []
    return [
        Reason(
            "certificate_missing",
            (
                _(
                    "No usage certificate (Verwendungsnachweis) for "
                    "{destination} that is valid on {isoformat} covers this item"
                ).format(destination=destination.name, isoformat=on.isoformat())
            ),
            None,
            {"destination_id": destination.id, "on": on.isoformat()},
        )
    ]


def _ends_before(
    value: date, until: date, field: str, code: str, sentence: str, **names: str
) -> Reason | None:
    """``sentence`` names {day} (``value``), {until} and any of ``names``."""
    if value >= until:
        return None
    return Reason(
        code,
        sentence.format(day=value.isoformat(), until=until.isoformat(), **names),
        field,
        {field: value.isoformat(), "plates_valid_until": until.isoformat()},
    )


def export_reasons(
    item: Item, record: ExportRecord | None, plates_valid_until: date, on: date | None
) -> list[Reason]:
    """What the customs export of ``item`` still lacks for a trip that starts ``on`` (when it
    is known) and needs plates, insurance and inspection until ``plates_valid_until``
    (DOMAIN.md, "Customs", "Export plates": the plates must cover the whole trip up to the
    handover). Plates that become valid later than today are fine: only the trip counts."""
    reasons: list[Reason] = []
    vehicle = item.category == ItemCategory.vehicle
    if record is None:
        needs = "an MRN, export plates, insurance and inspection date" if vehicle else "an MRN"
        reasons.append(
            Reason(
                "export_record_missing",
                _(
                    "No export record: record the customs export data ({needs}) for this item"
                ).format(needs=needs),
                "export_record",
            )
        )
    elif record.mrn is None:
        reasons.append(
            Reason(
                "mrn_missing",
                _("The export record has no MRN: the export declaration is not filed yet"),
                "mrn",
            )
        )
    if not vehicle:
        return reasons
    if record is not None:
        reasons += _plate_reasons(record, plates_valid_until, on)
    if not item.registration_papers_held:
        reasons.append(
            Reason(
                "registration_papers_missing",
                _(
                    "The vehicle's registration papers are not held; the plates "
                    "and customs need them"
                ),
                "registration_papers_held",
            )
        )
    return reasons


def _plate_reasons(record: ExportRecord, until: date, on: date | None) -> list[Reason]:
    reasons: list[Reason | None] = []
    plate = record.export_plate
    if plate is None:
        reasons.append(
            Reason(
                "export_plate_missing", _("No export plate (Ausfuhrkennzeichen)"), "export_plate"
            )
        )
    elif record.plate_valid_from_on is None or record.plate_valid_to_on is None:
        reasons.append(
            Reason(
                "plate_validity_missing",
                _("The validity (from, to) of export plate {plate} is not recorded").format(
                    plate=plate
                ),
                "plate_valid_to_on",
            )
        )
    else:
        if on is not None and record.plate_valid_from_on > on:
            reasons.append(
                Reason(
                    "plate_not_yet_valid",
                    (
                        _(
                            "Export plate {plate} is valid only from {isoformat}, after "
                            "the trip starts on {on_isoformat}"
                        ).format(
                            plate=plate,
                            isoformat=record.plate_valid_from_on.isoformat(),
                            on_isoformat=on.isoformat(),
                        )
                    ),
                    "plate_valid_from_on",
                    {"plate_valid_from_on": record.plate_valid_from_on.isoformat()},
                )
            )
        reasons.append(
            _ends_before(
                record.plate_valid_to_on,
                until,
                "plate_valid_to_on",
                "plate_expires_too_early",
                _("Export plate {plate} expires {day}, before {until}"),
                plate=plate,
            )
        )
    if record.insurance_until_on is None:
        reasons.append(
            Reason(
                "insurance_missing",
                _("No insurance end date is recorded; export plates need insurance"),
                "insurance_until_on",
            )
        )
    else:
        reasons.append(
            _ends_before(
                record.insurance_until_on,
                until,
                "insurance_until_on",
                "insurance_ends_too_early",
                _("The insurance ends {day}, before {until}"),
            )
        )
    if record.inspection_due_on is None:
        reasons.append(
            Reason(
                "inspection_date_missing",
                _("No inspection (HU) due date is recorded"),
                "inspection_due_on",
            )
        )
    else:
        reasons.append(
            _ends_before(
                record.inspection_due_on,
                until,
                "inspection_due_on",
                "inspection_due_too_early",
                _("The inspection (HU) is due {day}, before {until}"),
            )
        )
    return [r for r in reasons if r is not None]


def overload_reason(
    vehicle_name: str,
    gross_weight_kg: int | None,
    own_weight_kg: int | None,
    cargo_weight_kg: int,
    field: str,
) -> Reason | None:
    """Cargo may not exceed the payload: permissible gross weight minus the vehicle's own."""
    if gross_weight_kg is None or own_weight_kg is None:
        return None
    payload = gross_weight_kg - own_weight_kg
    if cargo_weight_kg <= payload:
        return None
    return Reason(
        "vehicle_overloaded",
        (
            _(
                "{cargo_weight_kg:,} kg of cargo is more than {vehicle_name} "
                "may carry: {gross_weight_kg:,} kg gross weight minus "
                "{own_weight_kg:,} kg own weight leaves {payload:,} kg"
            ).format(
                cargo_weight_kg=cargo_weight_kg,
                vehicle_name=vehicle_name,
                gross_weight_kg=gross_weight_kg,
                own_weight_kg=own_weight_kg,
                payload=payload,
            )
        ),
        field,
        {"cargo_weight_kg": cargo_weight_kg, "payload_kg": payload},
    )


def cargo_carrier_reasons(item: Item) -> list[Reason]:
    reasons: list[Reason] = []
    if item.category != ItemCategory.vehicle:
        reasons.append(
            Reason(
                "cargo_needs_vehicle",
                _("Item {id} ({item}) is equipment; cargo rides only on a vehicle").format(
                    id=item.id, item=item.name
                ),
                "item_id",
            )
        )
    closed = closed_reason(item)
    if closed is not None:
        reasons.append(closed)
    return reasons
