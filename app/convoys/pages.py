"""The convoy board: the coordinator plans a convoy on one page.

Legs in local time, a grid vehicle × leg where a driver is chosen per cell or for the whole
trip, the readiness panel beside it, the status actions and the drivers who dropped out. Every
change goes through the same service call as the JSON API; a refusal shows its reasons on the
board (409 or 422), in the same words as the API's; a seat chosen on a board loaded before
someone else changed it is refused (412) rather than replacing their choice unseen. With htmx a
change swaps the planning block (grid and readiness together); without it the form posts and the
board comes back.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cached_property
from typing import Annotated, Any, NamedTuple
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup, escape
from pydantic import ValidationError
from sqlalchemy import select as select_rows
from sqlmodel import Session, col, select

from app.audit import service as audit
from app.audit.schemas import AuditEntryRead
from app.auth import visibility
from app.auth.deps import require_version
from app.auth.policy import may
from app.auth.service import Principal
from app.convoys import (
    assignments,
    loading,
    planning,
    progress,
    readiness,
    service,
    transitions,
    trip,
    way_back,
)
from app.convoys import legs as convoy_legs
from app.convoys.models import (
    Assignment,
    Convoy,
    ConvoyStatus,
    Leg,
    ReturnLeg,
    WithdrawalReason,
)
from app.convoys.schemas import (
    AssignmentCreate,
    ConvoyCreate,
    ConvoyUpdate,
    DriverSwap,
    Finding,
    LegCreate,
    LegEventCreate,
    LegUpdate,
    LoadItem,
    LoadItems,
    Readiness,
    ReturnLegCreate,
    ReturnLegUpdate,
    ReturnVehicleCreate,
    TripAssignment,
    TripAssignments,
    WithdrawalCreate,
    WithdrawalRead,
)
from app.convoys.way_back import BackLeg, BackVehicle
from app.core.database import SessionDep
from app.core.errors import (
    DomainError,
    InvalidInput,
    NotFound,
    PreconditionFailed,
    RuleViolation,
)
from app.core.i18n import _
from app.core.identifiers import LicenceClass
from app.core.types import utcnow
from app.destinations import service as destinations
from app.drivers.models import Driver
from app.items.models import Item, ItemCategory
from app.web import forms
from app.web.i18n import N_
from app.web.pages import PagePrincipalDep, require
from app.web.templating import is_htmx, render

router = APIRouter(include_in_schema=False)

# The status actions: the service call and the API operation whose policy applies.
ACTIONS: dict[str, tuple[Callable[[Session, Convoy], Convoy], str]] = {
    "mark-ready": (transitions.mark_ready, "mark_ready_convoy"),
    "depart": (lambda s, c: transitions.depart(s, c), "depart_convoy"),
    "arrive": (lambda s, c: transitions.arrive(s, c), "arrive_convoy"),
    "close": (transitions.close, "close_convoy"),
    "cancel": (transitions.cancel, "cancel_convoy"),
}
_SERVICE_NAME = {
    "mark-ready": "mark_ready",
    "depart": "depart",
    "arrive": "arrive",
    "close": "close",
    "cancel": "cancel",
}


SeatChoice = readiness.Choice
LoadedItem = readiness.Good  # the Board's field named readiness hides the module there


@dataclass
class LegRow:
    leg: Leg
    starts: trip.Moment
    ends: trip.Moment


class DriverChoice(NamedTuple):
    id: int
    name: str


@dataclass
class VehicleRow:
    item: readiness.Good
    papers: readiness.Papers | None
    seats: list[readiness.Booking | None]  # one per leg, in leg order

    @property
    def whole_trip_driver_id(self) -> int | None:
        """The driver of every leg, when one driver drives them all."""
        drivers = {seat.driver_id if seat else None for seat in self.seats}
        only = drivers.pop() if len(drivers) == 1 else None
        return only

    @property
    def seated(self) -> str:
        """Who drives each leg as the board shows it ("3,3,-,4"): sent back with a whole-trip
        choice, so a row someone else changed meanwhile is not overwritten unseen."""
        return seated_row(seat.driver_id if seat else None for seat in self.seats)


def seated_row(drivers: Iterable[int | None]) -> str:
    """Drivers as a form sends them back; nobody is "-" (an empty field arrives as none)."""
    return ",".join("-" if driver is None else str(driver) for driver in drivers)


@dataclass
class ReturnRow:
    """A leg of the way back as the board shows it, beside the outward legs."""

    vehicle: BackVehicle
    leg: BackLeg
    starts: trip.Moment
    ends: trip.Moment


@dataclass
class Board:
    convoy: Convoy
    trip: trip.Trip
    legs: list[LegRow]
    vehicles: list[VehicleRow]
    equipment: list[tuple[readiness.Good, readiness.Good | None]]  # and the vehicle carrying it
    drivers: list[DriverChoice]
    readiness: Readiness
    withdrawals: list[tuple[WithdrawalRead, str]]
    actions: list[str]
    can_plan: bool
    history: list[AuditEntryRead]
    loadable: list[loading.Loadable]
    next_legs: list[dict[str, str]]  # the add-legs form's rows, as it starts or as typed
    way_back: list[ReturnRow]
    return_vehicles: list[BackVehicle]
    recipients: list[tuple[int, str]]  # the utilities the convoy's goods go to
    all_choices: bool  # every driver in every select: the board for a browser without scripts
    # Each leg's (None: the whole trip's) drivers for each licence class, those who fit first.
    choices: dict[tuple[str, int | None, LicenceClass | None], list[SeatChoice]]

    @property
    def loaded(self) -> list[LoadedItem]:
        """What the convoy carries: its vehicles, then the equipment."""
        return [row.item for row in self.vehicles] + [item for item, _carrier in self.equipment]

    def choices_id(self, kind: str, of: int | None, required: LicenceClass | None) -> str:
        """The id of the <template> holding a seat's choices: a leg's cells for a licence
        class ("leg"), the whole trip for a class ("trip"), or the drivers seated on a
        vehicle already, judged for its whole trip ("own")."""
        return f"choices-{kind}-{of or 'all'}-{required or 'any'}"

    def own_id(self, vehicle_id: int, required: LicenceClass | None) -> str | None:
        """The whole trip's corrections for a vehicle, when someone is seated on it."""
        if not self.choices.get(("own", vehicle_id, required)):
            return None
        return self.choices_id("own", vehicle_id, required)

    def choice_lists(self) -> list[tuple[str, Markup]]:
        return [
            (self.choices_id(*key), self._options(rows, None, fit_marks=key[0] == "own"))
            for key, rows in self.choices.items()
        ]

    def choice_options(
        self,
        kind: str,
        of: int | None,
        required: LicenceClass | None,
        chosen: int | None = None,
    ) -> Markup:
        """A seat's drivers: those who fit first, by name; then the others, each with why
        not, fewest reasons first. ``chosen`` is marked selected. For the whole trip, ``of``
        is the vehicle: its own drivers are judged without their seats on it."""
        if kind == "trip":
            own = {c.driver_id: c for c in self.choices.get(("own", of, required), [])}
            rows = [own.get(c.driver_id, c) for c in self.choices.get(("trip", None, required), [])]
            rows.sort(key=lambda c: (len(c.problems), c.name))
        else:
            rows = self.choices.get((kind, of, required), [])
        return self._options(rows, chosen)

    @staticmethod
    def _options(rows: list[SeatChoice], chosen: int | None, *, fit_marks: bool = False) -> Markup:
        # Hundreds of options per board: plain strings with each name escaped, not a
        # Markup.format per option (its formatter costs ten times the escaping).
        def option(c: SeatChoice) -> str:
            label = escape(c.name if not c.problems else f"{c.name} — {'; '.join(c.problems)}")
            if fit_marks:  # corrections the script moves into the group they belong to
                fit = 0 if c.problems else 1
                return f'<option value="{c.driver_id}" data-fit="{fit}">{label}</option>'
            if c.driver_id == chosen:
                return f'<option value="{c.driver_id}" selected>{label}</option>'
            return f'<option value="{c.driver_id}">{label}</option>'

        if fit_marks:
            return Markup("".join(option(c) for c in rows))  # noqa: S704 (escaped above)
        fit = "".join(option(c) for c in rows if not c.problems)
        unfit = "".join(option(c) for c in rows if c.problems)
        # Outside the f-string, where the catalogue's extraction finds them.
        fitting, not_fitting = escape(_("Fit this seat")), escape(_("Do not fit"))
        return Markup(  # noqa: S704 (escaped above)
            f'<optgroup label="{fitting}" data-fit="1">{fit}</optgroup>'
            f'<optgroup label="{not_fitting}" data-fit="0">{unfit}</optgroup>'
        )

    def seat_cells(self, vehicle: VehicleRow, csrf_token: str, label: str) -> Markup:
        """A vehicle's cells of the seat grid: its whole trip's, then a form per leg. Built
        here, each value escaped, not cell by cell in the template: at 60 vehicles the grid
        has 300 cells, and the template spent most of the board's rendering on them."""
        action = f"/convoys/{escape(self.convoy.id)}/seat"
        trip_action = f"/convoys/{escape(self.convoy.id)}/whole-trip"
        query = "?choices=all" if self.all_choices else ""
        csrf, button = escape(csrf_token), escape(label)
        item = vehicle.item
        vid = escape(item.id)
        needs = item.licence_class_required
        whole_trip = vehicle.whole_trip_driver_id
        if self.all_choices:
            listed, options = "", self.choice_options("trip", item.id, needs, whole_trip)
        else:
            listed = f' data-choices="{escape(self.choices_id("trip", None, needs))}"'
            own = self.own_id(item.id or 0, needs)
            listed += f' data-own="{escape(own)}"' if own else ""
            options = self.chosen_option(whole_trip)
        cells = [
            f'<td>\n<form method="post" action="{trip_action}{query}" class="seat"'
            f' hx-post="{trip_action}">\n'
            f'<input type="hidden" name="csrf_token" value="{csrf}">\n'
            f'<input type="hidden" name="vehicle_id" value="{vid}">\n'
            f'<input type="hidden" name="seated" value="{escape(vehicle.seated)}">\n'
            f'<select id="trip-{vid}" name="driver_id"'
            f' aria-labelledby="seat-grid-driver name-{vid} whole-trip"{listed}>\n'
            f'<option value="">–</option>\n{options}\n</select>\n'
            f'<button type="submit" class="secondary">{button}</button>\n</form>\n</td>'
        ]
        for row, seat in zip(self.legs, vehicle.seats, strict=True):
            lid = escape(row.leg.id)
            driver = seat.driver_id if seat else None
            if self.all_choices:
                listed, options = "", self.choice_options("leg", row.leg.id, needs, driver)
            else:
                listed = f' data-choices="{escape(self.choices_id("leg", row.leg.id, needs))}"'
                options = self.chosen_option(driver)
            cells.append(
                f'<td>\n<form method="post" action="{action}{query}" class="seat"'
                f' hx-post="{action}">\n'
                f'<input type="hidden" name="csrf_token" value="{csrf}">\n'
                f'<input type="hidden" name="leg_id" value="{lid}">\n'
                f'<input type="hidden" name="vehicle_id" value="{vid}">\n'
                f'<input type="hidden" name="seated" value="{"-" if driver is None else driver}">\n'
                f'<select id="seat-{vid}-{lid}" name="driver_id"'
                f' aria-labelledby="seat-grid-driver name-{vid} leg-{lid}"{listed}>\n'
                f'<option value="">–</option>\n{options}\n</select>\n'
                f'<button type="submit" class="secondary">{button}</button>\n</form>\n</td>'
            )
        return Markup("\n".join(cells))  # noqa: S704 (every value escaped above)

    @cached_property
    def _seats_by_driver(self) -> dict[tuple[int, int], int]:
        return {
            (seat.driver_id, seat.leg_id): seat.vehicle_id
            for row in self.vehicles
            for seat in row.seats
            if seat is not None
        }

    @cached_property
    def _first_legs(self) -> dict[int, int]:
        return first_legs(self._seats_by_driver)

    @cached_property
    def _leg_days(self) -> dict[int, tuple[date, date]]:
        return {row.leg.id or 0: (row.starts.day, row.ends.day) for row in self.legs}

    @cached_property
    def _back(self) -> str:
        assert self.convoy.id is not None
        return back_to(self.convoy.id, self.all_choices)

    def fixes_for(self, finding: Finding) -> list[tuple[str, str]]:
        assert self.convoy.id is not None
        return fix_links(
            self.convoy.id,
            finding,
            self._seats_by_driver,
            self._leg_days,
            self.all_choices,
            back=self._back,
            first=self._first_legs,
        )

    def findings(self, found: list[Finding], kind: str) -> Markup:
        """Readiness findings as list items, each with the links to the forms that fix it.
        Built here, each value escaped, like the seat grid: a board of 60 vehicles has 174."""
        items = []
        for finding in found:
            fixes = "".join(
                f' <a href="{escape(link)}" class="fix">{escape(what)}</a>'
                for what, link in self.fixes_for(finding)
            )
            items.append(
                f'<li class="{escape(kind)}" data-code="{escape(finding.code)}">'
                f"{escape(finding.message)}{fixes}</li>"
            )
        return Markup("\n".join(items))  # noqa: S704 (every value escaped above)

    @cached_property
    def _names(self) -> dict[int | None, str]:
        return {d.id: d.name for d in self.drivers}

    def driver_name(self, driver_id: int | None) -> str:
        return self._names.get(driver_id, "–")

    @cached_property
    def _driver_options(self) -> str:
        return "".join(f'<option value="{d.id}">{escape(d.name)}</option>' for d in self.drivers)

    def driver_options(self, chosen: int | None) -> Markup:
        """The drivers as a select's options, ``chosen`` selected: built once per board and
        reused in every cell of the grid (60 vehicles × 5 columns × every driver)."""
        options = self._driver_options
        if chosen is not None:
            mark = f'<option value="{chosen}">'
            options = options.replace(mark, f'<option value="{chosen}" selected>', 1)
        return Markup(options)  # noqa: S704 (built from escaped names above)

    @cached_property
    def _chosen_options(self) -> dict[int | None, Markup]:
        return {
            d.id: Markup(f'<option value="{d.id}" selected>{escape(d.name)}</option>')  # noqa: S704
            for d in self.drivers
        }

    def chosen_option(self, chosen: int | None) -> Markup:
        """Only the chosen driver: the page's script adds the others from one list. Each
        driver's option is built once per board, not once per cell."""
        return self._chosen_options.get(chosen, Markup(""))


