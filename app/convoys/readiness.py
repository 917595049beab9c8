"""The readiness check: can this convoy depart, and if not, what exactly blocks it.

One call gathers everything with a fixed number of queries (legs, loaded items, export
records, certificates, assignments, drivers, licences, availability, the drivers' other
bookings), then applies the rules in memory. Pages, the API, the guard and the transitions
all call the same check.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple, Protocol
from zoneinfo import ZoneInfo

from sqlalchemy import BindParameter, Select, bindparam
from sqlalchemy import select as select_rows
from sqlmodel import Session, col, select

from app.certificates import service as certificates
from app.convoys import driving_time, way_back
from app.convoys import trip as trips
from app.convoys.models import (
    Assignment,
    Convoy,
    ConvoyItem,
    ConvoyStatus,
    DriverWithdrawal,
    Leg,
)
from app.convoys.schemas import Finding, Readiness
from app.convoys.service import (
    legs_of,
    seat_label,
    withdrawals_of,
)
from app.convoys.trip import Trip
from app.core import i18n
from app.core.bilingual import in_language
from app.core.database import plain_rows
from app.core.i18n import _, ngettext
from app.core.i18n import word as status_word
from app.core.identifiers import LicenceClass, vin_warnings
from app.core.localtime import day, day_span, number
from app.core.types import UTCDateTime
from app.drivers import rules as licence_rules
from app.drivers.models import Driver, DriverAvailability, DriverLicence
from app.exports.models import ExportRecord
from app.items.models import Item, ItemCategory, ItemStatus


class Booking(NamedTuple):
    """A seat as the check reads it: a plain row (a large convoy has hundreds)."""

    id: int
    convoy_id: int
    leg_id: int
    vehicle_id: int
    driver_id: int
    starts_at: datetime
    ends_at: datetime


# The check's reads, built once with bind parameters.
_BOOKING_COLUMNS = (
    col(Assignment.id),
    col(Assignment.convoy_id),
    col(Assignment.leg_id),
    col(Assignment.vehicle_id),
    col(Assignment.driver_id),
    col(Assignment.starts_at),
    col(Assignment.ends_at),
)
_BOOKINGS = (
    select_rows(*_BOOKING_COLUMNS)
    .where(col(Assignment.convoy_id) == bindparam("convoy_id"))
    .order_by(col(Assignment.id))
)


class Good(NamedTuple):
    """An item on the convoy as the check reads it."""

    id: int
    name: str
    name_uk: str | None  # the board names the goods in the reader's language
    category: ItemCategory
    status: ItemStatus
    status_reason: str | None
    destination_id: int | None
    vin: str | None
    licence_class_required: LicenceClass | None
    trailer_type: str | None
    trailer_permissible_weight_kg: int | None


class Papers(NamedTuple):
    """A vehicle's export record, as far as the trip needs it."""

    item_id: int
    export_plate: str | None
    plate_valid_from_on: date | None
    plate_valid_to_on: date | None
    insurance_until_on: date | None
    inspection_due_on: date | None


class Held(NamedTuple):
    driver_id: int
    licence_class: LicenceClass
    expires_on: date


class Free(NamedTuple):
    driver_id: int
    available_from_on: date
    available_to_on: date


_LOADED = (
    select_rows(
        col(Item.id),
        col(Item.name),
        col(Item.name_uk),
        col(Item.category),
        col(Item.status),
        col(Item.status_reason),
        col(Item.destination_id),
        col(Item.vin),
        col(Item.licence_class_required),
        col(Item.trailer_type),
        col(Item.trailer_permissible_weight_kg),
        col(ConvoyItem.carrier_id),
    )
    .join(ConvoyItem, col(ConvoyItem.item_id) == col(Item.id))
    .where(col(ConvoyItem.convoy_id) == bindparam("convoy_id"))
    .order_by(col(Item.category).desc(), col(Item.id))
)
# The goods loaded on the convoy and the drivers seated on it, as subqueries: the reads below
# name them so rather than by lists of ids, which SQLAlchemy renders and binds one by one on
# every execution (the papers of 90 goods: 0.29 ms bound as a list, 0.11 as a subquery).
_LOADED_IDS = select_rows(col(ConvoyItem.item_id)).where(
    col(ConvoyItem.convoy_id) == bindparam("convoy_id")
)
_SEATED_IDS = select_rows(col(Assignment.driver_id)).where(
    col(Assignment.convoy_id) == bindparam("convoy_id")
)
# Which drivers a read is about: those a caller lists, or those seated on the convoy.
_Drivers = BindParameter[list[int]] | Select[int]
_LISTED_IDS: BindParameter[list[int]] = bindparam("driver_ids", expanding=True)
_COVERING_LOADED = certificates.covering_rows(_LOADED_IDS)
_PAPERS = select_rows(
    col(ExportRecord.item_id),
    col(ExportRecord.export_plate),
    col(ExportRecord.plate_valid_from_on),
    col(ExportRecord.plate_valid_to_on),
    col(ExportRecord.insurance_until_on),
    col(ExportRecord.inspection_due_on),
).where(col(ExportRecord.item_id).in_(_LOADED_IDS))


def _held(drivers: _Drivers) -> Select[int, LicenceClass, date]:
    return (
        select_rows(
            col(DriverLicence.driver_id),
            col(DriverLicence.licence_class),
            col(DriverLicence.expires_on),
        )
        .where(col(DriverLicence.driver_id).in_(drivers))
        .order_by(col(DriverLicence.licence_class))
    )


