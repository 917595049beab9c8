"""Coordinators promising the same goods at the same moment, against a running server.

A real uvicorn process serves a database of its own (the rolled-back test transaction cannot
hold what a server commits); 12 clients send their reservation at once, released together by a
barrier. A line of 40 jackets can meet four reservations of 10, whichever four come first; a
need for 10 can be met once. Every other request is refused with a 409, none fails, and the
stock line never holds more promises than goods.
"""

import threading
from pathlib import Path
from typing import Any

import httpx
from stdnum.ua import edrpou

from bench.concurrent_writes import API, create_admin, log_in, running_server
from tests.conftest import fresh_database

server_database = fresh_database
CLIENTS = 12


def _post(base: str, headers: dict[str, str], path: str, body: dict[str, Any]) -> Any:
    response = httpx.post(f"{base}{API}{path}", json=body, headers=headers, timeout=30)
    assert response.status_code == 201, response.text
    return response.json()


def _at_once(base: str, headers: dict[str, str], bodies: list[dict[str, Any]]) -> list[int]:
    barrier = threading.Barrier(len(bodies))
    codes: list[int] = []
    lock = threading.Lock()

    def send(body: dict[str, Any]) -> None:
        with httpx.Client(base_url=base, headers=headers, timeout=60) as client:
            barrier.wait()
            code = client.post(f"{API}/reservations", json=body).status_code
        with lock:
            codes.append(code)

    threads = [threading.Thread(target=send, args=(body,)) for body in bodies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(codes)


def test_two_coordinators_cannot_promise_the_same_jackets(
    database_url: str, tmp_path: Path
) -> None:
    log = tmp_path / "server.log"
    with server_database(database_url, tmp_path) as url:
        password = create_admin(url)
        with running_server(url, log) as base:
            headers = log_in(base, password)
            base_code = "3300777"
            clinic = _post(
                base,
                headers,
                "/destinations",
                {
                    "name": "Kulparkiv clinic",
                    "kind": "clinic",
                    "city": "Lviv",
                    "oblast": "Lvivska",
                    "edrpou": base_code + edrpou.calc_check_digit(base_code),
                },
            )
            point = _post(
                base,
                headers,
                "/collection-points",
                {"name": "Halle 3", "city": "Dortmund", "pallet_prefix": "WH"},
            )
            place = _post(base, headers, f"/collection-points/{point['id']}/places", {"zone": "A"})
            jackets = {
                "place_id": place["id"],
                "category": "clothing",
                "subcategory": "jackets",
                "size": "L",
                "season": "winter",
            }
            line = _post(
                base,
                headers,
                f"/collection-points/{point['id']}/intake",
                {**jackets, "quantity": 40},
            )
            need = {
                "destination_id": clinic["id"],
                "item_kind": "goods",
                "description": "Winter jackets",
                "quantity": 10,
                "goods_category": "clothing",
            }
            needs = [_post(base, headers, "/needs", need) for _ in range(CLIENTS)]

            # Twelve needs, one line of 40: four reservations of 10 fit.
            codes = _at_once(
                base,
                headers,
                [{"need_id": n["id"], "stock_line_id": line["id"], "quantity": 10} for n in needs],
            )
            assert codes == [201] * 4 + [409] * (CLIENTS - 4), log.read_text()[-3000:]
            stock = httpx.get(f"{base}{API}/stock/{line['id']}", headers=headers).json()
            assert (stock["quantity"], stock["reserved"]) == (40, 40)

            # One need for 10, a line of plenty: it is met once.
            big = _post(
                base,
                headers,
                f"/collection-points/{point['id']}/intake",
                {**jackets, "quantity": 500},
            )
            one = _post(base, headers, "/needs", need)
            body = {"need_id": one["id"], "stock_line_id": big["id"], "quantity": 10}
            codes = _at_once(base, headers, [body] * 6)
            assert codes == [201] + [409] * 5, log.read_text()[-3000:]
            reserved = httpx.get(
                f"{base}{API}/reservations?need_id={one['id']}", headers=headers
            ).json()
            assert [r["quantity"] for r in reserved] == [10]
