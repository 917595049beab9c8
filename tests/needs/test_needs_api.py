from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import event
from sqlmodel import Session

from app.core.localtime import KYIV, today_at
from app.items.models import Item, ItemCategory, ItemKind, ItemStatus
from tests import factories
from tests.factories import API


def _item(
    session: Session,
    donor_id: int,
    need: dict[str, Any],
    status: ItemStatus = ItemStatus.allocated,
    kind: ItemKind = ItemKind.pump,
) -> int:
    """An item allocated against a need, written directly: matching is the items domain's job."""
    item = Item(
        category=ItemCategory.equipment,
        kind=kind,
        name="Submersible pump",
        donor_id=donor_id,
        destination_id=need["destination_id"],
        need_id=need["id"],
        status=status,
        declared_value_cents=450_000,
    )
    session.add(item)
    session.flush()
    assert item.id is not None
    return item.id


def _get(client: TestClient, need_id: int) -> dict[str, Any]:
    response = client.get(f"{API}/needs/{need_id}")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _ids(client: TestClient, **params: Any) -> list[int]:
    response = client.get(f"{API}/needs", params={"limit": 200, **params})
    assert response.status_code == 200, response.text
    return [n["id"] for n in response.json()["items"]]


def test_create_and_read_need(client: TestClient) -> None:
    dest = factories.destination(client)
    response = client.post(
        f"{API}/needs",
        json={
            "destination_id": dest["id"],
            "item_kind": "generator",
            "description": "Diesel generator 100 kVA for a pumping station",
            "quantity": 3,
            "priority": 1,
            "requested_on": "2022-06-20",
        },
    )
    assert response.status_code == 201, response.text
    created = response.json()
    assert created == {
        "id": created["id"],
        "destination_id": dest["id"],
        "item_kind": "generator",
        "description": "Diesel generator 100 kVA for a pumping station",
        "description_uk": None,
        "quantity": 3,
        "priority": 1,
        "requested_on": "2022-06-20",
        "goods_category": None,
        "goods_subcategory": None,
        "gender": None,
        "size": None,
        "season": None,
        "status": "open",
        "matched_quantity": 0,
        "delivered_quantity": 0,
        "open_quantity": 3,
        "matched_item_ids": [],
        "version": 1,
        "created_at": created["created_at"],
        "updated_at": created["updated_at"],
    }
    assert _get(client, created["id"]) == created


def test_defaults_priority_3_and_requested_today(client: TestClient) -> None:
    dest = factories.destination(client)
    response = client.post(
        f"{API}/needs",
        json={"destination_id": dest["id"], "item_kind": "pipes", "description": "PE pipes"},
    )
    assert response.status_code == 422  # quantity has no default
    assert [e["loc"] for e in response.json()["detail"]] == [["body", "quantity"]]
    need = factories.created(
        client,
        "/needs",
        {"destination_id": dest["id"], "item_kind": "pipes", "description": "PE", "quantity": 9},
    )
    assert need["priority"] == 3
    assert need["requested_on"] == today_at(KYIV).isoformat()


def test_unknown_need_is_404(client: TestClient) -> None:
    for response in (
        client.get(f"{API}/needs/999999"),
        client.patch(f"{API}/needs/999999", json={"priority": 2}),
        client.post(f"{API}/needs/999999/cancel"),
    ):
        assert response.status_code == 404
        assert response.json() == {"detail": "Need 999999 does not exist", "code": "not_found"}


def test_destination_must_exist_and_nothing_is_written(client: TestClient) -> None:
    response = client.post(
        f"{API}/needs",
        json={"destination_id": 999999, "item_kind": "pump", "description": "Pump", "quantity": 1},
    )
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "loc": ["body", "destination_id"],
                "msg": "destination 999999 does not exist",
                "type": "value_error",
            }
        ]
    }
    assert _ids(client) == []


