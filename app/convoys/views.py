"""What each principal may see of a convoy: the office all of it; a driver only the vehicles
(and their goods) and assignments that are their own; a recipient only its own items and no
driver data. Shared by every route that answers with a convoy's detail."""

from sqlmodel import Session

from app.auth import visibility
from app.auth.roles import Role
from app.auth.service import Principal
from app.convoys import service
from app.convoys.models import Convoy
from app.convoys.schemas import ConvoyDetail


def detail_for(session: Session, principal: Principal, convoy: Convoy) -> ConvoyDetail:
    """The convoy as this principal may see it: a driver, only the vehicles (and their goods)
    and assignments that are their own; a recipient, only its own items and no driver data."""
    if visibility.is_office(principal):
        return service.detail(session, convoy)
    return _seen(session, principal, convoy)


def visible_detail(session: Session, principal: Principal, convoy_id: int) -> ConvoyDetail:
    """``detail_for`` by id; 404 for a convoy the principal may not see."""
    return detail_for(session, principal, in_view(session, principal, convoy_id))


def _seen(session: Session, principal: Principal, convoy: Convoy) -> ConvoyDetail:
    detail = service.detail(session, convoy)
    shown = visibility.visible_item_ids(session, principal, [i.item_id for i in detail.items])
    detail.items = [i for i in detail.items if i.item_id in shown]
    detail.assignments = [
        a
        for a in detail.assignments
        if principal.role == Role.driver and a.driver_id == principal.driver_id
    ]
    return detail


def in_view(session: Session, principal: Principal, convoy_id: int) -> Convoy:
    """The convoy, if the principal may see it (a driver: assigned to it; a recipient: it
    carries its items); otherwise 404."""
    visibility.require_convoy(session, principal, convoy_id)
    return service.get(session, convoy_id)
