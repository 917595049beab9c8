"""Keyset pagination: the cost of a page does not grow with how far the client has paged.

A cursor is the (sort value, id) of the last row already seen, base64-encoded JSON. The next
page is "rows after that pair in the sort order", answered from an index instead of OFFSET.
"""

import base64
import binascii
import json
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Query
from sqlalchemy import ColumnElement, and_, or_
from sqlmodel import Session
from sqlmodel.sql.expression import SelectOfScalar

from app.core.errors import InvalidInput
from app.core.i18n import _
from app.core.schemas import Schema

T = TypeVar("T")
Row = TypeVar("Row")

MAX_LIMIT = 200
MAX_CURSOR_LENGTH = 1000


class Page(Schema, Generic[T]):
    items: list[T]
    # Pass as `cursor` to get the following page; null on the last page.
    next_cursor: str | None


LimitQuery = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Rows per page")]
# A cursor this list handed out is a few dozen characters; a longer one is none of them.
CursorQuery = Annotated[
    str | None,
    Query(
        max_length=MAX_CURSOR_LENGTH,
        description="`next_cursor` of the previous page; omit for the first page",
    ),
]


def _encode(value: Any, row_id: int) -> str:
    if isinstance(value, datetime | date):
        value = value.isoformat()
    raw = json.dumps([value, row_id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(cursor: str, column: Any) -> tuple[Any, int]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        value, row_id = json.loads(base64.urlsafe_b64decode(padded))
        python_type = column.type.python_type
        if python_type is datetime:
            value = datetime.fromisoformat(value)
        elif python_type is date:
            value = date.fromisoformat(value)
        elif value is not None and not isinstance(value, python_type):
            raise TypeError
        if not isinstance(row_id, int):
            raise TypeError
        return value, row_id
    except (ValueError, TypeError, binascii.Error, NotImplementedError) as exc:
        raise InvalidInput([("cursor", _("is not a cursor this list handed out"))]) from exc


def keyset_page(
    session: Session,
    stmt: SelectOfScalar[Row],
    *,
    id_column: Any,
    sort: str,
    sortable: Mapping[str, Any],
    cursor: str | None,
    limit: int,
) -> tuple[Sequence[Row], str | None]:
    """Return one page of ``stmt`` ordered by ``sort`` (``name`` or ``-name``) and the next cursor.

    Sortable columns must be NOT NULL so that the (value, id) order is total.
    """
    descending = sort.startswith("-")
    key = sort.lstrip("-")
    if key not in sortable:
        allowed = ", ".join(sorted(sortable))
        raise InvalidInput(
            [
                (
                    "sort",
                    _("cannot sort by {key!r}; use one of {allowed}").format(
                        key=key, allowed=allowed
                    ),
                )
            ]
        )
    column = sortable[key]
    if cursor:
        value, last_id = _decode(cursor, column)
        after: ColumnElement[bool]
        if column is id_column:
            after = id_column < last_id if descending else id_column > last_id
        elif descending:
            # The plain bound lets the database walk the index; the OR breaks ties by id.
            after = and_(column <= value, or_(column < value, id_column < last_id))
        else:
            after = and_(column >= value, or_(column > value, id_column > last_id))
        stmt = stmt.where(after)
    order = (column.desc(), id_column.desc()) if descending else (column.asc(), id_column.asc())
    rows = session.exec(stmt.order_by(*order).limit(limit + 1)).all()
    if len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    last = rows[-1]
    return rows, _encode(getattr(last, key), last.id)  # type: ignore[attr-defined]
