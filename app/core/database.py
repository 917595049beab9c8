"""Engine and the per-request session: one transaction per request, owned here.

Services only flush; this dependency commits when the request succeeds and rolls back when
anything raises, so a refused request never leaves a half-written record.

Concurrent writes on SQLite follow SQLAlchemy's pysqlite recipes: WAL (readers never block
the writer), a busy timeout (a writer waits for the lock instead of failing), and write
requests open their transaction with BEGIN IMMEDIATE. A deferred transaction that reads and
then writes fails at once with "database is locked" when another writer committed in
between, whatever the timeout; taking the write lock at BEGIN makes writers queue instead.
"""

from collections.abc import AsyncIterator, Callable
from functools import lru_cache, partial
from typing import Annotated, Any, TypeVar

from anyio import CancelScope, CapacityLimiter, to_thread
from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from sqlalchemy import Engine, event
from sqlmodel import Session, create_engine

from app.audit import recording
from app.convoys import guard
from app.core import revision
from app.core.config import get_settings
from app.core.errors import InvalidInput
from app.core.i18n import _

# Every session records its flushes in the audit trail (installed once, for all sessions).
recording.install()
# A ready convoy whose drivers, items or papers change is checked again before each commit.
guard.install()
# Last before each commit: a session that wrote draws the data's new revision token.
revision.install()


# Connection execution option: on SQLite, begin with the write lock (BEGIN IMMEDIATE).
WRITES = "konvoi_writes"
READING = "konvoi_reading"
# How long a SQLite writer waits for the lock: long enough for every request the pool admits
# to take its turn, shorter than the 60 s after which proxies give up on a request.
SQLITE_BUSY_TIMEOUT_MS = 30_000
CONNECT_TIMEOUT_SECONDS = 5
T = TypeVar("T")

READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _lower(value: object) -> object:
    return value.lower() if isinstance(value, str) else value


def _refuse_nul(
    _conn: Any, _cursor: Any, _statement: str, parameters: Any, _context: Any, _many: bool
) -> None:
    """PostgreSQL cannot store the NUL character in text; no one types it. Refused as bad
    input on both databases, naming the column, instead of failing in the driver."""
    for row in parameters if isinstance(parameters, list | tuple) else (parameters,):
        if not isinstance(row, dict):
            continue
        for key, value in row.items():
            if isinstance(value, str) and "\x00" in value:
                field = key.rstrip("_0123456789") or key
                raise InvalidInput([(field, _("must not contain the NUL character"))])


def make_engine(url: str, **kwargs: Any) -> Engine:
    if url.startswith("sqlite"):
        kwargs.setdefault("connect_args", {"check_same_thread": False})
    elif url.startswith("postgresql"):
        # A server that does not answer is given up on in seconds (a 503), not minutes.
        kwargs.setdefault("connect_args", {"connect_timeout": CONNECT_TIMEOUT_SECONDS})
    # An error's message shows the statement, never the values sent with it (personal data).
    engine = create_engine(url, hide_parameters=True, **kwargs)
    event.listen(engine, "before_cursor_execute", _refuse_nul)
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine, "connect")
        def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
            # Let SQLAlchemy, not the sqlite3 module, open transactions, so that
            # SAVEPOINTs work (SQLAlchemy's documented pysqlite recipe).
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            # SQLite ignores foreign keys unless asked; the rules rely on them.
            cursor.execute("PRAGMA foreign_keys=ON")
            # Set first: switching the file to WAL waits for other connections too.
            cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
            cursor.execute("PRAGMA journal_mode=WAL")
            # In WAL mode NORMAL cannot corrupt the file; a power cut may lose the last commits.
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()
            # SQLite's lower() folds only ASCII; searches must match Cyrillic names too.
            dbapi_connection.create_function("lower", 1, _lower, deterministic=True)

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn: Any) -> None:
            options = conn.get_execution_options()
            if options.get(WRITES, False):
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            elif not options.get(READING, False):
                conn.exec_driver_sql("BEGIN")
            # A read-only request's statements each see the latest commit, as on PostgreSQL
            # (READ COMMITTED), with no BEGIN and COMMIT around them (app/core/revision.py
            # expects no more); should one write, it takes the write lock first:

        @event.listens_for(engine, "before_cursor_execute")
        def _sqlite_write_begins(
            conn: Any, cursor: Any, statement: str, *_args: Any, **_kwargs: Any
        ) -> None:
            if (
                conn.get_execution_options().get(READING, False)
                and not conn.connection.dbapi_connection.in_transaction
                and statement.lstrip()[:6].upper() != "SELECT"
            ):
                cursor.execute("BEGIN IMMEDIATE")

    return engine


