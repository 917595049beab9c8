"""Items and their cargo: queries, field rules and the lifecycle actions.

The status rules themselves are in ``lifecycle`` (pure); this module loads what they need and
applies a transition only when nothing blocks it. ``move`` is the one place a status changes.
"""

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, func, or_
from sqlmodel import Session, col, select

from app.certificates import service as certificates
from app.core.errors import Conflict, InvalidInput, Reason, RuleViolation
from app.core.i18n import N_, _, word
from app.core.identifiers import LicenceClass, vin_warnings
from app.core.localtime import today_at
from app.core.pagination import keyset_page
from app.core.service import apply_changes, get_or_404, like, null_errors, touch
from app.core.types import utcnow
from app.destinations.models import Destination
from app.donors.models import Donor
from app.exports import service as exports
from app.exports.models import ExportRecord
from app.exports.schemas import ExportRecordsCreate
from app.items import lifecycle
from app.items.lifecycle import Action
from app.items.models import (
    VEHICLE_KINDS,
    CargoCategory,
    CargoLine,
    Item,
    ItemCategory,
    ItemKind,
    ItemStatus,
)
from app.items.schemas import (
    AllocateItems,
    CargoLineCreate,
    CargoLineRead,
    CargoLineUpdate,
    ExportReadyItems,
    ItemCreate,
    ItemRead,
    ItemUpdate,
)
from app.needs.models import Need

SORTABLE = {
    "name": col(Item.name),
    "created_at": col(Item.created_at),
    "declared_value_cents": col(Item.declared_value_cents),
    "id": col(Item.id),
}
CARGO_SORTABLE = {
    "description": col(CargoLine.description),
    "weight_kg": col(CargoLine.weight_kg),
    "value_cents": col(CargoLine.value_cents),
    "id": col(CargoLine.id),
}

# Goods leave through a German customs office: "today" is the date there.
EXPORT_TIMEZONE = "Europe/Berlin"

_VEHICLE_REQUIRED = ("make", "model", "vin", "year", "gross_weight_kg")
_TRAILER = ("trailer_type", "trailer_registration", "trailer_permissible_weight_kg")
_VEHICLE_ONLY = ("vin", "seats", "licence_class_required", *_TRAILER)
_VEHICLE_KIND_NAMES = ", ".join(sorted(k.value for k in VEHICLE_KINDS))
_EQUIPMENT_KIND_NAMES = ", ".join(sorted(k.value for k in ItemKind if k not in VEHICLE_KINDS))


def get(session: Session, item_id: int) -> Item:
    return get_or_404(session, Item, item_id, N_("Item"))


# --- Reading -------------------------------------------------------------------------------


def cargo_totals(session: Session, item_ids: Sequence[int]) -> dict[int, tuple[int, int]]:
    """(weight kg, value cents) of the cargo on each item, for a whole page in one query."""
    if not item_ids:
        return {}
    rows = session.exec(
        select(
            col(CargoLine.vehicle_id),
            func.coalesce(func.sum(CargoLine.weight_kg), 0),
            func.coalesce(func.sum(CargoLine.value_cents), 0),
        )
        .where(col(CargoLine.vehicle_id).in_(item_ids))
        .group_by(col(CargoLine.vehicle_id))
    ).all()
    return {vehicle_id: (int(weight), int(value)) for vehicle_id, weight, value in rows}


def read_page(session: Session, items: Sequence[Item]) -> list[ItemRead]:
    totals = cargo_totals(session, [i.id for i in items if i.id is not None])
    return [
        ItemRead.model_validate(
            {
                **item.model_dump(),
                "cargo_weight_kg": totals.get(item.id or 0, (0, 0))[0],
                "cargo_value_cents": totals.get(item.id or 0, (0, 0))[1],
                "warnings": vin_warnings(item.vin) if item.vin else [],
            }
        )
        for item in items
    ]


def read(session: Session, item: Item) -> ItemRead:
    return read_page(session, [item])[0]


