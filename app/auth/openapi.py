"""What the API's access control answers, as the OpenAPI spec documents it.

The policy dependency answers 401 and 403, a record dependency that checks If-Match 412. The
app factory passes ``errors_of`` to ``app.core.openapi.install``, which writes it into the spec.
"""

from collections.abc import Callable, Sequence
from typing import Any

from fastapi.routing import RouteContext

from app.auth.deps import UNSAFE_METHODS, authorize, require_version
from app.auth.policy import POLICY
from app.auth.roles import Role
from app.core.openapi import ErrorBody, record_dependencies, response


def _checks_version(call: Callable[..., Any]) -> bool:
    # The record dependencies (item_dep, convoy_dep, ...) call require_version in their body.
    code = getattr(call, "__code__", None)
    return code is not None and require_version.__name__ in code.co_names


def errors_of(
    route: RouteContext, calls: Sequence[Callable[..., Any]]
) -> dict[str, dict[str, Any]]:
    """The 401, 403 and 412 of one operation, from its route and the dependencies it calls."""
    operation = str(route.operation_id or route.name)
    errors: dict[str, dict[str, Any]] = {}
    records = record_dependencies(calls)
    # A convoy in the path is looked up with the driver's withdrawal in mind (403), whether
    # by a record dependency or, for the hot read, in the endpoint's own thread.
    in_convoy = "{convoy_id}" in (route.path_format or "")
    if authorize in calls:
        allowed = POLICY.get(operation, frozenset())
        errors["401"] = response(ErrorBody, "No bearer token, or an unknown or expired one")
        if allowed != set(Role) or records or in_convoy:
            roles = ", ".join(r.value for r in Role if r in allowed)
            errors["403"] = response(
                ErrorBody,
                f"The account's role may not do this (allowed: {roles or 'nobody'}), or a "
                "driver acts on a convoy or leg that is not theirs",
            )
    if (route.methods or set()) & UNSAFE_METHODS and any(_checks_version(c) for c in calls):
        errors["412"] = response(
            ErrorBody, "If-Match names an older version: reload the record and apply again"
        )
    return errors
