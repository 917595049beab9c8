"""Needs a recipient utility has sent, and how far donated items already cover them.

A need is matched by items allocated against it (``item.need_id``); withdrawn items no longer
count. Its status is derived, never stored, so it cannot drift from the items.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence

from sqlalchemy import ColumnElement, and_, func
from sqlmodel import Session, col, select

from app.core.errors import InvalidInput, Reason, RuleViolation
from app.core.i18n import N_, _
from app.core.pagination import keyset_page
from app.core.service import apply_changes, get_or_404, like, touch
from app.destinations.models import Destination
from app.items.models import Item, ItemKind, ItemStatus
from app.needs.models import Need
from app.needs.schemas import NeedCreate, NeedRead, NeedStatus, NeedUpdate

SORTABLE = {
    "priority": col(Need.priority),
    "requested_on": col(Need.requested_on),
    "created_at": col(Need.created_at),
    "id": col(Need.id),
}


def get(session: Session, need_id: int) -> Need:
    return get_or_404(session, Need, need_id, N_("Need"))


def _matches(session: Session, need_ids: Iterable[int]) -> dict[int, list[tuple[int, ItemStatus]]]:
    """The (id, status) of the items matched against each need: one query for a whole page."""
    ids = list(need_ids)
    matched: dict[int, list[tuple[int, ItemStatus]]] = defaultdict(list)
    if not ids:
        return matched
    rows = session.exec(
        select(Item.need_id, Item.id, Item.status)
        .where(col(Item.need_id).in_(ids), Item.status != ItemStatus.withdrawn)
        .order_by(col(Item.need_id), col(Item.id))
    ).all()
    for need_id, item_id, item_status in rows:
        assert need_id is not None and item_id is not None
        matched[need_id].append((item_id, ItemStatus(item_status)))
    return matched


def matched_counts(session: Session, need_ids: Iterable[int]) -> dict[int, list[int]]:
    """Ids of the items matched against each need, for a whole page in one query.

    The count is the length of the list; needs without matched items are absent.
    """
    return {
        need_id: [item_id for item_id, _ in items]
        for need_id, items in _matches(session, need_ids).items()
    }


def status_of(need: Need, matched_quantity: int, delivered_quantity: int = 0) -> NeedStatus:
    if need.cancelled:
        return NeedStatus.cancelled
    if delivered_quantity >= need.quantity:
        return NeedStatus.fulfilled
    if matched_quantity >= need.quantity:
        return NeedStatus.matched
    return NeedStatus.open


def read_page(session: Session, needs: Sequence[Need]) -> list[NeedRead]:
    matched = _matches(session, [n.id for n in needs if n.id is not None])
    pages: list[NeedRead] = []
    for need in needs:
        items = matched.get(need.id or 0, [])
        delivered = sum(1 for _, item_status in items if item_status == ItemStatus.delivered)
        pages.append(
            NeedRead.model_validate(
                {
                    **need.model_dump(),
                    "status": status_of(need, len(items), delivered),
                    "matched_quantity": len(items),
                    "delivered_quantity": delivered,
                    "open_quantity": max(need.quantity - len(items), 0),
                    "matched_item_ids": [item_id for item_id, _ in items],
                }
            )
        )
    return pages


def read(session: Session, need: Need) -> NeedRead:
    return read_page(session, [need])[0]


def unmet(session: Session) -> list[Need]:
    """The needs nothing meets yet: not cancelled, and no item matched against them (a withdrawn
    item no longer counts), the most urgent first. Every one of them, in one query."""
    matched = select(Item.id).where(Item.need_id == Need.id, Item.status != ItemStatus.withdrawn)
    stmt = (
        select(Need)
        .where(col(Need.cancelled).is_(False), ~matched.exists())
        .order_by(col(Need.priority), col(Need.id))
    )
    return list(session.exec(stmt).all())


def _check_destination(session: Session, destination_id: int) -> None:
    if session.get(Destination, destination_id) is None:
        raise InvalidInput(
            [
                (
                    "destination_id",
                    _("destination {destination_id} does not exist").format(
                        destination_id=destination_id
                    ),
                )
            ]
        )


def create(session: Session, data: NeedCreate) -> Need:
    _check_destination(session, data.destination_id)
    need = Need.model_validate(data)
    session.add(need)
    session.flush()
    return need


def create_many(session: Session, wanted: Sequence[NeedCreate]) -> list[Need]:
    """Record several needs in one flush (a needs list from a spreadsheet)."""
    for destination_id in sorted({data.destination_id for data in wanted}):
        _check_destination(session, destination_id)
    created = [Need.model_validate(data) for data in wanted]
    session.add_all(created)
    session.flush()
    return created


def update(session: Session, need: Need, changes: NeedUpdate) -> Need:
    """Correct a need; refused where the change would contradict the items already matched."""
    assert need.id is not None
    sent = changes.model_dump(exclude_unset=True)
    if sent.get("destination_id") is not None:
        _check_destination(session, sent["destination_id"])
    item_ids = matched_counts(session, [need.id]).get(need.id, [])
    reasons: list[Reason] = []
    if need.cancelled:
        reasons.append(
            Reason(
                "need_cancelled",
                _("need {id} is cancelled and can no longer change").format(id=need.id),
            )
        )
    new_destination = sent.get("destination_id")
    if item_ids and new_destination not in (None, need.destination_id):
        reasons.append(
            Reason(
                "items_matched",
                (
                    _(
                        "items {list} are allocated to destination {destination_id} "
                        "against this need; release them before moving the need"
                    ).format(list=_list(item_ids), destination_id=need.destination_id)
                ),
                field="destination_id",
                context={"item_ids": item_ids},
            )
        )
    new_kind = sent.get("item_kind")
    if item_ids and new_kind not in (None, need.item_kind):
        reasons.append(
            Reason(
                "items_matched",
                (
                    _(
                        "items {list} were matched as {item_kind}; release them "
                        "before changing the kind"
                    ).format(list=_list(item_ids), item_kind=need.item_kind)
                ),
                field="item_kind",
                context={"item_ids": item_ids},
            )
        )
    new_quantity = sent.get("quantity")
    if new_quantity is not None and new_quantity < len(item_ids):
        reasons.append(
            Reason(
                "quantity_below_matched",
                (
                    _(
                        "{count} items are already matched, more than "
                        "{new_quantity}; release items first"
                    ).format(count=len(item_ids), new_quantity=new_quantity)
                ),
                field="quantity",
                context={"matched_quantity": len(item_ids), "item_ids": item_ids},
            )
        )
    if reasons:
        raise RuleViolation(_("need {id} cannot be changed").format(id=need.id), reasons)
    apply_changes(need, changes)
    session.flush()
    return need


def cancel(session: Session, need: Need) -> Need:
    """The utility withdrew the request; items already matched stay allocated to it."""
    if need.cancelled:
        raise RuleViolation(
            _("need {id} cannot be cancelled").format(id=need.id),
            [Reason("already_cancelled", _("need {id} is already cancelled").format(id=need.id))],
        )
    need.cancelled = True
    touch(need)
    session.flush()
    return need


def _list(ids: Sequence[int]) -> str:
    return ", ".join(str(i) for i in ids)


def search(
    session: Session,
    *,
    destination_id: int | None,
    item_kind: ItemKind | None,
    status: NeedStatus | None,
    q: str | None,
    sort: str,
    cursor: str | None,
    limit: int,
    visible: ColumnElement[bool] | None = None,
) -> tuple[Sequence[Need], str | None]:
    stmt = select(Need)
    if visible is not None:  # the caller's row-level view (app.auth.visibility)
        stmt = stmt.where(visible)
    if destination_id is not None:
        stmt = stmt.where(Need.destination_id == destination_id)
    if item_kind is not None:
        stmt = stmt.where(Need.item_kind == item_kind)
    if status is not None:
        stmt = stmt.where(_has_status(status))
    if q:
        stmt = stmt.where(func.lower(Need.description).like(like(q), escape="\\"))
    return keyset_page(
        session,
        stmt,
        id_column=col(Need.id),
        sort=sort,
        sortable=SORTABLE,
        cursor=cursor,
        limit=limit,
    )


def _has_status(status: NeedStatus) -> ColumnElement[bool]:
    """The status as SQL (a correlated count), so a filtered list still pages by keyset."""
    if status is NeedStatus.cancelled:
        return col(Need.cancelled).is_(True)
    matched = (
        select(func.count(col(Item.id)))
        .where(Item.need_id == Need.id, Item.status != ItemStatus.withdrawn)
        .correlate(Need)
        .scalar_subquery()
    )
    delivered = (
        select(func.count(col(Item.id)))
        .where(Item.need_id == Need.id, Item.status == ItemStatus.delivered)
        .correlate(Need)
        .scalar_subquery()
    )
    active = col(Need.cancelled).is_(False)
    if status is NeedStatus.fulfilled:
        return and_(active, delivered >= col(Need.quantity))
    if status is NeedStatus.matched:
        return and_(active, matched >= col(Need.quantity), delivered < col(Need.quantity))
    return and_(active, matched < col(Need.quantity))
