"""Write the audit trail from the ORM's flush, so no service can forget to.

Every flush of a session records each created, changed and deleted table row as an
``audit_entry`` in the same transaction: a request that is refused and rolled back leaves no
entry, and a committed change always has one.

- Changes and deletions are read in ``before_flush``, while the old values are still in the
  session (and, for a deleted row, still in the database).
- Creations are read in ``after_flush``, once the INSERT has assigned the primary key, so the
  entry names the real id.
- The entries of one flush are inserted with one statement at the end of that flush.

Bulk statements (``session.execute(delete(X))``) bypass the ORM's flush and are not recorded;
delete rows with ``session.delete`` so the trail stays complete. A service that writes new rows
with a statement of its own (the intake line, where building ORM objects costs more than the
rest of the request) records them with ``record_created``: the same entries a flush would
write, in one statement.

A table opts out with ``__audit__ = False`` (login tokens, sessions); fields named in
``__audit_redact__`` are recorded as "***" (password hashes).
"""

import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlalchemy import and_, event, insert, inspect, select
from sqlalchemy.orm import InstanceState, Mapper, Session, UOWTransaction
from sqlmodel import SQLModel

from app.audit.models import AuditAction, AuditEntry
from app.core.context import Actor, acting
from app.core.types import utcnow

REDACTED = "***"

# Bookkeeping columns: the entry's own id, time and order already say this.
NOISE = frozenset({"id", "created_at", "updated_at", "version"})

# Rows that belong to another record: table -> (parent table, column holding the parent's id).
# The parent's history endpoint shows them (a driver's licences, a convoy's legs).
PARENTS: Mapping[str, tuple[str, str]] = {
    "driver_licence": ("driver", "driver_id"),
    "driver_availability": ("driver", "driver_id"),
    "leg": ("convoy", "convoy_id"),
    "convoy_item": ("convoy", "convoy_id"),
    "assignment": ("convoy", "convoy_id"),
    "leg_event": ("convoy", "convoy_id"),
    "handover": ("item", "item_id"),
    "cargo_line": ("item", "vehicle_id"),
    "export_record": ("item", "item_id"),
    "certificate_item": ("usage_certificate", "certificate_id"),
}

# Rows that belong to a record named in their own columns: table -> (column with the parent's
# table, column with its id). An attachment shows in the history of what it is attached to.
NAMED_PARENTS: Mapping[str, tuple[str, str]] = {"attachment": ("entity", "entity_id")}

_PENDING = "audit_entries"
_CREATED = "audit_created"


@dataclass
class _Record:
    entity: str
    entity_id: str
    action: AuditAction
    changes: dict[str, dict[str, Any]]
    parent_entity: str | None = None
    parent_id: str | None = None

    @classmethod
    def of(
        cls,
        state: InstanceState[Any],
        entity_id: str,
        action: AuditAction,
        changes: dict[str, dict[str, Any]],
        value_of: Callable[[str], Any],
    ) -> "_Record":
        """``value_of`` reads one of the row's fields, to find the record it belongs to."""
        return cls.of_table(
            state.mapper.local_table.name,  # type: ignore[attr-defined]
            entity_id,
            action,
            changes,
            value_of,
        )

    @classmethod
    def of_table(
        cls,
        table: str,
        entity_id: str,
        action: AuditAction,
        changes: dict[str, dict[str, Any]],
        value_of: Callable[[str], Any],
    ) -> "_Record":
        record = cls(table, entity_id, action, changes)
        if table in PARENTS:
            parent, column = PARENTS[table]
            if (parent_id := value_of(column)) is not None:
                record.parent_entity, record.parent_id = parent, _key([parent_id])
        elif table in NAMED_PARENTS:
            table_column, id_column = NAMED_PARENTS[table]
            if (parent_id := value_of(id_column)) is not None:
                record.parent_entity, record.parent_id = value_of(table_column), _key([parent_id])
        return record


def plain(value: Any) -> Any:
    """A value as JSON can hold it: dates as ISO strings, enums as values, Decimal as text."""
    if isinstance(value, Enum):
        return plain(value.value)
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, list | tuple | set | frozenset):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    return str(value)


def _audited(obj: object) -> bool:
    return (
        isinstance(obj, SQLModel)
        and not isinstance(obj, AuditEntry)
        and getattr(type(obj), "__audit__", True) is not False
    )


def _key(values: Iterable[Any]) -> str:
    return ":".join(str(plain(v)) for v in values)


def _fields(mapper: Mapper[Any]) -> list[str]:
    return [a.key for a in mapper.column_attrs if a.key not in NOISE]


def _redacted(obj: object) -> frozenset[str]:
    return frozenset(getattr(type(obj), "__audit_redact__", ()))


def _shown(value: Any, field: str, redact: frozenset[str]) -> Any:
    return REDACTED if field in redact else plain(value)


def _stored_values(session: Session, state: InstanceState[Any], fields: list[str]) -> Any:
    """The database row's values for fields set before their old value was ever loaded."""
    mapper = state.mapper
    columns = [mapper.column_attrs[f].columns[0] for f in fields]
    assert state.identity is not None
    match = and_(*(c == v for c, v in zip(mapper.primary_key, state.identity, strict=True)))
    return session.connection().execute(select(*columns).where(match)).one()


