"""A read-only request's session: on SQLite its reads run without a transaction around them,
and a write made in it all the same is still one transaction, rolled back as a whole."""

from sqlalchemy import Engine, update
from sqlmodel import Session, col

from app.core import revision
from app.core.database import READING


def test_a_write_in_a_reading_session_is_rolled_back_as_a_whole(engine: Engine) -> None:
    with Session(engine) as session:
        before = revision.current(session)
    reading = engine.execution_options(**{READING: True})
    with Session(reading) as session:
        assert revision.current(session) == before
        table = revision.DataRevision
        session.execute(update(table).values(token=col(table.token) + 1))
        session.execute(update(table).values(token=col(table.token) + 1))
        session.rollback()
    with Session(engine) as session:
        assert revision.current(session) == before


def test_a_reading_session_sees_each_commit_at_once(engine: Engine) -> None:
    reading = engine.execution_options(**{READING: True})
    with Session(reading) as reader, Session(engine) as writer:
        first = reader.connection().exec_driver_sql("SELECT token FROM data_revision").scalar()
        table = revision.DataRevision
        writer.execute(update(table).values(token=col(table.token) + 1))
        writer.commit()
        # Within the reader's one session: the next statement sees the commit (no snapshot
        # held open between statements, as on PostgreSQL).
        second = reader.connection().exec_driver_sql("SELECT token FROM data_revision").scalar()
        assert second != first
        writer.execute(update(table).values(token=first))
        writer.commit()
