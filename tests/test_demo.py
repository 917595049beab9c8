"""The demo data set: one convoy ready, one blocked, one delivered, built through the services.

The demo commits, so it runs on a database of its own (not the shared, rolled-back one), on
SQLite and PostgreSQL; the checks read it back through the HTTP API.
"""

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlmodel import Session, SQLModel
from typer.testing import CliRunner

from app import demo
from app.cli import cli
from app.core import migrations
from app.core.config import get_settings
from app.core.database import get_engine, get_session, make_engine
from app.main import create_app
from tests.conftest import (
    IN_CI,
    POSTGRES_URL,
    _create_postgres_database,
    _drop_postgres_database,
)

API = "/api/v1"
FIRST_CONVOY_DECLARED_CENTS = 75_000_000  # EUR 750,000: items plus the cargo they carry
BLOCKED_CODES = [
    "driver_licence_missing",
    "export_plate_expires_during_trip",
    "insurance_ends_during_trip",
    "item_not_export_ready",
    "item_without_certificate",
    "vehicle_without_driver",
]


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def demo_engine(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Engine]:
    """A fresh database of each backend, migrated, with the demo loaded once."""
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
        assert demo.load_if_empty(engine) is True
        yield engine
    finally:
        engine.dispose()
        if database is not None:
            _drop_postgres_database(database)


@pytest.fixture(scope="module")
def api(demo_engine: Engine) -> Iterator[TestClient]:
    app = create_app()

    def _session() -> Iterator[Session]:
        # Every request is rolled back: a test that is refused must not change the demo.
        with Session(demo_engine, expire_on_commit=False) as session:
            yield session
            session.rollback()

    app.dependency_overrides[get_session] = _session
    with TestClient(app, raise_server_exceptions=True) as client:
        yield client


def _get(api: TestClient, path: str) -> Any:
    response = api.get(f"{API}{path}")
    assert response.status_code == 200, response.text
    return response.json()


def _convoys(api: TestClient) -> dict[str, dict[str, Any]]:
    page = _get(api, "/convoys?sort=number&limit=100")
    return {c["number"]: c for c in page["items"]}


def _row_counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {
            table.name: connection.execute(select(func.count()).select_from(table)).scalar_one()
            for table in SQLModel.metadata.sorted_tables
        }


def test_three_convoys_ready_blocked_and_delivered(api: TestClient) -> None:
    convoys = _convoys(api)
    assert {number: c["status"] for number, c in convoys.items()} == {
        "W4U-01": "closed",
        "W4U-02": "ready",
        "W4U-03": "planning",
    }
    today = date.today()
    departures = {n: date.fromisoformat(c["planned_departure_at"][:10]) for n, c in convoys.items()}
    assert departures["W4U-01"] < today < departures["W4U-02"] < departures["W4U-03"]


def test_ready_convoy_has_no_blockers(api: TestClient) -> None:
    ready = _convoys(api)["W4U-02"]
    readiness = _get(api, f"/convoys/{ready['id']}/readiness")
    assert readiness["status"] == "ready"
    assert readiness["can_depart"] is True
    assert readiness["blockers"] == []
    # The Citaro's VIN fails the ISO 3779 check digit: shown, never blocking.
    vin_warnings = [w for w in readiness["warnings"] if w["code"] == "vin_check_digit"]
    assert [w["message"].split(":")[0] for w in vin_warnings] == ["Mercedes-Benz O 530 Citaro"]
    # 36 hours non-stop: the exemption turns the driving-time limits into warnings.
    assert ready["claims_humanitarian_exemption"] is True
    assert any(w["code"].startswith("driving_time_") for w in readiness["warnings"])

    detail = _get(api, f"/convoys/{ready['id']}")
    vehicles = [i for i in detail["items"] if i["category"] == "vehicle"]
    assert sorted(v["kind"] for v in vehicles) == [
        "bus",
        "bus",
        "truck",
        "truck",
        "truck",
        "unimog",
    ]
    assert {i["status"] for i in detail["items"]} == {"export_ready"}
    assert all(v["export_plate"].startswith("W ") for v in vehicles)
    legs = detail["legs"]
    assert sum(leg["distance_km"] for leg in legs) == 1_400
    assert [leg["is_border_crossing"] for leg in legs] == [False, False, True, False]


def test_ready_convoy_declares_750000_euro(api: TestClient) -> None:
    """Items (vehicles, generator, pumps) plus the cargo lines packed into the vehicles."""
    ready = _convoys(api)["W4U-02"]
    detail = _get(api, f"/convoys/{ready['id']}")
    items = [_get(api, f"/items/{i['item_id']}") for i in detail["items"]]
    declared = sum(i["declared_value_cents"] for i in items)
    cargo = sum(i["cargo_value_cents"] for i in items)
    assert (declared, cargo) == (45_100_000, 29_900_000)
    assert declared + cargo == FIRST_CONVOY_DECLARED_CENTS
    vehicles = [i for i in items if i["category"] == "vehicle"]
    lines = [line for v in vehicles for line in _get(api, f"/items/{v['id']}/cargo")["items"]]
    assert sum(line["value_cents"] for line in lines) == cargo
    assert {line["hs_code"] for line in lines} == {"8413", "8502", "8517"}


