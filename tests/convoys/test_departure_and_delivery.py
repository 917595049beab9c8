"""The status machine, departure, progress from the road and the handover at the destination."""

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests import factories
from tests.convoys import builders as b
from tests.convoys.builders import H, M, iso
from tests.factories import API

ACTIONS = ("mark-ready", "depart", "arrive", "close", "cancel")


def act(client: TestClient, convoy_id: int, action: str) -> Any:
    return b.post(client, f"/convoys/{convoy_id}/{action}")


def done(client: TestClient, convoy_id: int, action: str) -> dict[str, Any]:
    response = act(client, convoy_id, action)
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()
    return data


def item_status(client: TestClient, item_id: int) -> str:
    status: str = b.get(client, f"/items/{item_id}")["status"]
    return status


def detail(client: TestClient, convoy_id: int) -> dict[str, Any]:
    data: dict[str, Any] = b.get(client, f"/convoys/{convoy_id}")
    return data


def on_the_road(client: TestClient, **kwargs: Any) -> b.Planned:
    """A convoy that left two days ago (so handovers can be dated) and is under way now."""
    start = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - 48 * H
    planned = b.planned_convoy(client, start=start, plan=b.FIRST_CONVOY, **kwargs)
    done(client, planned.id, "depart")
    return planned


def handover_body(item_id: int, on: date | None = None, **overrides: Any) -> dict[str, Any]:
    return {
        "item_id": item_id,
        "receiver_name": "Ivan Petrenko",
        "receiver_role": "Deputy technical director, Lvivvodokanal",
        "handed_over_on": iso(on or datetime.now(UTC).date()),
        "place": "Lviv, Lvivvodokanal depot",
        **overrides,
    }


# --- departure -------------------------------------------------------------------------------


def test_departure_refused_with_the_same_blockers(client: TestClient) -> None:
    planned = b.planned_convoy(client, vehicles=2, drivers=1)
    before = detail(client, planned.id)
    readiness = b.readiness(client, planned.id)
    response = act(client, planned.id, "depart")
    assert response.status_code == 409
    body = response.json()
    assert body["detail"] == f"Convoy {planned.convoy['number']} cannot depart: 1 blocker(s)"
    blocker = readiness["blockers"][0]
    assert body["reasons"] == [
        {
            "code": "vehicle_without_driver",
            "message": blocker["message"],
            "item_id": blocker["item_id"],
            "leg_id": blocker["leg_id"],
        }
    ]
    assert detail(client, planned.id) == before
    assert {item_status(client, v["id"]) for v in planned.vehicles} == {"export_ready"}


def test_departure_without_blockers_puts_every_item_in_the_convoy(client: TestClient) -> None:
    planned = b.planned_convoy(client)
    pump = b.equipment(
        client, trip_end=planned.arrival.date(), destination=planned.destination, kind="pump"
    )
    b.load(client, planned.id, pump["id"], carrier_id=planned.vehicles[0]["id"])
    departed = done(client, planned.id, "depart")
    assert departed["status"] == "under_way"
    assert departed["status_changed_at"] is not None
    assert item_status(client, planned.vehicles[0]["id"]) == "in_convoy"
    assert item_status(client, pump["id"]) == "in_convoy"
    result = b.readiness(client, planned.id)
    assert (result["status"], result["can_depart"], result["blockers"]) == (
        "under_way",
        False,
        [],
    )


