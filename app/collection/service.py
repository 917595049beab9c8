"""The collection point's rules: stock never below zero, stock promised once, every change a
movement, pallets that become cargo on a convoy's papers.

Stock lines are changed under their row lock (SELECT ... FOR UPDATE on PostgreSQL; SQLite
takes its write lock at BEGIN), so two coordinators reserving the same jackets are served one
after the other and the second sees what the first left. The CHECK constraints on the table
hold the same rule should anything write around this module.
"""

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Insert, Table, bindparam, func
from sqlalchemy import insert as insert_rows
from sqlalchemy import select as select_rows
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from app.audit import recording
from app.collection.catalogue import CATALOGUE, goods_name
from app.collection.models import (
    CollectionPoint,
    Gender,
    MovementKind,
    Pallet,
    PalletLine,
    PalletStatus,
    Priority,
    Reservation,
    Season,
    StockCategory,
    StockLine,
    StockMovement,
    StockUnit,
    StoragePlace,
)
from app.collection.schemas import (
    CategoryRead,
    CollectionPointCreate,
    CollectionPointUpdate,
    IntakeCreate,
    NeedMatch,
    PalletCreate,
    PalletHandover,
    PalletLineRead,
    PalletLoad,
    PalletPack,
    PalletRead,
    PalletUpdate,
    ReservationCreate,
    StockCount,
    StockFit,
    StockLineRead,
    StockMove,
    StockWriteOff,
    StoragePlaceCreate,
    StoragePlaceRead,
    SubcategoryRead,
)
from app.convoys.models import Convoy, ConvoyItem, ConvoyStatus
from app.core.context import acting
from app.core.errors import Conflict, InvalidInput, Reason, RuleViolation
from app.core.i18n import N_, _
from app.core.pagination import keyset_page
from app.core.service import apply_changes, flush_or_conflict, get_or_404, touch
from app.core.types import utcnow
from app.donors.models import Donor
from app.items import service as items
from app.items.models import CargoCategory, Item, ItemCategory, ItemKind, Packing
from app.items.schemas import CargoLineCreate
from app.needs.models import Need

# --- collection points and places ----------------------------------------------------------


def get_point(session: Session, point_id: int) -> CollectionPoint:
    return get_or_404(session, CollectionPoint, point_id, N_("Collection point"))


def create_point(session: Session, data: CollectionPointCreate) -> CollectionPoint:
    point = CollectionPoint.model_validate(data)
    session.add(point)
    session.flush()
    return point


def update_point(
    session: Session, point: CollectionPoint, changes: CollectionPointUpdate
) -> CollectionPoint:
    apply_changes(point, changes)
    session.flush()
    return point


def search_points(
    session: Session, *, cursor: str | None, limit: int, visible: ColumnElement[bool]
) -> tuple[Sequence[CollectionPoint], str | None]:
    return keyset_page(
        session,
        select(CollectionPoint).where(visible),
        id_column=col(CollectionPoint.id),
        sort="name",
        sortable={"name": col(CollectionPoint.name), "id": col(CollectionPoint.id)},
        cursor=cursor,
        limit=limit,
    )


def place_label(place: StoragePlace) -> str:
    return "-".join(part for part in (place.zone, place.row, place.shelf) if part)


def read_place(place: StoragePlace) -> StoragePlaceRead:
    return StoragePlaceRead.model_validate({**place.model_dump(), "label": place_label(place)})


def places_of(session: Session, point_id: int) -> list[StoragePlace]:
    return list(
        session.exec(
            select(StoragePlace)
            .where(StoragePlace.collection_point_id == point_id)
            .order_by(col(StoragePlace.zone), col(StoragePlace.row), col(StoragePlace.shelf))
        ).all()
    )


def create_place(
    session: Session, point: CollectionPoint, data: StoragePlaceCreate
) -> StoragePlace:
    place = StoragePlace.model_validate({**data.model_dump(), "collection_point_id": point.id})
    session.add(place)
    flush_or_conflict(
        session,
        _("place {label} already exists in this hall").format(label=place_label(place)),
        "zone",
    )
    return place


def _place_in(session: Session, point_id: int, place_id: int, field: str) -> StoragePlace:
    place = session.get(StoragePlace, place_id)
    if place is None or place.collection_point_id != point_id:
        raise InvalidInput(
            [(field, _("place {place_id} is not in this hall").format(place_id=place_id))]
        )
    return place


# --- the catalogue -------------------------------------------------------------------------


def catalogue(language: str) -> list[CategoryRead]:
    return [
        CategoryRead(
            category=entry.category,
            name=entry.name(language),
            name_de=entry.de,
            name_uk=entry.uk,
            subcategories=[
                SubcategoryRead(code=s.code, name=s.name(language), name_de=s.de, name_uk=s.uk)
                for s in entry.subcategories
            ],
            gender=entry.gender,
            size=entry.size,
            season=entry.season,
            best_before=entry.best_before,
            batch_and_expiry=entry.batch_and_expiry,
            default_unit=StockUnit(entry.default_unit),
        )
        for entry in CATALOGUE.values()
    ]


