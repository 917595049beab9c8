"""Table base: naming convention for constraints, timestamps and an optimistic-lock version."""

from datetime import datetime

from sqlalchemy import Index, MetaData
from sqlmodel import Field, SQLModel

from app.core.types import UTCDateTime, utcnow

# Explicit names so Alembic migrations are identical on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

SQLModel.metadata = MetaData(naming_convention=NAMING_CONVENTION)
metadata = SQLModel.metadata


class Record(SQLModel):
    """The base of every table."""


class Entity(Record):
    """Columns every mutable record carries."""

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    # Bumped on every change; sent as the ETag so concurrent edits cannot overwrite each other.
    version: int = Field(default=1, nullable=False)


def sort_indexes(table: str, *columns: str) -> tuple[Index, ...]:
    """An index per sort order a list offers: keyset pages walk (column, id) in the index."""
    return tuple(Index(f"ix_{table}_{column}_id", column, "id") for column in columns)