def _changed(session: Session, obj: object) -> _Record | None:
    state: InstanceState[Any] = inspect(obj)
    redact = _redacted(obj)
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    unknown: list[str] = []
    for field in _fields(state.mapper):
        history = state.attrs[field].history
        if not history.has_changes():
            continue
        after[field] = history.added[0] if history.added else None
        if history.deleted:
            before[field] = history.deleted[0]
        else:
            unknown.append(field)
    if unknown:
        before.update(zip(unknown, _stored_values(session, state, unknown), strict=True))
    changes = {
        f: {"before": _shown(before[f], f, redact), "after": _shown(after[f], f, redact)}
        for f in after
        if before[f] != after[f]
    }
    if not changes:
        return None
    assert state.identity is not None
    return _Record.of(
        state, _key(state.identity), AuditAction.update, changes, lambda f: getattr(obj, f)
    )


def _deleted(session: Session, obj: object) -> _Record:
    state: InstanceState[Any] = inspect(obj)
    redact = _redacted(obj)
    values: dict[str, Any] = {}
    unknown: list[str] = []
    for field in _fields(state.mapper):
        # The stored value, not one set in memory just before the deletion.
        history = state.attrs[field].history
        if history.deleted:
            values[field] = history.deleted[0]
        elif history.added:
            unknown.append(field)
        else:
            values[field] = getattr(obj, field)
    if unknown:
        values.update(zip(unknown, _stored_values(session, state, unknown), strict=True))
    changes = {f: {"before": _shown(v, f, redact)} for f, v in values.items()}
    assert state.identity is not None
    return _Record.of(state, _key(state.identity), AuditAction.delete, changes, values.get)


def _created(state: InstanceState[Any]) -> _Record:
    obj = state.obj()
    redact = _redacted(obj)
    values = {f: getattr(obj, f) for f in _fields(state.mapper)}
    changes = {f: {"after": _shown(v, f, redact)} for f, v in values.items()}
    entity_id = _key(state.mapper.primary_key_from_instance(obj))
    return _Record.of(state, entity_id, AuditAction.create, changes, values.get)


def _inserted(table: type[SQLModel], row_id: int, values: Mapping[str, Any]) -> _Record:
    mapper: Mapper[Any] = inspect(table)
    redact = _redacted(table)
    fields = _fields(mapper)
    missing = [f for f in fields if f not in values]
    # Every field, as a flushed row's entry has it: a row written without one is a bug here.
    assert not missing, f"{mapper.local_table.name} written without {missing}"  # type: ignore[attr-defined]
    changes = {f: {"after": _shown(values[f], f, redact)} for f in fields}
    return _Record.of_table(
        mapper.local_table.name,  # type: ignore[attr-defined]
        _key([row_id]),
        AuditAction.create,
        changes,
        values.get,
    )


def record_created(
    session: Session, rows: Iterable[tuple[type[SQLModel], int, Mapping[str, Any]]]
) -> None:
    """Record rows a service inserted with a statement of its own, each as (table, id, the
    values written): the entries a flush would have written for them, in one statement."""
    _write(
        session,
        [
            _inserted(table, row_id, values)
            for table, row_id, values in rows
            if getattr(table, "__audit__", True) is not False
        ],
    )


def _before_flush(session: Session, flush: UOWTransaction, objects: Any) -> None:
    chosen = None if objects is None else {id(o) for o in objects}

    def included(obj: object) -> bool:
        return _audited(obj) and (chosen is None or id(obj) in chosen)

    records = [r for o in session.dirty if included(o) if (r := _changed(session, o))]
    records += [_deleted(session, o) for o in session.deleted if included(o)]
    flush.attributes[_PENDING] = records
    flush.attributes[_CREATED] = [inspect(o) for o in session.new if included(o)]


def _actor(session: Session) -> Actor:
    # The authentication dependency puts the actor on the session: a context variable set in a
    # sync dependency does not reach the endpoint's thread.
    return acting(session)


def _after_flush(session: Session, flush: UOWTransaction) -> None:
    records: list[_Record] = flush.attributes.pop(_PENDING, [])
    created: list[InstanceState[Any]] = flush.attributes.pop(_CREATED, [])
    _write(session, [_created(s) for s in created] + records)


def _write(session: Session, records: list[_Record]) -> None:
    if not records:
        return
    actor = _actor(session)
    now = utcnow()
    rows = [
        {
            "occurred_at": now,
            "actor_user_id": actor.user_id,
            "actor_name": actor.username,
            "actor_full_name": actor.full_name,
            "actor_role": plain(actor.role),
            "operation": actor.operation,
            "entity": r.entity,
            "entity_id": r.entity_id,
            "parent_entity": r.parent_entity,
            "parent_id": r.parent_id,
            "action": r.action,
            "changes": r.changes,
        }
        for r in records
    ]
    session.connection().execute(insert(AuditEntry), rows)


def install() -> None:
    """Record every session's flushes; idempotent, so importing twice installs once."""
    if not event.contains(Session, "before_flush", _before_flush):
        event.listen(Session, "before_flush", _before_flush)
        event.listen(Session, "after_flush", _after_flush)