def catalogue_errors(data: IntakeCreate) -> list[tuple[str, str]]:
    entry = CATALOGUE[data.category]
    errors: list[tuple[str, str]] = []
    if entry.subcategory(data.subcategory) is None:
        codes = ", ".join(s.code for s in entry.subcategories)
        errors.append(
            (
                "subcategory",
                _("{subcategory} is not in the catalogue's {category}; one of {codes}").format(
                    subcategory=data.subcategory, category=entry.en, codes=codes
                ),
            )
        )
    if entry.best_before and data.best_before_on is None:
        errors.append(("best_before_on", _("food is recorded with its best-before date")))
    if entry.batch_and_expiry and data.batch is None:
        errors.append(("batch", _("medical supplies are recorded with their batch")))
    if entry.batch_and_expiry and data.expires_on is None:
        errors.append(("expires_on", _("medical supplies are recorded with their expiry date")))
    return errors


# --- stock ---------------------------------------------------------------------------------


def get_line(session: Session, line_id: int) -> StockLine:
    return get_or_404(session, StockLine, line_id, N_("Stock line"))


def read_line(line: StockLine) -> StockLineRead:
    return StockLineRead.model_validate({**line.model_dump(), "available": line.available})


def _record(
    session: Session, line: StockLine, kind: MovementKind, quantity: int, **facts: object
) -> StockMovement:
    actor = acting(session)
    assert line.id is not None
    movement = StockMovement(
        stock_line_id=line.id,
        collection_point_id=line.collection_point_id,
        kind=kind,
        quantity=quantity,
        user_id=actor.user_id,
        user_name=actor.full_name or actor.username,
        **facts,  # type: ignore[arg-type]
    )
    session.add(movement)
    return movement


def _earlier_intake(session: Session, client_key: str | None) -> StockLine | None:
    if client_key is None:
        return None
    return session.exec(
        select(StockLine).where(
            StockLine.recorded_by_user_id == acting(session).user_id,
            StockLine.client_key == client_key,
        )
    ).first()


LINES = StockLine.metadata.tables["stock_line"]
MOVEMENTS = StockMovement.metadata.tables["stock_movement"]


def _new_line(
    dialect_insert: Callable[[Table], postgresql.Insert | sqlite.Insert],
) -> Insert:
    """A new line, written only if its place is in the hall and its client key is new to the
    account: INSERT ... SELECT from the place, ON CONFLICT on (account, client key) DO NOTHING.
    One statement for three rules, with no read before it and no savepoint around it."""
    place = StoragePlace.metadata.tables["storage_place"]
    values = {c.name: bindparam(c.name, type_=c.type) for c in LINES.columns if c.name != "id"}
    from_place = select_rows(*values.values()).where(
        place.c.id == values["place_id"],
        place.c.collection_point_id == values["collection_point_id"],
    )
    return (
        dialect_insert(LINES)
        .from_select(list(values), from_place)
        .on_conflict_do_nothing(index_elements=["recorded_by_user_id", "client_key"])
    )


def _line_and_intake() -> Insert:
    """PostgreSQL writes the line and its intake movement in one statement (a data-modifying
    WITH, which SQLite lacks): the movement is selected from the line just written, so
    nothing is written when the line is not; returns (line id, movement id)."""
    line = _new_line(postgresql_insert).returning(
        LINES.c.id,
        LINES.c.collection_point_id,
        LINES.c.quantity,
        LINES.c.place_id,
        LINES.c.recorded_by_user_id,
        LINES.c.created_at,
    )
    new = line.cte("new_line")
    columns = ["stock_line_id", "collection_point_id", "kind", "quantity", "to_place_id"]
    columns += ["user_id", "user_name", "recorded_at"]
    from_line = select_rows(
        new.c.id,
        new.c.collection_point_id,
        bindparam("kind", type_=MOVEMENTS.c.kind.type),
        new.c.quantity,
        new.c.place_id,
        new.c.recorded_by_user_id,
        bindparam("user_name", type_=MOVEMENTS.c.user_name.type),
        new.c.created_at,
    )
    return (
        insert_rows(MOVEMENTS)
        .add_cte(new)
        .from_select(columns, from_line)
        .returning(MOVEMENTS.c.stock_line_id, MOVEMENTS.c.id)
    )


# Built once, like any query written in the code; what they write is chosen per request.
NEW_LINE = _new_line(sqlite_insert).returning(LINES.c.id)
NEW_MOVEMENT = insert_rows(MOVEMENTS).returning(MOVEMENTS.c.id)
LINE_AND_INTAKE = _line_and_intake()


