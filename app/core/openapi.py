"""The error responses of every API operation, written into the OpenAPI spec.

FastAPI documents only the success and its own 422. The other refusals follow from how an
operation is built, so they are derived from the route rather than listed by hand: the policy
dependency answers 401 and 403, a path id 404, a record dependency that checks If-Match 412, a
request body 413 past the size limit. A 409 is a rule, so its reason codes are listed here per
operation; tests/core/test_openapi_errors.py checks every code the rules raise is listed.
"""

from collections.abc import Callable, Iterator
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, RouteContext, iter_route_contexts
from pydantic import BaseModel, Field
from pydantic.json_schema import models_json_schema

from app.auth.deps import authorize, require_version
from app.auth.policy import POLICY
from app.auth.roles import Role
from app.core.errors import ReasonBody
from app.core.paths import MAX_ID
from app.core.schemas import Schema


class ErrorBody(Schema):
    """A refusal without a list of reasons."""

    detail: str = Field(examples=["Item 42 does not exist"])
    code: str = Field(examples=["not_found"])
    field: str | None = Field(default=None, description="The field a conflict is about")


class RefusalBody(Schema):
    """A rule blocks the request: every unmet condition, each with its code."""

    detail: str = Field(examples=["Convoy W4U-02 cannot depart"])
    code: str = Field(examples=["rule_violation"], description="`conflict` when without reasons")
    field: str | None = Field(default=None, description="The field a conflict is about")
    reasons: list[ReasonBody] = Field(default_factory=list)


_READINESS = (
    "no_legs",
    "no_vehicles",
    "vehicle_without_driver",
    "driver_double_booked",
    "driver_licence_missing",
    "driver_unavailable",
    "equipment_without_carrier",
    "export_plate_missing",
    "export_plate_not_yet_valid",
    "export_plate_expires_during_trip",
    "insurance_ends_during_trip",
    "inspection_due_during_trip",
    "item_not_export_ready",
    "item_without_certificate",
    "item_without_destination",
)
_ITEM_CHANGE = ("item_closed", "wrong_status")
_PLANNING = ("convoy_not_in_planning",)

# The reason codes of each operation's 409 (a Conflict without reasons has code "conflict").
REFUSALS: dict[str, tuple[str, ...]] = {
    "update_item": (*_ITEM_CHANGE, "cargo_needs_vehicle", "vehicle_overloaded", "conflict"),
    "create_item": ("conflict",),
    "accept_item": _ITEM_CHANGE,
    "allocate_item": (
        *_ITEM_CHANGE,
        "no_destination",
        "need_cancelled",
        "need_kind_mismatch",
        "need_of_other_destination",
    ),
    "certify_item": (*_ITEM_CHANGE, "certificate_missing", "no_destination"),
    "mark_item_export_ready": (
        *_ITEM_CHANGE,
        "export_record_missing",
        "export_plate_missing",
        "plate_validity_missing",
        "plate_not_yet_valid",
        "insurance_missing",
        "inspection_date_missing",
        "mrn_missing",
        "registration_papers_missing",
    ),
    "withdraw_item": _ITEM_CHANGE,
    "create_cargo_line": ("item_closed", "cargo_needs_vehicle", "vehicle_overloaded"),
    "update_cargo_line": ("item_closed", "cargo_needs_vehicle", "vehicle_overloaded"),
    "delete_cargo_line": ("item_closed",),
    "create_certificate": (
        "item_allocated_elsewhere",
        "item_not_allocated",
        "item_withdrawn",
        "conflict",
    ),
    "update_certificate": (
        "item_allocated_elsewhere",
        "item_not_allocated",
        "item_withdrawn",
        "conflict",
    ),
    "add_certificate_items": ("item_allocated_elsewhere", "item_not_allocated", "item_withdrawn"),
    "remove_certificate_item": ("conflict",),
    "create_export_record": ("conflict",),
    "update_export_record": ("conflict",),
    "update_need": ("items_matched", "need_cancelled", "quantity_below_matched"),
    "cancel_need": ("already_cancelled",),
    "create_destination": ("conflict",),
    "update_destination": ("conflict",),
    "update_driver": ("conflict",),
    "erase_driver": ("conflict",),
    "create_convoy": ("conflict",),
    "update_convoy": ("plan_is_history", "conflict"),
    "add_leg": (*_PLANNING, "conflict"),
    "update_leg": (*_PLANNING, "conflict"),
    "delete_leg": _PLANNING,
    "load_item": (
        *_PLANNING,
        "item_not_loadable",
        "item_already_loaded",
        "carrier_not_a_vehicle",
        "carrier_not_in_convoy",
        "vehicle_has_no_carrier",
        "conflict",
    ),
    "load_items": (
        *_PLANNING,
        "item_not_loadable",
        "item_already_loaded",
        "carrier_not_a_vehicle",
        "carrier_not_in_convoy",
        "vehicle_has_no_carrier",
        "conflict",
    ),
    "unload_item": _PLANNING,
    "assign_driver": (
        *_PLANNING,
        "vehicle_already_has_driver",
        "driver_double_booked",
        "conflict",
    ),
    "assign_drivers_for_trip": (
        *_PLANNING,
        "no_legs",
        "vehicle_already_has_driver",
        "driver_double_booked",
    ),
    "swap_driver": (*_PLANNING, "driver_not_on_convoy", "driver_double_booked"),
    "unassign_driver": _PLANNING,
    "withdraw_driver": ("driver_not_on_convoy", "convoy_status"),
    "mark_ready_convoy": ("convoy_status", *_READINESS),
    "depart_convoy": ("convoy_status", *_READINESS),
    "arrive_convoy": ("convoy_status",),
    "close_convoy": ("convoy_status", "item_not_handed_over"),
    "cancel_convoy": ("convoy_status",),
    "report_progress": ("convoy_not_under_way", "conflict"),
    "record_handover": ("convoy_not_at_destination", "conflict"),
    "create_user": ("conflict",),
}

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


