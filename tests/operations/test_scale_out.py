"""Konvoi scales by adding processes: two servers on one PostgreSQL behave as one.

Two `konvoi serve --demo` processes start at the same moment on an empty database; then a
login on one is a login on the other, failed logins on one throttle the other, a stale edit
through one is refused by the other (412), and two coordinators booking the same driver at
the same moment, one through each server, cannot both succeed; and the readiness each worker
keeps is computed again after a change made through the other server.
"""

import re
import threading
from pathlib import Path
from typing import Any, cast

import httpx
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.core.database import make_engine
from app.donors.models import Donor
from bench.serving import Served, launch, ready, stop
from tests.convoys import builders as b
from tests.convoys.builders import H

LOGIN_LINE = re.compile(r"^\s+(\w+)\s+(\S+)\s+(\S+)\s*$", re.MULTILINE)
API = "/api/v1"


def token(server: Served, username: str, password: str) -> dict[str, str]:
    response = httpx.post(
        f"{server.base}{API}/auth/token", data={"username": username, "password": password}
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def test_two_servers_on_one_database_act_as_one(postgres_database: str, tmp_path: Path) -> None:
    # Both start at once on an empty database: one migrates and loads the demo, the other
    # waits for the start-up lock and finds it done.
    servers = [
        launch(postgres_database, tmp_path / f"server-{n}.log", args=("--demo", "--workers", "2"))
        for n in (1, 2)
    ]
    try:
        first, second = (ready(server) for server in servers)
        output = first.log.read_text() + second.log.read_text()
        assert output.count("demo data loaded") == 1, output
        assert output.count("demo data not loaded") == 1, output
        engine = make_engine(postgres_database)
        with Session(engine) as session:
            names = session.exec(select(Donor.name)).all()
        engine.dispose()
        assert names and len(names) == len(set(names))
        logins = {role: (user, pw) for role, user, pw in LOGIN_LINE.findall(output)}
        coordinator = logins["coordinator"]

        # A token issued by one server is honoured by the other.
        headers = token(first, *coordinator)
        me = httpx.get(f"{second.base}{API}/auth/me", headers=headers)
        assert me.status_code == 200
        assert me.json()["username"] == coordinator[0]
        # So is a browser session.
        with httpx.Client(base_url=first.base) as browser:
            page = browser.post(
                "/login", data={"username": coordinator[0], "password": coordinator[1]}
            )
            assert page.status_code == 303
            cookies = dict(browser.cookies)
        assert httpx.get(f"{second.base}/desk", cookies=cookies).status_code == 200

        # Failed logins on one server delay the next try on the other.
        clerk = logins["clerk"][0]
        for _ in range(3):
            wrong = httpx.post(
                f"{first.base}{API}/auth/token", data={"username": clerk, "password": "typo"}
            )
            assert wrong.status_code == 401
        held = httpx.post(
            f"{second.base}{API}/auth/token",
            data={"username": clerk, "password": logins["clerk"][1]},
        )
        assert held.status_code == 429

        # A stale version is refused whichever server the edit reaches.
        with (
            httpx.Client(base_url=first.base + API, headers=headers) as one,
            httpx.Client(base_url=second.base + API, headers=headers) as other,
        ):
            donor = one.get("/donors").json()["items"][0]
            etag = one.get(f"/donors/{donor['id']}").headers["etag"]
            renamed = other.patch(
                f"/donors/{donor['id']}", json={"contact_name": "via B"}, headers={"If-Match": etag}
            )
            assert renamed.status_code == 200, renamed.text
            stale = one.patch(
                f"/donors/{donor['id']}", json={"contact_name": "via A"}, headers={"If-Match": etag}
            )
            assert stale.status_code == 412

            # Two bookings of one driver on overlapping legs, one through each server.
            with httpx.Client(base_url=first.base, headers=headers) as planning:
                # The builders speak to the app as the tests' client does.
                planner = cast(TestClient, planning)
                first_convoy = b.planned_convoy(planner, drivers=1, assigned=False)
                second_convoy = b.planned_convoy(
                    planner, start=first_convoy.start + H, drivers=0, assigned=False
                )
            driver_id = first_convoy.drivers[0]["id"]
            barrier = threading.Barrier(2)
            responses: list[Any] = [None, None]

            def book(index: int, client: httpx.Client, convoy: Any) -> None:
                body = {
                    "leg_id": convoy.legs[0]["id"],
                    "vehicle_id": convoy.vehicles[0]["id"],
                    "driver_id": driver_id,
                }
                barrier.wait()
                responses[index] = client.post(f"/convoys/{convoy.id}/assignments", json=body)

            threads = [
                threading.Thread(target=book, args=(0, one, first_convoy)),
                threading.Thread(target=book, args=(1, other, second_convoy)),
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=30)
            assert sorted(r.status_code for r in responses) == [201, 409]
            made = [
                a
                for convoy in (first_convoy, second_convoy)
                for a in one.get(f"/convoys/{convoy.id}").json()["assignments"]
            ]
            assert [a["driver_id"] for a in made] == [driver_id]

            # Each worker keeps the readiness it computed; a change made through the other
            # server makes every one of them compute it again.
            def blockers(convoy_id: int) -> list[list[str]]:
                return [
                    b.codes(client.get(f"/convoys/{convoy_id}/readiness").json()["blockers"])
                    for _ in range(4)  # enough to reach both workers of each server
                    for client in (one, other)
                ]

            start = first_convoy.start + 30 * 24 * H
            with httpx.Client(base_url=first.base, headers=headers) as planning:
                bare = b.convoy(cast(TestClient, planning), start)
            assert all("no_legs" in codes for codes in blockers(bare["id"]))
            with httpx.Client(base_url=second.base, headers=headers) as planning:
                b.leg(cast(TestClient, planning), bare["id"], start, start + 8 * H)
            after = blockers(bare["id"])
            assert all("no_legs" not in codes and "no_vehicles" in codes for codes in after)
    finally:
        for server in servers:
            stop(server.process)