def record_intake(
    session: Session, point_id: int, data: IntakeCreate
) -> tuple[StockLineRead, bool]:
    """Record one sorted line; (the line, whether it is new). A line sent again under the
    same client key by the same account (a double tap, a retry) is the first one.

    The line and its intake movement are written by statements (one on PostgreSQL, two on
    SQLite) and their audit entries by one more, the same entries a flush writes
    (``recording.record_created``): building two ORM objects and flushing them cost more than
    the rest of the request. The place is checked by the INSERT itself (it selects from the
    hall's place), the client key by the unique index; only when no row was written is
    anything read, to say why."""
    errors = catalogue_errors(data)
    if data.donor_id is not None and session.get(Donor, data.donor_id) is None:
        errors.append(
            ("donor_id", _("donor {donor_id} does not exist").format(donor_id=data.donor_id))
        )
    if errors:
        earlier = _earlier_intake(session, data.client_key)
        if earlier is not None:
            return read_line(earlier), False
        raise InvalidInput(errors)
    actor = acting(session)
    now = utcnow()
    line = data.model_dump()
    line.update(
        unit=data.unit or StockUnit(CATALOGUE[data.category].default_unit),
        collection_point_id=point_id,
        reserved=0,
        recorded_by_user_id=actor.user_id,
        created_at=now,
        updated_at=now,
        version=1,
    )
    intake = {
        "collection_point_id": point_id,
        "kind": MovementKind.intake,
        "quantity": data.quantity,
        "from_place_id": None,
        "to_place_id": data.place_id,
        "need_id": None,
        "pallet_id": None,
        "reason": None,
        "counted": None,
        "difference": None,
        "user_id": actor.user_id,
        "user_name": actor.full_name or actor.username,
        "recorded_at": now,
    }
    session.flush()  # rows the session still holds go first (the place, in a loader)
    connection = session.connection()
    line_id: int | None = None
    intake_id: int | None = None
    if connection.dialect.name == "postgresql":
        written = connection.execute(LINE_AND_INTAKE, {**line, **intake}).first()
        line_id, intake_id = (None, None) if written is None else written
    else:
        line_id = connection.execute(NEW_LINE, line).scalar()
        if line_id is not None:
            intake_id = connection.execute(
                NEW_MOVEMENT, {**intake, "stock_line_id": line_id}
            ).scalar_one()
    if line_id is None:
        earlier = _earlier_intake(session, data.client_key)
        if earlier is not None:
            return read_line(earlier), False
        get_point(session, point_id)  # a hall that does not exist is a 404
        raise InvalidInput(
            [("place_id", _("place {place_id} is not in this hall").format(place_id=data.place_id))]
        )
    assert intake_id is not None  # written with the line, or not at all
    intake["stock_line_id"] = line_id
    recording.record_created(
        session, [(StockLine, line_id, line), (StockMovement, intake_id, intake)]
    )
    # Every value was validated as IntakeCreate or set here: built, not validated again.
    read = StockLineRead.model_construct(**line, id=line_id, available=data.quantity)
    return read, True


STOCK_SORTS = {
    "created_at": col(StockLine.created_at),
    "id": col(StockLine.id),
}


@dataclass(frozen=True)
class StockFilter:
    collection_point_id: int | None = None
    category: StockCategory | None = None
    subcategory: str | None = None
    size: str | None = None
    season: Season | None = None
    gender: Gender | None = None
    place_id: int | None = None
    priority: Priority | None = None
    available_only: bool = False


def search_stock(
    session: Session,
    wanted: StockFilter,
    *,
    sort: str,
    cursor: str | None,
    limit: int,
    visible: ColumnElement[bool],
) -> tuple[Sequence[StockLine], str | None]:
    stmt = select(StockLine).where(visible)
    if wanted.collection_point_id is not None:
        stmt = stmt.where(StockLine.collection_point_id == wanted.collection_point_id)
    if wanted.category is not None:
        stmt = stmt.where(StockLine.category == wanted.category)
    if wanted.subcategory is not None:
        stmt = stmt.where(StockLine.subcategory == wanted.subcategory)
    if wanted.size is not None:
        stmt = stmt.where(StockLine.size == wanted.size)
    if wanted.season is not None:
        stmt = stmt.where(StockLine.season == wanted.season)
    if wanted.gender is not None:
        stmt = stmt.where(StockLine.gender == wanted.gender)
    if wanted.place_id is not None:
        stmt = stmt.where(StockLine.place_id == wanted.place_id)
    if wanted.priority is not None:
        stmt = stmt.where(StockLine.priority == wanted.priority)
    if wanted.available_only:
        stmt = stmt.where(col(StockLine.quantity) > col(StockLine.reserved))
    return keyset_page(
        session,
        stmt,
        id_column=col(StockLine.id),
        sort=sort,
        sortable=STOCK_SORTS,
        cursor=cursor,
        limit=limit,
    )


def _locked(session: Session, line: StockLine) -> StockLine:
    """The line as stored now, its row locked until the request's transaction ends."""
    session.refresh(line, with_for_update=True)
    return line


def _short(line: StockLine, field: str, refused: str) -> RuleViolation:
    available = line.available
    return RuleViolation(
        refused,
        [
            Reason(
                "not_enough_stock",
                _(
                    "only {available} of {quantity} are at hand and not reserved "
                    "({reserved} reserved); stock never goes below zero"
                ).format(available=available, quantity=line.quantity, reserved=line.reserved),
                field=field,
                context={
                    "available": available,
                    "quantity": line.quantity,
                    "reserved": line.reserved,
                },
            )
        ],
    )


def move(session: Session, line: StockLine, data: StockMove) -> StockLine:
    """Put goods elsewhere in the same hall: the whole line, or part of it as a new line."""
    _locked(session, line)
    target = _place_in(session, line.collection_point_id, data.to_place_id, "to_place_id")
    quantity = data.quantity if data.quantity is not None else line.available
    if quantity > line.available or quantity <= 0:
        raise _short(
            line,
            "quantity",
            _("{wanted} cannot be moved from stock line {id}").format(wanted=quantity, id=line.id),
        )
    from_place = line.place_id
    if quantity == line.quantity:
        line.place_id = target.id or 0
        touch(line)
        moved = line
    else:
        line.quantity -= quantity
        touch(line)
        moved = StockLine.model_validate(
            {
                **line.model_dump(
                    exclude={"id", "created_at", "updated_at", "version", "client_key"}
                ),
                "quantity": quantity,
                "reserved": 0,
                "place_id": target.id,
            }
        )
        session.add(moved)
    session.flush()
    _record(
        session, moved, MovementKind.move, quantity, from_place_id=from_place, to_place_id=target.id
    )
    session.flush()
    return moved