# What fixes each finding, by its code: the form that changes what it is about. "seat": the
# cell of the grid; "driver": the driver's licences or free days; "leg": the leg's form.
EXPORT_CODES = frozenset(
    {
        "export_plate_missing",
        "export_plate_not_yet_valid",
        "export_plate_expires_during_trip",
        "export_plate_expires_soon",
        "insurance_ends_during_trip",
        "inspection_due_during_trip",
    }
)


def board_address(convoy_id: int, all_choices: bool = False) -> str:
    return f"/convoys/{convoy_id}" + ("?choices=all" if all_choices else "")


def back_to(convoy_id: int, all_choices: bool = False) -> str:
    """The query that brings a form opened from the board back to it once saved."""
    return urlencode({"back": board_address(convoy_id, all_choices)})


def first_legs(seats: dict[tuple[int, int], int]) -> dict[int, int]:
    """Each driver's first seat's leg (the lowest leg id), from the (driver, leg) seats."""
    first: dict[int, int] = {}
    for driver, leg in seats:
        if driver not in first or leg < first[driver]:
            first[driver] = leg
    return first


def fix_links(
    convoy_id: int,
    finding: Finding,
    seats: dict[tuple[int, int], int],
    days: dict[int, tuple[date, date]] | None = None,
    all_choices: bool = False,
    back: str | None = None,
    first: dict[int, int] | None = None,
) -> list[tuple[str, str]]:
    """Links to the forms that fix ``finding``, each with what it opens. ``seats``: the
    vehicle each (driver, leg) drives, to find a double booking's cell; ``days``: each leg's
    first and last day, which a driver's free-days form starts with. A form opened from here
    comes back to the board once saved (``back``: ``back_to``, made once for a board's
    174 findings at 60 vehicles; ``first``: ``first_legs``, likewise)."""
    code, item, leg, driver = finding.code, finding.item_id, finding.leg_id, finding.driver_id
    board = board_address(convoy_id)
    here = board_address(convoy_id, all_choices)
    back = back or back_to(convoy_id, all_choices)
    context = finding.context or {}
    links: list[tuple[str, str]] = []
    if code == "no_legs":
        links.append((_("add a leg"), f"{here}#add-leg"))
    elif code == "no_vehicles":
        links.append((_("load items"), f"{here}#load"))
    elif code == "item_without_destination" and item:
        links.append((_("allocate"), f"/items/{item}?{back}#actions-heading"))
    elif code == "item_without_certificate" and item:
        links.append((_("certificate"), f"/items/{item}?{back}#certificate"))
    elif code == "item_not_export_ready" and item:
        links.append((_("certify, export-ready"), f"/items/{item}?{back}#actions-heading"))
    elif code == "equipment_without_carrier" and item:
        links.append((_("carrier"), f"{here}#carrier-{item}"))
    elif code in EXPORT_CODES and item:
        links.append((_("export data"), f"/export-records/for-item/{item}?{back}"))
    elif code == "vin_check_digit" and item:
        links.append((_("edit the item"), f"/items/{item}/edit?{back}"))
    elif code == "vehicle_without_driver" and item and leg:
        links.append((_("seat"), f"{here}#seat-{item}-{leg}"))
    elif code == "driver_shortage" and leg:
        links.append((_("leg"), f"{board}/legs/{leg}"))
    elif code in ("return_leg_without_driver", "return_rest_too_short"):
        links.append((_("return leg"), f"{here}#return-seat-{context.get('return_leg_id')}"))
    else:
        vehicle = item or (seats.get((driver, leg)) if driver and leg else None)
        if vehicle and leg:
            links.append((_("seat"), f"{here}#seat-{vehicle}-{leg}"))
        if driver and code == "driver_licence_missing":
            links.append((_("licences"), f"/drivers/{driver}?{back}#licences-heading"))
        elif driver and code in ("driver_unavailable", "driver_availability_unknown"):
            span = (days or {}).get(leg or 0)
            free = f"&free_from={span[0].isoformat()}&free_to={span[1].isoformat()}" if span else ""
            links.append((_("free days"), f"/drivers/{driver}?{back}{free}#availability-heading"))
        elif driver and code.startswith("driving_time_"):
            first_leg = (first if first is not None else first_legs(seats)).get(driver)
            if first_leg is not None:
                links.append((_("seat"), f"{here}#seat-{seats[(driver, first_leg)]}-{first_leg}"))
                links.append((_("leg"), f"{board}/legs/{first_leg}"))
            links.append((_("driver"), f"/drivers/{driver}"))
        elif driver:
            links.append((_("driver"), f"/drivers/{driver}"))
    return links