def test_invalid_fields_are_named_and_nothing_is_written(client: TestClient) -> None:
    dest = factories.destination(client)
    response = client.post(
        f"{API}/needs",
        json={
            "destination_id": dest["id"],
            "item_kind": "tank",
            "description": "",
            "quantity": 0,
            "priority": 6,
            "requested_on": "2022-02-30",
        },
    )
    assert response.status_code == 422
    assert sorted(e["loc"][1] for e in response.json()["detail"]) == [
        "description",
        "item_kind",
        "priority",
        "quantity",
        "requested_on",
    ]
    for bad in ({"priority": 0}, {"quantity": -2}):
        again = client.post(
            f"{API}/needs",
            json={
                "destination_id": dest["id"],
                "item_kind": "pump",
                "description": "P",
                "quantity": 1,
                **bad,
            },
        )
        assert again.status_code == 422
        assert [e["loc"] for e in again.json()["detail"]] == [["body", next(iter(bad))]]
    assert _ids(client) == []


def test_requested_on_cannot_be_in_the_future(client: TestClient) -> None:
    dest = factories.destination(client)
    response = client.post(
        f"{API}/needs",
        json={
            "destination_id": dest["id"],
            "item_kind": "pump",
            "description": "Pump",
            "quantity": 1,
            "requested_on": "2999-01-01",
        },
    )
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"] == ["body", "requested_on"]
    assert "2999-01-01 is after today" in error["msg"]
    assert _ids(client) == []


def test_matched_items_count_and_withdrawn_items_do_not(
    client: TestClient, session: Session
) -> None:
    donor = factories.donor(client)
    need = factories.need(client, factories.destination(client)["id"], quantity=2)
    first = _item(session, donor["id"], need)
    _item(session, donor["id"], need, status=ItemStatus.withdrawn)
    body = _get(client, need["id"])
    assert (body["status"], body["matched_quantity"], body["open_quantity"]) == ("open", 1, 1)
    assert body["matched_item_ids"] == [first]

    second = _item(session, donor["id"], need, status=ItemStatus.certified)
    body = _get(client, need["id"])
    assert (body["status"], body["matched_quantity"], body["open_quantity"]) == ("matched", 2, 0)
    assert body["matched_item_ids"] == [first, second]

    # More items than asked for: nothing is still open, never a negative count.
    third = _item(session, donor["id"], need)
    body = _get(client, need["id"])
    assert (body["matched_quantity"], body["open_quantity"]) == (3, 0)
    assert body["matched_item_ids"] == [first, second, third]


def test_cancel_need(client: TestClient) -> None:
    need = factories.need(client, factories.destination(client)["id"])
    response = client.post(f"{API}/needs/{need['id']}/cancel")
    assert response.status_code == 200
    body = response.json()
    assert body == {
        **need,
        "status": "cancelled",
        "version": 2,
        "updated_at": body["updated_at"],
    }


def test_cancelling_twice_is_refused_and_changes_nothing(client: TestClient) -> None:
    need = factories.need(client, factories.destination(client)["id"])
    cancelled = client.post(f"{API}/needs/{need['id']}/cancel").json()
    response = client.post(f"{API}/needs/{need['id']}/cancel")
    assert response.status_code == 409
    assert response.json() == {
        "detail": f"need {need['id']} cannot be cancelled",
        "code": "rule_violation",
        "reasons": [
            {"code": "already_cancelled", "message": f"need {need['id']} is already cancelled"}
        ],
    }
    assert _get(client, need["id"]) == cancelled


def test_cancelled_need_stays_cancelled_when_matched(client: TestClient, session: Session) -> None:
    donor = factories.donor(client)
    need = factories.need(client, factories.destination(client)["id"], quantity=1)
    item_id = _item(session, donor["id"], need)
    body = client.post(f"{API}/needs/{need['id']}/cancel").json()
    assert (body["status"], body["matched_item_ids"]) == ("cancelled", [item_id])