def write_off(session: Session, line: StockLine, data: StockWriteOff) -> StockLine:
    _locked(session, line)
    if data.quantity > line.available:
        raise _short(
            line,
            "quantity",
            _("{wanted} cannot be written off stock line {id}").format(
                wanted=data.quantity, id=line.id
            ),
        )
    line.quantity -= data.quantity
    touch(line)
    _record(
        session,
        line,
        MovementKind.write_off,
        data.quantity,
        reason=data.reason,
        from_place_id=line.place_id,
    )
    session.flush()
    return line


def count(session: Session, line: StockLine, data: StockCount) -> StockLine:
    """Stocktaking: the shelf's count replaces the books', the difference is kept."""
    _locked(session, line)
    if data.counted < line.reserved:
        raise RuleViolation(
            _("stock line {id} cannot be counted as {counted}").format(
                id=line.id, counted=data.counted
            ),
            [
                Reason(
                    "reserved_above_count",
                    _(
                        "{reserved} are reserved for needs; release reservations before "
                        "counting fewer"
                    ).format(reserved=line.reserved),
                    field="counted",
                )
            ],
        )
    difference = data.counted - line.quantity
    line.quantity = data.counted
    touch(line)
    _record(
        session,
        line,
        MovementKind.stocktake,
        abs(difference),
        counted=data.counted,
        difference=difference,
        reason=data.note,
        from_place_id=line.place_id,
    )
    session.flush()
    return line


def movements(
    session: Session,
    *,
    stock_line_id: int | None,
    collection_point_id: int | None,
    cursor: str | None,
    limit: int,
    visible: ColumnElement[bool],
) -> tuple[Sequence[StockMovement], str | None]:
    stmt = select(StockMovement).where(visible)
    if stock_line_id is not None:
        stmt = stmt.where(StockMovement.stock_line_id == stock_line_id)
    if collection_point_id is not None:
        stmt = stmt.where(StockMovement.collection_point_id == collection_point_id)
    return keyset_page(
        session,
        stmt,
        id_column=col(StockMovement.id),
        sort="id",
        sortable={"id": col(StockMovement.id)},
        cursor=cursor,
        limit=limit,
    )


# --- needs met from stock --------------------------------------------------------------------


def _goods_need(session: Session, need_id: int, field: str = "need_id") -> Need:
    need = session.get(Need, need_id)
    if need is None:
        raise InvalidInput([(field, _("need {need_id} does not exist").format(need_id=need_id))])
    if need.item_kind != ItemKind.goods or need.goods_category is None:
        raise InvalidInput(
            [(field, _("need {need_id} is not for sorted goods").format(need_id=need_id))]
        )
    return need


def reserved_for(session: Session, need_ids: Sequence[int]) -> dict[int, int]:
    """What is reserved for each need (packed included), for many needs in one query."""
    if not need_ids:
        return {}
    rows = session.exec(
        select(Reservation.need_id, func.coalesce(func.sum(Reservation.quantity), 0))
        .where(col(Reservation.need_id).in_(need_ids), col(Reservation.released).is_(False))
        .group_by(col(Reservation.need_id))
    ).all()
    return {need_id: int(total) for need_id, total in rows}


def fits(need: Need, line_key: tuple[str, Gender | None, str | None, Season | None]) -> bool:
    """Whether sorted goods (subcategory, gender, size, season) meet what a need asks for: a
    need that leaves a field open takes any; unisex fits any gender; all-year fits any
    season."""
    subcategory, gender, size, season = line_key
    if need.goods_subcategory and subcategory != need.goods_subcategory:
        return False
    if need.gender and gender not in (need.gender, Gender.unisex):
        return False
    if need.size and (size or "").casefold() != need.size.casefold():
        return False
    return not (need.season and season not in (need.season, Season.all_year))


def matching(
    session: Session, collection_point_id: int | None = None, *, include_met: bool = False
) -> list[NeedMatch]:
    """For each open need for sorted goods, the stock that fits it and how much (with
    ``include_met``, also the needs whose goods are all reserved, still to be packed).

    Two queries whatever the size of the stock: the open needs, and the stock at hand summed
    by how it is sorted (a few hundred groups, not tens of thousands of lines).
    """
    needs = list(
        session.exec(
            select(Need)
            .where(
                Need.item_kind == ItemKind.goods,
                col(Need.goods_category).is_not(None),
                col(Need.cancelled).is_(False),
            )
            .order_by(col(Need.priority), col(Need.requested_on), col(Need.id))
        ).all()
    )
    reserved = reserved_for(session, [n.id for n in needs if n.id is not None])
    stock = select_rows(
        col(StockLine.collection_point_id),
        col(StockLine.category),
        col(StockLine.subcategory),
        col(StockLine.gender),
        col(StockLine.size),
        col(StockLine.season),
        func.sum(col(StockLine.quantity) - col(StockLine.reserved)),
    ).where(
        col(StockLine.quantity) > col(StockLine.reserved),
        col(StockLine.priority) != Priority.not_usable,
    )
    if collection_point_id is not None:
        stock = stock.where(col(StockLine.collection_point_id) == collection_point_id)
    stock = stock.group_by(
        col(StockLine.collection_point_id),
        col(StockLine.category),
        col(StockLine.subcategory),
        col(StockLine.gender),
        col(StockLine.size),
        col(StockLine.season),
    )
    by_category: dict[StockCategory, list[StockFit]] = defaultdict(list)
    for point_id, category, subcategory, gender, size, season, available in session.execute(stock):
        by_category[StockCategory(category)].append(
            StockFit(
                collection_point_id=point_id,
                subcategory=subcategory,
                gender=gender,
                size=size,
                season=season,
                available=int(available),
            )
        )
    matches: list[NeedMatch] = []
    for need in needs:
        assert need.id is not None and need.goods_category is not None
        held = reserved.get(need.id, 0)
        open_quantity = max(need.quantity - held, 0)
        if open_quantity == 0 and not include_met:
            continue
        fitting = [
            fit
            for fit in by_category.get(need.goods_category, [])
            if fits(need, (fit.subcategory, fit.gender, fit.size, fit.season))
        ]
        available = sum(fit.available for fit in fitting)
        matches.append(
            NeedMatch(
                need_id=need.id,
                destination_id=need.destination_id,
                description=need.description,
                priority=need.priority,
                category=need.goods_category,
                subcategory=need.goods_subcategory,
                quantity=need.quantity,
                reserved=held,
                open_quantity=open_quantity,
                available=available,
                can_reserve=min(available, open_quantity),
                fits=sorted(fitting, key=lambda f: -f.available),
            )
        )
    return matches