def test_mark_ready_is_refused_while_blocked_and_undone_by_a_change(client: TestClient) -> None:
    planned = b.planned_convoy(client, assigned=False)
    response = act(client, planned.id, "mark-ready")
    assert response.status_code == 409
    assert b.refusal_codes(response) == ["vehicle_without_driver"]
    assert detail(client, planned.id)["status"] == "planning"
    leg, bus, person = planned.legs[0], planned.vehicles[0], planned.drivers[0]
    assignment = b.assign(client, planned.id, leg["id"], bus["id"], person["id"])
    assert done(client, planned.id, "mark-ready")["status"] == "ready"
    # Every change to the plan sends a ready convoy back to planning, to be checked again.
    response = client.delete(f"{API}/convoys/{planned.id}/assignments/{assignment['id']}")
    assert response.status_code == 204
    assert detail(client, planned.id)["status"] == "planning"
    b.assign(client, planned.id, leg["id"], bus["id"], person["id"])
    changes: list[Callable[[], Any]] = [
        lambda: client.patch(
            f"{API}/convoys/{planned.id}/legs/{leg['id']}", json={"distance_km": 410}
        ),
        lambda: client.patch(
            f"{API}/convoys/{planned.id}", json={"claims_humanitarian_exemption": True}
        ),
        lambda: client.patch(
            f"{API}/convoys/{planned.id}",
            json={"planned_departure_at": leg["planned_departure_at"]},
        ),
    ]
    for change in changes:
        assert done(client, planned.id, "mark-ready")["status"] == "ready"
        assert change().status_code == 200
        assert detail(client, planned.id)["status"] == "planning"
    assert done(client, planned.id, "mark-ready")["status"] == "ready"
    # A change of name only does not touch the plan.
    assert client.patch(f"{API}/convoys/{planned.id}", json={"name": "Renamed"}).is_success
    assert detail(client, planned.id)["status"] == "ready"
    assert done(client, planned.id, "depart")["status"] == "under_way"


def _illegal(client: TestClient, convoy_id: int, actions: tuple[str, ...]) -> None:
    before = detail(client, convoy_id)
    for action in actions:
        response = act(client, convoy_id, action)
        assert response.status_code == 409, (before["status"], action)
        assert b.refusal_codes(response) == ["convoy_status"], (before["status"], action)
    assert detail(client, convoy_id) == before


def test_every_illegal_transition_is_409(client: TestClient) -> None:
    planned = on_the_road(client)
    convoy_id = planned.id
    _illegal(client, convoy_id, ("mark-ready", "depart", "close", "cancel"))
    done(client, convoy_id, "arrive")
    _illegal(client, convoy_id, ("mark-ready", "depart", "arrive", "cancel"))
    body = handover_body(planned.vehicles[0]["id"])
    assert b.post(client, f"/convoys/{convoy_id}/handovers", body).status_code == 201
    done(client, convoy_id, "close")
    _illegal(client, convoy_id, ACTIONS)

    fresh = b.planned_convoy(client)
    _illegal(client, fresh.id, ("arrive", "close"))
    done(client, fresh.id, "mark-ready")
    _illegal(client, fresh.id, ("mark-ready", "arrive", "close"))
    done(client, fresh.id, "cancel")
    _illegal(client, fresh.id, ACTIONS)


def test_the_plan_is_frozen_once_under_way(client: TestClient) -> None:
    planned = on_the_road(client)
    before = detail(client, planned.id)
    leg, bus = planned.legs[0], planned.vehicles[0]
    spare = b.vehicle(client, trip_end=planned.arrival.date(), destination=planned.destination)
    later = planned.arrival + 24 * H
    attempts = [
        b.post(
            client,
            f"/convoys/{planned.id}/legs",
            {
                "from_place": "Lviv",
                "to_place": "Chuhuiv",
                "to_time_zone": "Europe/Kyiv",
                "planned_departure_at": iso(later),
                "planned_arrival_at": iso(later + 12 * H),
                "distance_km": 1100,
            },
        ),
        client.patch(f"{API}/convoys/{planned.id}/legs/{leg['id']}", json={"distance_km": 1}),
        client.delete(f"{API}/convoys/{planned.id}/legs/{leg['id']}"),
        b.post(client, f"/convoys/{planned.id}/items", {"item_id": spare["id"]}),
        client.delete(f"{API}/convoys/{planned.id}/items/{bus['id']}"),
        b.post(
            client,
            f"/convoys/{planned.id}/assignments",
            {
                "leg_id": leg["id"],
                "vehicle_id": bus["id"],
                "driver_id": planned.drivers[0]["id"],
            },
        ),
        client.delete(f"{API}/convoys/{planned.id}/assignments/{before['assignments'][0]['id']}"),
    ]
    for response in attempts:
        assert response.status_code == 409, response.request.url
        assert b.refusal_codes(response) == ["convoy_not_in_planning"]
    assert detail(client, planned.id) == before


def test_cancel_frees_items_and_drivers(client: TestClient) -> None:
    planned = b.planned_convoy(client)
    bus, person = planned.vehicles[0], planned.drivers[0]
    cancelled = done(client, planned.id, "cancel")
    assert cancelled["status"] == "cancelled"
    body = detail(client, planned.id)
    assert body["items"] == body["assignments"] == []
    assert item_status(client, bus["id"]) == "export_ready"
    again = b.planned_convoy(client, start=planned.start, assigned=False)
    b.load(client, again.id, bus["id"])
    b.assign(client, again.id, again.legs[0]["id"], bus["id"], person["id"])


