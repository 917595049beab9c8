"""Finding a request's route without trying every route of every router.

FastAPI keeps each included router as one node, and for every request tries the routes of
each router in turn, paying its bookkeeping per route even where the router's paths cannot
fit (fastapi/fastapi#16159). With about 190 routes in 35 routers that walk was about a third
of a one-row read. Here each router node knows the literal beginnings of its paths (up to the
first parameter); a path that starts with none of them fits no route of that router, neither
fully nor by path alone (a 405), so the router is skipped and no answer changes.
"""

from dataclasses import dataclass

from fastapi import FastAPI
from fastapi.routing import _IncludedRouter
from starlette._utils import get_route_path
from starlette.routing import Match, Route
from starlette.types import Scope


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
