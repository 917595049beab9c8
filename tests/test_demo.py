"""The demo data set: one convoy ready, one blocked, one delivered, built through the services,
and one account per role whose passwords are shown once.

The demo commits, so it runs on a database of its own (not the shared, rolled-back one), on
SQLite and PostgreSQL; the checks read it back through the HTTP API, logged in as the demo
accounts with the passwords the loader returned.
"""

from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlmodel
from click.testing import CliRunner
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlmodel import Session, SQLModel

from app import demo
from app.auth.models import User
from app.auth.roles import Role
from app.cli import cli
from app.core.config import get_settings
from app.core.database import get_engine
from app.demo import data, funding
from app.demo.shapes import Vehicle
from app.main import create_app
from tests.demo_database import log_in

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
        "LVR-20": "planning",  # the transport series' twentieth (app/demo/funding.py)
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
    # Handed over on Monday morning in Lviv, the day after arriving; the plates last until then.
    handover = datetime.fromisoformat(ready["planned_handover_at"]).astimezone(
        ZoneInfo("Europe/Kyiv")
    )
    arrival = datetime.fromisoformat(
        _get(api, f"/convoys/{ready['id']}")["legs"][-1]["planned_arrival_at"]
    )
    assert (handover.strftime("%a %H:%M"), ready["handover_place"]) == (
        "Mon 09:00",
        "Lvivvodokanal yard, Lviv",
    )
    assert handover > arrival
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
    # The collection point's pallets of winter jackets: donated relief goods, 9919 0000.
    assert {line["hs_code"] for line in lines} == {"8413", "8502", "8517", "99190000"}
    pallets = [line for line in lines if line["packing"] == "pallet" and line["unit"] == "pallet"]
    assert [p["marks"] for p in pallets] == ["WH-0001", "WH-0002"]


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
        "Setra S 415 NF has no driver on leg 1 (Wuppertal bus depot → Görlitz rest area): "
        "Uwe Bergmann withdrew (heat)."
    )
    withdrawals = _get(api, f"/convoys/{blocked['id']}/withdrawals")
    assert [(w["reason"], w["left_open"]) for w in withdrawals] == [
        ("heat", ["leg 1: Setra S 415 NF"])
    ]
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
    utilities = {n: d for n, d in destinations.items() if d["kind"] == "utility"}
    forwarded = {n: d["via_destination_id"] for n, d in utilities.items() if n != lviv["name"]}
    assert forwarded == {"Chuhuiv water utility": lviv["id"], "Mykolaivvodokanal": lviv["id"]}
    # The LVR's partner clinic asks for sorted goods, not vehicles.
    (clinic,) = (d for d in destinations.values() if d["kind"] == "clinic")
    assert "Kulparkiv" in clinic["name"]

    needs = _get(api, "/needs?limit=100")["items"]
    statuses = {n["status"] for n in needs}
    # The delivered convoy's handovers fulfilled the needs it answered.
    assert statuses == {"open", "matched", "fulfilled"}
    assert all(
        n["delivered_quantity"] >= n["quantity"] for n in needs if n["status"] == "fulfilled"
    )
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


def test_every_declared_record_is_loaded(api: TestClient) -> None:
    """The registers hold what the declarations declare, record for record."""

    def column(register: str, field: str) -> list[str]:
        return sorted(row[field] for row in _get(api, f"/{register}?limit=200")["items"])

    batches = data.BATCHES
    assert column("donors", "name") == sorted(d.name for d in data.DONORS.values())
    assert column("destinations", "name") == sorted(d.name for d in data.DESTINATIONS.values())
    assert column("needs", "description") == sorted(
        [n.description for n in data.NEEDS.values()]
        + [wanted[-1] for wanted in data.KULPARKIV_NEEDS.values()]
        + [n[0] for n in funding.CLINIC_NEEDS]
    )
    declared_items = [i for b in batches for i in b.items.values()]
    loaded_items = _get(api, "/items?limit=200")["items"]
    assert sorted(i["vin"] or i["serial_number"] for i in loaded_items) == sorted(
        i.vin if isinstance(i, Vehicle) else i.serial_number for i in declared_items
    )
    assert column("drivers", "name") == sorted(d.name for b in batches for d in b.drivers.values())
    assert column("certificates", "number") == sorted(
        c.number for b in batches for c in b.certificates
    )
    assert len(_get(api, "/export-records?limit=200")["items"]) == sum(
        len(b.exports) for b in batches
    )
    assert sorted(_convoys(api)) == sorted(
        [*(b.convoy.number for b in batches if b.convoy), "LVR-20"]
    )


