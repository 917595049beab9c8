"""One fixture, two backends: every test runs on SQLite and on PostgreSQL.

The schema is built by running the Alembic migrations, once per backend and test run. Each
test runs inside a transaction that is rolled back afterwards; the app's own commits become
savepoints inside it.
"""

import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlmodel import Session

from app.auth.roles import Role
from app.core import migrations
from app.core.database import get_session, make_engine
from app.main import create_app, install_listeners
from tests.accounts import RoleClients, auth_headers

# The demo in a database of its own, for the modules that ask for it (``api``, ``demo_engine``).
pytest_plugins = ["tests.demo_database"]

POSTGRES_URL = os.environ.get("KONVOI_TEST_POSTGRES_URL")
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
BACKENDS = ["sqlite", "postgresql"]


def _create_postgres_database() -> tuple[str, str]:
    """A fresh database per test run, so parallel runs on one server never collide."""
    assert POSTGRES_URL
    name = f"konvoi_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return str(make_url(POSTGRES_URL).set(database=name).render_as_string(False)), name


def _drop_postgres_database(name: str) -> None:
    assert POSTGRES_URL
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@contextmanager
def fresh_database(backend_url: str, folder: Path) -> Iterator[str]:
    """An empty database of the backend ``backend_url`` names, for a server of its own:
    a file in ``folder`` for SQLite, a new database on the PostgreSQL server."""
    if backend_url.startswith("sqlite"):
        yield f"sqlite:///{folder / 'served.db'}"
        return
    url, name = _create_postgres_database()
    try:
        yield url
    finally:
        _drop_postgres_database(name)


@pytest.fixture(scope="session")
def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """An empty database of the requested backend (no schema)."""
    backend = request.param
    if backend == "sqlite":
        path: Path = tmp_path_factory.mktemp("sqlite") / "konvoi.db"
        yield f"sqlite:///{path}"
        return
    if not POSTGRES_URL:
        if IN_CI:
            pytest.fail("KONVOI_TEST_POSTGRES_URL is not set; CI runs every test on PostgreSQL")
        pytest.skip("set KONVOI_TEST_POSTGRES_URL to run the PostgreSQL half of the suite")
    url, name = _create_postgres_database()
    yield url
    _drop_postgres_database(name)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "database_url" in metafunc.fixturenames:
        metafunc.parametrize("database_url", BACKENDS, indirect=True, scope="session")


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    """An engine on a database migrated to head."""
    install_listeners()
    eng = make_engine(database_url)
    with eng.begin() as conn:
        migrations.upgrade(conn)
    yield eng
    eng.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    connection = engine.connect()
    outer = connection.begin()
    db = Session(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
    yield db
    db.close()
    # A test may have rolled back and begun again (tests/operations/test_fuzzing.py).
    (connection.get_transaction() or outer).rollback()
    connection.close()


@pytest.fixture
def app(session: Session) -> FastAPI:
    """The app, with every request in the test's transaction."""
    application = create_app()

    def _session() -> Iterator[Session]:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise

    application.dependency_overrides[get_session] = _session
    return application


@pytest.fixture
def anonymous(app: FastAPI) -> Iterator[TestClient]:
    """A client without a token."""
    with TestClient(app, raise_server_exceptions=True) as test_client:
        yield test_client


@pytest.fixture
def as_role(app: FastAPI, session: Session) -> Iterator[RoleClients]:
    """Clients logged in with a given role: ``as_role(Role.driver, driver_id=3)``."""
    opened: list[TestClient] = []

    def make(role: Role, **links: int | None) -> TestClient:
        headers = auth_headers(session, role, **links)
        test_client = TestClient(app, raise_server_exceptions=True, headers=headers)
        opened.append(test_client)
        return test_client

    yield make
    for test_client in opened:
        test_client.close()


@pytest.fixture
def client(as_role: RoleClients) -> TestClient:
    """A client logged in as an admin: may do everything a coordinator can, and more."""
    return as_role(Role.admin)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Callable[[datetime], None]:
    """``clock(moment)``: from then on every rule's "today" (``today_at``) is read at
    ``moment``; the rest of the app keeps the real time."""

    def set_to(moment: datetime) -> None:
        monkeypatch.setattr("app.core.localtime.utcnow", lambda: moment)

    return set_to


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """In CI a skipped test is a failure: PostgreSQL and every other part must run."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = len(reporter.stats.get("skipped", [])) if reporter else 0
    if IN_CI and skipped:
        print(f"\nCI: {skipped} test(s) were skipped; nothing may be skipped in CI")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
