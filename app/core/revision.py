"""The data's revision: a token that every committed write replaces.

A result computed from the data (a convoy's readiness, say) stays true for as long as the
token it was computed under is current, in every process that serves the same database.
So it can be kept and given again, without reading the rows, until anything is written.

Every flush, and every UPDATE, INSERT or DELETE run through a session, marks the session;
just before a marked session commits, it draws a new token (in the same transaction, as its
last statement, so that on PostgreSQL the row is locked only for the commit itself). Tokens
are random, not counted: a database restored from a backup never reuses a token with other
data behind it. A session that has written reads its own uncommitted rows, which no token
describes, so it never uses nor fills the store.
"""

import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, Generic, TypeVar

from sqlalchemy import BigInteger, event, update
from sqlalchemy.orm import ORMExecuteState
from sqlmodel import Field, Session, col

from app.core.models import Record, metadata  # noqa: F401 (naming conventions for the table)

_WROTE = "konvoi_wrote"
_READ = "konvoi_revision_read"
# Read on nearly every request: plain SQL, without the ORM's work for one number.
_CURRENT_SQL = "SELECT token FROM data_revision WHERE id = 1"

T = TypeVar("T")

# How long a reader waits for another thread computing the result it needs, before computing
# it too.
_WAIT_SECONDS = 30.0


class DataRevision(Record, table=True):
    __tablename__ = "data_revision"

    id: int = Field(default=1, primary_key=True)
    token: int = Field(sa_type=BigInteger)


def new_token() -> int:
    return secrets.randbits(62)


def current(session: Session) -> int:
    """The token the data this session reads belongs to; read once per transaction (the
    sign-in and the convoy a request reads are kept under the one token)."""
    known = session.info.get(_READ)
    if known is not None and known[0] is session.get_transaction():
        token: int = known[1]
        return token
    token = session.connection().exec_driver_sql(_CURRENT_SQL).scalar_one()
    session.info[_READ] = (session.get_transaction(), token)
    return token


def has_written(session: Session) -> bool:
    return bool(session.info.get(_WROTE)) or bool(session.new or session.dirty or session.deleted)


def _flushed(session: Session, _context: Any) -> None:
    session.info[_WROTE] = True


def _executed(state: ORMExecuteState) -> None:
    if state.is_update or state.is_delete or state.is_insert:
        state.session.info[_WROTE] = True


def _before_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint released: its writes count at the commit of the whole
    session.flush()
    if not session.info.pop(_WROTE, False):
        return
    session.execute(update(DataRevision).where(col(DataRevision.id) == 1).values(token=new_token()))
    session.info.pop(_WROTE, None)


def _forget(session: Session, *_args: Any) -> None:
    session.info.pop(_WROTE, None)


def install() -> None:
    """Listen on every session; the last listener before each commit (install it last)."""
    if event.contains(Session, "after_flush", _flushed):
        return
    event.listen(Session, "after_flush", _flushed)
    event.listen(Session, "do_orm_execute", _executed)
    event.listen(Session, "before_commit", _before_commit)
    event.listen(Session, "after_rollback", _forget)


class Kept(Generic[T]):
    """Results kept with the token they were computed under; the newest ``size`` of them.

    ``compute`` reads every row it needs itself, after the token: on PostgreSQL each statement
    sees the commits made before it began, so a row read before the token could be older than
    the token says. Whoever gets a result treats it as read-only: the next caller is given the
    same one."""

    def __init__(self, size: int = 256) -> None:
        self._size = size
        self._results: OrderedDict[Hashable, tuple[int, T]] = OrderedDict()
        # What is being computed now, by key and token: the readers who ask for it meanwhile
        # wait for that one result, rather than all computing it at once (a page asked for by
        # many at the moment it changed would otherwise be built in every thread).
        self._computing: dict[tuple[Hashable, int], threading.Event] = {}
        self._lock = threading.Lock()

    def get(
        self,
        session: Session,
        key: Hashable,
        compute: Callable[[], T],
        *,
        reread: object | None = None,
    ) -> T:
        """The result kept for ``key`` if the data has not changed since; else ``compute()``,
        kept. ``reread``: a record ``compute`` uses that was loaded before the token was read;
        it is read again first. Called from a worker thread, never the event loop: a reader
        may wait for another thread's computation of the same result."""
        if has_written(session):
            return compute()
        token = current(session)
        with self._lock:
            kept = self._kept(key, token)
            if kept is not None:
                return kept[1]
            underway = self._computing.get((key, token))
            if underway is None:
                self._computing[(key, token)] = threading.Event()
        if underway is not None:
            underway.wait(_WAIT_SECONDS)
            with self._lock:
                kept = self._kept(key, token)
            if kept is not None:
                return kept[1]
            # That computation failed (its reader got the error) or took too long: our own.
            return self._compute(session, key, token, compute, reread)
        try:
            return self._compute(session, key, token, compute, reread)
        finally:
            with self._lock:
                self._computing.pop((key, token)).set()

    def _kept(self, key: Hashable, token: int) -> tuple[int, T] | None:
        kept = self._results.get(key)
        if kept is None or kept[0] != token:
            return None
        self._results.move_to_end(key)
        return kept

    def _compute(
        self,
        session: Session,
        key: Hashable,
        token: int,
        compute: Callable[[], T],
        reread: object | None,
    ) -> T:
        if reread is not None:
            session.refresh(reread)
        result = compute()
        with self._lock:
            self._results[key] = (token, result)
            self._results.move_to_end(key)
            while len(self._results) > self._size:
                self._results.popitem(last=False)
        return result
