"""The error responses of every API operation, written into the OpenAPI spec.

FastAPI documents only the success and its own 422. The other refusals follow from how an
operation is built, so they are derived from the route rather than listed by hand: a path id
404, a request body 413 past the size limit. What the app's access control answers (401, 403,
412) is decided by app.auth, and a 409's reason codes by the rules: the app factory passes both
in (``install``), so the core knows no domain.
"""

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, RouteContext, iter_route_contexts
from pydantic import BaseModel, Field
from pydantic.json_schema import models_json_schema

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


# What an operation's access control answers (401, 403, 412), from its route and every
# dependency it calls: app.auth knows, the core only writes it into the spec.
AccessErrors = Callable[[RouteContext, Sequence[Callable[..., Any]]], dict[str, dict[str, Any]]]


def _calls(dependant: Dependant) -> Iterator[Callable[..., Any]]:
    for sub in dependant.dependencies:
        if sub.call is not None:
            yield sub.call
        yield from _calls(sub)


def record_dependencies(calls: Sequence[Callable[..., Any]]) -> list[Callable[..., Any]]:
    """The dependencies that look a record up by its path id (item_dep, convoy_dep, ...)."""
    return [c for c in calls if getattr(c, "__name__", "").endswith("_dep")]


def response(model: type[BaseModel], description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {
            "application/json": {"schema": {"$ref": f"#/components/schemas/{model.__name__}"}}
        },
    }


def _errors_of(
    route: RouteContext, refusals: Mapping[str, Sequence[str]], access: AccessErrors
) -> dict[str, dict[str, Any]]:
    operation = str(route.operation_id or route.name)
    calls = list(_calls(route.dependant))
    errors = access(route, calls)
    if route.dependant.path_params or record_dependencies(calls):
        errors["404"] = response(
            ErrorBody, "No such record, or one the account may not see (it is not told apart)"
        )
    if operation in refusals:
        codes = ", ".join(f"`{c}`" for c in refusals[operation])
        errors["409"] = response(
            RefusalBody, f"A rule blocks it; `reasons` lists every one. Reason codes: {codes}"
        )
    if route.body_field is not None:
        errors["400"] = response(ErrorBody, "The body cannot be read: not JSON, or not UTF-8")
        errors["413"] = response(ErrorBody, "The request body is larger than the limit")
    # Any parameter, even one the operation does not take, is checked for what no database
    # can store (app.core.paths); FastAPI documents its 422 only where it validates input.
    errors["422"] = {
        "description": "Validation Error",
        "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/HTTPValidationError"}}
        },
    }
    return errors


def install(app: FastAPI, *, refusals: Mapping[str, Sequence[str]], access: AccessErrors) -> None:
    """Wrap ``app.openapi`` so the spec documents every operation's error responses:
    ``refusals`` the reason codes of each operation's 409, ``access`` what its access control
    answers."""
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
                for status, answer in _errors_of(route, refusals, access).items():
                    operation["responses"].setdefault(status, answer)
                for parameter in operation.get("parameters", ()):
                    if parameter["in"] == "path" and parameter["name"].endswith("_id"):
                        # storable_parameters refuses what no database could store
                        parameter["schema"].setdefault("maximum", MAX_ID)
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
