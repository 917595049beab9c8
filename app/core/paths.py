"""Record ids in paths: beyond what the database can store, an id names no record."""

from fastapi import Request
from fastapi.exceptions import RequestValidationError

from app.core.types import MAX_STORED_INT

# The largest id a record can have (an INTEGER column on PostgreSQL).
MAX_ID = MAX_STORED_INT


async def bounded_ids(request: Request) -> None:
    """422 naming the path id that no database could hold, before any query is made with it
    (SQLite's driver cannot even bind it)."""
    problems = []
    for name, value in request.path_params.items():
        if not (isinstance(value, str) and name.endswith("_id")):
            continue
        digits = value.removeprefix("-")
        if digits.isdecimal() and (len(digits) > 10 or int(digits) > MAX_ID):
            problems.append(
                {
                    "type": "less_than_equal",
                    "loc": ("path", name),
                    "msg": f"Input should be less than or equal to {MAX_ID}",
                    "input": value,
                    "ctx": {"le": MAX_ID},
                }
            )
    if problems:
        raise RequestValidationError(problems)
