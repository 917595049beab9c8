"""The driver's phone: one page with their convoy, one tap per progress report, a calendar feed.

The page reads the convoy through the same services and row-level views as the API; a report
goes through the same ``report_event_once`` as ``POST .../legs/{id}/events``, with the client
key that makes a report sent twice (a phone retrying after a lost answer) count once.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Annotated, NamedTuple
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy import bindparam, case, or_
from sqlalchemy import select as select_rows
from sqlmodel import Session, col, select

from app.auth import visibility
from app.auth.models import User
from app.auth.roles import Role
from app.auth.service import Principal
from app.convoys import driving_time, progress, readiness, service, trip, views, way_back
from app.convoys.models import (
    Assignment,
    Convoy,
    ConvoyStatus,
    EventKind,
    Leg,
    LegEvent,
)
from app.convoys.schemas import LegEventCreate
from app.core import i18n
from app.core.database import SessionDep, plain_rows
from app.core.downloads import content_disposition
from app.core.errors import DomainError, Forbidden, InvalidInput, NotFound, RuleViolation
from app.core.i18n import N_, _
from app.core.identifiers import LicenceClass
from app.core.types import utcnow
from app.exports.models import ExportRecord
from app.items.models import Item
from app.web.pages import PagePrincipalDep, require, wants_json
from app.web.templating import not_modified, render

router = APIRouter(include_in_schema=False)

# The order a convoy is worth showing in: the one on the road, then the next to leave.
_SHOWN_FIRST = {
    ConvoyStatus.under_way: 0,
    ConvoyStatus.arrived: 1,
    ConvoyStatus.ready: 2,
    ConvoyStatus.planning: 3,
}
# The taps a driver has on a leg of theirs, in the order they happen on the road.
REPORTS = (
    EventKind.departed,
    EventKind.border_queued,
    EventKind.border_crossed,
    EventKind.arrived,
)


class Report(NamedTuple):
    """A step reported on a leg, as the page shows it."""

    leg_id: int
    kind: EventKind
    occurred_at: datetime
    reporter_name: str


class ShownConvoy(NamedTuple):
    """What the page shows and plans with of the convoy, as a plain row: the ORM object (its
    every column, its bookkeeping) took half the page's reading."""

    id: int
    number: str
    name: str
    name_uk: str | None
    status: ConvoyStatus
    coordinator_name: str
    coordinator_phone: str | None
    planned_departure_at: datetime
    planned_return_at: datetime | None
    planned_handover_at: datetime | None
    meeting_point: str
    meeting_point_uk: str | None
    meeting_time_zone: str
    handover_place: str | None
    handover_place_uk: str | None


class ShownLeg(NamedTuple):
    """A leg of it, as the page shows it and plans the driving from it."""

    id: int
    position: int
    from_place: str
    from_place_uk: str | None
    to_place: str
    to_place_uk: str | None
    to_time_zone: str
    planned_departure_at: datetime
    planned_arrival_at: datetime
    planned_wait_minutes: int
    is_border_crossing: bool


@dataclass
class LegView:
    leg: ShownLeg
    starts: trip.Moment
    ends: trip.Moment
    vehicle: views.Seat | None  # this driver's seat on it; None: not their leg
    reported: list[Report] = field(default_factory=list)
    is_next: bool = False

    @property
    def reportable(self) -> tuple[EventKind, ...]:
        """The taps that make sense on this leg (a border tap only at a border crossing)."""
        return tuple(
            kind
            for kind in REPORTS
            if self.leg.is_border_crossing
            or kind not in (EventKind.border_queued, EventKind.border_crossed)
        )

    @property
    def reported_kinds(self) -> set[EventKind]:
        return {event.kind for event in self.reported}

    def done(self, kind: EventKind) -> Report | None:
        """The report of a step, once made: the step shows as done, not as a button."""
        return next((event for event in self.reported if event.kind == kind), None)

    @property
    def next_step(self) -> EventKind | None:
        """The first step of this leg not reported yet: on the next leg, the one that stands
        out."""
        return next((k for k in self.reportable if k not in self.reported_kinds), None)


class DrivenVehicle(NamedTuple):
    """What the page shows of a vehicle the driver drives."""

    id: int
    make: str | None
    model: str | None
    vin: str | None
    licence_class_required: LicenceClass | None
    trailer_type: str | None
    trailer_registration: str | None
    trailer_permissible_weight_kg: int | None
    registration_papers_held: bool


class Papers(NamedTuple):
    """Its export papers, once issued."""

    export_plate: str | None
    plate_valid_from_on: date | None
    plate_valid_to_on: date | None
    insurance_until_on: date | None
    insurer: str | None