def test_patch_changes_only_sent_fields_and_bumps_version(client: TestClient) -> None:
    dest = factories.destination(client)
    other = factories.destination(client)
    need = factories.need(client, dest["id"], priority=3)
    response = client.patch(
        f"{API}/needs/{need['id']}",
        json={"priority": 1, "quantity": 5, "destination_id": other["id"], "item_kind": "pipes"},
    )
    assert response.status_code == 200
    body = response.json()
    assert body == {
        **need,
        "priority": 1,
        "quantity": 5,
        "open_quantity": 5,
        "destination_id": other["id"],
        "item_kind": "pipes",
        "version": 2,
        "updated_at": body["updated_at"],
    }


def test_patch_refuses_bad_input_and_changes_nothing(client: TestClient) -> None:
    need = factories.need(client, factories.destination(client)["id"])
    for changes, field, msg in (
        ({"destination_id": 999999}, "destination_id", "destination 999999 does not exist"),
        ({"requested_on": None}, "requested_on", "is required and cannot be set to null"),
        ({"quantity": None}, "quantity", "is required and cannot be set to null"),
        ({"quantity": 0}, "quantity", None),
        ({"requested_on": "2999-01-01"}, "requested_on", None),
        ({"cancelled": True}, "cancelled", None),
    ):
        response = client.patch(f"{API}/needs/{need['id']}", json=changes)
        assert response.status_code == 422, changes
        [error] = response.json()["detail"]
        assert error["loc"] == ["body", field]
        if msg:
            assert error["msg"] == msg
    assert _get(client, need["id"]) == need


def test_patch_refuses_every_change_the_matched_items_contradict(
    client: TestClient, session: Session
) -> None:
    donor = factories.donor(client)
    other = factories.destination(client)
    need = factories.need(client, factories.destination(client)["id"], quantity=3)
    items = [_item(session, donor["id"], need), _item(session, donor["id"], need)]
    before = _get(client, need["id"])
    response = client.patch(
        f"{API}/needs/{need['id']}",
        json={"destination_id": other["id"], "item_kind": "generator", "quantity": 1},
    )
    assert response.status_code == 409
    listed = f"{items[0]}, {items[1]}"
    assert response.json() == {
        "detail": f"need {need['id']} cannot be changed",
        "code": "rule_violation",
        "reasons": [
            {
                "code": "items_matched",
                "message": f"items {listed} are allocated to destination "
                f"{need['destination_id']} against this need; release them before moving the need",
                "field": "destination_id",
                "context": {"item_ids": items},
            },
            {
                "code": "items_matched",
                "message": f"items {listed} were matched as pump; "
                "release them before changing the kind",
                "field": "item_kind",
                "context": {"item_ids": items},
            },
            {
                "code": "quantity_below_matched",
                "message": "2 items are already matched, more than 1; release items first",
                "field": "quantity",
                "context": {"matched_quantity": 2, "item_ids": items},
            },
        ],
    }
    assert _get(client, need["id"]) == before
    # Down to exactly what is matched is fine, and so is re-sending the same destination.
    ok = client.patch(
        f"{API}/needs/{need['id']}",
        json={"quantity": 2, "destination_id": need["destination_id"], "item_kind": "pump"},
    )
    assert ok.status_code == 200
    assert (ok.json()["status"], ok.json()["open_quantity"]) == ("matched", 0)


def test_withdrawn_items_do_not_block_changes(client: TestClient, session: Session) -> None:
    donor = factories.donor(client)
    other = factories.destination(client)
    need = factories.need(client, factories.destination(client)["id"])
    _item(session, donor["id"], need, status=ItemStatus.withdrawn)
    response = client.patch(f"{API}/needs/{need['id']}", json={"destination_id": other["id"]})
    assert response.status_code == 200
    assert response.json()["destination_id"] == other["id"]


def test_cancelled_need_cannot_be_changed(client: TestClient) -> None:
    need = factories.need(client, factories.destination(client)["id"])
    cancelled = client.post(f"{API}/needs/{need['id']}/cancel").json()
    response = client.patch(f"{API}/needs/{need['id']}", json={"priority": 1})
    assert response.status_code == 409
    assert response.json() == {
        "detail": f"need {need['id']} cannot be changed",
        "code": "rule_violation",
        "reasons": [
            {
                "code": "need_cancelled",
                "message": f"need {need['id']} is cancelled and can no longer change",
            }
        ],
    }
    assert _get(client, need["id"]) == cancelled