# Every driver who may be seated, by name: the board's choices.
_DRIVER_CHOICES = (
    select_rows(col(Driver.id), col(Driver.name))
    .where(col(Driver.erased_at).is_(None))
    .order_by(col(Driver.name))
)


def gather(session: Session, principal: Principal, convoy: Convoy) -> Board:
    """Everything the board shows, in a fixed number of queries whatever the convoy's size."""
    assert convoy.id is not None
    # The rows the readiness check reads are the grid's rows too: read once for both.
    facts = readiness.read_facts(session, convoy)
    legs, vehicles = facts.legs, facts.vehicles
    seats = {(a.leg_id, a.vehicle_id): a for a in facts.bookings}
    drivers = [DriverChoice(*row) for row in session.execute(_DRIVER_CHOICES).all()]
    history, _ = audit.history(session, "convoy", str(convoy.id), limit=30)
    plannable = convoy.status in planning.PLANNABLE
    checked = readiness.check(session, convoy, facts)
    return Board(
        convoy=convoy,
        trip=trip.of(convoy, legs),
        legs=[LegRow(leg, trip.leg_start(convoy, legs, leg), trip.leg_end(leg)) for leg in legs],
        vehicles=[
            VehicleRow(
                v,
                facts.records.get(v.id or 0),
                [seats.get((leg.id or 0, v.id or 0)) for leg in legs],
            )
            for v in vehicles
        ],
        equipment=[
            (item, facts.items.get(carrier) if carrier is not None else None)
            for item_id, item in facts.items.items()
            if item.category != ItemCategory.vehicle
            for carrier in [facts.carriers.get(item_id)]
        ],
        drivers=drivers,
        readiness=checked,
        withdrawals=[
            (service.withdrawal_read(w), facts.people.get(w.driver_id, "–"))
            for w in facts.withdrawals
        ],
        actions=[
            name
            for name, (_, operation) in ACTIONS.items()
            if convoy.status in transitions.TRANSITIONS[_SERVICE_NAME[name]][0]
            and may(principal.role, operation)
            # Ready and departure only when nothing blocks; departure once marked ready.
            and (name != "mark-ready" or checked.can_depart)
            and (name != "depart" or (checked.can_depart and convoy.status == ConvoyStatus.ready))
        ],
        can_plan=plannable and may(principal.role, "assign_driver"),
        history=audit.shown_all(history),
        loadable=(
            loading.loadable_items(session)
            if plannable and may(principal.role, "load_items")
            else []
        ),
        next_legs=_next_legs(convoy, legs),
        all_choices=False,
        choices=(
            readiness.seat_choices(session, convoy, facts, [(d.id, d.name) for d in drivers])
            if plannable and may(principal.role, "assign_driver")
            else {}
        ),
        return_vehicles=[vehicle for vehicle, _legs in facts.way_back.vehicles],
        recipients=[
            (int(value), name)
            for value, name in destinations.choices(session)
            if int(value) in {i.destination_id for i in facts.items.values()}
        ],
        way_back=[
            ReturnRow(
                vehicle,
                leg,
                way_back.start_of(convoy, legs, facts.way_back, leg),
                way_back.end_of(leg),
            )
            for vehicle, leg in facts.way_back.legs
        ],
    )


def _next_legs(convoy: Convoy, legs: list[Leg]) -> list[dict[str, str]]:
    """The add-legs form's rows: the first goes on from the last end (or the meeting point at
    the departure), the others after it."""
    if not legs:
        first = {
            "from_place": convoy.meeting_point,
            "from_place_uk": convoy.meeting_point_uk or "",
            "to_time_zone": convoy.meeting_time_zone,
            "planned_departure_at": forms.local_input(
                convoy.planned_departure_at, convoy.meeting_time_zone
            ),
        }
    else:
        last = legs[-1]
        first = {
            "from_place": last.to_place,
            "from_place_uk": last.to_place_uk or "",
            "to_time_zone": last.to_time_zone,
            "planned_departure_at": forms.local_input(last.planned_arrival_at, last.to_time_zone),
        }
    return [first] + [{} for _ in range(LEG_ROWS - 1)]