def fitting_lines(session: Session, need: Need, collection_point_id: int) -> list[StockLine]:
    """The stock lines of one hall that could be reserved for a need, fullest first."""
    assert need.goods_category is not None
    lines = session.exec(
        select(StockLine)
        .where(
            StockLine.collection_point_id == collection_point_id,
            StockLine.category == need.goods_category,
            col(StockLine.quantity) > col(StockLine.reserved),
            StockLine.priority != Priority.not_usable,
        )
        .order_by(col(StockLine.id))
    ).all()
    fitting = [
        line
        for line in lines
        if fits(need, (line.subcategory, line.gender, line.size, line.season))
    ]
    return sorted(fitting, key=lambda line: -line.available)


def get_reservation(session: Session, reservation_id: int) -> Reservation:
    return get_or_404(session, Reservation, reservation_id, N_("Reservation"))


def reserve(session: Session, data: ReservationCreate) -> Reservation:
    """Promise stock to a need. The need's and the line's rows are locked in that order, so
    two coordinators promising the same jackets (or more than the need asks) wait for each
    other and the second is told what is left."""
    need = _goods_need(session, data.need_id)
    session.refresh(need, with_for_update=True)
    if need.cancelled:
        raise InvalidInput([("need_id", _("need {id} is cancelled").format(id=need.id))])
    line = session.get(StockLine, data.stock_line_id)
    if line is None:
        raise InvalidInput(
            [
                (
                    "stock_line_id",
                    _("stock line {id} does not exist").format(id=data.stock_line_id),
                )
            ]
        )
    _locked(session, line)
    assert need.id is not None and line.id is not None
    if line.category != need.goods_category or not fits(
        need, (line.subcategory, line.gender, line.size, line.season)
    ):
        raise InvalidInput(
            [
                (
                    "stock_line_id",
                    _("stock line {id} does not fit need {need_id}").format(
                        id=line.id, need_id=need.id
                    ),
                )
            ]
        )
    open_quantity = need.quantity - reserved_for(session, [need.id]).get(need.id, 0)
    if data.quantity > open_quantity:
        raise RuleViolation(
            _("need {id} cannot take {quantity} more").format(id=need.id, quantity=data.quantity),
            [
                Reason(
                    "more_than_needed",
                    _("only {open} are still open for this need").format(open=open_quantity),
                    field="quantity",
                    context={"open_quantity": open_quantity},
                )
            ],
        )
    if data.quantity > line.available:
        raise _short(
            line,
            "quantity",
            _("{wanted} cannot be reserved from stock line {id}").format(
                wanted=data.quantity, id=line.id
            ),
        )
    line.reserved += data.quantity
    touch(line)
    reservation = Reservation(stock_line_id=line.id, need_id=need.id, quantity=data.quantity)
    session.add(reservation)
    _record(session, line, MovementKind.reserve, data.quantity, need_id=need.id)
    session.flush()
    return reservation


def reserve_fullest(session: Session, need_id: int, collection_point_id: int) -> list[Reservation]:
    """Reserve what a need still lacks from one hall's fitting lines, fullest first: one tap
    for the coordinator instead of one per line. Each line is reserved under the same locks
    as a single reservation, so a line another coordinator took meanwhile is skipped."""
    need = _goods_need(session, need_id)
    assert need.id is not None
    made: list[Reservation] = []
    for line in fitting_lines(session, need, collection_point_id):
        open_quantity = need.quantity - reserved_for(session, [need.id]).get(need.id, 0)
        if open_quantity <= 0:
            break
        _locked(session, line)
        take = min(line.available, open_quantity)
        if take <= 0:
            continue
        made.append(
            reserve(
                session,
                ReservationCreate(need_id=need.id, stock_line_id=line.id or 0, quantity=take),
            )
        )
    return made


def release(session: Session, reservation: Reservation) -> Reservation:
    """Give back what is reserved and not yet packed."""
    if reservation.released:
        raise Conflict(_("reservation {id} is already released").format(id=reservation.id))
    line = _locked(session, get_line(session, reservation.stock_line_id))
    unpacked = reservation.quantity - reservation.packed
    line.reserved -= unpacked
    touch(line)
    reservation.quantity = reservation.packed
    reservation.released = True
    touch(reservation)
    _record(session, line, MovementKind.release, unpacked, need_id=reservation.need_id)
    session.flush()
    return reservation