def search(
    session: Session,
    *,
    q: str | None,
    status: ItemStatus | None,
    category: ItemCategory | None,
    kind: ItemKind | None,
    donor_id: int | None,
    destination_id: int | None,
    sort: str,
    cursor: str | None,
    limit: int,
    visible: ColumnElement[bool] | None = None,
) -> tuple[Sequence[Item], str | None]:
    stmt = select(Item)
    if visible is not None:  # the caller's row-level view (app.auth.visibility)
        stmt = stmt.where(visible)
    if q:
        pattern = like(q)
        stmt = stmt.where(
            or_(
                *(
                    func.lower(func.coalesce(column, "")).like(pattern, escape="\\")
                    for column in (Item.name, Item.make, Item.model, Item.vin, Item.description)
                )
            )
        )
    if status:
        stmt = stmt.where(Item.status == status)
    if category:
        stmt = stmt.where(Item.category == category)
    if kind:
        stmt = stmt.where(Item.kind == kind)
    if donor_id is not None:
        stmt = stmt.where(Item.donor_id == donor_id)
    if destination_id is not None:
        stmt = stmt.where(Item.destination_id == destination_id)
    return keyset_page(
        session,
        stmt,
        id_column=col(Item.id),
        sort=sort,
        sortable=SORTABLE,
        cursor=cursor,
        limit=limit,
    )


# --- Field rules ----------------------------------------------------------------------------


def _field_errors(draft: Mapping[str, Any], sent: set[str]) -> list[tuple[str, str]]:
    """Every rule the combination of fields breaks, as (field, reason)."""
    errors: list[tuple[str, str]] = []
    category, kind = draft["category"], draft["kind"]
    if category == ItemCategory.vehicle:
        if kind not in VEHICLE_KINDS:
            errors.append(
                (
                    "kind",
                    _("{kind!r} is not a vehicle; use one of {VEHICLE_KIND_NAMES}").format(
                        kind=word(kind), VEHICLE_KIND_NAMES=_VEHICLE_KIND_NAMES
                    ),
                )
            )
        errors += [
            (name, _("is required for a vehicle"))
            for name in _VEHICLE_REQUIRED
            if draft[name] is None
        ]
        weight, gross = draft["weight_kg"], draft["gross_weight_kg"]
        if weight is not None and gross is not None and weight > gross:
            errors.append(
                (
                    "weight_kg",
                    _(
                        "own weight {weight:,} kg exceeds the permissible gross weight {gross:,} kg"
                    ).format(weight=weight, gross=gross),
                )
            )
        errors += _trailer_errors(draft)
        given = draft["licence_class_required"]
        if gross is not None and given is not None and "licence_class_required" in sent:
            too_weak = lifecycle.licence_too_weak(
                given, kind, gross, draft["seats"], draft["trailer_permissible_weight_kg"]
            )
            if too_weak:
                errors.append(("licence_class_required", too_weak))
    else:
        if kind in VEHICLE_KINDS:
            errors.append(
                (
                    "kind",
                    (
                        _(
                            "{kind!r} is a vehicle kind; equipment is one of {EQUIPMENT_KIND_NAMES}"
                        ).format(kind=word(kind), EQUIPMENT_KIND_NAMES=_EQUIPMENT_KIND_NAMES)
                    ),
                )
            )
        errors += [
            (name, _("only a vehicle has this; leave it empty for equipment"))
            for name in _VEHICLE_ONLY
            if draft[name] is not None
        ]
    return errors


def _trailer_errors(draft: Mapping[str, Any]) -> list[tuple[str, str]]:
    """A trailer is described by its type and permissible weight, or not at all."""
    if all(draft[name] is None for name in _TRAILER):
        return []
    return [
        (name, _("is required for a vehicle that tows a trailer"))
        for name in ("trailer_type", "trailer_permissible_weight_kg")
        if draft[name] is None
    ]


def _licence_class(draft: Mapping[str, Any]) -> LicenceClass | None:
    """The class to store: the one given if it suffices (checked before), else the derived one.

    A class stored earlier that a changed weight or seat count has outgrown is raised to what
    the vehicle now needs, never left weaker.
    """
    if draft["category"] != ItemCategory.vehicle:
        return None
    needed = lifecycle.required_licence_class(
        draft["kind"],
        draft["gross_weight_kg"],
        draft["seats"],
        draft["trailer_permissible_weight_kg"],
    )
    given: LicenceClass | None = draft["licence_class_required"]
    if given is not None and lifecycle.covers(given, needed):
        return given
    return needed