@dataclass
class VehicleView:
    item: DrivenVehicle
    papers: Papers | None


@dataclass
class HomeLeg:
    """A leg of the way back this driver drives."""

    vehicle: way_back.BackVehicle
    leg: way_back.BackLeg
    starts: trip.Moment
    ends: trip.Moment


@dataclass
class MyConvoy:
    convoy: ShownConvoy
    trip: trip.Trip
    legs: list[LegView]
    vehicles: list[VehicleView]
    co_drivers: list[tuple[str, str, str | None]]  # (name, vehicle, its Ukrainian name)
    # The driver's plan, by the planner readiness uses: every driving day of the trip (the
    # page names no "today": it stays the same page while the plan does, see _page).
    days: list[driving_time.DrivingDay] = field(default_factory=list)
    home: list[HomeLeg] = field(default_factory=list)
    rest: way_back.Rest | None = None  # before their first return leg

    @property
    def can_report(self) -> bool:
        return self.convoy.status == ConvoyStatus.under_way


def _driver_of(principal: Principal) -> int:
    if principal.driver_id is None:
        raise Forbidden(_("this page is for drivers; your account is not tied to a driver record"))
    return principal.driver_id


# The driver's convoys worth showing, built once (a convoy once, however many seats).
_SHOWN_CONVOYS = select(Convoy).where(
    col(Convoy.id).in_(
        select(col(Assignment.convoy_id)).where(col(Assignment.driver_id) == bindparam("driver_id"))
    ),
    # Not IN (...): a list is an expanding parameter, rewritten into the SQL on every execution.
    or_(*(col(Convoy.status) == status for status in _SHOWN_FIRST)),
)

# The one convoy the page shows, chosen by the database: a driver's arrived convoys add up
# over the years, and the page reads one row, not every trip they ever drove.
_CURRENT = _SHOWN_CONVOYS.order_by(
    case(_SHOWN_FIRST, value=col(Convoy.status)),
    # The next to leave first; of those that arrived, the last.
    case(
        (col(Convoy.status) == ConvoyStatus.arrived, None),
        else_=col(Convoy.planned_departure_at),
    ),
    col(Convoy.planned_departure_at).desc(),
    col(Convoy.id).desc(),
).limit(1)


# That convoy with its legs, in one statement: the columns the page uses, as plain rows.
_CURRENT_WITH_LEGS = service.with_legs(
    _CURRENT.with_only_columns(col(Convoy.id)).scalar_subquery()
).with_only_columns(
    *(col(getattr(Convoy, name)) for name in ShownConvoy._fields),
    *(col(getattr(Leg, name)) for name in ShownLeg._fields),
)
_CONVOY_COLUMNS = len(ShownConvoy._fields)


def current_convoy(session: Session, driver_id: int) -> tuple[ShownConvoy, list[ShownLeg]] | None:
    """The convoy on the road, else the next one to leave, else the last one that arrived;
    with its legs in order (a convoy without legs is one row without a leg)."""
    rows = plain_rows(session, _CURRENT_WITH_LEGS, {"driver_id": driver_id}).all()
    if not rows:
        return None
    legs = [
        ShownLeg._make(row[_CONVOY_COLUMNS:]) for row in rows if row[_CONVOY_COLUMNS] is not None
    ]
    return ShownConvoy._make(rows[0][:_CONVOY_COLUMNS]), legs


# A sign-in ending on the road would cost the driver the reports their phone still holds.
SIGN_IN_AFTER_RETURN = timedelta(days=1)


def sign_in_lasts(session: Session, user: User, usual_end: datetime) -> datetime | None:
    """A driver's sign-in lasts their trip: when a trip of theirs starts before the sign-in
    would end, until its planned return plus a day (installed by the app factory)."""
    if user.role != Role.driver or user.driver_id is None:
        return None
    convoys = list(session.exec(_SHOWN_CONVOYS, params={"driver_id": user.driver_id}))
    legs = service.legs_of_convoys(session, [convoy.id or 0 for convoy in convoys])
    trips = [trip.of(convoy, legs[convoy.id or 0]) for convoy in convoys]
    ends = [t.back.at + SIGN_IN_AFTER_RETURN for t in trips if t.departure.at <= usual_end]
    return max((end for end in ends if end > usual_end), default=None)


# The vehicles a driver drives, with their papers: the columns the page shows, as plain rows
# (an item's and its papers' every column as ORM objects took twice as long), built once.
_DRIVEN = (
    select_rows(
        *(col(getattr(Item, name)) for name in DrivenVehicle._fields),
        col(ExportRecord.id),
        *(col(getattr(ExportRecord, name)) for name in Papers._fields),
    )
    .outerjoin(ExportRecord, col(ExportRecord.item_id) == col(Item.id))
    .where(col(Item.id).in_(bindparam("driven", expanding=True)))
    .order_by(col(Item.id))
)
_VEHICLE_COLUMNS = len(DrivenVehicle._fields)