def reservations(
    session: Session,
    *,
    need_id: int | None,
    collection_point_id: int | None,
    stock_line_id: int | None = None,
) -> list[Reservation]:
    stmt = select(Reservation).where(col(Reservation.released).is_(False))
    if need_id is not None:
        stmt = stmt.where(Reservation.need_id == need_id)
    if stock_line_id is not None:
        stmt = stmt.where(Reservation.stock_line_id == stock_line_id)
    if collection_point_id is not None:
        stmt = stmt.join(StockLine, col(StockLine.id) == col(Reservation.stock_line_id)).where(
            StockLine.collection_point_id == collection_point_id
        )
    return list(session.exec(stmt.order_by(col(Reservation.id))).all())


# --- pallets -------------------------------------------------------------------------------


def get_pallet(session: Session, pallet_id: int) -> Pallet:
    return get_or_404(session, Pallet, pallet_id, N_("Pallet"))


def create_pallet(session: Session, data: PalletCreate) -> Pallet:
    point = session.get(CollectionPoint, data.collection_point_id)
    if point is None:
        raise InvalidInput(
            [
                (
                    "collection_point_id",
                    _("collection point {id} does not exist").format(id=data.collection_point_id),
                )
            ]
        )
    if data.need_id is not None:
        _goods_need(session, data.need_id)
    session.refresh(point, with_for_update=True)  # numbers are handed out one at a time
    count_so_far = session.exec(
        select(func.count(col(Pallet.id))).where(Pallet.collection_point_id == point.id)
    ).one()
    pallet = Pallet.model_validate(
        {**data.model_dump(), "number": f"{point.pallet_prefix}-{count_so_far + 1:04d}"}
    )
    session.add(pallet)
    flush_or_conflict(session, _("pallet number {n} is taken").format(n=pallet.number), "number")
    return pallet


def _open(pallet: Pallet) -> None:
    if pallet.status != PalletStatus.open:
        raise RuleViolation(
            _("pallet {number} cannot change").format(number=pallet.number),
            [
                Reason(
                    "pallet_closed",
                    _("pallet {number} has left the hall").format(number=pallet.number),
                )
            ],
        )


def update_pallet(session: Session, pallet: Pallet, changes: PalletUpdate) -> Pallet:
    _open(pallet)
    apply_changes(pallet, changes)
    session.flush()
    return pallet


def pack(session: Session, pallet: Pallet, data: PalletPack) -> PalletLine:
    """Pack reserved goods onto a pallet: they leave the shelf and the reservation."""
    _open(pallet)
    reservation = session.get(Reservation, data.reservation_id)
    if reservation is None or reservation.released:
        raise InvalidInput(
            [
                (
                    "reservation_id",
                    _("reservation {id} does not exist").format(id=data.reservation_id),
                )
            ]
        )
    session.refresh(reservation, with_for_update=True)
    line = _locked(session, get_line(session, reservation.stock_line_id))
    if line.collection_point_id != pallet.collection_point_id:
        raise InvalidInput([("reservation_id", _("the reserved goods are in another hall"))])
    if pallet.need_id is not None and reservation.need_id != pallet.need_id:
        raise InvalidInput(
            [
                (
                    "reservation_id",
                    _("pallet {number} is packed for need {need_id}").format(
                        number=pallet.number, need_id=pallet.need_id
                    ),
                )
            ]
        )
    unpacked = reservation.quantity - reservation.packed
    quantity = data.quantity if data.quantity is not None else unpacked
    if quantity > unpacked or quantity <= 0:
        raise RuleViolation(
            _("reservation {id} cannot pack {quantity}").format(
                id=reservation.id, quantity=quantity
            ),
            [
                Reason(
                    "more_than_reserved",
                    _("only {unpacked} reserved are not yet packed").format(unpacked=unpacked),
                    field="quantity",
                )
            ],
        )
    assert pallet.id is not None and reservation.id is not None and line.id is not None
    line.quantity -= quantity
    line.reserved -= quantity
    touch(line)
    reservation.packed += quantity
    touch(reservation)
    if pallet.need_id is None:
        pallet.need_id = reservation.need_id
    touch(pallet)
    packed = PalletLine(
        pallet_id=pallet.id, reservation_id=reservation.id, stock_line_id=line.id, quantity=quantity
    )
    session.add(packed)
    _record(
        session,
        line,
        MovementKind.pack,
        quantity,
        need_id=reservation.need_id,
        pallet_id=pallet.id,
        from_place_id=line.place_id,
    )
    session.flush()
    return packed


def pack_all(session: Session, pallet: Pallet) -> list[PalletLine]:
    """Pack everything reserved for the pallet's need at its hall and not yet packed (a pallet
    without a need: every waiting reservation of the hall, as the first one packed decides)."""
    waiting = [
        r
        for r in reservations(
            session, need_id=pallet.need_id, collection_point_id=pallet.collection_point_id
        )
        if r.quantity > r.packed and (pallet.need_id is None or r.need_id == pallet.need_id)
    ]
    packed: list[PalletLine] = []
    for reservation in waiting:
        if pallet.need_id is not None and reservation.need_id != pallet.need_id:
            continue
        packed.append(pack(session, pallet, PalletPack(reservation_id=reservation.id or 0)))
    return packed


def _contents(line: StockLine, language: str) -> str:
    parts = [goods_name(line.category, line.subcategory, language)]
    if line.size:
        parts.append(line.size)
    return " ".join(parts)


