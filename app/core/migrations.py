"""Run the Alembic migrations from code (CLI, app start-up, tests)."""

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, text

ROOT = Path(__file__).resolve().parents[2]
VERSIONS = ROOT / "migrations" / "versions"


def head_revision() -> str:
    """The newest revision of the migration scripts."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def is_at_head(connection: Connection) -> bool:
    return MigrationContext.configure(connection).get_current_heads() == (head_revision(),)


def schema_at_head(engine: Engine) -> bool:
    with engine.connect() as connection:
        return is_at_head(connection)


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    config.attributes["configure_logger"] = False
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def upgrade(connection: Connection, revision: str = "head") -> None:
    command.upgrade(alembic_config(connection), revision)


def downgrade(connection: Connection, revision: str = "base") -> None:
    command.downgrade(alembic_config(connection), revision)


# Any fixed number: the key of PostgreSQL's advisory lock taken while the schema is prepared.
_STARTUP_LOCK_KEY = 0x4B6F6E766F69  # "Konvoi"


@contextmanager
def one_at_a_time(engine: Engine) -> Iterator[None]:
    """Hold the database's start-up lock: of several processes starting at once, one
    migrates (and loads the demo into an empty database) while the others wait, then find
    the work done. PostgreSQL: an advisory lock; SQLite: a lock file beside the database."""
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": _STARTUP_LOCK_KEY})
            try:
                yield
            finally:
                connection.execute(
                    text("SELECT pg_advisory_unlock(:key)"), {"key": _STARTUP_LOCK_KEY}
                )
                connection.commit()
        return
    database = engine.url.database
    if not database or database == ":memory:":
        yield
        return
    with open(f"{database}.startup-lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
