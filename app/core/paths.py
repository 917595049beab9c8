"""Path and query parameters a database can hold: ids within a column, text without NUL."""

from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError

from app.core import text
from app.core.types import MAX_STORED_INT

# The largest id a record can have (an INTEGER column on PostgreSQL).
MAX_ID = MAX_STORED_INT


async def storable_parameters(request: Request) -> None:
    """422 naming the path id that no database could hold, or the path or query parameter
    holding a NUL character (the URL cannot carry a lone surrogate), before any query is made
    with it: SQLite's driver cannot even bind such an id, PostgreSQL refuses such text."""
    problems: list[dict[str, Any]] = []
    for name, value in request.path_params.items():
        if not isinstance(value, str):
            continue
        digits = value.removeprefix("-")
        if (
            name.endswith("_id")
            and digits.isdecimal()
            and (len(digits) > 10 or int(digits) > MAX_ID)
        ):
            problems.append(
                {
                    "type": "less_than_equal",
                    "loc": ("path", name),
                    "msg": f"Input should be less than or equal to {MAX_ID}",
                    "input": value,
                    "ctx": {"le": MAX_ID},
                }
            )
        elif (reason := text.refusal(value)) is not None:
            problems.append(_unstorable("path", name, value, reason))
    for name, value in request.query_params.multi_items():
        if (reason := text.refusal(name) or text.refusal(value)) is not None:
            problems.append(_unstorable("query", name, value, reason))
    if problems:
        raise RequestValidationError(problems)


def _unstorable(where: str, name: str, value: str, reason: str) -> dict[str, Any]:
    return {"type": "unstorable_text", "loc": (where, name), "msg": reason, "input": value}
