"""Routes built once, when first served, and found without trying every route of every router.

FastAPI builds each route twice: when it is declared on its router, and again, lazily, for the
app the router is included in, the first time that router is tried (`_IncludedRouter`). Only
the second build serves; the first was about 40 % of importing the app, and so of a cold start.
`DeclaredRoute` keeps what was declared and builds the rest only if something asks for it.

FastAPI keeps each included router as one node, and for every request tries the routes of
each router in turn, paying its bookkeeping per route even where the router's paths cannot
fit (fastapi/fastapi#16159). With about 190 routes in 35 routers that walk was about a third
of a one-row read. Here each router node knows the literal beginnings of its paths (up to the
first parameter); a path that starts with none of them fits no route of that router, neither
fully nor by path alone (a 405), so the router is skipped and no answer changes.
"""

import inspect
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI
from fastapi._form_limits import _validate_form_limits
from fastapi.routing import APIRoute, _IncludedRouter
from starlette._utils import get_route_path
from starlette.routing import Match, Route, get_name
from starlette.types import Scope

# What a declared route holds before it is built: APIRoute's options and their defaults.
_OPTIONS = {
    name: parameter.default
    for name, parameter in inspect.signature(APIRoute.__init__).parameters.items()
    if parameter.default is not inspect.Parameter.empty
}
_building = threading.RLock()


class DeclaredRoute(APIRoute):
    """A route as declared: its path, endpoint and options, which are all FastAPI reads to
    build the route it serves in an including app. The rest of APIRoute (the dependant, the
    response field, its own ASGI app) is built the first time anything asks for it, so a
    router served on its own, or code that inspects a declared route, sees a whole APIRoute.

    Use it as the ``route_class`` of every router the app includes."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **options: Any) -> None:
        self._declared = (path, endpoint, options)
        for name, default in _OPTIONS.items():
            setattr(self, name, options.get(name, default))
        self.path = path
        self.endpoint = endpoint
        # As APIRoute holds them: the including app's build reads these as they are.
        self.name = self.name or get_name(endpoint)
        self.methods = {method.upper() for method in self.methods or ("GET",)}
        self.tags = list(self.tags or [])
        self.dependencies = list(self.dependencies or [])
        self.responses = dict(self.responses or {})
        self.form_limits = _validate_form_limits(self.form_limits)
        self.stream_item_type = None  # found by the build, from the endpoint's return type

    def __getattr__(self, name: str) -> Any:
        # Called only for what is not set yet: build the whole route once, then answer.
        if name.startswith("__"):
            raise AttributeError(name)
        with _building:
            declared = self.__dict__.pop("_declared", None)
            if declared is not None:
                path, endpoint, options = declared
                APIRoute.__init__(self, path, endpoint, **options)
        return object.__getattribute__(self, name)


@dataclass
class _Guarded(_IncludedRouter):
    paths: frozenset[str] = frozenset()
    beginnings: tuple[str, ...] = ()

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        path = get_route_path(scope)
        if path not in self.paths and not path.startswith(self.beginnings):
            return Match.NONE, {}
        return super().matches(scope)


def _fitting(node: _IncludedRouter, prefix: str, paths: set[str], beginnings: set[str]) -> None:
    """Collect the whole paths of ``node``'s plain routes and the beginnings of the rest,
    from the routes as declared (FastAPI builds its own per-request view of each router
    lazily, on the first request the router is tried for; skipped routers never need it)."""
    prefix += node.include_context.prefix
    for route in node.original_router.routes:
        if isinstance(route, _IncludedRouter):
            _fitting(route, prefix, paths, beginnings)
            continue
        path = prefix + str(getattr(route, "path", ""))
        if "{" not in path and isinstance(route, Route):
            paths.add(path)
        else:  # a mount, or a path with parameters
            beginnings.add(path.split("{", 1)[0])


def skip_unfitting_routers(app: FastAPI) -> None:
    """Wrap each router included in ``app`` so that a request tries it only if it can fit.

    Call it once every router is included."""
    routes = app.router.routes
    for index, route in enumerate(routes):
        if type(route) is _IncludedRouter:
            paths: set[str] = set()
            beginnings: set[str] = set()
            _fitting(route, "", paths, beginnings)
            routes[index] = _Guarded(
                original_router=route.original_router,
                include_context=route.include_context,
                paths=frozenset(paths),
                beginnings=tuple(sorted(beginnings)),
            )