def _convoy(session: Session, principal: Principal, convoy_id: int) -> Convoy:
    visibility.require_convoy(session, principal, convoy_id)
    return service.get(session, convoy_id)


def _board(
    request: Request,
    session: Session,
    principal: Principal,
    convoy: Convoy,
    *,
    problems: list[str] | None = None,
    status_code: int = 200,
    typed_leg: list[dict[str, str]] | None = None,
) -> HTMLResponse:
    board = gather(session, principal, convoy)
    board.all_choices = _all_choices(request)
    if typed_leg:
        board.next_legs = typed_leg  # refused legs come back as they were typed
    return render(
        request,
        "convoys/board.html",
        {
            "convoy": convoy,  # the htmx block is rendered alone, without the page's variables
            "board": board,
            "problems": problems or [],
            "reasons": list(WithdrawalReason),
            "zones": forms.COMMON_ZONES,
            # Every select with every driver, for a browser without scripts.
            "all_choices": _all_choices(request),
        },
        principal=principal,
        block="planning",
        status_code=status_code,
    )


def _problems(exc: Exception) -> tuple[list[str], int]:
    if isinstance(exc, RuleViolation):
        return [reason.message for reason in exc.reasons] or [exc.message], 409
    if isinstance(exc, InvalidInput):
        return [message for _, message in exc.errors], 422
    if isinstance(exc, ValidationError):
        return [f"{e['loc'][-1]}: {e['msg']}" for e in exc.errors()], 422
    assert isinstance(exc, DomainError)
    return [exc.message], exc.status_code


def _change(
    request: Request,
    session: Session,
    principal: Principal,
    convoy_id: int,
    operation: str,
    change: Callable[[Convoy], Any],
    typed_leg: list[dict[str, str]] | None = None,
) -> Response:
    """Apply one change under the convoy's row lock; show the board again, or why not."""
    require(principal, operation)
    convoy = _convoy(session, principal, convoy_id)
    require_version(request, convoy)
    try:
        change(convoy)
        session.flush()
    except (DomainError, ValidationError) as exc:
        problems, status_code = _problems(exc)
        if status_code not in (409, 412, 422):
            raise
        # Nothing of a refused change may stay: the board is shown from the stored state.
        session.rollback()
        convoy = _convoy(session, principal, convoy_id)
        return _board(
            request,
            session,
            principal,
            convoy,
            problems=problems,
            status_code=status_code,
            typed_leg=typed_leg,
        )
    if is_htmx(request):
        return _board(request, session, principal, convoy)
    back = "?choices=all" if _all_choices(request) else ""
    return RedirectResponse(f"/convoys/{convoy_id}{back}", status_code=303)


def _all_choices(request: Request) -> bool:
    return request.query_params.get("choices") == "all"


# Form fields arrive as text and are read inside the handler, after the policy check: a
# stranger hears 403, not which field they left out.
FormText = Annotated[str | None, Form()]


def _driver_name(session: Session, driver_id: int | None) -> str:
    driver = session.get(Driver, driver_id) if driver_id is not None else None
    return driver.name if driver is not None else _("nobody")


def _vehicle_name(session: Session, vehicle_id: int) -> str:
    vehicle = session.get(Item, vehicle_id)
    return vehicle.name if vehicle is not None else str(vehicle_id)


def _number(field: str, value: str | None) -> int:
    number = forms.record_id(field, value)
    if number is None:
        text = (value or "").strip()
        raise InvalidInput([(field, "is required" if not text else "is not a record number")])
    return number


# --- pages ----------------------------------------------------------------------------------


@router.get("/convoys", response_class=HTMLResponse)
def convoy_list(request: Request, session: SessionDep, principal: PagePrincipalDep) -> HTMLResponse:
    require(principal, "get_convoy_readiness")
    rows, _ = service.search(
        session,
        q=None,
        status=None,
        sort="-planned_departure_at",
        cursor=None,
        limit=100,
    )
    convoys = [(c, readiness.check(session, c)) for c in rows]
    return render(
        request,
        "convoys/list.html",
        {"convoys": convoys, "may_create": may(principal.role, "create_convoy")},
        principal=principal,
    )


def _new_convoy_page(
    request: Request,
    principal: Principal,
    typed: dict[str, Any],
    errors: forms.FieldErrors,
    status_code: int = 200,
) -> HTMLResponse:
    return render(
        request,
        "convoys/new.html",
        {"typed": typed, "errors": errors, "zones": forms.COMMON_ZONES},
        principal=principal,
        status_code=status_code,
    )


@router.get("/convoys/new", response_class=HTMLResponse)
def new_convoy(request: Request, session: SessionDep, principal: PagePrincipalDep) -> HTMLResponse:
    require(principal, "create_convoy")
    typed = {
        "coordinator_name": principal.full_name,
        "meeting_time_zone": "Europe/Berlin",
        "handover_time_zone": "Europe/Kyiv",
        **planning.suggestions(session),
    }
    return _new_convoy_page(request, principal, typed, {})


@router.post("/convoys/new", response_model=None)
def create_convoy(
    request: Request,
    session: SessionDep,
    principal: PagePrincipalDep,
    number: FormText = None,
    name: FormText = None,
    name_uk: FormText = None,
    coordinator_name: FormText = None,
    coordinator_phone: FormText = None,
    meeting_point: FormText = None,
    meeting_point_uk: FormText = None,
    meeting_time_zone: FormText = None,
    planned_departure_at: FormText = None,
    planned_handover_at: FormText = None,
    handover_time_zone: FormText = None,
    handover_place: FormText = None,
    handover_place_uk: FormText = None,
    claims_humanitarian_exemption: FormText = None,
    charges: FormText = None,
    notes: FormText = None,
) -> Response:
    """Create the convoy, then plan it on its board."""
    require(principal, "create_convoy")
    typed: dict[str, Any] = {
        name_: (value.strip() or None) if value else None
        for name_, value in {
            "number": number,
            "name": name,
            "name_uk": name_uk,
            "coordinator_name": coordinator_name,
            "coordinator_phone": coordinator_phone,
            "meeting_point": meeting_point,
            "meeting_point_uk": meeting_point_uk,
            "meeting_time_zone": meeting_time_zone,
            "planned_departure_at": planned_departure_at,
            "planned_handover_at": planned_handover_at,
            "handover_time_zone": handover_time_zone,
            "handover_place": handover_place,
            "handover_place_uk": handover_place_uk,
            "claims_humanitarian_exemption": claims_humanitarian_exemption,
            "charges": charges,
            "notes": notes,
        }.items()
    }
    try:
        data = ConvoyCreate.model_validate(
            {
                **{k: v for k, v in typed.items() if k in ConvoyCreate.model_fields},
                # Without a name of its own, a convoy is called by its number.
                "name": typed["name"] or typed["number"],
                "planned_departure_at": forms.instant(
                    typed["planned_departure_at"], typed["meeting_time_zone"]
                ),
                "planned_handover_at": forms.instant(
                    typed["planned_handover_at"], typed["handover_time_zone"]
                ),
                "claims_humanitarian_exemption": typed["claims_humanitarian_exemption"] is not None,
            }
        )
        convoy = planning.create(session, data)
        session.flush()
    except (ValidationError, DomainError) as exc:
        errors = forms.field_errors(exc)
        if not errors:
            raise
        session.rollback()
        status_code = exc.status_code if isinstance(exc, DomainError) else 422
        return _new_convoy_page(request, principal, typed, errors, status_code)
    return RedirectResponse(f"/convoys/{convoy.id}", status_code=303)


