"""`konvoi serve --workers N`: several workers on PostgreSQL; on SQLite, one, and it says why.

The command runs as an operator types it (click's runner); only the server it would start is
replaced by a stand-in that notes what it was asked for.
"""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from click.testing import CliRunner, Result

from app.cli import cli
from app.core.config import get_settings
from app.core.database import get_engine
from bench.serving import serving


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[list[dict[str, Any]]]:
    """What `uvicorn.run` was asked for; the metrics directory of several workers in tmp."""
    asked: list[dict[str, Any]] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: asked.append(options))
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path / "metrics"))
    yield asked
    get_engine().dispose()
    get_engine.cache_clear()
    get_settings.cache_clear()


def serve(monkeypatch: pytest.MonkeyPatch, url: str, *args: str) -> Result:
    monkeypatch.setenv("KONVOI_DATABASE_URL", url)
    # Both are cached per process; the command must see this database.
    get_settings.cache_clear()
    get_engine.cache_clear()
    return CliRunner().invoke(cli, ["serve", *args])


def test_sqlite_is_served_by_one_worker_and_says_why(
    served: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    done = serve(monkeypatch, f"sqlite:///{tmp_path / 'konvoi.db'}", "--workers", "4")
    assert done.exit_code == 0, done.output
    assert [options["workers"] for options in served] == [1]
    assert served[0]["server_header"] is False
    assert (
        "SQLite lets one process write at a time: serving with one worker, not 4. "
        "Several workers need PostgreSQL (KONVOI_DATABASE_URL)."
    ) in done.stderr
    assert "database at head" in done.stdout  # migrated as always

    again = serve(monkeypatch, f"sqlite:///{tmp_path / 'konvoi.db'}")
    assert again.exit_code == 0, again.output
    assert [options["workers"] for options in served] == [1, 1]
    assert again.stderr == ""  # one worker asked for, nothing to say


def test_postgresql_is_served_by_as_many_workers_as_asked(
    served: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch, postgres_database: str
) -> None:
    done = serve(monkeypatch, postgres_database, "--workers", "3")
    assert done.exit_code == 0, done.output
    assert [options["workers"] for options in served] == [3]
    assert done.stderr == ""


def test_the_server_names_no_software_and_holds_https_behind_a_trusted_proxy(
    tmp_path: Path,
) -> None:
    """A real `konvoi serve`: no `server` header (uvicorn's own), and HSTS when the proxy in
    front of it (KONVOI_FORWARDED_ALLOW_IPS) says the browser came over HTTPS."""
    url = f"sqlite:///{tmp_path / 'served.db'}"
    with serving(url, tmp_path / "server.log") as served, httpx.Client(base_url=served.base) as web:
        plain = web.get("/login")
        behind_proxy = web.get("/login", headers={"X-Forwarded-Proto": "https"})
    assert plain.status_code == behind_proxy.status_code == 200
    for response in (plain, behind_proxy):
        assert "server" not in response.headers
        assert response.headers["cache-control"] == "no-store"
    assert "strict-transport-security" not in plain.headers
    assert behind_proxy.headers["strict-transport-security"] == "max-age=31536000"