# --- progress --------------------------------------------------------------------------------


def test_progress_is_reported_only_under_way(client: TestClient) -> None:
    planned = b.planned_convoy(client)
    event = {"kind": "departed", "occurred_at": iso(datetime.now(UTC)), "reported_by": "Anna"}
    response = b.post(client, f"/convoys/{planned.id}/legs/{planned.legs[0]['id']}/events", event)
    assert response.status_code == 409
    assert b.refusal_codes(response) == ["convoy_not_under_way"]
    assert b.get(client, f"/convoys/{planned.id}/events") == []
    assert detail(client, planned.id)["legs"][0]["actual_departure_at"] is None


def test_progress_sets_actual_times_and_the_position(client: TestClient) -> None:
    planned = on_the_road(client)
    first, second, border = planned.legs
    t0 = planned.start + 10 * M
    reports = [
        (first, "departed", t0),
        (first, "arrived", t0 + 5 * H),
        (second, "departed", t0 + 14 * H),
        (second, "arrived", t0 + 24 * H),
        (border, "departed", t0 + 33 * H),
        (border, "border_queued", t0 + 34 * H),
    ]
    for leg, kind, when in reports:
        body = {"kind": kind, "occurred_at": iso(when), "reported_by": "Escort team (Sprinter)"}
        response = b.post(client, f"/convoys/{planned.id}/legs/{leg['id']}/events", body)
        assert response.status_code == 201, response.text
    # A report that arrives late about an earlier moment does not move the position back.
    late = {"kind": "position", "occurred_at": iso(t0 + 2 * H), "reported_by": "Driver 3"}
    assert b.post(client, f"/convoys/{planned.id}/legs/{first['id']}/events", late).is_success
    shown = detail(client, planned.id)
    legs = {leg["id"]: leg for leg in shown["legs"]}
    assert datetime.fromisoformat(legs[first["id"]]["actual_departure_at"]) == t0
    assert datetime.fromisoformat(legs[first["id"]]["actual_arrival_at"]) == t0 + 5 * H
    assert datetime.fromisoformat(legs[second["id"]]["actual_arrival_at"]) == t0 + 24 * H
    assert legs[border["id"]]["actual_arrival_at"] is None
    assert shown["position"]["kind"] == "border_queued"
    assert shown["position"]["leg_id"] == border["id"]
    events = b.get(client, f"/convoys/{planned.id}/events")
    assert [e["kind"] for e in events] == [
        "departed",
        "position",
        "arrived",
        "departed",
        "arrived",
        "departed",
        "border_queued",
    ]


def test_a_report_from_the_future_is_422(client: TestClient) -> None:
    planned = on_the_road(client)
    body = {
        "kind": "border_crossed",
        "occurred_at": iso(datetime.now(UTC) + 2 * H),
        "reported_by": "Driver 1",
    }
    response = b.post(client, f"/convoys/{planned.id}/legs/{planned.legs[2]['id']}/events", body)
    assert b.error_fields(response) == ["occurred_at"]
    assert b.get(client, f"/convoys/{planned.id}/events") == []


def test_a_report_on_a_leg_of_another_convoy_is_404(client: TestClient) -> None:
    planned = on_the_road(client)
    other = b.planned_convoy(client)
    body = {"kind": "position", "occurred_at": iso(datetime.now(UTC)), "reported_by": "Driver 1"}
    response = b.post(client, f"/convoys/{planned.id}/legs/{other.legs[0]['id']}/events", body)
    assert response.status_code == 404
    assert b.get(client, f"/convoys/{planned.id}/events") == []


# --- handover and closing --------------------------------------------------------------------