def _free(drivers: _Drivers) -> Select[int, date, date]:
    return (
        select_rows(
            col(DriverAvailability.driver_id),
            col(DriverAvailability.available_from_on),
            col(DriverAvailability.available_to_on),
        )
        .where(col(DriverAvailability.driver_id).in_(drivers))
        .order_by(col(DriverAvailability.available_from_on))
    )


_HELD, _HELD_BY_SEATED = _held(_LISTED_IDS), _held(_SEATED_IDS)
_FREE, _FREE_BY_SEATED = _free(_LISTED_IDS), _free(_SEATED_IDS)


# The drivers' seats on other convoys as plain rows, then each leg driven there and its convoy
# once: a driver of a 60-vehicle convoy elsewhere brings 240 seats but four legs and one
# convoy, and reading the leg and the convoy with every seat cost more than the rest.
def _others(drivers: _Drivers) -> Select[*tuple[Any, ...]]:
    return (
        select_rows(*_BOOKING_COLUMNS)
        .join(Convoy, col(Convoy.id) == col(Assignment.convoy_id))
        .where(
            col(Assignment.driver_id).in_(drivers),
            col(Assignment.convoy_id) != bindparam("convoy_id"),
            col(Convoy.status).not_in([ConvoyStatus.cancelled, ConvoyStatus.closed]),
            col(Assignment.ends_at) > bindparam("after", type_=UTCDateTime),
            col(Assignment.starts_at) < bindparam("before", type_=UTCDateTime),
        )
    )


_OTHER_BOOKINGS, _OTHER_BOOKINGS_OF_SEATED = _others(_LISTED_IDS), _others(_SEATED_IDS)
_OTHER_LEGS = (
    select(Leg, Convoy)
    .join(Convoy, col(Convoy.id) == col(Leg.convoy_id))
    .where(col(Leg.id).in_(bindparam("leg_ids", expanding=True)))
)
_NAMES = select_rows(col(Driver.id), col(Driver.name)).where(
    col(Driver.id).in_(bindparam("driver_ids", expanding=True))
)

PLATE_MARGIN = timedelta(days=3)  # warn when plates expire this soon after arrival
# Bookings on other convoys further than this from our trip cannot affect rest-time checks.
OTHER_BOOKINGS_WINDOW = timedelta(days=8)
READY_ITEM_STATUSES = frozenset({ItemStatus.export_ready, ItemStatus.in_convoy})


@dataclass
class _Findings:
    blockers: list[Finding]
    warnings: list[Finding]

    def block(self, code: str, message: str, **about: object) -> None:
        self.blockers.append(Finding(code=code, message=message, **about))  # type: ignore[arg-type]

    def warn(self, code: str, message: str, **about: object) -> None:
        self.warnings.append(Finding(code=code, message=message, **about))  # type: ignore[arg-type]


class PlannedLeg(trips.Stage, Protocol):
    """A leg as its driving is planned from: its times and the wait planned on it."""

    @property
    def planned_wait_minutes(self) -> int: ...


def planned_driving(leg: PlannedLeg, zone: str = "UTC") -> list[driving_time.DrivingBlock]:
    """The driving a leg's plan implies: its duration minus the planned wait, in the zone of
    the place it starts from (which names the driver's days and times in messages).

    The wait is used as breaks of 45 minutes where the 4.5-hour limit falls (Regulation
    561/2006 Art. 7); driving with no wait left to break it is planned as continuous.
    """
    total = leg.planned_arrival_at - leg.planned_departure_at
    wait = timedelta(minutes=leg.planned_wait_minutes)
    remaining = total - wait
    blocks: list[driving_time.DrivingBlock] = []
    start = leg.planned_departure_at.astimezone(ZoneInfo(zone))
    while remaining > timedelta(0):
        chunk = min(remaining, driving_time.MAX_CONTINUOUS) if wait > timedelta(0) else remaining
        blocks.append(driving_time.DrivingBlock(start=start, end=start + chunk, leg_id=leg.id))
        start += chunk
        remaining -= chunk
        if remaining > timedelta(0) and wait > timedelta(0):
            pause = (
                wait if remaining <= driving_time.MAX_CONTINUOUS else min(wait, driving_time.BREAK)
            )
            start += pause
            wait -= pause
    return blocks


@dataclass
class Facts:
    """What the check reads of a convoy: read once, for the check and for a page that shows
    the same rows (the board shows its grid from them)."""

    legs: list[Leg]
    items: dict[int, Good]  # loaded, vehicles first
    carriers: dict[int, int | None]  # item -> the vehicle it rides in
    records: dict[int, Papers]
    bookings: list[Booking]  # the seats
    withdrawals: list[DriverWithdrawal]
    people: dict[int, str]  # the names of the drivers seated (outward or back) or withdrawn
    way_back: way_back.Plan

    @property
    def vehicles(self) -> list[Good]:
        return [i for i in self.items.values() if i.category == ItemCategory.vehicle]