def test_list_filters_by_destination_kind_status_and_text(
    client: TestClient, session: Session
) -> None:
    donor = factories.donor(client)
    lviv = factories.destination(client)
    chuhuiv = factories.destination(client)
    pumps = factories.need(client, lviv["id"], item_kind="pump", description="Well pumps")
    generators = factories.need(
        client, lviv["id"], item_kind="generator", description="Generators 100 kVA", quantity=1
    )
    buses = factories.need(
        client, chuhuiv["id"], item_kind="bus", description="City buses", quantity=1
    )
    _item(session, donor["id"], generators, kind=ItemKind.generator)
    _item(session, donor["id"], pumps)  # 1 of 2: still open
    client.post(f"{API}/needs/{buses['id']}/cancel")

    assert _ids(client, destination_id=lviv["id"], sort="id") == [pumps["id"], generators["id"]]
    assert _ids(client, destination_id=chuhuiv["id"]) == [buses["id"]]
    assert _ids(client, item_kind="generator") == [generators["id"]]
    assert _ids(client, status="open") == [pumps["id"]]
    assert _ids(client, status="matched") == [generators["id"]]
    assert _ids(client, status="cancelled") == [buses["id"]]
    assert _ids(client, q="KVA") == [generators["id"]]
    assert _ids(client, q="_") == []  # wildcards are text, not patterns
    bad = client.get(f"{API}/needs", params={"status": "done"})
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"] == ["query", "status"]


def test_list_is_most_urgent_first_and_pages_by_keyset(client: TestClient) -> None:
    dest = factories.destination(client)
    ids_by_priority = {p: factories.need(client, dest["id"], priority=p)["id"] for p in (3, 1, 5)}
    page = client.get(f"{API}/needs").json()
    assert [n["priority"] for n in page["items"]] == [1, 3, 5]

    dates = ["2022-05-01", "2022-05-14", "2022-06-02", "2022-06-02", "2022-07-19"]
    for day in dates:
        factories.need(client, dest["id"], requested_on=day)
    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 2, "sort": "-requested_on", "q": "well field"}
        if cursor:
            params["cursor"] = cursor
        body = client.get(f"{API}/needs", params=params).json()
        seen += [n["requested_on"] for n in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    today = today_at(KYIV).isoformat()
    assert seen == [today] * len(ids_by_priority) + sorted(dates, reverse=True)


def test_bad_sort_or_cursor_is_422(client: TestClient) -> None:
    bad_sort = client.get(f"{API}/needs", params={"sort": "quantity"})
    assert bad_sort.status_code == 422
    assert bad_sort.json()["detail"][0]["loc"] == ["body", "sort"]
    bad_cursor = client.get(f"{API}/needs", params={"cursor": "bm9wZQ"})
    assert bad_cursor.status_code == 422
    assert bad_cursor.json()["detail"][0]["loc"] == ["body", "cursor"]


@contextmanager
def _statements(session: Session) -> Iterator[list[str]]:
    seen: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    bind = session.get_bind()
    event.listen(bind, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(bind, "before_cursor_execute", count)


def test_list_runs_the_same_statements_for_2_and_for_20_needs(
    client: TestClient, session: Session
) -> None:
    donor = factories.donor(client)
    dest = factories.destination(client)

    def add_needs(n: int) -> None:
        for _ in range(n):
            need = factories.need(client, dest["id"])
            _item(session, donor["id"], need)

    add_needs(2)
    with _statements(session) as small:
        page = client.get(f"{API}/needs", params={"status": "open"}).json()
    assert len(page["items"]) == 2
    add_needs(18)
    with _statements(session) as large:
        page = client.get(f"{API}/needs", params={"status": "open"}).json()
    assert len(page["items"]) == 20
    assert all(n["matched_quantity"] == 1 for n in page["items"])
    assert len(small) > 0
    assert len(large) == len(small)
