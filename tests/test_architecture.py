"""How the code is put together, read from its source: no private names of the frameworks,
layers that point one way, and no import cycles (imports inside functions included)."""

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "app"
# Their private names (a leading underscore) change in a patch release.
FRAMEWORKS = frozenset(
    {
        "fastapi",
        "starlette",
        "jinja2",
        "jinja2_fragments",
        "markupsafe",
        "sqlalchemy",
        "sqlmodel",
        "alembic",
        "pydantic",
        "pydantic_settings",
        "uvicorn",
        "anyio",
    }
)


def _sources(*folders: str) -> Iterator[Path]:
    for folder in folders:
        yield from sorted((ROOT / folder).rglob("*.py"))


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def private_names(source: str) -> list[str]:
    """Each use of a framework's private name in ``source``: imported, or read as an attribute
    of a name imported from a framework."""
    found: list[str] = []
    from_frameworks: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] in FRAMEWORKS:
                    if any(_is_private(part) for part in alias.name.split(".")):
                        found.append(alias.name)
                    from_frameworks.add((alias.asname or alias.name).split(".")[0])
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module.split(".")[0] not in FRAMEWORKS:
                continue
            if any(_is_private(part) for part in node.module.split(".")):
                found.append(node.module)
            for alias in node.names:
                if _is_private(alias.name):
                    found.append(f"{node.module}.{alias.name}")
                from_frameworks.add(alias.asname or alias.name)
    for node in ast.walk(ast.parse(source)):
        if (
            isinstance(node, ast.Attribute)
            and _is_private(node.attr)
            and isinstance(node.value, ast.Name)
            and node.value.id in from_frameworks
        ):
            found.append(f"{node.value.id}.{node.attr}")
    return found


def test_the_check_for_private_names_finds_them() -> None:
    source = (
        "from fastapi.routing import _IncludedRouter\n"
        "from starlette._utils import get_route_path\n"
        "import sqlalchemy as sa\n"
        "from sqlmodel import SQLModel\n"
        "def f():\n"
        "    return SQLModel._sa_registry, sa._private, SQLModel.__name__\n"
    )
    assert private_names(source) == [
        "fastapi.routing._IncludedRouter",
        "starlette._utils",
        "SQLModel._sa_registry",
        "sa._private",
    ]


def test_no_private_name_of_a_framework_is_used() -> None:
    used = {
        str(path.relative_to(ROOT)): names
        for path in _sources("app", "tests", "bench", "docs", "migrations")
        if (names := private_names(path.read_text()))
    }
    assert used == {}


def imports_of(path: Path) -> set[str]:
    """The app modules ``path`` imports, wherever in it (a function's imports included)."""
    module = _module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            # `from app.convoys import service` imports the module app.convoys.service.
            for alias in node.names:
                found.add(f"{base}.{alias.name}" if _is_module(f"{base}.{alias.name}") else base)
    return {name for name in found if name == "app" or name.startswith("app.")}


def _is_module(name: str) -> bool:
    path = ROOT.joinpath(*name.split("."))
    return path.with_suffix(".py").exists() or (path / "__init__.py").exists()


def import_graph() -> dict[str, set[str]]:
    graph = {_module_name(path): imports_of(path) for path in _sources("app")}
    return {
        module: {i for i in found if i in graph and i != module} for module, found in graph.items()
    }


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


def test_the_cycle_check_finds_a_cycle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_module_of_the_app_takes_part_in_an_import_cycle() -> None:
    assert cycles(import_graph()) == []


def _layer_breaches(prefix: str, allowed: tuple[str, ...]) -> dict[str, list[str]]:
    return {
        module: sorted(
            i for i in imported if not i.startswith(allowed) and not i.startswith(prefix)
        )
        for module, imported in import_graph().items()
        if module.startswith(prefix)
        and any(not i.startswith(allowed) and not i.startswith(prefix) for i in imported)
    }


def test_the_core_knows_no_domain() -> None:
    assert _layer_breaches("app.core", ()) == {}


def test_the_shared_frame_knows_only_who_is_signed_in() -> None:
    assert _layer_breaches("app.web", ("app.core", "app.auth")) == {}