def read_facts(session: Session, convoy: Convoy) -> Facts:
    assert convoy.id is not None
    on_convoy = {"convoy_id": convoy.id}
    loaded = plain_rows(session, _LOADED, on_convoy).all()
    items = {row[0]: Good(*row[:-1]) for row in loaded}
    # The seats as plain rows: a large convoy has hundreds, each read many times below.
    bookings = [Booking(*row) for row in plain_rows(session, _BOOKINGS, on_convoy).all()]
    withdrawals = withdrawals_of(session, convoy.id)
    back = way_back.plan_of(session, convoy.id)
    named = sorted(
        {a.driver_id for a in bookings}
        | {w.driver_id for w in withdrawals}
        | {leg.driver_id for _v, leg in back.legs if leg.driver_id is not None}
    )
    return Facts(
        legs=legs_of(session, convoy.id),
        items=items,
        carriers={row[0]: row[-1] for row in loaded},
        records={row[0]: Papers(*row) for row in plain_rows(session, _PAPERS, on_convoy)},
        bookings=bookings,
        withdrawals=withdrawals,
        people={i: n for i, n in plain_rows(session, _NAMES, {"driver_ids": named})},
        way_back=back,
    )


def check(session: Session, convoy: Convoy, facts: Facts | None = None) -> Readiness:
    """Every blocker and warning for departure; ``facts`` when the caller has read them."""
    assert convoy.id is not None
    if facts is None:
        facts = read_facts(session, convoy)
    found = _Findings([], [])
    legs, items, assignments, people = facts.legs, facts.items, facts.bookings, facts.people
    on_convoy = {"convoy_id": convoy.id}
    covering = certificates.covers(session, _COVERING_LOADED, on_convoy)
    licences: dict[int, list[Held]] = defaultdict(list)
    for row in plain_rows(session, _HELD_BY_SEATED, on_convoy):
        licences[row[0]].append(Held(*row))
    windows: dict[int, list[Free]] = defaultdict(list)
    for row in plain_rows(session, _FREE_BY_SEATED, on_convoy):
        windows[row[0]].append(Free(*row))

    vehicles = facts.vehicles
    if not legs:
        found.block(
            "no_legs",
            _("Convoy {number} has no route yet: add its legs.").format(number=convoy.number),
        )
    if not vehicles:
        found.block(
            "no_vehicles",
            _("No vehicle is loaded on convoy {number}.").format(number=convoy.number),
        )
    trip = trips.of(convoy, legs)
    planning = convoy.status in {ConvoyStatus.planning, ConvoyStatus.ready}

    # Until when the papers must hold, in words: the same sentence for every vehicle.
    until = (
        _("the handover {time}").format(time=trip.handover)
        if trip.handover.at > trip.arrival.at
        else _("the arrival {time}").format(time=trip.arrival)
    )
    for item in items.values():
        _check_item(
            found,
            item,
            facts.carriers.get(item.id or 0),
            facts.records,
            covering,
            trip,
            until,
            planning,
        )

    other = _other_bookings(session, convoy, None, trip.departure.at, trip.handover.at)
    leg_by_id = {leg.id: leg for leg in legs}
    _check_assignments(
        found,
        convoy,
        legs,
        vehicles,
        assignments,
        people,
        licences,
        windows,
        other,
        trip,
        facts.withdrawals,
    )
    # The zone each leg starts in names the driver's days: ours from the route; another
    # convoy's leg from its own meeting point (first leg) or, near enough, the leg's end.
    start_zones = {leg_id: zones[0] for leg_id, zones in trips.zones_of(convoy, legs).items()}
    for _booking, leg, theirs in other:
        start_zones.setdefault(
            leg.id or 0, theirs.meeting_time_zone if leg.position == 1 else leg.to_time_zone
        )
    back_blocks = way_back.return_blocks(convoy, legs, facts.way_back)
    _check_driving_time(
        found, convoy, assignments, leg_by_id, other, people, start_zones, back_blocks
    )
    _check_way_back(found, convoy, legs, facts.way_back, assignments, people)

    return Readiness(
        convoy_id=convoy.id,
        status=convoy.status,
        can_depart=planning and not found.blockers,
        blockers=found.blockers,
        warnings=found.warnings,
    )


