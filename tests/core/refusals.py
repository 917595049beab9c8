"""Reading a 422 the way a client does."""

from typing import Any


def refused(response: Any, *loc: str | int) -> dict[str, Any]:
    """The 422's error at ``loc``: the field is named, with a reason."""
    assert response.status_code == 422, response.text
    errors = response.json()["detail"]
    found = [e for e in errors if tuple(e["loc"]) == loc]
    assert found, errors
    error: dict[str, Any] = found[0]
    assert error["msg"]
    return error
