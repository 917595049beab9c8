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
from app.core.revision import Kept

# A driver's or recipient's part of each convoy looked at lately.
_kept_views: Kept[ConvoyDetail] = Kept(size=512)


def detail_for(session: Session, principal: Principal, convoy: Convoy) -> ConvoyDetail:
    """The convoy as this principal may see it: a driver, only the vehicles (and their goods)
    and assignments that are their own; a recipient, only its own items and no driver data.
    Kept per convoy and view until the data changes (app/core/revision.py)."""
    if visibility.is_office(principal):
        return service.kept_detail(session, convoy)
    return _kept_views.get(
        session,
        _view(principal, convoy.id),
        lambda: _seen(session, principal, convoy),
        reread=convoy,
    )


def visible_detail(session: Session, principal: Principal, convoy_id: int) -> ConvoyDetail:
    """``detail_for`` by id. While nothing has been written, a view seen before is given
    again without reading the convoy or checking that it may be seen: both are kept with it
    (a convoy the principal may not see raises, and nothing is kept)."""
    if visibility.is_office(principal):
        return service.kept_detail_of(session, convoy_id)
    return _kept_views.get(
        session,
        _view(principal, convoy_id),
        lambda: _seen(session, principal, in_view(session, principal, convoy_id)),
    )


def _view(principal: Principal, convoy_id: int | None) -> tuple[object, ...]:
    return (convoy_id, principal.role, principal.driver_id, principal.destination_id)


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
