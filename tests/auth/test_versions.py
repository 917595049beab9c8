"""No lost updates: each record's version is its ETag; a change sent with a stale If-Match is
412 and changes nothing."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.auth.roles import Role
from tests import factories
from tests.auth.records import Records, build
from tests.convoys import builders as b
from tests.factories import API

RoleClients = Callable[..., TestClient]


def etag(response: httpx.Response) -> str:
    assert response.status_code in (200, 201), response.text
    value = response.headers["etag"]
    assert value == f'"{response.json()["version"]}"'
    return value


def stale(response: httpx.Response) -> None:
    assert response.status_code == 412, response.text
    body = response.json()
    assert body["code"] == "stale_version"
    assert "reload it and apply your change again" in body["detail"]


def test_two_coordinators_edit_one_convoy_and_the_second_gets_412(
    client: TestClient, as_role: RoleClients
) -> None:
    convoy = b.convoy(client, b.friday_ahead())
    url = f"{API}/convoys/{convoy['id']}"
    first, second = as_role(Role.coordinator), as_role(Role.coordinator)
    read_by_first, read_by_second = etag(first.get(url)), etag(second.get(url))
    assert read_by_first == read_by_second == '"1"'

    changed = first.patch(
        url, json={"name": "Pumps for Chuhuiv"}, headers={"If-Match": read_by_first}
    )
    assert changed.status_code == 200
    assert etag(changed) == '"2"'  # the new version, for the next change

    lost = second.patch(url, json={"name": "Buses for Lviv"}, headers={"If-Match": read_by_second})
    stale(lost)
    now = second.get(url)
    assert now.json()["name"] == "Pumps for Chuhuiv"
    assert etag(now) == '"2"'
    # Reloaded, the second coordinator's change goes through on top of the first's.
    again = second.patch(
        url, json={"notes": "Escort sleeps in Rzeszów"}, headers={"If-Match": '"2"'}
    )
    assert again.json()["name"] == "Pumps for Chuhuiv"
    assert again.json()["notes"] == "Escort sleeps in Rzeszów"
    assert etag(again) == '"3"'


def test_an_action_with_a_stale_if_match_is_412_and_changes_nothing(client: TestClient) -> None:
    donor = factories.donor(client)
    item = factories.vehicle(client, donor["id"], vin=b.vin())
    url = f"{API}/items/{item['id']}"
    read = etag(client.get(url))
    etag(client.patch(url, json={"description": "Low-floor city bus"}))  # someone else's edit

    stale(client.post(f"{url}/accept", headers={"If-Match": read}))
    assert client.get(url).json()["status"] == "offered"

    current = etag(client.get(url))
    accepted = client.post(f"{url}/accept", headers={"If-Match": current})
    assert accepted.json()["status"] == "accepted"
    assert etag(accepted) == f'"{int(current.strip(chr(34))) + 1}"'


@pytest.mark.parametrize(
    "if_match",
    [None, "*", '"{v}"', 'W/"{v}"', '"999", "{v}"'],
    ids=["missing", "star", "current", "weak", "list"],
)
def test_a_missing_star_or_current_if_match_is_accepted(
    client: TestClient, if_match: str | None
) -> None:
    donor = factories.donor(client)
    url = f"{API}/donors/{donor['id']}"
    headers = {} if if_match is None else {"If-Match": if_match.format(v=donor["version"])}
    response = client.patch(url, json={"contact_name": "Fleet manager"}, headers=headers)
    assert response.status_code == 200, response.text
    assert etag(response) == f'"{donor["version"] + 1}"'


# --- every mutable resource --------------------------------------------------------------------


@dataclass(frozen=True)
class Resource:
    """How to change one record, and how to read it back (as the JSON of that record)."""

    change: str  # path template of the PATCH
    body: dict[str, Any]
    read: Callable[[TestClient, Records], dict[str, Any]]


def _record(path: str) -> Callable[[TestClient, Records], dict[str, Any]]:
    def read(client: TestClient, records: Records) -> dict[str, Any]:
        data: dict[str, Any] = b.get(client, path.format(**records.ids))
        return data

    return read


def _leg(client: TestClient, records: Records) -> dict[str, Any]:
    legs = b.get(client, f"/convoys/{records.ids['convoy_id']}")["legs"]
    leg: dict[str, Any] = next(g for g in legs if g["id"] == records.ids["leg_id"])
    return leg


def _cargo_line(client: TestClient, records: Records) -> dict[str, Any]:
    (line,) = b.get(client, f"/items/{records.ids['item_id']}/cargo")["items"]
    data: dict[str, Any] = line
    return data


RESOURCES = {
    "donor": Resource(
        "/donors/{donor_id}", {"contact_name": "Fleet manager"}, _record("/donors/{donor_id}")
    ),
    "destination": Resource(
        "/destinations/{destination_id}",
        {"contact_name": "Chief engineer"},
        _record("/destinations/{destination_id}"),
    ),
    "need": Resource("/needs/{need_id}", {"priority": 2}, _record("/needs/{need_id}")),
    "item": Resource(
        "/items/{item_id}", {"description": "Low-floor city bus"}, _record("/items/{item_id}")
    ),
    "cargo line": Resource("/cargo/{cargo_id}", {"quantity": 3}, _cargo_line),
    "certificate": Resource(
        "/certificates/{certificate_id}",
        {"issuer": "Lvivvodokanal, technical director"},
        _record("/certificates/{certificate_id}"),
    ),
    "export record": Resource(
        "/export-records/{export_record_id}",
        {"insurer": "HUK-Coburg"},
        _record("/export-records/{export_record_id}"),
    ),
    "driver": Resource(
        "/drivers/{driver_id}", {"phone": "+49 202 555 9999"}, _record("/drivers/{driver_id}")
    ),
    "convoy": Resource(
        "/convoys/{convoy_id}",
        {"meeting_point": "Vohwinkel depot"},
        _record("/convoys/{convoy_id}"),
    ),
    "leg": Resource("/convoys/{convoy_id}/legs/{leg_id}", {"distance_km": 410}, _leg),
}


@pytest.mark.parametrize("name", sorted(RESOURCES))
def test_every_mutable_record_refuses_a_stale_change(
    client: TestClient, session: Session, name: str
) -> None:
    records = build(client, session)
    resource = RESOURCES[name]
    url = API + resource.change.format(**records.ids)
    before = resource.read(client, records)

    stale(client.patch(url, json=resource.body, headers={"If-Match": f'"{before["version"] + 7}"'}))
    assert resource.read(client, records) == before

    current = client.patch(url, json=resource.body, headers={"If-Match": f'"{before["version"]}"'})
    assert etag(current) == f'"{before["version"] + 1}"'
    after = resource.read(client, records)
    assert after["version"] == before["version"] + 1
    assert all(after[field] == value for field, value in resource.body.items())


def test_get_sends_the_version_as_etag(client: TestClient, session: Session) -> None:
    records = build(client, session)
    for path in (
        "/donors/{donor_id}",
        "/destinations/{destination_id}",
        "/needs/{need_id}",
        "/items/{item_id}",
        "/certificates/{certificate_id}",
        "/export-records/{export_record_id}",
        "/items/{item_id}/export-record",
        "/drivers/{driver_id}",
        "/convoys/{convoy_id}",
    ):
        etag(client.get(API + path.format(**records.ids)))
    # A list is no single record: no ETag.
    assert "etag" not in client.get(f"{API}/convoys").headers


def test_a_leg_is_versioned_on_its_own(client: TestClient, session: Session) -> None:
    """Under /convoys/{id}/legs/{leg_id}, If-Match names the leg's version, not the convoy's."""
    records = build(client, session)
    convoy_url = f"{API}/convoys/{records.ids['convoy_id']}"
    etag(client.patch(convoy_url, json={"notes": "Bring the green cards"}))
    convoy = client.get(convoy_url).json()
    leg = _leg(client, records)
    assert convoy["version"] != leg["version"]
    url = f"{convoy_url}/legs/{records.ids['leg_id']}"
    stale(
        client.patch(url, json={"distance_km": 420}, headers={"If-Match": f'"{convoy["version"]}"'})
    )
    changed = client.patch(
        url, json={"distance_km": 420}, headers={"If-Match": f'"{leg["version"]}"'}
    )
    assert changed.json()["distance_km"] == 420


def test_a_stale_delete_is_412_and_deletes_nothing(client: TestClient, session: Session) -> None:
    records = build(client, session)
    line = _cargo_line(client, records)
    url = f"{API}/cargo/{records.ids['cargo_id']}"
    etag(client.patch(url, json={"quantity": 5}))
    stale(client.delete(url, headers={"If-Match": f'"{line["version"]}"'}))
    assert _cargo_line(client, records)["quantity"] == 5
    deleted = client.delete(url, headers={"If-Match": f'"{line["version"] + 1}"'})
    assert deleted.status_code == 204
    assert b.get(client, f"/items/{records.ids['item_id']}/cargo")["items"] == []
