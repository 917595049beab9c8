"""Run the Alembic migrations from code (CLI, app start-up, tests)."""

import fcntl
import re
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, inspect, text

if TYPE_CHECKING:
    from alembic.config import Config

ROOT = Path(__file__).resolve().parents[2]
VERSIONS = ROOT / "migrations" / "versions"

_REVISION = re.compile(r'^revision: str = "(\w+)"', re.MULTILINE)
_REVISES = re.compile(r'^down_revision: str \| None = "(\w+)"', re.MULTILINE)


@cache
def head_revision() -> str:
    """The newest revision: the one no other revises. Read from the files' text, so a server
    starting on a database already at it need not load Alembic and every migration script."""
    revisions: set[str] = set()
    revised: set[str] = set()
    for script in VERSIONS.glob("*.py"):
        source = script.read_text()
        revisions.update(_REVISION.findall(source))
        revised.update(_REVISES.findall(source))
    (head,) = revisions - revised
    return head


def is_at_head(connection: Connection) -> bool:
    if not inspect(connection).has_table("alembic_version"):
        return False
    versions = connection.execute(text("SELECT version_num FROM alembic_version")).scalars()
    return list(versions) == [head_revision()]


def schema_at_head(engine: Engine) -> bool:
    with engine.connect() as connection:
        return is_at_head(connection)


def alembic_config(connection: Connection | None = None) -> "Config":
    from alembic.config import Config

    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    config.attributes["configure_logger"] = False
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def upgrade(connection: Connection, revision: str = "head") -> None:
    if revision == "head" and is_at_head(connection):
        return
    from alembic import command

    command.upgrade(alembic_config(connection), revision)


def downgrade(connection: Connection, revision: str = "base") -> None:
    from alembic import command

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
