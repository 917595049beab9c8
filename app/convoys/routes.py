from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response, status

from app.auth import visibility
from app.auth.deps import PrincipalDep, require_version
from app.convoys import (
    assignments,
    legs,
    loading,
    planning,
    progress,
    readiness,
    service,
    transitions,
    way_back,
)
from app.convoys.models import Convoy, ConvoyStatus, Leg
from app.convoys.schemas import (
    ArrivalCreate,
    AssignmentCreate,
    AssignmentRead,
    ConvoyCreate,
    ConvoyDetail,
    ConvoyRead,
    ConvoyUpdate,
    DepartureCreate,
    DriverSwap,
    HandoverCreate,
    HandoverRead,
    LegCreate,
    LegEventCreate,
    LegEventRead,
    LegRead,
    LegUpdate,
    LoadItem,
    LoadItems,
    Readiness,
    ReturnLegCreate,
    ReturnLegRead,
    ReturnLegUpdate,
    ReturnVehicleCreate,
    ReturnVehicleRead,
    TripAssignments,
    WithdrawalCreate,
    WithdrawalRead,
)
from app.convoys.views import detail_for, event_for, in_view, visible_detail
from app.core.database import SessionDep
from app.core.pagination import CursorQuery, LimitQuery, Page
from app.core.types import SearchText

router = APIRouter(prefix="/convoys", tags=["convoys"])


def convoy_in_view(convoy_id: int, session: SessionDep, principal: PrincipalDep) -> Convoy:
    return in_view(session, principal, convoy_id)


ConvoyInViewDep = Annotated[Convoy, Depends(convoy_in_view)]


def convoy_dep(convoy: ConvoyInViewDep, request: Request) -> Convoy:
    """The convoy a request changes: If-Match carries the convoy's version."""
    require_version(request, convoy)
    return convoy


ConvoyDep = Annotated[Convoy, Depends(convoy_dep)]


def leg_dep(
    convoy: ConvoyInViewDep,
    leg_id: int,
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
) -> Leg:
    """A leg of a visible convoy; a driver acts only on legs they drive. If-Match carries the
    leg's version (not the convoy's)."""
    leg = service.get_leg(session, convoy, leg_id)
    visibility.require_driver_on_leg(session, principal, leg)
    require_version(request, leg)
    return leg


LegDep = Annotated[Leg, Depends(leg_dep)]


@router.get("", operation_id="list_convoys")
def list_convoys(
    session: SessionDep,
    principal: PrincipalDep,
    q: Annotated[SearchText | None, Query(description="Search number and name")] = None,
    status: ConvoyStatus | None = None,
    sort: Annotated[
        str, Query(description="planned_departure_at, number, created_at or id; - to reverse")
    ] = "-planned_departure_at",
    cursor: CursorQuery = None,
    limit: LimitQuery = 50,
) -> Page[ConvoyRead]:
    rows, next_cursor = service.search(
        session,
        q=q,
        status=status,
        sort=sort,
        cursor=cursor,
        limit=limit,
        visible=visibility.convoys(principal),
    )
    return Page(items=[ConvoyRead.model_validate(r) for r in rows], next_cursor=next_cursor)


@router.post("", status_code=status.HTTP_201_CREATED, operation_id="create_convoy")
def create_convoy(data: ConvoyCreate, session: SessionDep) -> ConvoyRead:
    return ConvoyRead.model_validate(planning.create(session, data))


@router.get("/{convoy_id}", operation_id="get_convoy")
def get_convoy(convoy_id: int, session: SessionDep, principal: PrincipalDep) -> ConvoyDetail:
    return visible_detail(session, principal, convoy_id)


@router.patch("/{convoy_id}", operation_id="update_convoy")
def update_convoy(convoy: ConvoyDep, changes: ConvoyUpdate, session: SessionDep) -> ConvoyRead:
    return ConvoyRead.model_validate(planning.update(session, convoy, changes))


@router.get("/{convoy_id}/readiness", operation_id="get_convoy_readiness")
def get_convoy_readiness(convoy: ConvoyDep, session: SessionDep) -> Readiness:
    """Every blocker and warning for departure, each with a code and a plain sentence."""
    return readiness.check(session, convoy)


# --- the way back ------------------------------------------------------------------------


@router.get("/{convoy_id}/return", operation_id="get_way_back")
def get_way_back(convoy: ConvoyDep, session: SessionDep) -> list[ReturnVehicleRead]:
    """The vehicles that bring the team home after the handover, each with its return legs."""
    assert convoy.id is not None
    return way_back.read(way_back.plan_of(session, convoy.id))


