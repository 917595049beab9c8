"""`konvoi serve --workers N`: several workers on PostgreSQL; on SQLite, one, and it says why.

The command runs as an operator types it (click's runner); only the server it would start is
replaced by a stand-in that notes what it was asked for.
"""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from click.testing import CliRunner, Result

from app.cli import cli
from app.core.config import get_settings
from app.core.database import get_engine


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