def _reference_errors(
    session: Session, *, donor_id: int | None = None, destination_id: int | None = None
) -> list[tuple[str, str]]:
    errors: list[tuple[str, str]] = []
    if donor_id is not None and session.get(Donor, donor_id) is None:
        errors.append(("donor_id", _("Donor {donor_id} does not exist").format(donor_id=donor_id)))
    if destination_id is not None and session.get(Destination, destination_id) is None:
        errors.append(
            (
                "destination_id",
                _("Destination {destination_id} does not exist").format(
                    destination_id=destination_id
                ),
            )
        )
    return errors


def _check_vin_free(session: Session, vin: str | None, own_id: int | None = None) -> None:
    if vin is None:
        return
    stmt = select(Item).where(Item.vin == vin)
    if own_id is not None:
        stmt = stmt.where(Item.id != own_id)
    other = session.exec(stmt).first()
    if other is not None:
        raise Conflict(
            (
                _("VIN {vin} is already recorded for item {id} ({other}, {value})").format(
                    vin=vin,
                    id=other.id,
                    other=other.name,
                    value=lifecycle.STATUS_LABELS[other.status],
                )
            ),
            field="vin",
        )


def create(session: Session, data: ItemCreate) -> Item:
    """The item and the cargo lines sent with it, or nothing with every reason."""
    draft = data.model_dump(exclude={"cargo"})
    errors = _field_errors(draft, set(data.model_fields_set))
    errors += _reference_errors(session, donor_id=data.donor_id, destination_id=data.destination_id)
    errors += _cargo_errors(draft, data.cargo)
    if errors:
        raise InvalidInput(errors)
    _check_vin_free(session, data.vin)
    item = Item.model_validate({**draft, "licence_class_required": _licence_class(draft)})
    item.status_changed_at = item.created_at
    session.add(item)
    session.flush()
    for line in data.cargo:
        session.add(CargoLine.model_validate({**line.model_dump(), "vehicle_id": item.id}))
    if data.cargo:
        session.flush()
    return item


def _cargo_errors(
    draft: Mapping[str, Any], cargo: Sequence[CargoLineCreate]
) -> list[tuple[str, str]]:
    """Cargo sent with a new item rides only on a vehicle, within its payload."""
    if not cargo:
        return []
    if draft["category"] != ItemCategory.vehicle:
        return [("cargo", _("cargo rides only on a vehicle; this item is equipment"))]
    total = sum(line.weight_kg for line in cargo)
    overload = lifecycle.overload_reason(
        draft["name"], draft["gross_weight_kg"], draft["weight_kg"], total, "cargo"
    )
    return [] if overload is None else [("cargo", overload.message)]


def update(session: Session, item: Item, changes: ItemUpdate) -> Item:
    _refuse_if_closed(item, N_("changed"))
    sent = changes.model_dump(exclude_unset=True)
    draft = {**item.model_dump(), **sent}
    errors = null_errors(Item, sent) or _field_errors(draft, set(sent))
    errors += _reference_errors(session, donor_id=sent.get("donor_id"))
    if errors:
        raise InvalidInput(errors)
    _check_vin_free(session, sent.get("vin"), item.id)
    _check_cargo_still_fits(session, item, draft, set(sent))
    if sent:
        apply_changes(item, changes)
        if "trailer_permissible_weight_kg" in sent and "licence_class_required" not in sent:
            # A trailer hitched or unhitched: the class follows it, and a class raised by hand
            # for a trailer (before trailers were recorded) does not outlive it.
            draft = {**draft, "licence_class_required": None}
        item.licence_class_required = _licence_class(draft)
        session.flush()
        recheck_export(session, item)  # e.g. the registration papers are no longer held
    return item


def _check_cargo_still_fits(
    session: Session, item: Item, draft: Mapping[str, Any], sent: set[str]
) -> None:
    """A new category or weight must leave the loaded cargo on a vehicle that can carry it."""
    weights = [name for name in ("weight_kg", "gross_weight_kg") if name in sent]
    if "category" not in sent and not weights:
        return
    assert item.id is not None
    totals = cargo_totals(session, [item.id])
    if item.id not in totals:
        return
    reasons: list[Reason] = []
    if draft["category"] != ItemCategory.vehicle:
        reasons.append(
            Reason(
                "cargo_needs_vehicle",
                _(
                    "Item {id} carries cargo; unload it before recording the item as equipment"
                ).format(id=item.id),
                "category",
            )
        )
    elif weights:
        overload = lifecycle.overload_reason(
            draft["name"],
            draft["gross_weight_kg"],
            draft["weight_kg"],
            totals[item.id][0],
            weights[0],
        )
        if overload is not None:
            reasons.append(overload)
    if reasons:
        raise RuleViolation(_("Item {id} cannot be changed").format(id=item.id), reasons)