def _check_item(
    found: _Findings,
    item: Good,
    carrier_id: int | None,
    records: dict[int, Papers],
    covering: dict[int, list[certificates.Cover]],
    trip: Trip,
    until: str,
    planning: bool,
) -> None:
    about = {"item_id": item.id}
    on = trip.departure.day  # the calendar of the meeting point
    if item.destination_id is None:
        found.block(
            "item_without_destination",
            _("{item} is not allocated to a recipient utility.").format(item=_named(item)),
            **about,
        )
    else:
        valid = [
            c
            for c in covering.get(item.id or 0, [])
            if certificates.is_valid_for(c, item.destination_id, on)
        ]
        if not valid:
            found.block(
                "item_without_certificate",
                _(
                    "{item} has no usage certificate (Verwendungsnachweis) for its "
                    "destination that is valid on {day}, the day of departure."
                ).format(item=_named(item), day=day(on)),
                **about,
            )
    if planning and item.status not in READY_ITEM_STATUSES:
        why = f" ({item.status_reason})" if item.status_reason else ""
        found.block(
            "item_not_export_ready",
            _("{item} is {status}, not export-ready{why}.").format(
                item=_named(item), status=status_word(item.status), why=why
            ),
            **about,
        )
    if item.category == ItemCategory.equipment and carrier_id is None:
        found.block(
            "equipment_without_carrier",
            _("{item} is equipment: say which vehicle of the convoy carries it.").format(
                item=_named(item)
            ),
            **about,
        )
    if item.category != ItemCategory.vehicle:
        return
    if item.vin:
        for warning in vin_warnings(item.vin):
            found.warn("vin_check_digit", f"{_named(item)}: {warning}.", **about)
    record = records.get(item.id or 0)
    if record is None or not record.export_plate:
        found.block(
            "export_plate_missing",
            _("{item} has no export plates recorded.").format(item=_named(item)),
            **about,
        )
        return
    plate = record.export_plate
    # Plates and insurance must cover the trip up to the handover (DOMAIN.md), each day read
    # on the calendar of the place the convoy is at: Lviv's Sunday, not UTC's Saturday.
    last_day = trip.handover.day
    if record.plate_valid_from_on and record.plate_valid_from_on > on:
        found.block(
            "export_plate_not_yet_valid",
            _(
                "Export plate {plate} on {item} is valid only from {day}, "
                "after the departure {departure}."
            ).format(
                plate=plate,
                item=_named(item),
                day=day(record.plate_valid_from_on),
                departure=trip.departure,
            ),
            **about,
        )
    if record.plate_valid_to_on is None or record.plate_valid_to_on < last_day:
        found.block(
            "export_plate_expires_during_trip",
            (
                _("Export plate {plate} on {item} expires on {day}, before {until}.")
                if record.plate_valid_to_on
                else _(
                    "Export plate {plate} on {item} has no expiry date recorded, before {until}."
                )
            ).format(
                plate=plate,
                item=_named(item),
                day=day(record.plate_valid_to_on) if record.plate_valid_to_on else "",
                until=until,
            ),
            **about,
            context={"needed_until_on": last_day.isoformat()},
        )
    elif record.plate_valid_to_on - last_day <= PLATE_MARGIN:
        found.warn(
            "export_plate_expires_soon",
            _(
                "Export plate {plate} on {item} expires on {day}, only {days} day(s) after "
                "{until}: a delay at the border would leave it without valid plates."
            ).format(
                plate=plate,
                item=_named(item),
                day=day(record.plate_valid_to_on),
                days=(record.plate_valid_to_on - last_day).days,
                until=until,
            ),
            **about,
        )
    if record.insurance_until_on is None or record.insurance_until_on < last_day:
        found.block(
            "insurance_ends_during_trip",
            (
                _(
                    "The insurance for {item} does not cover the trip up to {until}: "
                    "it ends on {day}."
                )
                if record.insurance_until_on
                else _(
                    "The insurance for {item} does not cover the trip up to {until}: "
                    "no end date is recorded."
                )
            ).format(
                item=_named(item),
                until=until,
                day=day(record.insurance_until_on) if record.insurance_until_on else "",
            ),
            **about,
        )
    if record.inspection_due_on is None:
        # Unknown is not "valid": the plates require a current inspection (§ 19 FZV).
        found.block(
            "inspection_due_during_trip",
            _(
                "No inspection (HU) due date is recorded for {item}: it must be valid until {day}."
            ).format(item=_named(item), day=day(last_day)),
            **about,
        )
    elif record.inspection_due_on < last_day:
        found.block(
            "inspection_due_during_trip",
            _("The inspection (HU) of {item} is due on {day}, before {until}.").format(
                item=_named(item), day=day(record.inspection_due_on), until=until
            ),
            **about,
        )


def _other_bookings(
    session: Session,
    convoy: Convoy,
    driver_ids: list[int] | None,
    departure: datetime,
    arrival: datetime,
) -> list[tuple[Booking, Leg, Convoy]]:
    """The seats on other convoys near this trip of the drivers listed, or of those seated
    on this convoy (``None``)."""
    params: dict[str, object] = {
        "convoy_id": convoy.id,
        "after": departure - OTHER_BOOKINGS_WINDOW,
        "before": arrival + OTHER_BOOKINGS_WINDOW,
    }
    statement = _OTHER_BOOKINGS_OF_SEATED
    if driver_ids is not None:
        params["driver_ids"] = driver_ids
        statement = _OTHER_BOOKINGS
    bookings = [Booking(*row) for row in plain_rows(session, statement, params).all()]
    leg_ids = sorted({b.leg_id for b in bookings})
    legs = {
        leg.id: (leg, theirs)
        for leg, theirs in session.exec(_OTHER_LEGS, params={"leg_ids": leg_ids})
    }
    return [(b, *legs[b.leg_id]) for b in bookings]


def _placed(original: str, ukrainian: str | None) -> str:
    """A place or a name in a finding's sentence: its Ukrainian text for a Ukrainian reader
    where it has one (the sentence is in the reader's language), else as typed."""
    return in_language(original, ukrainian, i18n.language()).text


def _named(good: Good) -> str:
    return _placed(good.name, good.name_uk)


def _leg_days(legs: list[Leg], zones: dict[int, tuple[str, str]]) -> dict[int, tuple[date, date]]:
    """Each leg's first and last day, on the calendars of its two ends: a night leg into Lviv
    ends on Kyiv's next day even when it is still the same day in UTC."""
    return {
        leg.id or 0: (
            trips.Moment(leg.planned_departure_at, zones[leg.id or 0][0], leg.from_place).day,
            trips.leg_end(leg).day,
        )
        for leg in legs
    }


def _free_spans(windows: dict[int, list[Free]]) -> dict[int, list[tuple[date, date]]]:
    """Each driver's free days as the fewest ranges, once per driver: windows that overlap or
    follow each other day after day count as one ("free Thu-Fri" and "free Sat-Mon")."""
    return {
        driver_id: licence_rules.merged((w.available_from_on, w.available_to_on) for w in free)
        for driver_id, free in windows.items()
        if free  # none given: their availability is unknown, not "never free"
    }