def test_handover_delivers_the_item_and_meets_the_need(client: TestClient) -> None:
    start = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - 48 * H
    destination = factories.destination(client)
    need = factories.need(client, destination["id"], item_kind="bus", quantity=1)
    convoy = b.convoy(client, start)
    legs = b.legs_from(client, convoy["id"], start, b.FIRST_CONVOY)
    trip_end = (start + b.FIRST_CONVOY[-1].arrives).date()
    bus = b.vehicle(client, trip_end=trip_end, destination=destination, need_id=need["id"])
    b.load(client, convoy["id"], bus["id"])
    free = (start.date() - timedelta(days=1), trip_end + timedelta(days=1))
    person = b.driver(client, free=free)
    for leg in legs:
        b.assign(client, convoy["id"], leg["id"], bus["id"], person["id"])
    done(client, convoy["id"], "depart")
    done(client, convoy["id"], "arrive")
    before = b.get(client, f"/needs/{need['id']}")
    assert (before["status"], before["delivered_quantity"]) == ("matched", 0)

    response = b.post(client, f"/convoys/{convoy['id']}/handovers", handover_body(bus["id"]))
    assert response.status_code == 201, response.text
    handover = response.json()
    assert handover["destination_id"] == destination["id"]
    assert handover["convoy_id"] == convoy["id"]
    assert item_status(client, bus["id"]) == "delivered"
    assert b.get(client, f"/convoys/{convoy['id']}/handovers") == [handover]
    met = b.get(client, f"/needs/{need['id']}")
    assert (
        met["status"],
        met["matched_item_ids"],
        met["open_quantity"],
        met["delivered_quantity"],
    ) == ("fulfilled", [bus["id"]], 0, 1)
    fulfilled = b.get(client, "/needs?status=fulfilled")["items"]
    assert [n["id"] for n in fulfilled] == [need["id"]]
    still_matched = b.get(client, "/needs?status=matched")["items"]
    assert need["id"] not in [n["id"] for n in still_matched]
    assert done(client, convoy["id"], "close")["status"] == "closed"


def test_close_is_refused_until_every_item_is_handed_over(client: TestClient) -> None:
    planned = on_the_road(client, vehicles=2)
    first, second = planned.vehicles
    done(client, planned.id, "arrive")
    assert b.post(client, f"/convoys/{planned.id}/handovers", handover_body(first["id"])).is_success
    response = act(client, planned.id, "close")
    assert response.status_code == 409
    assert response.json()["reasons"] == [
        {
            "code": "item_not_handed_over",
            "message": f"{second['name']} has no handover recorded yet.",
            "item_id": second["id"],
        }
    ]
    assert detail(client, planned.id)["status"] == "arrived"
    assert b.post(
        client, f"/convoys/{planned.id}/handovers", handover_body(second["id"])
    ).is_success
    assert done(client, planned.id, "close")["status"] == "closed"


def test_handover_is_refused_before_departure(client: TestClient) -> None:
    planned = b.planned_convoy(client)
    bus = planned.vehicles[0]
    response = b.post(client, f"/convoys/{planned.id}/handovers", handover_body(bus["id"]))
    assert response.status_code == 409
    assert b.refusal_codes(response) == ["convoy_not_at_destination"]
    assert item_status(client, bus["id"]) == "export_ready"
    assert b.get(client, f"/convoys/{planned.id}/handovers") == []


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"handed_over_on": "2020-01-01"}, "handed_over_on"),  # before the convoy left
        ({"handed_over_on": "2099-01-01"}, "handed_over_on"),  # in the future
        ({"item_id": 999999}, "item_id"),
    ],
)
def test_bad_handover_is_422_and_nothing_changes(
    client: TestClient, overrides: dict[str, Any], field: str
) -> None:
    planned = on_the_road(client)
    bus = planned.vehicles[0]
    body = handover_body(bus["id"]) | overrides
    response = b.post(client, f"/convoys/{planned.id}/handovers", body)
    assert b.error_fields(response) == [field]
    assert item_status(client, bus["id"]) == "in_convoy"
    assert b.get(client, f"/convoys/{planned.id}/handovers") == []


def test_an_item_is_handed_over_once(client: TestClient) -> None:
    planned = on_the_road(client)
    bus = planned.vehicles[0]
    first = b.post(client, f"/convoys/{planned.id}/handovers", handover_body(bus["id"]))
    assert first.status_code == 201
    again = b.post(
        client,
        f"/convoys/{planned.id}/handovers",
        handover_body(bus["id"], receiver_name="Someone else"),
    )
    assert again.status_code == 409
    assert b.refusal_codes(again) == ["wrong_status"]
    assert b.get(client, f"/convoys/{planned.id}/handovers") == [first.json()]
