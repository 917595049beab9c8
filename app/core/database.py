"""Engine and the per-request session: one transaction per request, owned here.

Services only flush; this dependency commits when the request succeeds and rolls back when
anything raises, so a refused request never leaves a half-written record. Endpoints that use
it are plain ``def``: FastAPI runs them in its threadpool, and this dependency's every word
with the database there too.

Concurrent writes on SQLite follow SQLAlchemy's pysqlite recipes: WAL (readers never block
the writer), a busy timeout (a writer waits for the lock instead of failing), and write
requests open their transaction with BEGIN IMMEDIATE. A deferred transaction that reads and
then writes fails at once with "database is locked" when another writer committed in
between, whatever the timeout; taking the write lock at BEGIN makes writers queue instead.
"""

from collections.abc import AsyncIterator, Mapping
from functools import lru_cache
from itertools import zip_longest
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from sqlalchemy import Engine, Executable, Result, event
from sqlmodel import Session, create_engine

from app.core import text
from app.core.config import get_settings
from app.core.errors import InvalidInput

# Connection execution option: on SQLite, begin with the write lock (BEGIN IMMEDIATE).
WRITES = "konvoi_writes"
# How long a SQLite writer waits for the lock: long enough for every request the pool admits
# to take its turn, shorter than the 60 s after which proxies give up on a request.
SQLITE_BUSY_TIMEOUT_MS = 30_000
CONNECT_TIMEOUT_SECONDS = 5
READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _lower(value: object) -> object:
    return value.lower() if isinstance(value, str) else value


def _refuse_unstorable(
    _conn: Any, _cursor: Any, _statement: str, parameters: Any, context: Any, _many: bool
) -> None:
    """The last guard: text no database can store (NUL, a lone surrogate) that got past the
    schemas is refused as bad input on both databases, naming the column, instead of being
    stored by SQLite and failing in PostgreSQL's driver. PostgreSQL's parameters come by
    name, SQLite's by position; several rows come as a list of them."""
    positions = getattr(getattr(context, "compiled", None), "positiontup", None) or ()
    several = isinstance(parameters, list) and all(
        isinstance(row, dict | tuple | list) for row in parameters
    )
    for row in parameters if several else (parameters,):
        named = row.items() if isinstance(row, dict) else zip_longest(positions, row or ())
        for key, value in named:
            if isinstance(value, str) and (reason := text.refusal(value)) is not None:
                field = str(key or "").rstrip("_0123456789") or "text"
                raise InvalidInput([(field, reason)])


def make_engine(url: str, **kwargs: Any) -> Engine:
    if url.startswith("sqlite"):
        kwargs.setdefault("connect_args", {"check_same_thread": False})
    elif url.startswith("postgresql"):
        # A server that does not answer is given up on in seconds (a 503), not minutes.
        kwargs.setdefault("connect_args", {"connect_timeout": CONNECT_TIMEOUT_SECONDS})
    # An error's message shows the statement, never the values sent with it (personal data).
    engine = create_engine(url, hide_parameters=True, **kwargs)
    event.listen(engine, "before_cursor_execute", _refuse_unstorable)
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
            if conn.get_execution_options().get(WRITES, False):
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            else:
                conn.exec_driver_sql("BEGIN")

    return engine


@lru_cache
def get_engine() -> Engine:
    settings = get_settings()
    # No overflow: SessionDep admits no more requests at once than the pool has connections.
    return make_engine(settings.database_url, pool_size=settings.db_pool_size, max_overflow=0)


def plain_rows(
    session: Session, statement: Executable, params: Mapping[str, Any] | None = None
) -> Result[*tuple[Any, ...]]:
    """A read of columns, not of ORM objects, through the session's own connection and
    transaction. What the session holds is flushed first, as the ORM would before a query;
    the statement then skips the ORM's setup for each execution, a third of a short read's
    time on SQLite (a team of 24 seats: 106 µs against 154)."""
    session.flush()
    return session.connection().execute(statement, params)


def begin_writing(session: Session) -> None:
    """Open the session's transaction holding SQLite's write lock (no effect on PostgreSQL)."""
    session.connection(execution_options={WRITES: True})


def _commit(session: Session) -> None:
    try:
        session.commit()
    finally:
        session.close()


def _discard(session: Session) -> None:
    try:
        session.rollback()
    finally:
        session.close()


async def get_session(request: Request) -> AsyncIterator[Session]:
    """The request's session. Making one reads nothing, so it is made here on the event loop;
    everything that talks to the database (the write lock of a write, the commit, the
    rollback, the close) runs in the threadpool like the route. A read costs one hand-over
    to a thread fewer than a generator run in the threadpool, which enters there too."""
    # expire_on_commit=False: responses are built from the objects after the commit.
    session = Session(get_engine(), expire_on_commit=False)
    try:
        if request.method not in READ_ONLY_METHODS:
            await run_in_threadpool(begin_writing, session)
        yield session
    except BaseException:
        await run_in_threadpool(_discard, session)
        raise
    await run_in_threadpool(_commit, session)


# scope="function": commit before the response is sent, so a failed commit is never a 2xx.
# max_concurrency: no more sessions at once than the pool has connections; a request past
# that waits on the event loop, holding no thread. Otherwise the threads could all be taken
# by requests waiting for a connection, while those holding the connections wait for a
# thread to finish in.
SessionDep = Annotated[
    Session,
    Depends(get_session, scope="function", max_concurrency=get_settings().db_pool_size),
]
