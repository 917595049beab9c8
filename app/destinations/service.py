"""Recipient utilities in Ukraine and the hubs their deliveries pass through."""

from collections.abc import Sequence

from sqlalchemy import ColumnElement, func, or_
from sqlmodel import Session, col, select

from app.core.errors import Conflict, InvalidInput
from app.core.i18n import N_, _
from app.core.pagination import keyset_page
from app.core.service import apply_changes, get_or_404, like
from app.destinations.models import Destination
from app.destinations.schemas import DestinationCreate, DestinationUpdate

SORTABLE = {
    "name": col(Destination.name),
    "city": col(Destination.city),
    "created_at": col(Destination.created_at),
    "id": col(Destination.id),
}


def get(session: Session, destination_id: int) -> Destination:
    return get_or_404(session, Destination, destination_id, N_("Destination"))


def _check_edrpou_free(session: Session, edrpou: str, own_id: int | None = None) -> None:
    """One organisation, one EDRPOU code: a second record would split its deliveries."""
    stmt = select(Destination).where(Destination.edrpou == edrpou)
    if own_id is not None:
        stmt = stmt.where(Destination.id != own_id)
    holder = session.exec(stmt).first()
    if holder is not None:
        raise Conflict(
            _("EDRPOU {edrpou} is already registered for destination {id} ({holder})").format(
                edrpou=edrpou, id=holder.id, holder=holder.name
            ),
            field="edrpou",
        )


def _check_hub(session: Session, hub_id: int, own_id: int | None = None) -> None:
    """The hub must exist, and following the hubs from it must never lead back here."""
    if hub_id == own_id:
        raise InvalidInput(
            [("via_destination_id", _("a destination cannot receive through itself"))]
        )
    hub = session.get(Destination, hub_id)
    if hub is None:
        raise InvalidInput(
            [("via_destination_id", _("destination {hub_id} does not exist").format(hub_id=hub_id))]
        )
    seen = {hub_id}
    while own_id is not None and hub.via_destination_id is not None:
        if hub.via_destination_id == own_id:
            raise InvalidInput(
                [
                    (
                        "via_destination_id",
                        (
                            _(
                                "destination {hub_id} already receives through this "
                                "destination; the route would go round in a circle"
                            ).format(hub_id=hub_id)
                        ),
                    )
                ]
            )
        if hub.via_destination_id in seen:  # a loop further up that does not involve us
            break
        seen.add(hub.via_destination_id)
        next_hub = session.get(Destination, hub.via_destination_id)
        if next_hub is None:
            break
        hub = next_hub


def create(session: Session, data: DestinationCreate) -> Destination:
    _check_edrpou_free(session, data.edrpou)
    if data.via_destination_id is not None:
        _check_hub(session, data.via_destination_id)
    destination = Destination.model_validate(data)
    session.add(destination)
    session.flush()
    return destination


def update(session: Session, destination: Destination, changes: DestinationUpdate) -> Destination:
    sent = changes.model_dump(exclude_unset=True)
    if sent.get("edrpou") is not None:
        _check_edrpou_free(session, sent["edrpou"], own_id=destination.id)
    if sent.get("via_destination_id") is not None:
        _check_hub(session, sent["via_destination_id"], own_id=destination.id)
    apply_changes(destination, changes)
    session.flush()
    return destination


def search(
    session: Session,
    *,
    q: str | None,
    oblast: str | None,
    sort: str,
    cursor: str | None,
    limit: int,
    visible: ColumnElement[bool] | None = None,
) -> tuple[Sequence[Destination], str | None]:
    stmt = select(Destination)
    if visible is not None:  # the caller's row-level view (app.auth.visibility)
        stmt = stmt.where(visible)
    if q:
        pattern = like(q)
        stmt = stmt.where(
            or_(
                func.lower(Destination.name).like(pattern, escape="\\"),
                func.lower(func.coalesce(Destination.name_uk, "")).like(pattern, escape="\\"),
                func.lower(Destination.city).like(pattern, escape="\\"),
                func.lower(Destination.oblast).like(pattern, escape="\\"),
            )
        )
    if oblast:
        stmt = stmt.where(func.lower(Destination.oblast) == oblast.strip().lower())
    return keyset_page(
        session,
        stmt,
        id_column=col(Destination.id),
        sort=sort,
        sortable=SORTABLE,
        cursor=cursor,
        limit=limit,
    )


def choices(session: Session) -> list[tuple[str, str]]:
    """Every utility as a form's choice: (id, name), by name."""
    rows = session.exec(
        select(Destination.id, Destination.name).order_by(col(Destination.name))
    ).all()
    return [(str(i), n) for i, n in rows]