def _refuse_if_closed(item: Item, verb: str) -> None:
    closed = lifecycle.closed_reason(item)
    if closed is not None:
        raise RuleViolation(
            _("Item {id} cannot be {verb}").format(id=item.id, verb=_(verb)), [closed]
        )


# --- Lifecycle actions ----------------------------------------------------------------------


def move(session: Session, item: Item, action: Action, blocking: Sequence[Reason] = ()) -> Item:
    """Apply ``action`` to ``item``, or refuse with every unmet condition and change nothing.

    ``blocking`` are the action's own conditions, checked by the caller; the status rule is
    added here, so no transition skips it.
    """
    reasons = [*lifecycle.status_reasons(action, item.status), *blocking]
    if reasons:
        transition = lifecycle.TRANSITIONS[action]
        raise RuleViolation(
            _("Item {id} ({item}) cannot be {verb}").format(
                id=item.id, item=item.name, verb=transition.verb
            ),
            reasons,
        )
    item.status = lifecycle.TRANSITIONS[action].target
    item.status_changed_at = utcnow()
    touch(item)
    session.flush()
    return item


def accept(session: Session, item: Item) -> Item:
    return move(session, item, Action.accept)


def allocate(session: Session, item: Item, destination_id: int, need_id: int | None) -> Item:
    destination = session.get(Destination, destination_id)
    need = session.get(Need, need_id) if need_id is not None else None
    errors: list[tuple[str, str]] = []
    if destination is None:
        errors.append(
            (
                "destination_id",
                _("Destination {destination_id} does not exist").format(
                    destination_id=destination_id
                ),
            )
        )
    if need_id is not None and need is None:
        errors.append(("need_id", _("Need {need_id} does not exist").format(need_id=need_id)))
    if errors:
        raise InvalidInput(errors)
    assert destination is not None
    reasons: list[Reason] = []
    if need is not None:
        need_destination = session.get(Destination, need.destination_id)
        assert need_destination is not None  # foreign key
        reasons = lifecycle.need_reasons(item, destination, need, need_destination)
    move(session, item, Action.allocate, reasons)
    item.destination_id = destination_id
    item.need_id = need_id
    session.flush()
    return item


def certificate_reasons(session: Session, item: Item, on: date) -> list[Reason]:
    """Whether a usage certificate valid ``on`` covers the item for its destination."""
    if item.destination_id is None or item.id is None:
        return lifecycle.certificate_reasons(item, None, False, on)
    destination = session.get(Destination, item.destination_id)
    valid = certificates.valid_certificates_for(session, item.id, item.destination_id, on)
    return lifecycle.certificate_reasons(item, destination, bool(valid), on)


def certify(session: Session, item: Item) -> Item:
    reasons = certificate_reasons(session, item, today_at(EXPORT_TIMEZONE))
    return move(session, item, Action.certify, reasons)


def mark_export_ready(
    session: Session,
    item: Item,
    plates_valid_until: date | None,
    trip_starts_on: date | None = None,
) -> Item:
    """Export-ready for the trip from ``trip_starts_on`` (when known) to ``plates_valid_until``.

    A clerk prepares months ahead: plates valid from a future day are fine as long as they
    cover the trip; the trip is remembered, so a later change to the export data is checked
    against it again (``recheck_export``)."""
    on = today_at(EXPORT_TIMEZONE)
    if item.category == ItemCategory.vehicle and plates_valid_until is None:
        raise InvalidInput(
            [("plates_valid_until", _("is required for a vehicle: the last day of the trip"))]
        )
    if plates_valid_until is not None and plates_valid_until < on:
        raise InvalidInput(
            [
                (
                    "plates_valid_until",
                    _("{plates_valid_until} is in the past; give the trip's end").format(
                        plates_valid_until=plates_valid_until
                    ),
                )
            ]
        )
    if trip_starts_on and plates_valid_until and trip_starts_on > plates_valid_until:
        raise InvalidInput([("trip_starts_on", _("is after plates_valid_until"))])
    start = max(trip_starts_on or on, on)
    reasons = [
        *certificate_reasons(session, item, start),
        *lifecycle.export_reasons(
            item, _record(session, item), plates_valid_until or start, trip_starts_on
        ),
    ]
    move(session, item, Action.mark_export_ready, reasons)
    item.plates_needed_from_on = trip_starts_on
    item.plates_needed_until_on = plates_valid_until
    item.status_reason = None
    session.flush()
    return item