def _calls(dependant: Dependant) -> Iterator[Callable[..., Any]]:
    for sub in dependant.dependencies:
        if sub.call is not None:
            yield sub.call
        yield from _calls(sub)


def _checks_version(call: Callable[..., Any]) -> bool:
    # The record dependencies (item_dep, convoy_dep, ...) call require_version in their body.
    code = getattr(call, "__code__", None)
    return code is not None and require_version.__name__ in code.co_names


def _response(model: type[BaseModel], description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {
            "application/json": {"schema": {"$ref": f"#/components/schemas/{model.__name__}"}}
        },
    }


def _errors_of(route: RouteContext) -> dict[str, dict[str, Any]]:
    operation = str(route.operation_id or route.name)
    calls = list(_calls(route.dependant))
    methods = route.methods or set()
    errors: dict[str, dict[str, Any]] = {}
    records = [c for c in calls if getattr(c, "__name__", "").endswith("_dep")]
    # A convoy in the path is looked up with the driver's withdrawal in mind (403), whether
    # by a record dependency or, for the hot read, in the endpoint's own thread.
    in_convoy = "{convoy_id}" in (route.path_format or "")
    if authorize in calls:
        allowed = POLICY.get(operation, frozenset())
        errors["401"] = _response(ErrorBody, "No bearer token, or an unknown or expired one")
        if allowed != set(Role) or records or in_convoy:
            roles = ", ".join(r.value for r in Role if r in allowed)
            errors["403"] = _response(
                ErrorBody,
                f"The account's role may not do this (allowed: {roles or 'nobody'}), or a "
                "driver acts on a convoy or leg that is not theirs",
            )
    if route.dependant.path_params or records:
        errors["404"] = _response(
            ErrorBody, "No such record, or one the account may not see (it is not told apart)"
        )
    if operation in REFUSALS:
        codes = ", ".join(f"`{c}`" for c in REFUSALS[operation])
        errors["409"] = _response(
            RefusalBody, f"A rule blocks it; `reasons` lists every one. Reason codes: {codes}"
        )
    if methods & UNSAFE and any(_checks_version(c) for c in calls):
        errors["412"] = _response(
            ErrorBody, "If-Match names an older version: reload the record and apply again"
        )
    if route.body_field is not None:
        errors["413"] = _response(ErrorBody, "The request body is larger than the limit")
    return errors


def install(app: FastAPI) -> None:
    """Wrap ``app.openapi`` so the spec documents every operation's error responses."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = generate()
        _, bodies = models_json_schema(
            [(model, "serialization") for model in (ErrorBody, RefusalBody)],
            ref_template="#/components/schemas/{model}",
        )
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        for name, body in bodies["$defs"].items():
            components.setdefault(name, body)
        # Routes as the app serves them, with the dependencies of the routers they sit in.
        for route in iter_route_contexts(app.routes):
            path = schema["paths"].get(route.path_format or "")
            if not isinstance(route.original_route, APIRoute) or path is None:
                continue
            for method in route.methods or ():
                operation = path.get(method.lower())
                if operation is None:
                    continue
                for status, response in _errors_of(route).items():
                    operation["responses"].setdefault(status, response)
                for parameter in operation.get("parameters", ()):
                    if parameter["in"] == "path" and parameter["name"].endswith("_id"):
                        # bounded_ids refuses what no database could store
                        parameter["schema"].setdefault("maximum", MAX_ID)
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
