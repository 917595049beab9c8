"""A leg of the way back gets new times on its own page, linked from the board: each time typed
and shown in the local time of its end, naming the zone, through the API's service; a refusal
names the field and changes nothing."""

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bs4 import BeautifulSoup
from fastapi.testclient import TestClient

from app.auth.roles import Role
from tests.convoys import builders as b
from tests.convoys.builders import H
from tests.web.conftest import PageClients, soup


def _local(moment: str, zone: str) -> str:
    return datetime.fromisoformat(moment).astimezone(ZoneInfo(zone)).strftime("%Y-%m-%dT%H:%M")


def _fields(html: BeautifulSoup) -> dict[str, str]:
    return {str(i["name"]): str(i.get("value", "")) for i in html.select("#return-leg-form input")}


def _stored(client: TestClient, convoy_id: int) -> dict[str, Any]:
    [vehicle] = b.get(client, f"/convoys/{convoy_id}/return")
    [leg] = vehicle["legs"]
    return leg  # type: ignore[no-any-return]


def _label(html: BeautifulSoup, name: str) -> str:
    label = html.select_one(f"label[for={name}]")
    assert label is not None, name
    return label.get_text(" ", strip=True)


def test_a_return_legs_times_are_changed_on_its_page(
    client: TestClient, page_as: PageClients
) -> None:
    planned = b.planned_convoy(client, vehicles=1)
    _van, leg = b.way_back(client, planned, b.SPRINTER, rest_hours=10)
    start_zone = planned.legs[-1]["to_time_zone"]  # the first return leg starts at the handover
    page = page_as(Role.coordinator, language="de")

    board = soup(page.get(f"/convoys/{planned.id}").text)
    address = f"/convoys/{planned.id}/return-legs/{leg['id']}"
    assert board.select_one(f"#return-route-{leg['id']} a[href='{address}']") is not None

    shown = page.get(address)
    assert shown.status_code == 200, shown.text[:300]
    html = soup(shown.text)
    # Each time in the local time of its end, the zone named beside it.
    assert _label(html, "planned_departure_at").endswith(start_zone)
    assert _label(html, "planned_arrival_at").endswith("Europe/Warsaw")
    fields = _fields(html)
    assert fields["planned_departure_at"] == _local(leg["planned_departure_at"], start_zone)
    assert fields["planned_arrival_at"] == _local(leg["planned_arrival_at"], "Europe/Warsaw")

    # Two hours more rest in Lviv before the team drives home.
    later = datetime.fromisoformat(leg["planned_departure_at"]) + 2 * H
    arrives = datetime.fromisoformat(leg["planned_arrival_at"]) + 2 * H
    saved = page.post(
        f"{address}/edit",
        data={
            **fields,
            "planned_departure_at": _local(later.isoformat(), start_zone),
            "planned_arrival_at": _local(arrives.isoformat(), "Europe/Warsaw"),
        },
    )
    assert saved.status_code == 303, saved.text[:500]
    assert saved.headers["location"] == f"/convoys/{planned.id}#return-leg-{leg['id']}"
    changed = _stored(client, planned.id)
    assert datetime.fromisoformat(changed["planned_departure_at"]) == later
    assert datetime.fromisoformat(changed["planned_arrival_at"]) == arrives
    assert (changed["from_place"], changed["to_place"]) == (leg["from_place"], leg["to_place"])
    assert changed["driver_id"] == leg["driver_id"]
    assert changed["version"] == leg["version"] + 1
    board_after = soup(page.get(f"/convoys/{planned.id}").text)
    row = board_after.select_one(f"#return-leg-{leg['id']}")
    assert row is not None
    assert later.astimezone(ZoneInfo(start_zone)).strftime("%H:%M") in row.get_text()


def test_a_return_leg_arriving_before_it_leaves_is_refused_and_changes_nothing(
    client: TestClient, page_as: PageClients
) -> None:
    planned = b.planned_convoy(client, vehicles=1)
    _van, leg = b.way_back(client, planned, b.SPRINTER, rest_hours=10)
    before = _stored(client, planned.id)
    page = page_as(Role.coordinator, language="de")
    address = f"/convoys/{planned.id}/return-legs/{leg['id']}"
    fields = _fields(soup(page.get(address).text))
    arrival_before_departure = (
        datetime.fromisoformat(fields["planned_departure_at"]) - timedelta(hours=1)
    ).strftime("%Y-%m-%dT%H:%M")

    refused = page.post(
        f"{address}/edit", data={**fields, "planned_arrival_at": arrival_before_departure}
    )
    assert refused.status_code == 422
    html = soup(refused.text)
    problems = [li.get_text(" ", strip=True) for li in html.select(".problems li")]
    assert len(problems) == 1
    assert problems[0].startswith("Ankunft (Ortszeit am Ziel) · Europe/Warsaw")
    assert "muss nach der geplanten Abfahrt liegen" in problems[0]
    arrival = html.select_one("#planned_arrival_at")
    assert arrival is not None and arrival["aria-invalid"] == "true"
    assert arrival["value"] == arrival_before_departure  # what was typed comes back
    assert _stored(client, planned.id) == before

    # Words where a time belongs (Ukrainian, as a recipient's coordinator might type): refused,
    # naming the departure.
    words = page.post(f"{address}/edit", data={**fields, "planned_departure_at": "завтра зранку"})
    assert words.status_code == 422
    html = soup(words.text)
    departure = html.select_one("#planned_departure_at")
    assert departure is not None and departure["aria-invalid"] == "true"
    assert departure["value"] == "завтра зранку"
    assert _stored(client, planned.id) == before

    # A form loaded before someone else changed the leg is not saved over their change.
    stale = page.post(f"{address}/edit", data={**fields, "version": str(leg["version"] - 1)})
    assert stale.status_code == 412
    assert soup(stale.text).select(".problems li")
    assert _stored(client, planned.id) == before
