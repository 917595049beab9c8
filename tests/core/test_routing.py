"""Skipping the routers a path cannot fit (app/core/routing.py) changes no answer."""

import re
from collections import defaultdict
from collections.abc import Iterator, Sequence

from fastapi import FastAPI
from fastapi.routing import _IncludedRouter
from fastapi.testclient import TestClient
from starlette.routing import BaseRoute, Route

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def _walk(routes: Sequence[BaseRoute], prefix: str = "") -> Iterator[tuple[str, Route]]:
    for route in routes:
        if isinstance(route, _IncludedRouter):
            yield from _walk(route.original_router.routes, prefix + route.include_context.prefix)
        elif isinstance(route, Route):
            yield prefix + route.path, route


def _methods_by_path(app: FastAPI) -> dict[str, set[str]]:
    """Every route's path with its parameters filled in, and the methods it answers."""
    found: dict[str, set[str]] = defaultdict(set)
    for path, route in _walk(app.routes):
        filled = re.sub(r"\{[^}]+\}", "1", path)
        found[filled] |= route.methods or set()
    return found


def test_every_route_is_still_found(app: FastAPI, client: TestClient) -> None:
    """A method a path does not take is a 405, never a 404: the route behind it was found."""
    checked = 0
    for path, methods in _methods_by_path(app).items():
        other = next(m for m in METHODS if m not in methods)
        response = client.request(other, path, follow_redirects=False)
        assert response.status_code == 405, (other, path, response.status_code, response.text)
        # The first route of the path answers (Starlette's rule), naming its own methods.
        assert set(response.headers["allow"].split(", ")) <= methods, path
        checked += 1
    # Every path of the spec, and the pages besides.
    assert checked > len(app.openapi()["paths"])


def test_a_path_no_router_takes_is_404(client: TestClient) -> None:
    for path in ("/api/v1/convoys/1/nothing", "/api/v1/nothing", "/nothing", "/convoysx"):
        assert client.get(path).status_code == 404, path


def test_a_trailing_slash_is_redirected_to_the_route(client: TestClient) -> None:
    response = client.get("/api/v1/convoys/", follow_redirects=False)
    assert response.status_code == 307
    assert response.headers["location"].endswith("/api/v1/convoys")