def pallet_lines(session: Session, pallet_ids: Sequence[int]) -> dict[int, list[PalletLineRead]]:
    """What is packed on each pallet, for many pallets in one query."""
    if not pallet_ids:
        return {}
    rows = session.exec(
        select(PalletLine, StockLine)
        .join(StockLine, col(StockLine.id) == col(PalletLine.stock_line_id))
        .where(col(PalletLine.pallet_id).in_(pallet_ids))
        .order_by(col(PalletLine.id))
    ).all()
    found: dict[int, list[PalletLineRead]] = defaultdict(list)
    for packed, line in rows:
        found[packed.pallet_id].append(
            PalletLineRead(
                id=packed.id or 0,
                stock_line_id=packed.stock_line_id,
                reservation_id=packed.reservation_id,
                quantity=packed.quantity,
                unit=line.unit,
                contents_de=_contents(line, "de"),
                contents_uk=_contents(line, "uk"),
                size=line.size,
            )
        )
    return found


def read_pallets(session: Session, pallets: Sequence[Pallet]) -> list[PalletRead]:
    lines = pallet_lines(session, [p.id for p in pallets if p.id is not None])
    return [
        PalletRead.model_validate({**p.model_dump(), "lines": lines.get(p.id or 0, [])})
        for p in pallets
    ]


def read_pallet(session: Session, pallet: Pallet) -> PalletRead:
    return read_pallets(session, [pallet])[0]


def search_pallets(
    session: Session,
    *,
    collection_point_id: int | None,
    need_id: int | None,
    convoy_id: int | None,
    cursor: str | None,
    limit: int,
    visible: ColumnElement[bool],
) -> tuple[Sequence[Pallet], str | None]:
    stmt = select(Pallet).where(visible)
    if collection_point_id is not None:
        stmt = stmt.where(Pallet.collection_point_id == collection_point_id)
    if need_id is not None:
        stmt = stmt.where(Pallet.need_id == need_id)
    if convoy_id is not None:
        stmt = stmt.where(Pallet.convoy_id == convoy_id)
    return keyset_page(
        session,
        stmt,
        id_column=col(Pallet.id),
        sort="id",
        sortable={"id": col(Pallet.id), "created_at": col(Pallet.created_at)},
        cursor=cursor,
        limit=limit,
    )


def summary(contents: Sequence[PalletLineRead], language: str) -> str:
    """ "Kleidung: Jacken L × 40 Stk; …" as the contents on a label or a cargo line."""
    return "; ".join(
        f"{line.contents_de if language == 'de' else line.contents_uk} × {line.quantity}"
        for line in contents
    )


def _leaving_reasons(pallet: Pallet, contents: Sequence[PalletLineRead]) -> list[Reason]:
    reasons: list[Reason] = []
    if not contents:
        reasons.append(Reason("pallet_empty", _("nothing is packed on it yet")))
    if pallet.weight_kg <= 0:
        reasons.append(
            Reason(
                "pallet_not_weighed",
                _("weigh it first: the papers carry its gross weight"),
                field="weight_kg",
            )
        )
    return reasons


def _dispatch(session: Session, pallet: Pallet) -> None:
    packed = session.exec(select(PalletLine).where(PalletLine.pallet_id == pallet.id)).all()
    for packed_line in packed:
        line = get_line(session, packed_line.stock_line_id)
        _record(session, line, MovementKind.dispatch, packed_line.quantity, pallet_id=pallet.id)


CARGO_CATEGORY = {
    StockCategory.clothing: CargoCategory.clothing,
    StockCategory.shoes: CargoCategory.clothing,
    StockCategory.bedding: CargoCategory.clothing,
    StockCategory.food: CargoCategory.food,
    StockCategory.baby_care: CargoCategory.other,
    StockCategory.hygiene: CargoCategory.other,
    StockCategory.medical: CargoCategory.medical,
    StockCategory.tools: CargoCategory.technical,
}


# Mixed donated goods for disaster relief: the catch-all tariff number of the export
# declaration (goods of no commercial value; restricted goods are declared by their own).
RELIEF_GOODS = "99190000"


def load(session: Session, pallet: Pallet, data: PalletLoad) -> Pallet:
    """Load the pallet onto a convoy's vehicle: it becomes a cargo line packed as a pallet,
    marked with its number, with its gross weight, on the convoy's manifest and CMR note."""
    _open(pallet)
    contents = pallet_lines(session, [pallet.id or 0]).get(pallet.id or 0, [])
    reasons = _leaving_reasons(pallet, contents)
    if reasons:
        raise RuleViolation(
            _("pallet {number} cannot be loaded").format(number=pallet.number), reasons
        )
    on_convoy = session.exec(
        select(ConvoyItem).where(
            ConvoyItem.convoy_id == data.convoy_id, ConvoyItem.item_id == data.vehicle_id
        )
    ).first()
    if on_convoy is None:
        raise InvalidInput(
            [
                (
                    "vehicle_id",
                    _("item {vehicle_id} is not a vehicle of convoy {convoy_id}").format(
                        vehicle_id=data.vehicle_id, convoy_id=data.convoy_id
                    ),
                )
            ]
        )
    vehicle = items.get(session, data.vehicle_id)
    first = get_line(session, contents[0].stock_line_id)
    cargo = items.add_cargo_line(
        session,
        vehicle,
        CargoLineCreate(
            description=f"{summary(contents, 'de')}"[:500],
            description_uk=f"{summary(contents, 'uk')}"[:500],
            marks=pallet.number,  # as on its label, in any language
            quantity=1,
            unit="pallet" if pallet.kind == "pallet" else "box",
            weight_kg=pallet.weight_kg,
            value_cents=0,
            category=CARGO_CATEGORY[first.category],
            hs_code=RELIEF_GOODS,
            packing=Packing.pallet if pallet.kind == "pallet" else Packing.carton,
        ),
    )
    pallet.status = PalletStatus.loaded
    pallet.convoy_id = data.convoy_id
    pallet.vehicle_id = data.vehicle_id
    pallet.cargo_line_id = cargo.id
    touch(pallet)
    _dispatch(session, pallet)
    session.flush()
    return pallet