@router.get("/convoys/{convoy_id}", response_class=HTMLResponse)
def board(
    request: Request, convoy_id: int, session: SessionDep, principal: PagePrincipalDep
) -> HTMLResponse:
    require(principal, "get_convoy_readiness")
    return _board(request, session, principal, _convoy(session, principal, convoy_id))


@router.post("/convoys/{convoy_id}/seat", response_model=None)
def seat(
    request: Request,
    convoy_id: int,
    session: SessionDep,
    principal: PagePrincipalDep,
    leg_id: FormText = None,
    vehicle_id: FormText = None,
    driver_id: FormText = None,
    seated: FormText = None,
) -> Response:
    """One cell of the grid: a driver for a vehicle on a leg, or nobody. ``seated``: who the
    board showed in it; someone else's change since then is not replaced unseen (412)."""

    def change(convoy: Convoy) -> None:
        leg, vehicle = _number("leg_id", leg_id), _number("vehicle_id", vehicle_id)
        current = session.exec(
            select(Assignment).where(
                Assignment.convoy_id == convoy_id,
                Assignment.leg_id == leg,
                Assignment.vehicle_id == vehicle,
            )
        ).first()
        chosen = _number("driver_id", driver_id) if driver_id else None
        if current is not None and current.driver_id == chosen:
            return
        now = current.driver_id if current is not None else None
        if seated is not None and seated.strip() != seated_row([now]):
            leg_row = session.get(Leg, leg)
            said = _(
                "Someone else changed this seat after you loaded the board: {vehicle} on leg "
                "{leg} is now driven by {now}; your choice, {chosen}, was not saved. Choose "
                "again to replace them."
            )
            raise PreconditionFailed(
                said.format(
                    vehicle=_vehicle_name(session, vehicle),
                    leg=leg_row.position if leg_row is not None else leg,
                    now=_driver_name(session, now),
                    chosen=_driver_name(session, chosen),
                )
            )
        if current is not None and current.id is not None:
            assignments.unassign(session, convoy, current.id)
        if chosen is not None:
            data = AssignmentCreate(leg_id=leg, vehicle_id=vehicle, driver_id=chosen)
            assignments.assign(session, convoy, data)

    return _change(request, session, principal, convoy_id, "assign_driver", change)


@router.post("/convoys/{convoy_id}/whole-trip", response_model=None)
def whole_trip(
    request: Request,
    convoy_id: int,
    session: SessionDep,
    principal: PagePrincipalDep,
    vehicle_id: FormText = None,
    driver_id: FormText = None,
    seated: FormText = None,
) -> Response:
    """One driver for a vehicle on every leg, replacing whoever drove it as the board showed
    (``seated``, VehicleRow.seated); seats someone else changed since are not replaced (412)."""

    def change(convoy: Convoy) -> None:
        assert convoy.id is not None
        vehicle = _number("vehicle_id", vehicle_id)
        if seated is not None:
            drives = {
                a.leg_id: a.driver_id
                for a in service.assignments_of(session, convoy.id)
                if a.vehicle_id == vehicle
            }
            now = [drives.get(leg.id or 0) for leg in service.legs_of(session, convoy.id)]
            if seated.strip() != seated_row(now):
                said = _(
                    "Someone else changed the seats of {vehicle} after you loaded the board; "
                    "your choice for the whole trip, {chosen}, was not saved. The board shows "
                    "the seats as they are now: choose again to replace them."
                )
                chosen = _number("driver_id", driver_id) if driver_id else None
                raise PreconditionFailed(
                    said.format(
                        vehicle=_vehicle_name(session, vehicle),
                        chosen=_driver_name(session, chosen),
                    )
                )
        for current in service.assignments_of(session, convoy.id):
            if current.vehicle_id == vehicle and current.id is not None:
                assignments.unassign(session, convoy, current.id)
        if driver_id:
            one = TripAssignment(vehicle_id=vehicle, driver_id=_number("driver_id", driver_id))
            assignments.assign_trip(session, convoy, TripAssignments(assignments=[one]))

    return _change(request, session, principal, convoy_id, "assign_drivers_for_trip", change)


@router.post("/convoys/{convoy_id}/return-seat", response_model=None)
def return_seat(
    request: Request,
    convoy_id: int,
    session: SessionDep,
    principal: PagePrincipalDep,
    return_leg_id: FormText = None,
    driver_id: FormText = None,
    seated: FormText = None,
) -> Response:
    """Who drives a leg of the way back, or nobody; like a seat of the grid, a change someone
    else made since the board was loaded is not replaced unseen (412)."""

    def change(convoy: Convoy) -> None:
        leg = way_back.leg_of(session, convoy, _number("return_leg_id", return_leg_id))
        chosen = _number("driver_id", driver_id) if driver_id else None
        if leg.driver_id == chosen:
            return
        if seated is not None and seated.strip() != seated_row([leg.driver_id]):
            raise PreconditionFailed(
                _(
                    "Someone else changed who drives return leg {leg} of {vehicle} after you "
                    "loaded the board: now {now}; your choice, {chosen}, was not saved."
                ).format(
                    leg=leg.position,
                    vehicle=way_back.vehicle_of(session, convoy, leg.return_vehicle_id).name,
                    now=_driver_name(session, leg.driver_id),
                    chosen=_driver_name(session, chosen),
                )
            )
        way_back.update_leg(session, convoy, leg, ReturnLegUpdate(driver_id=chosen))

    return _change(request, session, principal, convoy_id, "update_return_leg", change)


@router.post("/convoys/{convoy_id}/withdraw", response_model=None)
def withdraw(
    request: Request,
    convoy_id: int,
    session: SessionDep,
    principal: PagePrincipalDep,
    driver_id: FormText = None,
    reason: FormText = None,
    note: FormText = None,
) -> Response:
    """A driver drops out: every seat of theirs on this convoy freed, the reason kept."""

    def change(convoy: Convoy) -> None:
        data = WithdrawalCreate.model_validate({"reason": reason, "note": note or None})
        assignments.withdraw_driver(session, convoy, _number("driver_id", driver_id), data)

    return _change(request, session, principal, convoy_id, "withdraw_driver", change)


LEG_ROWS = 3  # the add-legs form offers this many rows; empty rows are skipped
LEG_BREAK = timedelta(minutes=45)  # a row without departure leaves after this break
_LEG_INPUTS = (
    "from_place",
    "to_place",
    "to_time_zone",
    "planned_departure_at",
    "planned_arrival_at",
    "distance_km",
    "planned_wait_minutes",
)
FormTexts = Annotated[list[str] | None, Form()]


