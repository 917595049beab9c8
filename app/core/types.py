"""Column types shared by all domains."""

from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any

import sqlalchemy as sa
from pydantic import AfterValidator, EmailStr, Field, StringConstraints, WithJsonSchema
from pydantic_core import PydanticKnownError
from sqlalchemy import DateTime
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

# The largest whole number a column holds on both databases (PostgreSQL's INTEGER): ids,
# counts and amounts beyond it are refused as input instead of failing in the database.
MAX_STORED_INT = 2**31 - 1

# A reference to a record in a request body, path or query.
RecordId = Annotated[int, Field(ge=1, le=MAX_STORED_INT)]

# The longest search text a list takes: beyond any name or number it searches, and short
# enough for any database's LIKE pattern (SQLite gives up at 50,000 bytes).
SEARCH_MAX_LENGTH = 200
SearchText = Annotated[str, StringConstraints(max_length=SEARCH_MAX_LENGTH)]

# An e-mail address as its columns hold it: a valid address may be longer (254 characters).
EMAIL_MAX_LENGTH = 200


def _fits_the_column(address: str) -> str:
    if len(address) > EMAIL_MAX_LENGTH:
        raise PydanticKnownError("string_too_long", {"max_length": EMAIL_MAX_LENGTH})
    return address


Email = Annotated[
    EmailStr,
    AfterValidator(_fits_the_column),
    WithJsonSchema({"type": "string", "format": "email", "maxLength": EMAIL_MAX_LENGTH}),
]


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware datetime stored in UTC.

    SQLite has no timezone type and hands back naive values; this keeps both backends
    returning aware UTC datetimes and refuses naive input instead of guessing a zone.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    @property
    def python_type(self) -> type[datetime]:
        return datetime

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime; Konvoi stores timezone-aware datetimes only")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        if value.tzinfo is None:
            # combine() rather than replace(tzinfo=...): the same instant, a quarter of the
            # time (a board of 60 vehicles reads 650 of these on SQLite).
            return datetime.combine(value.date(), value.time(), UTC)
        return value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


def enum_type(enum: type[StrEnum]) -> sa.Enum:
    """Store an enum as its value in a VARCHAR: no native PostgreSQL type to migrate."""
    return sa.Enum(
        enum,
        native_enum=False,
        create_constraint=False,
        length=30,
        values_callable=lambda members: [m.value for m in members],
    )