def hand_over(session: Session, pallet: Pallet, data: PalletHandover) -> Pallet:
    """Hand the pallet to a partner's truck (the dispatcher plans that tour): the handover
    record names the carrier, the truck and who took it."""
    _open(pallet)
    contents = pallet_lines(session, [pallet.id or 0]).get(pallet.id or 0, [])
    reasons = _leaving_reasons(pallet, contents)
    if reasons:
        raise RuleViolation(
            _("pallet {number} cannot be handed over").format(number=pallet.number), reasons
        )
    for name, value in data.model_dump().items():
        setattr(pallet, name, value)
    pallet.status = PalletStatus.handed_over
    touch(pallet)
    _dispatch(session, pallet)
    session.flush()
    return pallet


# --- the hall's snapshot -------------------------------------------------------------------


@dataclass(frozen=True)
class CategoryFlow:
    """Stock against open needs in one category: at hand, promised, and still asked for."""

    category: StockCategory
    available: int
    reserved: int
    asked: int  # open quantity of the needs for this category, not yet reserved

    @property
    def short(self) -> int:
        return max(self.asked - self.available, 0)


def snapshot(session: Session, point_id: int, matches: Sequence[NeedMatch]) -> list[CategoryFlow]:
    """Per category: what the hall holds (usable, unreserved), what is promised, and what the
    open needs still ask for. One grouped query for the stock."""
    rows = session.execute(
        select_rows(
            col(StockLine.category),
            func.coalesce(func.sum(col(StockLine.quantity) - col(StockLine.reserved)), 0),
            func.coalesce(func.sum(col(StockLine.reserved)), 0),
        )
        .where(
            col(StockLine.collection_point_id) == point_id,
            col(StockLine.priority) != Priority.not_usable,
        )
        .group_by(col(StockLine.category))
    ).all()
    held = {StockCategory(category): (int(a), int(r)) for category, a, r in rows}
    asked: dict[StockCategory, int] = defaultdict(int)
    for match in matches:
        asked[match.category] += match.open_quantity
    return [
        CategoryFlow(
            category,
            held.get(category, (0, 0))[0],
            held.get(category, (0, 0))[1],
            asked.get(category, 0),
        )
        for category in StockCategory
    ]


@dataclass(frozen=True)
class Carrier:
    convoy_id: int
    convoy_number: str
    vehicle_id: int
    vehicle_name: str


def carriers(session: Session) -> list[Carrier]:
    """The vehicles of convoys still being planned or ready: where a pallet can be loaded."""
    rows = session.execute(
        select_rows(col(Convoy.id), col(Convoy.number), col(Item.id), col(Item.name))
        .join(ConvoyItem, col(ConvoyItem.convoy_id) == col(Convoy.id))
        .join(Item, col(Item.id) == col(ConvoyItem.item_id))
        .where(
            col(Convoy.status).in_([ConvoyStatus.planning, ConvoyStatus.ready]),
            col(Item.category) == ItemCategory.vehicle,
        )
        .order_by(col(Convoy.planned_departure_at), col(Convoy.id), col(Item.name))
    ).all()
    return [Carrier(*row) for row in rows]


# --- what became of a donor's goods ----------------------------------------------------------


@dataclass(frozen=True)
class Donated:
    """One sorted line a donor gave, and the pallets its goods left on."""

    line: StockLine
    hall: str
    # (pallet number, how many, recipient id, convoy id or None, partner's truck or None)
    pallets: tuple[tuple[str, int, int | None, int | None, str | None], ...]


def donated(session: Session, donor_id: int) -> list[Donated]:
    """The donor's sorted lines with the pallets they went on, in three queries."""
    lines = list(
        session.exec(
            select(StockLine).where(StockLine.donor_id == donor_id).order_by(col(StockLine.id))
        ).all()
    )
    if not lines:
        return []
    halls = {
        p.id: p.name
        for p in session.exec(
            select(CollectionPoint).where(
                col(CollectionPoint.id).in_({line.collection_point_id for line in lines})
            )
        ).all()
    }
    rows = session.execute(
        select_rows(
            col(PalletLine.stock_line_id),
            col(Pallet.number),
            col(PalletLine.quantity),
            col(Need.destination_id),
            col(Pallet.convoy_id),
            col(Pallet.truck_plate),
        )
        .join(Pallet, col(Pallet.id) == col(PalletLine.pallet_id))
        .join(Need, col(Need.id) == col(Pallet.need_id), isouter=True)
        .where(col(PalletLine.stock_line_id).in_([line.id for line in lines]))
        .order_by(col(PalletLine.id))
    ).all()
    went: dict[int, list[tuple[str, int, int | None, int | None, str | None]]] = defaultdict(list)
    for line_id, number, quantity, destination_id, convoy_id, plate in rows:
        went[line_id].append((number, quantity, destination_id, convoy_id, plate))
    return [
        Donated(line, halls.get(line.collection_point_id, ""), tuple(went.get(line.id or 0, [])))
        for line in lines
    ]