@router.post("/convoys/{convoy_id}/legs", response_model=None)
def add_leg(
    request: Request,
    convoy_id: int,
    session: SessionDep,
    principal: PagePrincipalDep,
    from_place: FormTexts = None,
    to_place: FormTexts = None,
    from_place_uk: FormTexts = None,
    to_place_uk: FormTexts = None,
    to_time_zone: FormTexts = None,
    planned_departure_at: FormTexts = None,
    planned_arrival_at: FormTexts = None,
    distance_km: FormTexts = None,
    planned_wait_minutes: FormTexts = None,
    is_border_crossing: FormTexts = None,
) -> Response:
    """The next legs, one per filled row, in one go (all or none). A leg starts where the one
    before it ended, in that zone; a row without a departure leaves after a 45-minute break
    (Regulation 561/2006 Art. 7), a row without a zone ends in the zone of the one before."""
    sent = {
        "from_place": from_place,
        "to_place": to_place,
        "from_place_uk": from_place_uk,
        "to_place_uk": to_place_uk,
        "to_time_zone": to_time_zone,
        "planned_departure_at": planned_departure_at,
        "planned_arrival_at": planned_arrival_at,
        "distance_km": distance_km,
        "planned_wait_minutes": planned_wait_minutes,
    }
    count = max([len(values or []) for values in sent.values()] + [1])
    crossing = set(is_border_crossing or [])
    typed = [
        {
            **{
                name: ((values or [])[i] if i < len(values or []) else "").strip()
                for name, values in sent.items()
            },
            "is_border_crossing": (
                "on" if str(i + 1) in crossing or (i == 0 and "on" in crossing) else ""
            ),
        }
        for i in range(count)
    ]
    rows = [
        row for i, row in enumerate(typed) if i == 0 or row["to_place"] or row["planned_arrival_at"]
    ]

    def change(convoy: Convoy) -> None:
        assert convoy.id is not None
        legs = service.legs_of(session, convoy.id)
        place = legs[-1].to_place if legs else convoy.meeting_point
        place_uk = legs[-1].to_place_uk if legs else convoy.meeting_point_uk
        zone = legs[-1].to_time_zone if legs else convoy.meeting_time_zone
        arrived: datetime | None = None
        for row in rows:
            departure: str | datetime | None = forms.instant(row["planned_departure_at"], zone)
            if departure is None and arrived is not None:
                departure = arrived + LEG_BREAK
            end_zone = row["to_time_zone"] or zone
            data = LegCreate.model_validate(
                {
                    "from_place": row["from_place"] or place,
                    "to_place": row["to_place"],
                    # A leg starting where the last ended starts at its Ukrainian name too.
                    "from_place_uk": row["from_place_uk"]
                    or (place_uk if row["from_place"] in ("", place) else None),
                    "to_place_uk": row["to_place_uk"] or None,
                    "to_time_zone": end_zone,
                    "planned_departure_at": departure,
                    "planned_arrival_at": forms.instant(row["planned_arrival_at"], end_zone),
                    "distance_km": row["distance_km"],
                    "planned_wait_minutes": row["planned_wait_minutes"] or 0,
                    "is_border_crossing": bool(row["is_border_crossing"]),
                }
            )
            convoy_legs.add_leg(session, convoy, data)
            place, zone, arrived = data.to_place, data.to_time_zone, data.planned_arrival_at
            place_uk = data.to_place_uk

    return _change(request, session, principal, convoy_id, "add_leg", change, typed)


@router.post("/convoys/{convoy_id}/load", response_model=None)
def load(
    request: Request,
    convoy_id: int,
    session: SessionDep,
    principal: PagePrincipalDep,
    item_id: Annotated[list[str] | None, Form()] = None,
) -> Response:
    """The ticked items onto the convoy in one go; equipment rides on the first vehicle
    loaded unless its carrier is set later."""

    def change(convoy: Convoy) -> None:
        assert convoy.id is not None
        chosen = [_number("item_id", value) for value in item_id or []]
        if not chosen:
            raise InvalidInput([("item_id", _("tick at least one item to load"))])
        items = {i.id: i for i in session.exec(select(Item).where(col(Item.id).in_(chosen)))}
        on_board = [i for _, i in service.loaded_items(session, convoy.id)]
        vehicles = [i.id for i in on_board if i.category == ItemCategory.vehicle] + [
            i for i in chosen if i in items and items[i].category == ItemCategory.vehicle
        ]
        carrier = vehicles[0] if vehicles else None
        batch = [
            LoadItem(
                item_id=i,
                carrier_id=None
                if i not in items or items[i].category == ItemCategory.vehicle
                else carrier,
            )
            for i in chosen
        ]
        loading.load_items(session, convoy, LoadItems(items=batch))

    return _change(request, session, principal, convoy_id, "load_items", change)


@router.post("/convoys/{convoy_id}/actions/{action}", response_model=None)
def act(
    request: Request,
    convoy_id: int,
    action: str,
    session: SessionDep,
    principal: PagePrincipalDep,
    reason: FormText = None,
) -> Response:
    """Mark ready, depart, arrive, close or cancel; refused, the board lists every blocker.
    Cancelling asks for the reason, kept beside the status."""
    if action not in ACTIONS:
        return Response(status_code=404)
    apply, operation = ACTIONS[action]
    if action == "cancel":
        return _change(
            request,
            session,
            principal,
            convoy_id,
            operation,
            lambda c: transitions.cancel(session, c, _reason(reason)),
        )
    return _change(request, session, principal, convoy_id, operation, lambda c: apply(session, c))


# --- the plan's other changes: the convoy, a leg, unloading, the carrier, swaps, the way back --


def _form_page(
    request: Request,
    principal: Principal,
    convoy: Convoy,
    template: str,
    typed: dict[str, Any],
    errors: forms.FieldErrors,
    status_code: int = 200,
    **extra: Any,
) -> HTMLResponse:
    return render(
        request,
        template,
        {
            "convoy": convoy,
            "typed": typed,
            "errors": errors,
            "zones": forms.COMMON_ZONES,
            **extra,
        },
        principal=principal,
        status_code=status_code,
    )


def _refused(exc: Exception) -> tuple[forms.FieldErrors, int] | None:
    errors = forms.field_errors(exc)
    if not errors:
        return None
    return errors, exc.status_code if isinstance(exc, DomainError) else 422


_CONVOY_FIELDS = (
    "name",
    "coordinator_name",
    "coordinator_phone",
    "meeting_point",
    "meeting_time_zone",
    "planned_departure_at",
    "planned_handover_at",
    "handover_place",
    "planned_return_at",
    "escort_vehicle",
    "charges",
    "notes",
    "claims_humanitarian_exemption",
)


def _convoy_typed(session: Session, convoy: Convoy) -> dict[str, Any]:
    assert convoy.id is not None
    shape = trip.of(convoy, service.legs_of(session, convoy.id))
    return {
        "name": convoy.name,
        "coordinator_name": convoy.coordinator_name,
        "coordinator_phone": convoy.coordinator_phone or "",
        "meeting_point": convoy.meeting_point,
        "meeting_time_zone": convoy.meeting_time_zone,
        "planned_departure_at": forms.local_input(
            convoy.planned_departure_at, convoy.meeting_time_zone
        ),
        "planned_handover_at": forms.local_input(convoy.planned_handover_at, shape.handover.zone),
        "handover_place": convoy.handover_place or "",
        "planned_return_at": forms.local_input(convoy.planned_return_at, convoy.meeting_time_zone),
        "escort_vehicle": convoy.escort_vehicle or "",
        "charges": convoy.charges or "",
        "notes": convoy.notes or "",
        "claims_humanitarian_exemption": "on" if convoy.claims_humanitarian_exemption else "",
        "handover_zone": shape.handover.zone,
        "version": str(convoy.version),
    }


@router.get("/convoys/{convoy_id}/edit", response_class=HTMLResponse)
def edit_convoy(
    request: Request, convoy_id: int, session: SessionDep, principal: PagePrincipalDep
) -> HTMLResponse:
    require(principal, "update_convoy")
    convoy = _convoy(session, principal, convoy_id)
    return _form_page(
        request, principal, convoy, "convoys/edit.html", _convoy_typed(session, convoy), {}
    )