# The steps reported on the convoy's legs, in the order they happened: what the page shows.
_REPORTED = (
    select_rows(*(col(getattr(LegEvent, name)) for name in Report._fields))
    .where(col(LegEvent.convoy_id) == bindparam("convoy_id"))
    .order_by(col(LegEvent.occurred_at), col(LegEvent.id))
)


def _vehicle_view(row: tuple[object, ...]) -> VehicleView:
    papers_id = row[_VEHICLE_COLUMNS]  # None: no papers issued yet (the outer join)
    return VehicleView(
        DrivenVehicle._make(row[:_VEHICLE_COLUMNS]),
        None if papers_id is None else Papers._make(row[_VEHICLE_COLUMNS + 1 :]),
    )


def gather(session: Session, convoy: ShownConvoy, legs: list[ShownLeg], driver_id: int) -> MyConvoy:
    """The driver's part of the convoy, by the one rule of what a driver sees (views.py):
    the legs, the whole team by name, and the vehicles they drive with their papers."""
    team = views.seats(session, convoy.id)
    mine = {seat.leg_id: seat for seat in team if seat.driver_id == driver_id}
    driven = sorted({seat.vehicle_id for seat in mine.values()})
    vehicles = plain_rows(session, _DRIVEN, {"driven": driven}).all()
    events = [Report._make(row) for row in plain_rows(session, _REPORTED, {"convoy_id": convoy.id})]
    views_of_legs = [
        LegView(
            leg=leg,
            starts=trip.leg_start(convoy, legs, leg),
            ends=trip.leg_end(leg),
            vehicle=mine.get(leg.id),
            reported=[e for e in events if e.leg_id == leg.id],
        )
        for leg in legs
    ]
    back = way_back.plan_of(session, convoy.id)
    home = [
        HomeLeg(vehicle, leg, way_back.start_of(convoy, legs, back, leg), way_back.end_of(leg))
        for vehicle, leg in back.legs
        if leg.driver_id == driver_id
    ]
    zones = trip.zones_of(convoy, legs)
    blocks = [
        block
        for leg in legs
        if leg.id in mine
        for block in readiness.planned_driving(leg, zones[leg.id][0])
    ] + [
        driving_time.DrivingBlock(
            start=h.leg.planned_departure_at.astimezone(ZoneInfo(h.starts.zone)),
            end=h.leg.planned_arrival_at.astimezone(ZoneInfo(h.starts.zone)),
        )
        for h in home
    ]
    driven_until = max((leg.planned_arrival_at for leg in legs if leg.id in mine), default=None)
    rests = way_back.rests(convoy, legs, back, {driver_id: driven_until} if driven_until else {})
    upcoming = [v for v in views_of_legs if EventKind.arrived not in v.reported_kinds]
    if upcoming and convoy.status in (ConvoyStatus.under_way, ConvoyStatus.ready):
        upcoming[0].is_next = True
    return MyConvoy(
        convoy=convoy,
        trip=trip.of(convoy, legs),
        legs=views_of_legs,
        vehicles=[_vehicle_view(tuple(row)) for row in vehicles],
        co_drivers=sorted(
            {
                (s.driver_name, s.vehicle_name, s.vehicle_name_uk)
                for s in team
                if s.driver_id != driver_id
            },
            key=lambda named: (named[0], named[1]),
        ),
        days=driving_time.driving_days(blocks),
        home=home,
        rest=next((r for r in rests if r.driver_id == driver_id), None),
    )


def _mine(session: Session, driver_id: int) -> MyConvoy | None:
    current = current_convoy(session, driver_id)
    return gather(session, *current, driver_id) if current is not None else None


def _page(
    request: Request,
    session: Session,
    principal: Principal,
    *,
    problems: list[str] | None = None,
    status_code: int = 200,
) -> Response:
    mine = _mine(session, _driver_of(principal))
    user_id = principal.user_id
    response = render(
        request,
        "convoys/my_convoy.html",
        {
            "mine": mine,
            "problems": problems or [],
            # Each step's own key, the same on every load: a tap counts once however often
            # it is sent, and an unchanged page is the same page (its ETag below).
            "step_key": lambda leg_id, kind: f"step-{user_id}-{leg_id}-{kind}",
            "spoken": driving_time.spoken,
            "max_daily": driving_time.MAX_DAILY,
        },
        principal=principal,
        status_code=status_code,
    )
    # The phone keeps its last copy for when the network is gone (the service worker serves
    # it then); a proxy must never share it. Asked again, an unchanged page is a 304.
    response.headers["cache-control"] = "private, no-cache"
    if status_code == 200:
        return not_modified(request, response)
    return response