def reading_engine() -> Engine:
    """The engine for a read-only request: on SQLite its reads run without a transaction
    around them (make_engine); on PostgreSQL it is the engine."""
    return _reading(get_engine())


@lru_cache
def _reading(engine: Engine) -> Engine:
    return engine.execution_options(**{READING: True})


@lru_cache
def get_engine() -> Engine:
    settings = get_settings()
    # No overflow: SessionDep admits no more requests than the pool has connections.
    return make_engine(settings.database_url, pool_size=settings.db_pool_size, max_overflow=0)


def begin_writing(session: Session) -> None:
    """Open the session's transaction holding SQLite's write lock (no effect on PostgreSQL)."""
    session.connection(execution_options={WRITES: True})


def end_reading(session: Session) -> None:
    """End a request's read in the thread that read: its session then holds no transaction,
    and ends without a thread of its own. Anything read later begins a new one. A session
    that has written keeps its transaction for the commit after the endpoint."""
    if session.in_transaction() and not revision.has_written(session):
        session.commit()


def read_once(session: Session, read: Callable[[], T]) -> T:
    """``read()`` and the end of its transaction, in one worker thread (for a hot read whose
    endpoint is async: one thread hop for all of its queries)."""
    result = read()
    end_reading(session)
    return result


def _end(session: Session, *, commit: bool) -> None:
    try:
        if commit:
            session.commit()
        else:
            session.rollback()
    finally:
        session.close()


def _ends_at_once(session: Session, *, reads_only: bool) -> bool:
    """Whether ending the session waits for nothing, so needs no thread: it holds no
    transaction (the read ended in its own thread, end_reading), or it is a read-only
    request's on SQLite, whose reads hold no transaction (make_engine): its end is a call
    into this process. PostgreSQL's end is a round trip, which the event loop never waits
    for."""
    if not session.in_transaction():
        return True
    return reads_only and session.get_bind().dialect.name == "sqlite"


async def get_session(request: Request) -> AsyncIterator[Session]:
    # Opening a session does no I/O: only a write's BEGIN IMMEDIATE and the end of the
    # transaction are handed to a thread (a read-only request saves a thread hop).
    # expire_on_commit=False: responses are built from the objects after the commit.
    reads_only = request.method in READ_ONLY_METHODS
    session = Session(reading_engine() if reads_only else get_engine(), expire_on_commit=False)
    # The end runs outside the request threads' limit, as FastAPI does for a dependency's
    # exit: a commit must never wait for a thread held by a request waiting for its lock.
    ending = CapacityLimiter(1)
    try:
        if not reads_only:
            await run_in_threadpool(begin_writing, session)
        yield session
    except BaseException:
        if _ends_at_once(session, reads_only=reads_only):
            _end(session, commit=False)
            raise
        with CancelScope(shield=True):
            await to_thread.run_sync(partial(_end, session, commit=False), limiter=ending)
        raise
    if _ends_at_once(session, reads_only=reads_only):
        _end(session, commit=True)  # a write made in a read all the same is kept
        return
    with CancelScope(shield=True):
        await to_thread.run_sync(partial(_end, session, commit=True), limiter=ending)


# scope="function": commit before the response is sent, so a failed commit is never a 2xx.
# max_concurrency: a request waits for a pooled connection here, without holding a thread;
# waiting in the pool would hold one, and the requests that hold connections could starve.
SessionDep = Annotated[
    Session,
    Depends(get_session, scope="function", max_concurrency=get_settings().db_pool_size),
]