@router.post(
    "/{convoy_id}/return/vehicles",
    status_code=status.HTTP_201_CREATED,
    operation_id="add_return_vehicle",
)
def add_return_vehicle(
    convoy: ConvoyDep, data: ReturnVehicleCreate, session: SessionDep
) -> ReturnVehicleRead:
    vehicle = way_back.add_vehicle(session, convoy, data)
    return ReturnVehicleRead.model_validate(vehicle)


@router.post(
    "/{convoy_id}/return/vehicles/{vehicle_id}/legs",
    status_code=status.HTTP_201_CREATED,
    operation_id="add_return_leg",
)
def add_return_leg(
    convoy: ConvoyDep, vehicle_id: int, data: ReturnLegCreate, session: SessionDep
) -> ReturnLegRead:
    vehicle = way_back.vehicle_of(session, convoy, vehicle_id)
    return ReturnLegRead.model_validate(way_back.add_leg(session, convoy, vehicle, data))


@router.patch("/{convoy_id}/return/legs/{leg_id}", operation_id="update_return_leg")
def update_return_leg(
    convoy: ConvoyDep, leg_id: int, changes: ReturnLegUpdate, session: SessionDep
) -> ReturnLegRead:
    """A later departure or another driver: what a rest warning asks for."""
    leg = way_back.leg_of(session, convoy, leg_id)
    return ReturnLegRead.model_validate(way_back.update_leg(session, convoy, leg, changes))


# --- legs -------------------------------------------------------------------------------


@router.post("/{convoy_id}/legs", status_code=status.HTTP_201_CREATED, operation_id="add_leg")
def add_leg(convoy: ConvoyDep, data: LegCreate, session: SessionDep) -> LegRead:
    return service.leg_read(session, convoy, legs.add_leg(session, convoy, data))


@router.patch("/{convoy_id}/legs/{leg_id}", operation_id="update_leg")
def update_leg(
    convoy: ConvoyInViewDep, leg: LegDep, changes: LegUpdate, session: SessionDep
) -> LegRead:
    return service.leg_read(session, convoy, legs.update_leg(session, convoy, leg, changes))


@router.delete(
    "/{convoy_id}/legs/{leg_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    operation_id="delete_leg",
)
def delete_leg(convoy: ConvoyInViewDep, leg: LegDep, session: SessionDep) -> Response:
    legs.delete_leg(session, convoy, leg)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# --- loading and assignments ------------------------------------------------------------------


@router.post("/{convoy_id}/items", status_code=status.HTTP_201_CREATED, operation_id="load_item")
def load_item(
    convoy: ConvoyDep, data: LoadItem, session: SessionDep, principal: PrincipalDep
) -> ConvoyDetail:
    loading.load_item(session, convoy, data)
    return detail_for(session, principal, convoy)


@router.post(
    "/{convoy_id}/items/batch", status_code=status.HTTP_201_CREATED, operation_id="load_items"
)
def load_items(
    convoy: ConvoyDep, data: LoadItems, session: SessionDep, principal: PrincipalDep
) -> ConvoyDetail:
    """Load several items at once: all of them, or none with every reason."""
    loading.load_items(session, convoy, data)
    return detail_for(session, principal, convoy)


@router.delete(
    "/{convoy_id}/items/{item_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    operation_id="unload_item",
)
def unload_item(convoy: ConvoyDep, item_id: int, session: SessionDep) -> Response:
    loading.unload_item(session, convoy, item_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/{convoy_id}/assignments",
    status_code=status.HTTP_201_CREATED,
    operation_id="assign_driver",
)
def assign_driver(convoy: ConvoyDep, data: AssignmentCreate, session: SessionDep) -> AssignmentRead:
    return AssignmentRead.model_validate(assignments.assign(session, convoy, data))


@router.post(
    "/{convoy_id}/assignments/trip",
    status_code=status.HTTP_201_CREATED,
    operation_id="assign_drivers_for_trip",
)
def assign_drivers_for_trip(
    convoy: ConvoyDep, data: TripAssignments, session: SessionDep
) -> list[AssignmentRead]:
    """Drivers on vehicles for the whole trip or a range of legs: every seat, or none."""
    made = assignments.assign_trip(session, convoy, data)
    return [AssignmentRead.model_validate(a) for a in made]


@router.post("/{convoy_id}/assignments/swap", operation_id="swap_driver")
def swap_driver(convoy: ConvoyDep, data: DriverSwap, session: SessionDep) -> list[AssignmentRead]:
    """One driver takes every seat of another on this convoy: all of them, or none."""
    made = assignments.swap_driver(session, convoy, data)
    return [AssignmentRead.model_validate(a) for a in made]