def test_only_the_citaro_vin_fails_its_check_digit(api: TestClient) -> None:
    items = _get(api, "/items?limit=200")["items"]
    assert [(i["name"], len(i["warnings"])) for i in items if i["warnings"]] == [
        ("Mercedes-Benz O 530 Citaro", 1)
    ]


def test_goods_and_a_volunteer_wait_for_the_next_convoy(api: TestClient) -> None:
    """What a coordinator plans the next convoy with: export-ready, on no convoy yet."""
    details = [_get(api, f"/convoys/{c['id']}") for c in _convoys(api).values()]
    on_a_convoy = {i["item_id"] for d in details for i in d["items"]}
    waiting = [i for i in _get(api, "/items?limit=200")["items"] if i["id"] not in on_a_convoy]
    assert sorted((i["name"], i["status"]) for i in waiting) == [
        ("Mercedes-Benz Sprinter 316 CDI workshop van", "export_ready"),
        ("Submersible drainage pump 15 kW", "export_ready"),
    ]
    lviv = next(
        d for d in _get(api, "/destinations?limit=100")["items"] if d["name"] == "Lvivvodokanal"
    )
    assert {i["destination_id"] for i in waiting} == {lviv["id"]}

    seated = {a["driver_id"] for d in details for a in d["assignments"]}
    withdrawn = {
        w["driver_id"] for d in details for w in _get(api, f"/convoys/{d['id']}/withdrawals")
    }
    free = [
        d for d in _get(api, "/drivers?limit=100")["items"] if d["id"] not in seated | withdrawn
    ]
    assert [d["name"] for d in free] == ["Katrin Wolff"]
    (window,) = free[0]["availability"]
    assert date.fromisoformat(window["available_from_on"]) > date.today() + timedelta(weeks=7)


def test_one_account_per_role_each_can_log_in(
    demo_engine: Engine,
    demo_logins: dict[Role, demo.DemoLogin],
    login_desk: TestClient,
    rolled_back_app: FastAPI,
    api: TestClient,
) -> None:
    assert set(demo_logins) == set(Role)
    convoys = _convoys(api)
    lviv = next(
        d for d in _get(api, "/destinations?limit=100")["items"] if d["name"] == "Lvivvodokanal"
    )
    ready = _get(api, f"/convoys/{convoys['W4U-02']['id']}")
    for role, login in demo_logins.items():
        assert len(login.password) >= 20
        headers = log_in(login_desk, login.username, login.password)
        with TestClient(rolled_back_app, headers=headers) as as_user:
            me = _get(as_user, "/auth/me")
            assert (me["role"], me["username"], me["is_active"]) == (role, login.username, True)
            if role == Role.driver:
                # On the ready convoy, and sees that convoy only.
                assert me["driver_id"] in {a["driver_id"] for a in ready["assignments"]}
                seen = [c["number"] for c in _get(as_user, "/convoys")["items"]]
                assert seen == ["W4U-02"]
            else:
                assert me["driver_id"] is None
            assert me["destination_id"] == (lviv["id"] if role == Role.recipient else None)
    # A made-up password does not open a demo account (one try: logins are rate-limited).
    admin = demo_logins[Role.admin].username
    wrong = login_desk.post(
        f"{API}/auth/token", data={"username": admin, "password": "wuppertal-2026"}
    )
    assert wrong.status_code == 401
    # Only argon2 hashes are stored; no password in clear text anywhere in the accounts table.
    with Session(demo_engine) as session:
        users = session.exec(sqlmodel.select(User)).all()
    assert {u.username for u in users} == {login.username for login in demo_logins.values()}
    assert all(u.password_hash.startswith("$argon2") for u in users)
    stored = " ".join(f"{u.password_hash} {u.full_name}" for u in users)
    assert not any(login.password in stored for login in demo_logins.values())


def test_the_trail_names_the_demo_loader(api: TestClient) -> None:
    convoys = _convoys(api)
    history = _get(api, f"/convoys/{convoys['W4U-01']['id']}/history?sort=occurred_at")["items"]
    created = history[0]
    assert (created["entity"], created["action"]) == ("convoy", "create")
    assert (created["actor_user_id"], created["actor_name"], created["actor_role"]) == (
        None,
        "konvoi demo",
        "system",
    )
    assert {e["actor_name"] for e in history} == {"konvoi demo"}