def _available(spans: list[tuple[date, date]], start: date, end: date) -> bool:
    """Whether the driver's free days (``_free_spans``) cover every day from start to end."""
    return any(first <= start and last >= end for first, last in spans)


def _check_assignments(
    found: _Findings,
    convoy: Convoy,
    legs: list[Leg],
    vehicles: list[Good],
    assignments: list[Booking],
    people: dict[int, str],
    licences: dict[int, list[Held]],
    windows: dict[int, list[Free]],
    other: list[tuple[Booking, Leg, Convoy]],
    trip: Trip,
    withdrawals: list[DriverWithdrawal],
) -> None:
    by_leg_vehicle = {(a.leg_id, a.vehicle_id): a for a in assignments}
    vehicle_by_id = {v.id: v for v in vehicles}
    leg_by_id = {leg.id: leg for leg in legs}
    zones = trips.zones_of(convoy, legs)
    # Each leg's days, each driver's free days and their licence for a class: found once,
    # not for each of the 240 seats of 60 vehicles on 4 legs.
    leg_days = _leg_days(legs, zones)
    free_spans = _free_spans(windows)
    held_for: dict[tuple[int, LicenceClass], Held | None] = {}
    # Who left which seat empty: "leg 2: MAN bus" -> "Jens Krüger withdrew (ill)".
    left_by: dict[str, str] = {}
    for w in withdrawals:
        name = people.get(w.driver_id) or _("Driver {id}").format(id=w.driver_id)
        for seat in w.left_open.splitlines():
            left_by[seat] = _("{name} withdrew ({reason})").format(
                name=name, reason=_(w.reason.value)
            )
    drivers_by_leg: dict[int, set[int]] = defaultdict(set)
    for a in assignments:
        drivers_by_leg[a.leg_id].add(a.driver_id)
    for leg in legs:
        route = _("leg {position} ({start} → {end})").format(
            position=leg.position,
            start=_placed(leg.from_place, leg.from_place_uk),
            end=_placed(leg.to_place, leg.to_place_uk),
        )
        for vehicle in vehicles:
            if (leg.id, vehicle.id) not in by_leg_vehicle:
                withdrew = left_by.get(seat_label(leg, vehicle))
                found.block(
                    "vehicle_without_driver",
                    (
                        _("{vehicle} has no driver on {route}: {withdrew}.")
                        if withdrew
                        else _("{vehicle} has no driver on {route}.")
                    ).format(vehicle=_named(vehicle), route=route, withdrew=withdrew),
                    item_id=vehicle.id,
                    leg_id=leg.id,
                )
        drivers_on_leg = drivers_by_leg[leg.id or 0]
        if vehicles and len(drivers_on_leg) < len(vehicles):
            driving = (
                leg.planned_arrival_at
                - leg.planned_departure_at
                - timedelta(minutes=leg.planned_wait_minutes)
            )
            if not drivers_on_leg:
                message = ngettext(
                    "Nobody is assigned to drive on {route}: {count} vehicle.",
                    "Nobody is assigned to drive on {route}: {count} vehicles.",
                    len(vehicles),
                ).format(route=route, count=len(vehicles))
                context: dict[str, object] = {"vehicles": len(vehicles), "drivers": 0}
            else:
                plan = driving_time.shuttle_plan(len(vehicles), len(drivers_on_leg), driving)
                assert plan is not None
                message = _("Driver shortage on {route}: {plan}").format(
                    route=route, plan=plan.message
                )
                context = {
                    "vehicles": plan.vehicles,
                    "drivers": plan.drivers,
                    "rounds": plan.rounds,
                    "vehicles_per_driver": plan.vehicles_per_driver,
                    "extra_minutes": int(plan.extra_time.total_seconds() // 60),
                }
            found.warn("driver_shortage", message, leg_id=leg.id, context=context)

    for a in assignments:
        driver_name = people.get(a.driver_id)
        driven_leg = leg_by_id.get(a.leg_id)
        driven = vehicle_by_id.get(a.vehicle_id)
        if driver_name is None or driven_leg is None or driven is None:
            continue
        leg, vehicle = driven_leg, driven
        about = {"driver_id": a.driver_id, "leg_id": leg.id, "item_id": vehicle.id}
        required = vehicle.licence_class_required
        if required is not None:
            key = (a.driver_id, LicenceClass(required))
            if key not in held_for:
                held_for[key] = licence_rules.valid_licence_for(
                    licences.get(a.driver_id, []), key[1], trip.back.day
                )
            if held_for[key] is None:
                expired = [
                    lic
                    for lic in licences.get(a.driver_id, [])
                    if licence_rules.covers(LicenceClass(lic.licence_class), LicenceClass(required))
                ]
                detail = (
                    _(
                        "their class {licence} expires on {day}, before the team is back on {back}"
                    ).format(
                        licence=expired[0].licence_class,
                        day=day(expired[0].expires_on),
                        back=trip.back,
                    )
                    if expired
                    else _("they do not hold it")
                )
                towing = (
                    _(" with its trailer ({trailer}, {weight} kg)").format(
                        trailer=vehicle.trailer_type,
                        weight=number(vehicle.trailer_permissible_weight_kg),
                    )
                    if vehicle.trailer_permissible_weight_kg
                    else ""
                )
                found.block(
                    "driver_licence_missing",
                    _(
                        "{driver} cannot drive {vehicle}{towing} on leg {position}: "
                        "it needs licence class {licence}, and {detail}."
                    ).format(
                        driver=driver_name,
                        vehicle=_named(vehicle),
                        towing=towing,
                        position=leg.position,
                        licence=required,
                        detail=detail,
                    ),
                    **about,
                )
        start, end = leg_days[leg.id or 0]
        if a.driver_id not in free_spans:
            found.warn(
                "driver_availability_unknown",
                _(
                    "{driver} has not given their availability; confirm they are free "
                    "{days} (leg {position})."
                ).format(driver=driver_name, days=day_span(start, end), position=leg.position),
                **about,
            )
        elif not _available(free_spans[a.driver_id], start, end):
            found.block(
                "driver_unavailable",
                _("{driver} is not free {days} (leg {position}, {start} → {end}).").format(
                    driver=driver_name,
                    days=day_span(start, end),
                    position=leg.position,
                    start=trips.leg_start(convoy, legs, leg),
                    end=trips.leg_end(leg),
                ),
                **about,
            )

    # Overlaps inside this convoy (two vehicles at once) and with other convoys.
    ours = [(a, leg_by_id[a.leg_id], convoy) for a in assignments if a.leg_id in leg_by_id]
    everyone = ours + other
    by_driver: dict[int, list[tuple[Booking, Leg, Convoy]]] = defaultdict(list)
    for entry in everyone:
        by_driver[entry[0].driver_id].append(entry)
    for driver_id, entries in by_driver.items():
        entries.sort(key=lambda e: (e[0].starts_at, e[0].id or 0))
        for a, leg, c in entries:
            if c.id != convoy.id:
                continue
            for b, other_leg, other_convoy in entries:
                if b.id == a.id or not (b.starts_at < a.ends_at and b.ends_at > a.starts_at):
                    continue
                if other_convoy.id == convoy.id and (b.id or 0) < (a.id or 0):
                    continue  # report each pair inside this convoy once
                name = people.get(driver_id) or _("Driver {id}").format(id=driver_id)
                where = (
                    _("leg {position} of this convoy").format(position=other_leg.position)
                    if other_convoy.id == convoy.id
                    else _("convoy {number}, leg {position}").format(
                        number=other_convoy.number, position=other_leg.position
                    )
                )
                found.block(
                    "driver_double_booked",
                    _(
                        "{driver} is booked twice at the same time: leg {position} and {where}."
                    ).format(driver=name, position=leg.position, where=where),
                    driver_id=driver_id,
                    leg_id=leg.id,
                    context={"other_assignment_id": b.id, "other_convoy_id": other_convoy.id},
                )


def _check_driving_time(
    found: _Findings,
    convoy: Convoy,
    assignments: list[Booking],
    leg_by_id: dict[int | None, Leg],
    other: list[tuple[Booking, Leg, Convoy]],
    people: dict[int, str],
    start_zones: dict[int, str],
    back_blocks: dict[int, list[driving_time.DrivingBlock]],
) -> None:
    legs_by_driver: dict[int, dict[int, Leg]] = defaultdict(dict)
    for a in assignments:
        leg = leg_by_id.get(a.leg_id)
        if leg is not None and leg.id is not None:
            legs_by_driver[a.driver_id][leg.id] = leg
    for a, leg, _convoy in other:
        if leg.id is not None:
            legs_by_driver[a.driver_id][leg.id] = leg
    for driver_id in back_blocks:
        legs_by_driver.setdefault(driver_id, {})
    exempt = convoy.claims_humanitarian_exemption
    # Most drivers of a convoy drive the same legs (the whole trip, each their own vehicle):
    # the driving of one set of legs is checked once, and named for each driver who drives it.
    checked: dict[tuple[int, ...], list[driving_time.Violation]] = {}
    for driver_id, driver_legs in sorted(legs_by_driver.items()):
        # The return's blocks carry their leg's id negated: one key names both kinds of leg.
        back = back_blocks.get(driver_id, [])
        leg_ids = tuple(sorted(driver_legs)) + tuple(b.leg_id or 0 for b in back)
        if leg_ids not in checked:
            blocks = [
                b
                for leg in driver_legs.values()
                for b in planned_driving(leg, start_zones.get(leg.id or 0, "UTC"))
            ]
            checked[leg_ids] = driving_time.check(blocks + back)
        name = people.get(driver_id) or _("Driver {id}").format(id=driver_id)
        for violation in checked[leg_ids]:
            message = f"{name}: {violation.message}"
            code = f"driving_time_{violation.code}"
            context = {"over_by_minutes": int(violation.amount.total_seconds() // 60)}
            if exempt:
                found.warn(
                    code,
                    message
                    + " "
                    + _(
                        "The convoy claims the humanitarian exemption (Art. 3(d) Regulation "
                        "561/2006), but fatigue is the greatest risk: plan the rest."
                    ),
                    driver_id=driver_id,
                    context=context,
                )
            else:
                found.block(code, message, driver_id=driver_id, context=context)


def _check_way_back(
    found: _Findings,
    convoy: Convoy,
    legs: list[Leg],
    plan: way_back.Plan,
    assignments: list[Booking],
    people: dict[int, str],
) -> None:
    """The way back: a driver for each return leg, and the rest before it. A vehicle within
    561/2006 is blocked like the outward trip; a van outside it is warned about (the fatigue is
    the same: "four hours' sleep" after a night at the wheel)."""
    for vehicle, leg in plan.legs:
        if leg.driver_id is None:
            found.warn(
                "return_leg_without_driver",
                _("Nobody drives {vehicle} on return leg {position} ({start} → {end}).").format(
                    vehicle=vehicle.name,
                    position=leg.position,
                    start=leg.from_place,
                    end=leg.to_place,
                ),
                context={"return_leg_id": leg.id},
            )
    driven_until: dict[int, datetime] = {}
    for a in assignments:
        driven_until[a.driver_id] = max(a.ends_at, driven_until.get(a.driver_id, a.ends_at))
    for rest in way_back.rests(convoy, legs, plan, driven_until):
        if not rest.too_short:
            continue
        name = people.get(rest.driver_id) or _("Driver {id}").format(id=rest.driver_id)
        message = _(
            "{driver} rests only {rest} before driving {vehicle} home: from {start} to "
            "{end} (a daily rest is {daily}, reducible to {reduced})."
        ).format(
            driver=name,
            rest=driving_time.spoken(rest.length),
            vehicle=rest.vehicle.name,
            start=rest.start,
            end=rest.end,
            daily=driving_time.spoken(driving_time.DAILY_REST),
            reduced=driving_time.spoken(driving_time.REDUCED_DAILY_REST),
        )
        about: dict[str, object] = {
            "driver_id": rest.driver_id,
            "context": {
                "return_leg_id": rest.leg.id,
                "rest_minutes": int(rest.length.total_seconds() // 60),
            },
        }
        if not rest.vehicle.under_561:
            found.warn(
                "return_rest_too_short",
                message
                + " "
                + _(
                    "{vehicle} is outside Regulation 561/2006, but falling asleep at the "
                    "wheel is the greatest risk: plan a later return."
                ).format(vehicle=rest.vehicle.name),
                **about,
            )
        elif convoy.claims_humanitarian_exemption:
            found.warn(
                "return_rest_too_short",
                message
                + " "
                + _(
                    "The convoy claims the humanitarian exemption (Art. 3(d) Regulation "
                    "561/2006), but fatigue is the greatest risk: plan the rest."
                ),
                **about,
            )
        else:
            found.block("return_rest_too_short", message, **about)


class Choice(NamedTuple):
    """A driver as a seat's choice: why they do not fit it, by the rules of the check above
    (empty when they fit)."""

    driver_id: int
    name: str
    problems: tuple[str, ...]


def seat_choices(
    session: Session, convoy: Convoy, facts: Facts, drivers: list[tuple[int, str]]
) -> dict[tuple[str, int | None, LicenceClass | None], list[Choice]]:
    """Every driver for each leg (and for the whole trip, leg None) and each licence class a
    vehicle of the convoy needs, those who fit first: the licence (the trailer's E included)
    valid until the team is back, free on the leg's days, not seated on another vehicle or
    convoy at that time, and within the driving time with the legs they drive already. The
    same rules as the check, asked before a seat is chosen rather than after.

    Keys: ("leg", leg id, licence class) for a leg's cells, ("trip", None, class) for the
    whole trip, and ("own", vehicle id, class) for the drivers seated on that vehicle already,
    judged for its whole trip (their seats on it are no obstacle)."""
    assert convoy.id is not None
    ids = [driver_id for driver_id, _name in drivers]
    legs = facts.legs
    trip = trips.of(convoy, legs)
    licences: dict[int, list[Held]] = defaultdict(list)
    for row in plain_rows(session, _HELD, {"driver_ids": ids}):
        licences[row[0]].append(Held(*row))
    windows: dict[int, list[Free]] = defaultdict(list)
    for row in plain_rows(session, _FREE, {"driver_ids": ids}):
        windows[row[0]].append(Free(*row))
    other = _other_bookings(session, convoy, ids, trip.departure.at, trip.handover.at)
    zones = trips.zones_of(convoy, legs)
    names = dict(drivers)
    vehicle_names = {v.id: _named(v) for v in facts.vehicles}
    # Where each driver sits already: (leg, vehicle) here, and other convoys' legs.
    seated: dict[int, list[Booking]] = defaultdict(list)
    for a in facts.bookings:
        seated[a.driver_id].append(a)
    elsewhere: dict[int, list[tuple[Booking, Leg, Convoy]]] = defaultdict(list)
    for entry in other:
        elsewhere[entry[0].driver_id].append(entry)
    classes = sorted({v.licence_class_required for v in facts.vehicles}, key=lambda c: str(c))

    back = trip.back.day
    # A driver's licence for a class is the same answer on every leg: found once.
    licence_problems = {
        (driver_id, required): (
            None
            if licence_rules.valid_licence_for(licences.get(driver_id, []), required, back)
            is not None
            else _("no valid class {licence}").format(licence=required)
        )
        for driver_id in ids
        for required in classes
        if required is not None
    }

    def licence_problem(driver_id: int, required: LicenceClass | None) -> str | None:
        return None if required is None else licence_problems[(driver_id, required)]

    withdrew = {w.driver_id: w for w in facts.withdrawals}
    leg_days = _leg_days(legs, zones)

    free_spans = _free_spans(windows)

    unknown_said = _("availability unknown")

    def free_problem(driver_id: int, start: date, end: date) -> str | None:
        if driver_id not in free_spans:
            return unknown_said
        if not _available(free_spans[driver_id], start, end):
            return _("not free {days}").format(days=day_span(start, end))
        return None

    # Each seat elsewhere as its times and its words, made once: the lists below ask about
    # every driver on every leg, and reading ORM attributes there was most of their time.
    busy: dict[int, list[tuple[datetime, datetime, str]]] = {
        driver_id: [
            (
                b.starts_at,
                b.ends_at,
                _("on convoy {number}, leg {position}").format(
                    number=theirs.number, position=other_leg.position
                ),
            )
            for b, other_leg, theirs in entries
        ]
        for driver_id, entries in elsewhere.items()
    }

    # What a withdrawal and a seat here say, in words once: the lists below ask about every
    # driver on every leg, several times over.
    withdrew_said = {
        driver_id: _("withdrew from this convoy ({reason})").format(reason=_(w.reason.value))
        for driver_id, w in withdrew.items()
    }
    positions = {leg.id: leg.position for leg in legs}
    seat_said = {
        a.id: _("drives {vehicle} on leg {position}").format(
            vehicle=vehicle_names.get(a.vehicle_id, "?"), position=positions.get(a.leg_id)
        )
        for a in facts.bookings
    }

    def leg_problems(
        driver_id: int, leg: Leg, vehicle_id: int | None = None, days: bool = True
    ) -> list[str]:
        problems: list[str] = []
        leg_id = leg.id or 0
        if driver_id in withdrew_said:
            problems.append(withdrew_said[driver_id])
        unfree = free_problem(driver_id, *leg_days[leg_id]) if days else None
        if unfree:
            problems.append(unfree)
        for a in seated.get(driver_id, []):
            if a.leg_id == leg_id and a.vehicle_id != vehicle_id:
                problems.append(seat_said[a.id])
        if driver_id in busy:
            departure, arrival = leg.planned_departure_at, leg.planned_arrival_at
            problems += [
                said
                for starts, ends, said in busy[driver_id]
                if starts < arrival and ends > departure
            ]
        return problems

    # Each leg's driving once, here and on other convoys; each set of legs checked once: a
    # driver's driving is that of the legs they drive, so drivers who drive the same legs
    # (most of a team, and a team booked together on a later convoy) share one check.
    driving_of = {leg.id or 0: planned_driving(leg, zones[leg.id or 0][0]) for leg in legs}
    for _booking, other_leg, _convoy in other:
        if other_leg.id is not None and other_leg.id not in driving_of:
            driving_of[other_leg.id] = planned_driving(other_leg)
    over: dict[tuple[tuple[int, ...], tuple[int, ...]], bool] = {}
    seated_legs = {d: {a.leg_id for a in seats} for d, seats in seated.items()}
    their_legs = {
        d: {other_leg.id or 0 for _b, other_leg, _c in entries} for d, entries in elsewhere.items()
    }

    over_said = _("over the driving time")

    def driving_problem(driver_id: int, chosen: list[Leg]) -> str | None:
        driven = seated_legs.get(driver_id, set()) | {leg.id or 0 for leg in chosen}
        key = (tuple(sorted(driven)), tuple(sorted(their_legs.get(driver_id, set()) - driven)))
        if key not in over:
            blocks = [block for leg_id in (*key[0], *key[1]) for block in driving_of[leg_id]]
            over[key] = bool(driving_time.check(blocks))
        return over_said if over[key] else None

    def ordered(rows: list[Choice]) -> list[Choice]:
        return sorted(rows, key=lambda c: (len(c.problems), c.name))

    choices: dict[tuple[str, int | None, LicenceClass | None], list[Choice]] = {}
    for leg in legs:
        per_leg = {d: leg_problems(d, leg) for d in ids}
        driving = {d: driving_problem(d, [leg]) for d in ids}
        for required in classes:
            choices[("leg", leg.id, required)] = ordered(
                [
                    Choice(
                        d,
                        names[d],
                        tuple(
                            p for p in [licence_problem(d, required), *per_leg[d], driving[d]] if p
                        ),
                    )
                    for d in ids
                ]
            )
    # The whole trip: a driver fits who fits every leg. One list per licence class; a driver
    # seated on a vehicle already is listed again for that vehicle ("own"), their seats on it
    # no obstacle to driving it on every leg.
    trip_driving = {d: driving_problem(d, legs) for d in ids}
    trip_free = {
        d: free_problem(d, trip.departure.day, trip.arrival.day) if legs else None for d in ids
    }
    per_leg_trip = {d: [(leg, leg_problems(d, leg, days=False)) for leg in legs] for d in ids}

    def on_trip(d: int, required: LicenceClass | None, vehicle_id: int | None) -> Choice:
        found = [licence_problem(d, required), trip_free[d]]
        if vehicle_id is None:
            found += [p for _leg, problems in per_leg_trip[d] for p in problems]
        else:
            found += [p for leg in legs for p in leg_problems(d, leg, vehicle_id, days=False)]
        found.append(trip_driving[d])
        return Choice(d, names[d], tuple(dict.fromkeys(p for p in found if p)))

    for required in classes:
        choices[("trip", None, required)] = ordered([on_trip(d, required, None) for d in ids])
    own_by_vehicle: dict[int, set[int]] = defaultdict(set)
    for a in facts.bookings:
        own_by_vehicle[a.vehicle_id].add(a.driver_id)
    for vehicle in facts.vehicles:
        own = sorted(own_by_vehicle.get(vehicle.id, set()))
        required = vehicle.licence_class_required
        choices[("own", vehicle.id, required)] = ordered(
            [on_trip(d, required, vehicle.id) for d in own if d in names]
        )
    return choices