def test_blocked_convoy_says_what_blocks_it(api: TestClient) -> None:
    blocked = _convoys(api)["W4U-03"]
    readiness = _get(api, f"/convoys/{blocked['id']}/readiness")
    assert readiness["can_depart"] is False
    assert sorted(b["code"] for b in readiness["blockers"]) == BLOCKED_CODES
    messages = {b["code"]: b["message"] for b in readiness["blockers"]}
    assert messages["item_without_certificate"].startswith(
        "Setra S 415 NF has no usage certificate (Verwendungsnachweis)"
    )
    assert messages["driver_licence_missing"] == (
        "Lea Schmitz cannot drive Mercedes-Benz Econic 1830 refuse collection truck on leg 1: "
        "it needs licence class C, and they do not hold it."
    )
    assert messages["vehicle_without_driver"] == (
        "Setra S 415 NF has no driver on leg 1 (Wuppertal bus depot → Görlitz rest area)."
    )
    assert [w["code"] for w in readiness["warnings"]] == ["driver_shortage"]

    refused = api.post(f"{API}/convoys/{blocked['id']}/depart")
    assert refused.status_code == 409
    assert sorted(r["code"] for r in refused.json()["reasons"]) == BLOCKED_CODES
    assert _convoys(api)["W4U-03"]["status"] == "planning"


def test_delivered_convoy_was_tracked_and_handed_over(api: TestClient) -> None:
    delivered = _convoys(api)["W4U-01"]
    detail = _get(api, f"/convoys/{delivered['id']}")
    assert {i["status"] for i in detail["items"]} == {"delivered"}
    events = _get(api, f"/convoys/{delivered['id']}/events")
    kinds = [e["kind"] for e in events]
    assert {"departed", "border_queued", "border_crossed", "arrived"} <= set(kinds)
    assert kinds[-1] == "arrived"
    assert detail["position"]["id"] == events[-1]["id"]
    handovers = _get(api, f"/convoys/{delivered['id']}/handovers")
    assert sorted(h["item_id"] for h in handovers) == sorted(i["item_id"] for i in detail["items"])
    assert all(date.fromisoformat(h["handed_over_on"]) < date.today() for h in handovers)


def test_needs_destinations_and_drivers(api: TestClient) -> None:
    destinations = {d["name"]: d for d in _get(api, "/destinations?limit=100")["items"]}
    lviv = destinations["Lvivvodokanal"]
    assert lviv["name_uk"] == "ЛМКП «Львівводоканал»"
    forwarded = {n: d["via_destination_id"] for n, d in destinations.items() if n != lviv["name"]}
    assert forwarded == {"Chuhuiv water utility": lviv["id"], "Mykolaivvodokanal": lviv["id"]}

    needs = _get(api, "/needs?limit=100")["items"]
    statuses = {n["status"] for n in needs}
    assert statuses == {"open", "matched"}
    assert any(n["status"] == "open" and n["matched_quantity"] > 0 for n in needs)

    drivers = _get(api, "/drivers?limit=100")["items"]
    today = date.today()
    ages = [
        today.year
        - (born := date.fromisoformat(d["date_of_birth"])).year
        - ((today.month, today.day) < (born.month, born.day))
        for d in drivers
    ]
    assert (min(ages), max(ages)) == (18, 76)
    assert all(d["licences"] and d["availability"] and d["languages"] for d in drivers)


def test_loading_twice_adds_nothing(demo_engine: Engine) -> None:
    before = _row_counts(demo_engine)
    assert demo.load_if_empty(demo_engine) is False
    assert _row_counts(demo_engine) == before
    assert before["convoy"] == 3


def test_konvoi_demo_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KONVOI_DATABASE_URL", f"sqlite:///{tmp_path / 'konvoi.db'}")
    get_settings.cache_clear()
    get_engine.cache_clear()
    try:
        runner = CliRunner()
        first = runner.invoke(cli, ["demo"])
        assert first.exit_code == 0, first.output
        assert first.output.splitlines()[-1] == "demo data loaded"
        again = runner.invoke(cli, ["demo"])
        assert again.exit_code == 0, again.output
        assert again.output.splitlines()[-1] == "database is not empty; demo data not loaded"
        assert _row_counts(get_engine())["convoy"] == 3
    finally:
        get_engine().dispose()
        get_settings.cache_clear()
        get_engine.cache_clear()