@router.post(
    "/{convoy_id}/drivers/{driver_id}/withdraw",
    status_code=status.HTTP_201_CREATED,
    operation_id="withdraw_driver",
)
def withdraw_driver(
    convoy: ConvoyDep, driver_id: int, data: WithdrawalCreate, session: SessionDep
) -> WithdrawalRead:
    """A driver drops out of the convoy: their assignments go, the reason stays on record."""
    return service.withdrawal_read(assignments.withdraw_driver(session, convoy, driver_id, data))


@router.get("/{convoy_id}/withdrawals", operation_id="list_withdrawals")
def list_withdrawals(convoy: ConvoyDep, session: SessionDep) -> list[WithdrawalRead]:
    assert convoy.id is not None
    return [service.withdrawal_read(w) for w in service.withdrawals_of(session, convoy.id)]


@router.delete(
    "/{convoy_id}/assignments/{assignment_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    operation_id="unassign_driver",
)
def unassign_driver(convoy: ConvoyDep, assignment_id: int, session: SessionDep) -> Response:
    assignments.unassign(session, convoy, assignment_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# --- status actions ---------------------------------------------------------------------------


def _action(name: str, operation: Callable[..., Convoy], summary: str) -> None:
    def endpoint(convoy: ConvoyDep, session: SessionDep) -> ConvoyRead:
        return ConvoyRead.model_validate(operation(session, convoy))

    endpoint.__name__ = f"{name.replace('-', '_')}_convoy"
    router.add_api_route(
        f"/{{convoy_id}}/{name}",
        endpoint,
        methods=["POST"],
        summary=summary,
        operation_id=endpoint.__name__,
        response_model=ConvoyRead,
    )


_action("mark-ready", transitions.mark_ready, "Planning → ready, only without blockers")


@router.post("/{convoy_id}/depart", operation_id="depart_convoy")
def depart_convoy(
    convoy: ConvoyDep, session: SessionDep, data: DepartureCreate | None = None
) -> ConvoyRead:
    """Planning/ready → under way, only without blockers; records the actual departure."""
    return ConvoyRead.model_validate(transitions.depart(session, convoy, data))


@router.post("/{convoy_id}/arrive", operation_id="arrive_convoy")
def arrive_convoy(
    convoy: ConvoyDep, session: SessionDep, data: ArrivalCreate | None = None
) -> ConvoyRead:
    """Under way → arrived; records the actual arrival."""
    return ConvoyRead.model_validate(transitions.arrive(session, convoy, data))


_action("close", transitions.close, "Arrived → closed, once every item is handed over")
_action("cancel", transitions.cancel, "Planning/ready → cancelled; frees items and drivers")


# --- progress and handover ---------------------------------------------------------------------


@router.post(
    "/{convoy_id}/legs/{leg_id}/events",
    status_code=status.HTTP_201_CREATED,
    operation_id="report_progress",
    responses={
        200: {"model": LegEventRead, "description": "Sent before with this client key: the first"}
    },
)
def report_progress(
    convoy: ConvoyInViewDep,
    leg: LegDep,
    data: LegEventCreate,
    session: SessionDep,
    response: Response,
) -> LegEventRead:
    """201 for a new report; 200 with the first one when its client key was seen before."""
    event, new = progress.report_event_once(session, convoy, leg, data)
    if not new:
        response.status_code = status.HTTP_200_OK
    return LegEventRead.model_validate(event)


@router.get("/{convoy_id}/events", operation_id="list_progress")
def list_progress(
    convoy: ConvoyDep, session: SessionDep, principal: PrincipalDep
) -> list[LegEventRead]:
    """The convoy's progress reports, oldest first; a recipient reads them without who
    reported them (LegEventRead)."""
    assert convoy.id is not None
    return [event_for(principal, e) for e in service.events_of(session, convoy.id)]


@router.post(
    "/{convoy_id}/handovers",
    status_code=status.HTTP_201_CREATED,
    operation_id="record_handover",
)
def record_handover(
    convoy: ConvoyDep, data: HandoverCreate, session: SessionDep, principal: PrincipalDep
) -> HandoverRead:
    """The recipient confirms receipt of one item; a recipient only of its own items."""
    visibility.require_own_item_for_handover(session, principal, data.item_id)
    return HandoverRead.model_validate(progress.hand_over(session, convoy, data))


@router.get("/{convoy_id}/handovers", operation_id="list_handovers")
def list_handovers(
    convoy: ConvoyDep, session: SessionDep, principal: PrincipalDep
) -> list[HandoverRead]:
    """The handovers of the items the principal may see."""
    assert convoy.id is not None
    handovers = service.handovers_of(session, convoy.id)
    shown = visibility.visible_item_ids(session, principal, [h.item_id for h in handovers])
    return [HandoverRead.model_validate(h) for h in handovers if h.item_id in shown]
