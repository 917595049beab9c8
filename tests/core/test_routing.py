"""Routes built when first served, and routers skipped where a path cannot fit
(app/core/routing.py): neither changes an answer."""

import re
from collections import defaultdict
from collections.abc import Iterator, Sequence

from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute, _IncludedRouter
from fastapi.testclient import TestClient
from pydantic import BaseModel, Field
from starlette.routing import BaseRoute, Route

from app.core.routing import DeclaredRoute
from tests.fresh import in_fresh_process

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


def test_every_included_route_is_a_declared_route(app: FastAPI) -> None:
    """The app builds the routes it serves from what was declared (app/core/routing.py);
    a router with plain APIRoutes would build each of them once more at import."""
    included = [route for route in app.routes if isinstance(route, _IncludedRouter)]
    declared = [route for _, route in _walk(included) if isinstance(route, APIRoute)]
    assert len(declared) > 150
    plain = [route.path for route in declared if not isinstance(route, DeclaredRoute)]
    assert plain == []


def test_a_fresh_process_builds_no_declared_route_to_import_and_answer() -> None:
    """Importing the app and answering a request leaves the declared routes unbuilt, and
    Jinja is loaded by the first page, not by the start."""
    script = (
        "import sys\n"
        "import app.main\n"
        "assert 'jinja2' not in sys.modules\n"
        "from fastapi.testclient import TestClient\n"
        "from app.core.routing import DeclaredRoute\n"
        "from tests.core.test_routing import _walk\n"
        "with TestClient(app.main.app) as client:\n"
        "    assert client.get('/login').status_code == 200\n"
        "built = [p for p, r in _walk(app.main.app.routes)\n"
        "         if isinstance(r, DeclaredRoute) and '_declared' not in vars(r)]\n"
        "print(len(built))\n"
    )
    assert in_fresh_process(script).split() == ["0"]


def _declared_router() -> APIRouter:
    router = APIRouter(prefix="/things", route_class=DeclaredRoute)

    class Thing(BaseModel):
        name: str = Field(max_length=5)

    @router.post("", status_code=201)
    def create_thing(thing: Thing) -> Thing:
        """Create a thing."""
        return thing

    return router


def test_a_declared_route_serves_as_a_plain_one_in_an_app_and_on_its_own() -> None:
    router = _declared_router()
    (route,) = router.routes
    assert isinstance(route, DeclaredRoute)
    app = FastAPI()
    app.include_router(router, prefix="/api")
    with TestClient(app) as client:
        assert client.post("/api/things", json={"name": "pump"}).status_code == 201
        refused = client.post("/api/things", json={"name": "generator"})
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["loc"] == ["body", "name"]
    assert "_declared" in vars(route)  # served without building the declared route
    assert app.openapi()["paths"]["/api/things"]["post"]["summary"] == "Create Thing"

    # Asked for what only a build has, it builds: a router mounted as it is serves too.
    assert route.dependant.call is route.endpoint
    alone = FastAPI()
    alone.router.routes.extend(router.routes)
    with TestClient(alone) as client:
        assert client.post("/things", json={"name": "pipe"}).json() == {"name": "pipe"}
        assert client.post("/things", json={"name": "generator"}).status_code == 422
