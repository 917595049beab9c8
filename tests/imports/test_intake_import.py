"""Importing a hall's intake list: a dry run names every bad row and column and why and records
nothing, the import records all rows or none, the same file again records nothing twice, and a
volunteer imports only into their own hall."""

from typing import Any

from fastapi.testclient import TestClient

from app.auth.roles import Role
from tests import factories
from tests.accounts import RoleClients
from tests.factories import API

GOOD = (
    "place,category,subcategory,gender,size,season,quantity,priority,best_before_on\n"
    "A-1-1,clothing,jackets,men,L,winter,12,urgent,\n"
    "A-1-1,Clothing,Sweaters,women,M,winter,8,,\n"
    "A-2-1,food,canned,,,,30,not urgent,2027-06-30\n"
)
BAD = (
    "place,category,subcategory,quantity,best_before_on\n"
    "Z-9-9,clothing,jackets,5,\n"
    "A-1-1,clothing,tuxedos,5,\n"
    "A-1-1,clothing,jackets,0,\n"
    "A-1-1,food,canned,5,\n"
)


def _send(client: TestClient, point_id: int, text: str, *, dry_run: bool) -> Any:
    return client.post(
        f"{API}/imports/intake",
        params={"collection_point_id": point_id, "dry_run": str(dry_run).lower()},
        files={"file": ("intake.csv", text.encode(), "text/csv")},
    )


def _hall(client: TestClient) -> int:
    point = factories.collection_point(client)
    for row in ("1", "2"):
        factories.storage_place(client, point["id"], zone="A", row=row, shelf="1")
    point_id: int = point["id"]
    return point_id


def _lines(client: TestClient, point_id: int) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = client.get(
        f"{API}/stock", params={"collection_point_id": point_id}
    ).json()["items"]
    return items


def test_a_dry_run_names_each_bad_row_and_records_nothing(client: TestClient) -> None:
    point_id = _hall(client)
    response = _send(client, point_id, BAD, dry_run=True)
    assert response.status_code == 422
    problems = {(p["row"], p["column"]) for p in response.json()["problems"]}
    assert problems == {
        (2, "place"),
        (3, "subcategory"),
        (4, "quantity"),
        (5, "best_before_on"),
    }
    assert _send(client, point_id, BAD, dry_run=False).status_code == 422
    assert _lines(client, point_id) == []


def test_the_import_records_every_row_once(client: TestClient) -> None:
    point_id = _hall(client)
    dry = _send(client, point_id, GOOD, dry_run=True)
    assert dry.status_code == 200, dry.text
    assert (dry.json()["created"], dry.json()["dry_run"]) == (3, True)
    assert _lines(client, point_id) == []
    done = _send(client, point_id, GOOD, dry_run=False).json()
    assert (done["created"], done["already_recorded"]) == (3, 0)
    lines = _lines(client, point_id)
    assert sorted((line["subcategory"], line["quantity"]) for line in lines) == [
        ("canned", 30),
        ("jackets", 12),
        ("sweaters", 8),
    ]
    again = _send(client, point_id, GOOD, dry_run=False).json()
    assert (again["created"], again["already_recorded"]) == (0, 3)
    assert len(_lines(client, point_id)) == 3
    moves = client.get(f"{API}/stock-movements", params={"collection_point_id": point_id})
    assert [m["kind"] for m in moves.json()["items"]] == ["intake"] * 3


def test_a_volunteer_imports_into_their_own_hall_only(
    client: TestClient, as_role: RoleClients
) -> None:
    mine, other = _hall(client), _hall(client)
    volunteer = as_role(Role.volunteer, collection_point_id=mine)
    assert _send(volunteer, mine, GOOD, dry_run=False).status_code == 200
    assert _send(volunteer, other, GOOD, dry_run=False).status_code == 404
    assert _lines(client, other) == []
    template = volunteer.get(f"{API}/imports/intake/template", params={"format": "csv"})
    assert template.status_code == 200
    assert template.text.lstrip("\ufeff").startswith("place,category,subcategory")