@router.get("/my-convoy", response_class=HTMLResponse)
def my_convoy(request: Request, session: SessionDep, principal: PagePrincipalDep) -> Response:
    require(principal, "get_convoy")
    return _page(request, session, principal)


@router.post("/my-convoy/legs/{leg_id}/report", response_model=None)
def report(
    request: Request,
    leg_id: int,
    session: SessionDep,
    principal: PagePrincipalDep,
    # Optional here so a stranger hears 403 before a missing field is named.
    kind: Annotated[str | None, Form()] = None,
    client_key: Annotated[str | None, Form()] = None,
    occurred_at: Annotated[str | None, Form()] = None,
) -> Response:
    """One tap: the report, then the page again (post/redirect/get)."""
    require(principal, "report_progress")
    _driver_of(principal)  # coordinators report for a driver through the API, naming them
    leg = session.get(Leg, leg_id)
    if leg is None:
        raise NotFound(N_("Leg"), leg_id)
    visibility.require_convoy(session, principal, leg.convoy_id)
    visibility.require_driver_on_leg(session, principal, leg)
    convoy = service.get(session, leg.convoy_id)
    problems: list[str] = []
    status_code = 422
    try:
        data = LegEventCreate.model_validate(
            {
                "kind": kind,
                "client_key": client_key or None,
                # The phone says when it was tapped (a queued report arrives later).
                "occurred_at": occurred_at or utcnow().isoformat(),
            }
        )
        event, _new = progress.report_event_once(session, convoy, leg, data)
    except ValidationError as exc:
        problems = [
            f"{i18n.field_name('.'.join(map(str, e['loc'])))}: {i18n.pydantic_message(e)}"
            for e in exc.errors()
        ]
    except RuleViolation as exc:
        problems, status_code = [reason.message for reason in exc.reasons], 409
    except InvalidInput as exc:
        problems = [f"{i18n.field_name(name)}: {message}" for name, message in exc.errors]
    except DomainError as exc:
        if exc.status_code != 409:
            raise
        problems, status_code = [exc.message], 409
    if wants_json(request):
        # The phone's queue: it forgets a report once it hears this, recorded or refused.
        if problems:
            return JSONResponse({"recorded": False, "problems": problems}, status_code)
        return JSONResponse({"recorded": True, "client_key": event.client_key, "id": event.id})
    if problems:
        return _page(request, session, principal, problems=problems, status_code=status_code)
    return RedirectResponse("/my-convoy", status_code=303)


@router.get("/my-convoy/calendar.ics")
def calendar(session: SessionDep, principal: PagePrincipalDep) -> Response:
    """The driver's legs of every convoy they are on, for their phone's calendar."""
    require(principal, "get_convoy")
    driver_id = _driver_of(principal)
    from icalendar import Calendar, Event  # when asked for, not at start-up

    cal = Calendar()
    cal.add("prodid", "-//Konvoi//my convoys//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", "Konvoi")
    stmt = (
        select(Assignment, Leg, Convoy, Item)
        .join(Leg, col(Leg.id) == col(Assignment.leg_id))
        .join(Convoy, col(Convoy.id) == col(Assignment.convoy_id))
        .join(Item, col(Item.id) == col(Assignment.vehicle_id))
        .where(
            col(Assignment.driver_id) == driver_id,
            col(Convoy.status) != ConvoyStatus.cancelled,
        )
        .order_by(col(Leg.planned_departure_at))
    )
    for assignment, leg, convoy, vehicle in session.exec(stmt):
        event = Event()
        # Stable per assignment, so a calendar that imports the file again updates, not doubles.
        event.add("uid", f"assignment-{assignment.id}@konvoi")
        event.add("summary", f"{convoy.number}: {leg.from_place} → {leg.to_place}")
        event.add("dtstart", leg.planned_departure_at)
        event.add("dtend", leg.planned_arrival_at)
        event.add("dtstamp", utcnow())
        event.add("location", leg.from_place)
        details = [f"{vehicle.name}", f"{convoy.coordinator_name} {convoy.coordinator_phone or ''}"]
        event.add("description", "\n".join(line.strip() for line in details))
        cal.add_component(event)
    return Response(
        cal.to_ical(),
        media_type="text/calendar; charset=utf-8",
        headers={"content-disposition": content_disposition("konvoi.ics")},
    )