def _record(session: Session, item: Item) -> ExportRecord | None:
    assert item.id is not None
    return exports.record_for_item(session, item.id)


def recheck_export(session: Session, item: Item) -> list[Reason]:
    """After its export data changed, an export-ready item that no longer meets the trip it
    was marked for goes back to certified, and says why; readiness then shows it."""
    if item.status != ItemStatus.export_ready:
        return []
    until = item.plates_needed_until_on or today_at(EXPORT_TIMEZONE)
    reasons = lifecycle.export_reasons(
        item, _record(session, item), until, item.plates_needed_from_on
    )
    if reasons:
        move(session, item, Action.export_data_lapsed)
        why = "; ".join(r.message for r in reasons)
        item.status_reason = _("export data changed: {why}").format(why=why)[:1000]
        session.flush()
    return reasons


def each(
    session: Session,
    item_ids: Sequence[int],
    act: Callable[[Item, int], object],
    *,
    field: str = "item_ids",
    id_field: str | None = None,
    verb: str = N_("changed"),
) -> list[Item]:
    """``act`` on every listed item in one transaction: all of them, or a refusal with every
    reason of every item, each naming its place in the list (``item_ids.2.status``) and the
    item. ``act`` gets the item and its position; nothing is kept on refusal, because the
    request's transaction is rolled back (app.core.database.get_session)."""
    done: list[Item] = []
    errors: list[tuple[str, str]] = []
    reasons: list[Reason] = []
    seen: set[int] = set()
    for n, item_id in enumerate(item_ids):
        where = f"{field}.{n}"
        named = f"{where}.{id_field}" if id_field else where
        item = session.get(Item, item_id)
        if item_id in seen:
            errors.append((named, _("item {id} is listed twice").format(id=item_id)))
            continue
        seen.add(item_id)
        if item is None:
            errors.append((named, _("Item {id} does not exist").format(id=item_id)))
            continue
        try:
            act(item, n)
        except InvalidInput as exc:
            errors += [(f"{where}.{name}", message) for name, message in exc.errors]
        except RuleViolation as exc:
            for reason in exc.reasons:
                reason.message = _("Item {id} ({item}): {reason}").format(
                    id=item_id, item=item.name, reason=reason.message
                )
                reason.field = f"{where}.{reason.field}" if reason.field else where
                reason.item_id = reason.item_id or item_id
                reasons.append(reason)
        except Conflict as exc:
            name = f"{where}.{exc.field}" if exc.field else where
            reasons.append(Reason("conflict", exc.message, name, item_id=item_id))
        else:
            done.append(item)
    if errors:
        raise InvalidInput(errors)
    if reasons:
        refused = len({r.item_id for r in reasons})
        raise RuleViolation(
            _("{count} of {total} item(s) cannot be {verb}; none was").format(
                count=refused, total=len(item_ids), verb=_(verb)
            ),
            reasons,
        )
    return done


def accept_all(session: Session, item_ids: Sequence[int]) -> list[Item]:
    return each(session, item_ids, lambda item, _n: accept(session, item), verb=N_("accepted"))


def allocate_all(session: Session, data: AllocateItems) -> list[Item]:
    wanted = data.items
    return each(
        session,
        [a.item_id for a in wanted],
        lambda item, n: allocate(session, item, wanted[n].destination_id, wanted[n].need_id),
        field="items",
        id_field="item_id",
        verb=N_("allocated"),
    )


def certify_all(session: Session, item_ids: Sequence[int]) -> list[Item]:
    return each(session, item_ids, lambda item, _n: certify(session, item), verb=N_("certified"))