@router.post("/convoys/{convoy_id}/edit", response_model=None)
def save_convoy(
    request: Request,
    convoy_id: int,
    session: SessionDep,
    principal: PagePrincipalDep,
    form: forms.SubmittedForm,
) -> Response:
    """The convoy's own fields, through the API's schema and service (planning.update)."""
    require(principal, "update_convoy")
    convoy = _convoy(session, principal, convoy_id)
    typed = {name: str(form.get(name) or "").strip() for name in _CONVOY_FIELDS}
    version = str(form.get("version") or "") or None
    saved_zone = _convoy_typed(session, convoy)["handover_zone"]
    try:
        require_version(request, convoy, version)
        zone = typed["meeting_time_zone"] or convoy.meeting_time_zone
        data = ConvoyUpdate.model_validate(
            {
                **{
                    k: (v or None)
                    for k, v in typed.items()
                    if k in ConvoyUpdate.model_fields and not k.startswith("planned_")
                },
                "planned_departure_at": forms.instant(typed["planned_departure_at"], zone),
                "planned_handover_at": forms.instant(typed["planned_handover_at"], saved_zone),
                "planned_return_at": forms.instant(typed["planned_return_at"], zone),
                "claims_humanitarian_exemption": bool(typed["claims_humanitarian_exemption"]),
            }
        )
        planning.update(session, convoy, data)
        session.flush()
    except (ValidationError, DomainError) as exc:
        refused = _refused(exc)
        if refused is None:
            raise
        session.rollback()
        convoy = _convoy(session, principal, convoy_id)
        shown = {**_convoy_typed(session, convoy), **typed}
        return _form_page(
            request, principal, convoy, "convoys/edit.html", shown, refused[0], refused[1]
        )
    return RedirectResponse(f"/convoys/{convoy_id}", status_code=303)


_LEG_FIELDS = (
    "from_place",
    "from_place_uk",
    "to_place",
    "to_place_uk",
    "to_time_zone",
    "planned_departure_at",
    "planned_arrival_at",
    "distance_km",
    "planned_wait_minutes",
    "is_border_crossing",
)


def _leg_of(session: Session, convoy: Convoy, leg_id: int) -> Leg:
    leg = session.get(Leg, leg_id)
    if leg is None or leg.convoy_id != convoy.id:
        raise NotFound(N_("Leg"), leg_id)
    return leg


def _start_zone(session: Session, convoy: Convoy, leg: Leg) -> str:
    assert convoy.id is not None
    before = [
        other for other in service.legs_of(session, convoy.id) if other.position < leg.position
    ]
    return before[-1].to_time_zone if before else convoy.meeting_time_zone


def _leg_typed(session: Session, convoy: Convoy, leg: Leg) -> dict[str, Any]:
    start_zone = _start_zone(session, convoy, leg)
    return {
        "from_place": leg.from_place,
        "from_place_uk": leg.from_place_uk or "",
        "to_place": leg.to_place,
        "to_place_uk": leg.to_place_uk or "",
        "to_time_zone": leg.to_time_zone,
        "planned_departure_at": forms.local_input(leg.planned_departure_at, start_zone),
        "planned_arrival_at": forms.local_input(leg.planned_arrival_at, leg.to_time_zone),
        "distance_km": str(leg.distance_km),
        "planned_wait_minutes": str(leg.planned_wait_minutes),
        "is_border_crossing": "on" if leg.is_border_crossing else "",
        "start_zone": start_zone,
        "version": str(leg.version),
    }