def test_loading_twice_adds_nothing(demo_engine: Engine) -> None:
    before = _row_counts(demo_engine)
    assert demo.load_if_empty(demo_engine) is None
    assert _row_counts(demo_engine) == before
    assert before["convoy"] == 4  # three of Water4Ukraine, the LVR's twentieth


def test_konvoi_demo_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KONVOI_DATABASE_URL", f"sqlite:///{tmp_path / 'konvoi.db'}")
    get_settings.cache_clear()
    get_engine.cache_clear()
    try:
        runner = CliRunner()
        first = runner.invoke(cli, ["demo"])
        assert first.exit_code == 0, first.output
        lines = first.output.splitlines()
        start = lines.index("demo data loaded")
        assert lines[start + 1].startswith("demo accounts (passwords shown this once")
        printed = {}
        for line in lines[start + 2 :]:
            role, username, password = line.split()
            printed[Role(role)] = (username, password)
        assert set(printed) == set(Role)
        # The printed password works (the app on the command's own database).
        username, password = printed[Role.admin]
        with TestClient(create_app()) as app:
            token = app.post(f"{API}/auth/token", data={"username": username, "password": password})
            assert token.status_code == 200, token.text
            me = app.get(
                f"{API}/auth/me",
                headers={"Authorization": f"Bearer {token.json()['access_token']}"},
            )
            assert me.json()["role"] == "admin"
        # Nowhere on disk but the database, and there only as a hash.
        for path in tmp_path.rglob("*"):
            if path.is_file():
                assert password.encode() not in path.read_bytes()

        again = runner.invoke(cli, ["demo"])
        assert again.exit_code == 0, again.output
        assert again.output.splitlines()[-1] == "database is not empty; demo data not loaded"
        assert "password" not in again.output
        assert not any(p in again.output for _, p in printed.values())
        assert _row_counts(get_engine())["convoy"] == 4
    finally:
        get_engine().dispose()
        get_settings.cache_clear()
        get_engine.cache_clear()


def test_the_ready_convoy_plans_its_way_back_with_a_rest_warning_to_fix(api: TestClient) -> None:
    """The escort team drives home in the Sprinter; Andrij takes the wheel four hours after the
    handover: a warning naming him and the times in Lviv, which a later return clears."""
    ready = _convoys(api)["W4U-02"]
    (van,) = _get(api, f"/convoys/{ready['id']}/return")
    assert (van["name"], van["under_561"]) == ("Escort van (Mercedes-Benz Sprinter)", False)
    assert [leg["to_place"] for leg in van["legs"]] == [
        "Korczowa border car park",
        "Wuppertal bus depot",
    ]
    readiness = _get(api, f"/convoys/{ready['id']}/readiness")
    (rest,) = [w for w in readiness["warnings"] if w["code"] == "return_rest_too_short"]
    assert rest["message"].startswith("Andrij Kovalenko rests only 4 h before driving")
    assert "09:00 (Lvivvodokanal yard, Lviv, EE" in rest["message"]
    assert "13:00 (Lvivvodokanal yard, Lviv, EE" in rest["message"]
    assert readiness["can_depart"] is True


def test_the_lvr_series_with_its_books(api: TestClient) -> None:
    """Nineteen transports done and the twentieth planned on its convoy; about EUR 70,000 in
    from payroll giving and donations, about EUR 2,000 a month; a grant with its report due."""
    (programme,) = _get(api, "/programmes")
    transports = _get(api, f"/programmes/{programme['id']}/transports")
    assert [t["status"] for t in transports] == ["done"] * 19 + ["planned"]
    assert transports[-1]["convoy_number"] == "LVR-20" and transports[-1]["need_ids"]
    balances = _get(api, f"/programmes/{programme['id']}/balances")
    giving = balances["funds"][0]
    assert 6_500_000 <= giving["income_cents"] <= 7_500_000
    forecast = _get(api, f"/programmes/{programme['id']}/forecast")
    assert forecast["pledged_per_month_cents"] == 200_000
    assert forecast["next_transport_label"] == "LVR-20"
    (grant,) = forecast["grants"]
    assert grant["funder"] == "Engagement Global" and grant["days_to_report"] > 0