def mark_all_export_ready(session: Session, data: ExportReadyItems) -> list[Item]:
    """Several items export-ready for the same trip (``mark_export_ready``)."""
    return each(
        session,
        data.item_ids,
        lambda item, _n: mark_export_ready(
            session, item, data.plates_valid_until, data.trip_starts_on
        ),
        verb=N_("marked export-ready"),
    )


def record_export_data(session: Session, data: ExportRecordsCreate) -> list[ExportRecord]:
    """The export records of several items: all of them, or none with every reason."""
    made: list[ExportRecord] = []
    each(
        session,
        [r.item_id for r in data.records],
        lambda _item, n: made.append(exports.create(session, data.records[n])),
        field="records",
        id_field="item_id",
        verb=N_("given export data"),
    )
    return made


def withdraw(session: Session, item: Item, reason: str) -> Item:
    move(session, item, Action.withdraw)
    # need_id stays as the record of what the item was meant for; the needs domain no longer
    # counts a withdrawn item as meeting it.
    item.withdrawn_reason = reason
    session.flush()
    return item


# --- Cargo ---------------------------------------------------------------------------------


def get_cargo_line(session: Session, cargo_id: int) -> CargoLine:
    return get_or_404(session, CargoLine, cargo_id, N_("Cargo line"))


def read_cargo_line(line: CargoLine) -> CargoLineRead:
    return CargoLineRead.model_validate(line)


def _vehicle_of(session: Session, line: CargoLine) -> Item:
    vehicle = session.get(Item, line.vehicle_id)
    assert vehicle is not None  # foreign key
    return vehicle


def _cargo_weight(session: Session, vehicle_id: int, without: int | None = None) -> int:
    stmt = select(func.coalesce(func.sum(CargoLine.weight_kg), 0)).where(
        CargoLine.vehicle_id == vehicle_id
    )
    if without is not None:
        stmt = stmt.where(CargoLine.id != without)
    return int(session.exec(stmt).one())


def _check_load(session: Session, vehicle: Item, weight_kg: int, line_id: int | None) -> None:
    assert vehicle.id is not None
    reasons = lifecycle.cargo_carrier_reasons(vehicle)
    if not reasons:
        total = _cargo_weight(session, vehicle.id, without=line_id) + weight_kg
        overload = lifecycle.overload_reason(
            vehicle.name, vehicle.gross_weight_kg, vehicle.weight_kg, total, "weight_kg"
        )
        if overload is not None:
            reasons.append(overload)
    if reasons:
        raise RuleViolation(
            _("Cargo cannot be loaded onto item {id}").format(id=vehicle.id), reasons
        )


def add_cargo_line(session: Session, vehicle: Item, data: CargoLineCreate) -> CargoLine:
    _check_load(session, vehicle, data.weight_kg, None)
    line = CargoLine.model_validate({**data.model_dump(), "vehicle_id": vehicle.id})
    session.add(line)
    session.flush()
    return line


def update_cargo_line(session: Session, line: CargoLine, changes: CargoLineUpdate) -> CargoLine:
    sent = changes.model_dump(exclude_unset=True)
    errors = null_errors(CargoLine, sent)
    if errors:
        raise InvalidInput(errors)
    _check_load(session, _vehicle_of(session, line), sent.get("weight_kg", line.weight_kg), line.id)
    apply_changes(line, changes)
    session.flush()
    return line


def delete_cargo_line(session: Session, line: CargoLine) -> None:
    _refuse_if_closed(_vehicle_of(session, line), N_("unloaded"))
    session.delete(line)
    session.flush()


def search_cargo(
    session: Session,
    vehicle: Item,
    *,
    q: str | None,
    category: CargoCategory | None,
    sort: str,
    cursor: str | None,
    limit: int,
) -> tuple[Sequence[CargoLine], str | None]:
    stmt = select(CargoLine).where(CargoLine.vehicle_id == vehicle.id)
    if q:
        stmt = stmt.where(func.lower(CargoLine.description).like(like(q), escape="\\"))
    if category:
        stmt = stmt.where(CargoLine.category == category)
    return keyset_page(
        session,
        stmt,
        id_column=col(CargoLine.id),
        sort=sort,
        sortable=CARGO_SORTABLE,
        cursor=cursor,
        limit=limit,
    )
