"""The data of a convoy weekend, for bench/weekend.py: convoys on the road with a driver
account per vehicle, boards being planned for the next weekend, and the office's accounts.

Runs in an interpreter of its own (`python -m bench.weekend_data URL OUT.json`): the load
generator patches the standard library for gevent when it is imported, and the planning
below runs the app in-process with the test client, which wants plain threads.

Everything is planned through the API with bench/planning_calls.py's ``plan`` (the batch
calls); only the accounts are made with the auth service, as bench/throughput.py does.
"""

import json
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fastapi.testclient import TestClient

PASSWORD = "a long enough password"  # noqa: S105 (every bench account's, on a scratch database)

ROAD_CONVOYS = 5  # under way this weekend, ...
ROAD_VEHICLES = 20  # ... each with this many vehicles, one driver per vehicle: 100 drivers
ROAD_EQUIPMENT = 10
BOARDS = 10  # planned for next weekend, one per coordinator of the weekend mix
BOARD_VEHICLES = 8
BOARD_EQUIPMENT = 4
COORDINATORS = 10
CLERKS = 5
RECIPIENTS = 3


@dataclass
class Board:
    convoy_id: int
    seats: list[tuple[int, int]]  # (vehicle id, driver id), one driver per vehicle for the trip


@dataclass
class Weekend:
    road: list[Board]
    boards: list[Board]
    destination_id: int
    drivers: list[str] = field(default_factory=list)  # usernames
    coordinators: list[str] = field(default_factory=list)
    clerks: list[str] = field(default_factory=list)
    recipients: list[str] = field(default_factory=list)

    @classmethod
    def load(cls, path: Path) -> "Weekend":
        raw: dict[str, Any] = json.loads(path.read_text())

        def boards(key: str) -> list[Board]:
            return [Board(b["convoy_id"], [(v, d) for v, d in b["seats"]]) for b in raw.pop(key)]

        return cls(road=boards("road"), boards=boards("boards"), **raw)


def _board(client: "TestClient", convoy_id: int) -> Board:
    convoy = client.get(f"/api/v1/convoys/{convoy_id}").json()
    seats = sorted({(a["vehicle_id"], a["driver_id"]) for a in convoy["assignments"]})
    return Board(convoy_id, seats)


def prepare(url: str) -> Weekend:
    """Migrate ``url`` and fill it: the road convoys planned, marked ready and departed; the
    boards planned and marked ready; then the accounts."""
    # Here, not at the top: bench/weekend.py reads the data's shape without the app.
    from fastapi.testclient import TestClient
    from sqlmodel import Session

    from bench.planning_calls import plan, planner_database

    planner_database(url)

    from app.auth import service as accounts
    from app.auth.roles import Role
    from app.auth.schemas import UserCreate
    from app.core.database import get_engine
    from app.main import create_app

    with TestClient(create_app()) as client:
        road: list[Board] = []
        for n in range(ROAD_CONVOYS):
            planner = plan(
                client,
                batch=True,
                vehicles_count=ROAD_VEHICLES,
                equipment_count=ROAD_EQUIPMENT,
                number=11 + n,
            )
            planner.call("POST", f"/convoys/{planner.convoy_id}/depart")
            road.append(_board(client, planner.convoy_id))
        boards = [
            _board(
                client,
                plan(
                    client,
                    batch=True,
                    vehicles_count=BOARD_VEHICLES,
                    equipment_count=BOARD_EQUIPMENT,
                    number=31 + n,
                ).convoy_id,
            )
            for n in range(BOARDS)
        ]
        lviv = client.get("/api/v1/destinations", params={"q": "Lvivvodokanal"}).json()
    weekend = Weekend(road, boards, destination_id=lviv["items"][0]["id"])

    def account(session: Session, username: str, role: Role, **ties: int) -> str:
        accounts.create_user(
            session,
            UserCreate(
                username=username,
                full_name=username.replace("-", " ").capitalize(),
                role=role,
                password=PASSWORD,
                **ties,
            ),
        )
        return username

    drivers = [driver for convoy in road for _, driver in convoy.seats]
    with Session(get_engine()) as session:
        weekend.drivers = [
            account(session, f"driver-{n:03d}", Role.driver, driver_id=driver_id)
            for n, driver_id in enumerate(drivers, 1)
        ]
        weekend.coordinators = [
            account(session, f"coordinator-{n:02d}", Role.coordinator)
            for n in range(1, COORDINATORS + 1)
        ]
        weekend.clerks = [account(session, f"clerk-{n}", Role.clerk) for n in range(1, CLERKS + 1)]
        weekend.recipients = [
            account(
                session, f"recipient-{n}", Role.recipient, destination_id=weekend.destination_id
            )
            for n in range(1, RECIPIENTS + 1)
        ]
        session.commit()
    get_engine().dispose()
    return weekend


def main() -> None:
    url, out = sys.argv[1], Path(sys.argv[2])
    out.write_text(json.dumps(asdict(prepare(url))))


if __name__ == "__main__":
    main()