def _leg_page(
    request: Request,
    session: Session,
    principal: Principal,
    convoy: Convoy,
    leg: Leg,
    typed: dict[str, Any] | None = None,
    errors: forms.FieldErrors | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    shown = {**_leg_typed(session, convoy, leg), **(typed or {})}
    return _form_page(
        request,
        principal,
        convoy,
        "convoys/leg.html",
        shown,
        errors or {},
        status_code,
        leg=leg,
        plannable=convoy.status in planning.PLANNABLE,
    )


@router.get("/convoys/{convoy_id}/legs/{leg_id}", response_class=HTMLResponse)
def leg_page(
    request: Request, convoy_id: int, leg_id: int, session: SessionDep, principal: PagePrincipalDep
) -> HTMLResponse:
    """A leg's form: its places and times in local time, and its removal."""
    require(principal, "update_leg")
    convoy = _convoy(session, principal, convoy_id)
    return _leg_page(request, session, principal, convoy, _leg_of(session, convoy, leg_id))


@router.post("/convoys/{convoy_id}/legs/{leg_id}/edit", response_model=None)
def save_leg(
    request: Request,
    convoy_id: int,
    leg_id: int,
    session: SessionDep,
    principal: PagePrincipalDep,
    form: forms.SubmittedForm,
) -> Response:
    """A leg changed (a 16-hour leg typed by mistake), by the API's service: the seats follow
    the new times and a ready convoy is checked again."""
    require(principal, "update_leg")
    convoy = _convoy(session, principal, convoy_id)
    leg = _leg_of(session, convoy, leg_id)
    typed = {name: str(form.get(name) or "").strip() for name in _LEG_FIELDS}
    try:
        require_version(request, leg, str(form.get("version") or "") or None)
        start_zone = _start_zone(session, convoy, leg)
        data = LegUpdate.model_validate(
            {
                "from_place": typed["from_place"] or None,
                # Emptied, a place's Ukrainian text is gone: its readers see it as typed.
                "from_place_uk": typed["from_place_uk"] or None,
                "to_place": typed["to_place"] or None,
                "to_place_uk": typed["to_place_uk"] or None,
                "to_time_zone": typed["to_time_zone"] or None,
                "planned_departure_at": forms.instant(typed["planned_departure_at"], start_zone),
                "planned_arrival_at": forms.instant(
                    typed["planned_arrival_at"], typed["to_time_zone"] or leg.to_time_zone
                ),
                "distance_km": typed["distance_km"] or None,
                "planned_wait_minutes": typed["planned_wait_minutes"] or 0,
                "is_border_crossing": bool(typed["is_border_crossing"]),
            }
        )
        convoy_legs.update_leg(session, convoy, leg, data)
        session.flush()
    except (ValidationError, DomainError) as exc:
        refused = _refused(exc)
        if refused is None:
            raise
        session.rollback()
        convoy = _convoy(session, principal, convoy_id)
        leg = _leg_of(session, convoy, leg_id)
        return _leg_page(request, session, principal, convoy, leg, typed, *refused)
    return RedirectResponse(f"/convoys/{convoy_id}", status_code=303)


def _reason(reason: str | None) -> str:
    """The reason a destructive change asks for: required, one line."""
    text = " ".join((reason or "").split())
    if not text:
        raise InvalidInput([("reason", _("say why: the reason is kept in the convoy's history"))])
    if len(text) > 300:
        raise InvalidInput([("reason", _("is longer than 300 characters"))])
    return text


@router.post("/convoys/{convoy_id}/legs/{leg_id}/delete", response_model=None)
def delete_leg(
    request: Request,
    convoy_id: int,
    leg_id: int,
    session: SessionDep,
    principal: PagePrincipalDep,
    reason: FormText = None,
) -> Response:
    """A leg removed, with its seats, for a reason kept in the convoy's history."""

    def change(convoy: Convoy) -> None:
        convoy_legs.delete_leg(session, convoy, _leg_of(session, convoy, leg_id), _reason(reason))

    return _change(request, session, principal, convoy_id, "delete_leg", change)


@router.post("/convoys/{convoy_id}/unload", response_model=None)
def unload(
    request: Request,
    convoy_id: int,
    session: SessionDep,
    principal: PagePrincipalDep,
    item_id: FormText = None,
    reason: FormText = None,
) -> Response:
    """An item taken off the convoy (its seats freed), for a reason kept in the history."""

    def change(convoy: Convoy) -> None:
        why = _reason(reason)
        loading.unload_item(session, convoy, _number("item_id", item_id), why)

    return _change(request, session, principal, convoy_id, "unload_item", change)


@router.post("/convoys/{convoy_id}/carrier", response_model=None)
def carrier(
    request: Request,
    convoy_id: int,
    session: SessionDep,
    principal: PagePrincipalDep,
    item_id: FormText = None,
    carrier_id: FormText = None,
) -> Response:
    """Which vehicle carries a piece of equipment."""

    def change(convoy: Convoy) -> None:
        item = _number("item_id", item_id)
        vehicle = _number("carrier_id", carrier_id)
        loading.set_carrier(session, convoy, item, vehicle)

    return _change(request, session, principal, convoy_id, "load_item", change)


@router.post("/convoys/{convoy_id}/swap", response_model=None)
def swap(
    request: Request,
    convoy_id: int,
    session: SessionDep,
    principal: PagePrincipalDep,
    from_driver_id: FormText = None,
    to_driver_id: FormText = None,
) -> Response:
    """One driver in every seat of another on this convoy."""

    def change(convoy: Convoy) -> None:
        data = DriverSwap(
            from_driver_id=_number("from_driver_id", from_driver_id),
            to_driver_id=_number("to_driver_id", to_driver_id),
        )
        assignments.swap_driver(session, convoy, data)

    return _change(request, session, principal, convoy_id, "swap_driver", change)


@router.post("/convoys/{convoy_id}/return-vehicles", response_model=None)
def add_return_vehicle(
    request: Request,
    convoy_id: int,
    session: SessionDep,
    principal: PagePrincipalDep,
    name: FormText = None,
    gross_weight_kg: FormText = None,
    seats: FormText = None,
) -> Response:
    """A vehicle that brings the team home (the escort van, a hired minibus)."""

    def change(convoy: Convoy) -> None:
        data = ReturnVehicleCreate.model_validate(
            {"name": name, "gross_weight_kg": gross_weight_kg, "seats": seats}
        )
        way_back.add_vehicle(session, convoy, data)

    return _change(request, session, principal, convoy_id, "add_return_vehicle", change)


@router.post("/convoys/{convoy_id}/return-legs", response_model=None)
def add_return_leg(
    request: Request,
    convoy_id: int,
    session: SessionDep,
    principal: PagePrincipalDep,
    return_vehicle_id: FormText = None,
    from_place: FormText = None,
    to_place: FormText = None,
    to_time_zone: FormText = None,
    planned_departure_at: FormText = None,
    planned_arrival_at: FormText = None,
    distance_km: FormText = None,
    driver_id: FormText = None,
) -> Response:
    """A leg of the way back; it starts in the zone where the trip ended (or the vehicle's
    last return leg)."""

    def change(convoy: Convoy) -> None:
        assert convoy.id is not None
        vehicle = way_back.vehicle_of(
            session, convoy, _number("return_vehicle_id", return_vehicle_id)
        )
        plan = way_back.plan_of(session, convoy.id)
        mine = [leg for v, leg in plan.legs if v.id == vehicle.id]
        if mine:
            start_zone = mine[-1].to_time_zone
        else:
            start_zone = trip.of(convoy, service.legs_of(session, convoy.id)).handover.zone
        data = ReturnLegCreate.model_validate(
            {
                "from_place": from_place,
                "to_place": to_place,
                "to_time_zone": to_time_zone,
                "planned_departure_at": forms.instant(planned_departure_at, start_zone),
                "planned_arrival_at": forms.instant(planned_arrival_at, to_time_zone),
                "distance_km": distance_km,
                "driver_id": _number("driver_id", driver_id) if driver_id else None,
            }
        )
        way_back.add_leg(session, convoy, vehicle, data)

    return _change(request, session, principal, convoy_id, "add_return_leg", change)


_RETURN_LEG_FIELDS = ("planned_departure_at", "planned_arrival_at")


def _return_start_zone(session: Session, convoy: Convoy, leg: ReturnLeg) -> str:
    assert convoy.id is not None
    plan = way_back.plan_of(session, convoy.id)
    return way_back.start_zone(convoy, service.legs_of(session, convoy.id), plan, leg)


def _return_leg_page(
    request: Request,
    session: Session,
    principal: Principal,
    convoy: Convoy,
    leg: ReturnLeg,
    typed: dict[str, Any] | None = None,
    errors: forms.FieldErrors | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    start_zone = _return_start_zone(session, convoy, leg)
    stored = {
        "planned_departure_at": forms.local_input(leg.planned_departure_at, start_zone),
        "planned_arrival_at": forms.local_input(leg.planned_arrival_at, leg.to_time_zone),
        "start_zone": start_zone,
        "version": str(leg.version),
    }
    return _form_page(
        request,
        principal,
        convoy,
        "convoys/return_leg.html",
        {**stored, **(typed or {})},
        errors or {},
        status_code,
        leg=leg,
        vehicle=way_back.vehicle_of(session, convoy, leg.return_vehicle_id),
        driver=_driver_name(session, leg.driver_id),
        plannable=convoy.status in planning.PLANNABLE,
    )


@router.get("/convoys/{convoy_id}/return-legs/{leg_id}", response_class=HTMLResponse)
def return_leg_page(
    request: Request, convoy_id: int, leg_id: int, session: SessionDep, principal: PagePrincipalDep
) -> HTMLResponse:
    """A leg of the way back: its departure and arrival in the local time of each end."""
    require(principal, "update_return_leg")
    convoy = _convoy(session, principal, convoy_id)
    leg = way_back.leg_of(session, convoy, leg_id)
    return _return_leg_page(request, session, principal, convoy, leg)


@router.post("/convoys/{convoy_id}/return-legs/{leg_id}/edit", response_model=None)
def save_return_leg(
    request: Request,
    convoy_id: int,
    leg_id: int,
    session: SessionDep,
    principal: PagePrincipalDep,
    form: forms.SubmittedForm,
) -> Response:
    """A return leg's new times (the later departure a rest warning asks for), by the API's
    service: the rules of the way back decide, a refusal names the field and changes nothing."""
    require(principal, "update_return_leg")
    convoy = _convoy(session, principal, convoy_id)
    leg = way_back.leg_of(session, convoy, leg_id)
    typed = {name: str(form.get(name) or "").strip() for name in _RETURN_LEG_FIELDS}
    try:
        require_version(request, leg, str(form.get("version") or "") or None)
        start_zone = _return_start_zone(session, convoy, leg)
        data = ReturnLegUpdate.model_validate(
            {
                "planned_departure_at": forms.instant(typed["planned_departure_at"], start_zone),
                "planned_arrival_at": forms.instant(typed["planned_arrival_at"], leg.to_time_zone),
            }
        )
        way_back.update_leg(session, convoy, leg, data)
        session.flush()
    except (ValidationError, DomainError) as exc:
        refused = (
            ({"version": exc.message}, exc.status_code)
            if isinstance(exc, PreconditionFailed)
            else _refused(exc)
        )
        if refused is None:
            raise
        session.rollback()
        convoy = _convoy(session, principal, convoy_id)
        leg = way_back.leg_of(session, convoy, leg_id)
        return _return_leg_page(request, session, principal, convoy, leg, typed, *refused)
    return RedirectResponse(f"/convoys/{convoy_id}#return-leg-{leg_id}", status_code=303)


@router.post("/convoys/{convoy_id}/progress", response_model=None)
def report_progress(
    request: Request,
    convoy_id: int,
    session: SessionDep,
    principal: PagePrincipalDep,
    leg_id: FormText = None,
    kind: FormText = None,
    occurred_at: FormText = None,
    reported_for: FormText = None,
    note: FormText = None,
) -> Response:
    """Progress a driver phoned in, reported for them (the account is recorded as the
    reporter); the time is read in the zone of the leg's start, now when left empty. The
    office's board only: a driver reports from their own page."""
    require(principal, "get_convoy_readiness")

    def change(convoy: Convoy) -> None:
        assert convoy.id is not None
        leg = _leg_of(session, convoy, _number("leg_id", leg_id))
        zone = _start_zone(session, convoy, leg)
        data = LegEventCreate.model_validate(
            {
                "kind": kind,
                "occurred_at": forms.instant(occurred_at, zone) if occurred_at else utcnow(),
                "reported_for": (reported_for or "").strip() or None,
                "note": (note or "").strip() or None,
            }
        )
        progress.report_event_once(session, convoy, leg, data)

    return _change(request, session, principal, convoy_id, "report_progress", change)
