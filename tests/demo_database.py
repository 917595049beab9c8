"""The demo loaded into a database of its own, per backend, for the tests that read it back
(the demo's own checks, and its papers): it commits, so it cannot share the rolled-back one.

Registered as a plugin in tests/conftest.py; a module asking for ``api`` gets the demo
loaded once for it on SQLite and on PostgreSQL, logged in as the demo's coordinator.
"""

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session

from app import demo
from app.auth.roles import Role
from app.core import migrations
from app.core.database import get_session, make_engine
from app.main import create_app
from tests.conftest import IN_CI, POSTGRES_URL, _create_postgres_database, _drop_postgres_database

API = "/api/v1"


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def loaded(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Engine, list[demo.DemoLogin]]]:
    """A fresh database of each backend, migrated, with the demo loaded once; its accounts."""
    database: str | None = None
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.db'}"
    elif POSTGRES_URL:
        url, database = _create_postgres_database()
    elif IN_CI:
        pytest.fail("KONVOI_TEST_POSTGRES_URL is not set; CI runs every test on PostgreSQL")
    else:
        pytest.skip("set KONVOI_TEST_POSTGRES_URL to run the PostgreSQL half of the suite")
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            migrations.upgrade(connection)
        logins = demo.load_if_empty(engine)
        assert logins is not None
        yield engine, logins
    finally:
        engine.dispose()
        if database is not None:
            _drop_postgres_database(database)


@pytest.fixture(scope="module")
def demo_engine(loaded: tuple[Engine, list[demo.DemoLogin]]) -> Engine:
    return loaded[0]


@pytest.fixture(scope="module")
def demo_logins(loaded: tuple[Engine, list[demo.DemoLogin]]) -> dict[Role, demo.DemoLogin]:
    return {login.role: login for login in loaded[1]}


@pytest.fixture(scope="module")
def login_desk(demo_engine: Engine) -> Iterator[TestClient]:
    """The app committing as in production: a login must store its token to be usable."""
    app = create_app()

    def _session() -> Iterator[Session]:
        with Session(demo_engine, expire_on_commit=False) as session:
            yield session
            session.commit()

    app.dependency_overrides[get_session] = _session
    with TestClient(app, raise_server_exceptions=True) as client:
        yield client


def log_in(desk: TestClient, username: str, password: str) -> dict[str, str]:
    response = desk.post(f"{API}/auth/token", data={"username": username, "password": password})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


@pytest.fixture(scope="module")
def rolled_back_app(demo_engine: Engine) -> FastAPI:
    app = create_app()

    def _session() -> Iterator[Session]:
        # Every request is rolled back: a test that is refused must not change the demo.
        with Session(demo_engine, expire_on_commit=False) as session:
            yield session
            session.rollback()

    app.dependency_overrides[get_session] = _session
    return app


@pytest.fixture(scope="module")
def api(
    rolled_back_app: FastAPI, login_desk: TestClient, demo_logins: dict[Role, demo.DemoLogin]
) -> Iterator[TestClient]:
    """Logged in as the demo's coordinator, with the password the loader returned."""
    coordinator = demo_logins[Role.coordinator]
    headers = log_in(login_desk, coordinator.username, coordinator.password)
    with TestClient(rolled_back_app, raise_server_exceptions=True, headers=headers) as client:
        yield client
