"""Backups of the whole database, and restoring one into an empty database.

Everything Konvoi keeps is in its database: the records, the audit trail, the issued papers'
exact bytes and the attached files. SQLite is copied with its online backup API (consistent
while the app keeps writing); PostgreSQL with ``pg_dump --format=custom`` and ``pg_restore``
(the client tools of the server's major version or newer).
"""

import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy import inspect
from sqlalchemy.engine import make_url

from app.core.database import make_engine


class BackupError(Exception):
    pass


def _sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database:
        raise BackupError("an in-memory SQLite database cannot be backed up")
    return Path(database)


def _libpq(url: str) -> str:
    """The URL as pg_dump reads it (without SQLAlchemy's driver name)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} is not installed (Debian: postgresql-client)")
    return found


def backup(url: str, target: Path) -> Path:
    """Write a backup of the database at ``url`` to ``target``."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if make_url(url).get_backend_name() == "sqlite":
        source = sqlite3.connect(_sqlite_path(url))
        copy = sqlite3.connect(target)
        try:
            with copy:
                source.backup(copy)
        finally:
            copy.close()
            source.close()
        return target
    subprocess.run(  # noqa: S603 (a fixed tool with our own arguments)
        [_tool("pg_dump"), "--format=custom", "--no-owner", f"--file={target}", _libpq(url)],
        check=True,
        capture_output=True,
    )
    return target


def is_empty(url: str) -> bool:
    engine = make_engine(url)
    try:
        return not inspect(engine).get_table_names()
    finally:
        engine.dispose()


def restore(url: str, source: Path) -> None:
    """Restore ``source`` into the database at ``url``, which must be empty: a restore never
    mixes with or overwrites records."""
    if not source.exists():
        raise BackupError(f"{source} does not exist")
    if not is_empty(url):
        raise BackupError("the database to restore into is not empty; restore into a new one")
    if make_url(url).get_backend_name() == "sqlite":
        backup_copy = sqlite3.connect(source)
        target = sqlite3.connect(_sqlite_path(url))
        try:
            with target:
                backup_copy.backup(target)
        finally:
            target.close()
            backup_copy.close()
        return
    subprocess.run(  # noqa: S603 (a fixed tool with our own arguments)
        [
            _tool("pg_restore"),
            "--no-owner",
            "--exit-on-error",
            f"--dbname={_libpq(url)}",
            str(source),
        ],
        check=True,
        capture_output=True,
    )
