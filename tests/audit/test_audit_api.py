"""The audit trail: every change recorded in the same transaction, readable, never writable."""

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, func, select

from app.audit.models import AuditAction, AuditEntry
from app.auth.roles import Role
from app.core.context import SYSTEM, Actor, current_actor
from app.donors.models import Donor
from app.main import create_app
from tests import factories
from tests.accounts import RoleClients
from tests.convoys import builders as b
from tests.factories import API

COORDINATOR = Actor(user_id=7, username="olena.koval", role="coordinator", operation="op_test")
CLERK = Actor(user_id=3, username="clerk.anna", role="clerk", operation="create_donor")


def entries(client: TestClient, **filters: Any) -> list[dict[str, Any]]:
    response = client.get(f"{API}/audit", params={"limit": 200, **filters})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert body["next_cursor"] is None
    items: list[dict[str, Any]] = body["items"]
    return items


def count(session: Session) -> int:
    return session.exec(select(func.count()).select_from(AuditEntry)).one()


def whoami(client: TestClient) -> tuple[int, str, str]:
    """The logged-in user as the trail names an actor: id, username, role."""
    me = client.get(f"{API}/auth/me").json()
    return me["id"], me["username"], me["role"]


@pytest.fixture
def acting_coordinator() -> Iterator[Actor]:
    """An actor named in the context, as the CLI and the demo loader do outside a request."""
    token = current_actor.set(COORDINATOR)
    yield COORDINATOR
    current_actor.reset(token)


# --- Recording ------------------------------------------------------------------------------


def test_creating_a_donor_records_one_create_entry_with_its_fields(client: TestClient) -> None:
    donor = factories.donor(client, name="WSW mobil GmbH", contact_email=None)

    [entry] = entries(client, entity="donor", entity_id=str(donor["id"]))
    assert entry["action"] == "create"
    assert entry["entity"] == "donor"
    assert entry["entity_id"] == str(donor["id"])
    assert (entry["parent_entity"], entry["parent_id"]) == (None, None)
    assert entry["changes"] == {
        "name": {"after": "WSW mobil GmbH"},
        "kind": {"after": "utility"},
        "contact_name": {"after": None},
        "contact_email": {"after": None},
        "contact_phone": {"after": None},
        "street": {"after": None},
        "postal_code": {"after": None},
        "city": {"after": "Wuppertal"},
        "region": {"after": "Nordrhein-Westfalen"},
        "country": {"after": "DE"},
    }
    # The actor is the logged-in user, with the operation they called.
    assert (entry["actor_user_id"], entry["actor_name"], entry["actor_role"]) == whoami(client)
    assert entry["operation"] == "create_donor"
    assert datetime.fromisoformat(entry["occurred_at"]).tzinfo is not None


def test_the_trail_names_the_account_by_login_and_full_name(
    as_role: RoleClients,
) -> None:
    coordinator, admin = as_role(Role.coordinator), as_role(Role.admin)
    me = coordinator.get(f"{API}/auth/me").json()
    donor = factories.donor(coordinator)
    [entry] = entries(admin, entity="donor", entity_id=str(donor["id"]))
    assert (entry["actor_name"], entry["actor_full_name"]) == (me["username"], "Test coordinator")
    # The name is kept as it was: renaming the account later does not rewrite the trail.
    renamed = admin.patch(f"{API}/users/{me['id']}", json={"full_name": "Olena Koval"})
    assert renamed.status_code == 200, renamed.text
    factories.donor(coordinator)
    names = [e["actor_full_name"] for e in entries(admin, entity="donor", actor_user_id=me["id"])]
    assert sorted(names) == ["Olena Koval", "Test coordinator"]


def test_patch_records_only_the_changed_fields_before_and_after(client: TestClient) -> None:
    donor = factories.donor(client, name="Stadtwerke Wuppertal")
    response = client.patch(
        f"{API}/donors/{donor['id']}",
        # The name is sent unchanged: it is not a change and is not recorded.
        json={"name": "Stadtwerke Wuppertal", "city": "Köln", "contact_phone": "+49 221 1"},
    )
    assert response.status_code == 200, response.text

    update = [e for e in entries(client, entity="donor") if e["action"] == "update"]
    assert [(e["entity_id"], e["changes"]) for e in update] == [
        (
            str(donor["id"]),
            {
                "city": {"before": "Wuppertal", "after": "Köln"},
                "contact_phone": {"before": None, "after": "+49 221 1"},
            },
        )
    ]


def test_patch_that_changes_nothing_records_nothing(client: TestClient) -> None:
    donor = factories.donor(client, city="Wuppertal")
    response = client.patch(f"{API}/donors/{donor['id']}", json={"city": "Wuppertal"})
    assert response.status_code == 200
    assert response.json()["version"] == 2  # the version moved, yet no field changed
    assert [e["action"] for e in entries(client, entity="donor")] == ["create"]


def test_item_action_records_the_status_change_and_who_did_it(
    client: TestClient, as_role: RoleClients
) -> None:
    donor = factories.donor(client)
    item = factories.vehicle(client, donor_id=donor["id"])
    coordinator = as_role(Role.coordinator)
    response = coordinator.post(f"{API}/items/{item['id']}/accept")
    assert response.status_code == 200, response.text

    [latest, *_] = entries(client, entity="item", entity_id=str(item["id"]))
    assert latest["action"] == "update"
    assert set(latest["changes"]) == {"status", "status_changed_at"}
    assert latest["changes"]["status"] == {"before": "offered", "after": "accepted"}
    recorded_at = datetime.fromisoformat(latest["changes"]["status_changed_at"]["after"])
    assert recorded_at == datetime.fromisoformat(response.json()["status_changed_at"])
    actor = (latest["actor_user_id"], latest["actor_name"], latest["actor_role"])
    assert actor == whoami(coordinator)
    assert actor[2] == "coordinator"
    assert latest["operation"] == "accept_item"


def donor_entry(session: Session, name: str) -> AuditEntry:
    donor = Donor(name=name)
    session.add(donor)
    session.flush()
    stmt = select(AuditEntry).where(
        AuditEntry.entity == "donor", AuditEntry.entity_id == str(donor.id)
    )
    return session.exec(stmt).one()


def test_actor_put_on_the_session_wins_over_the_context(
    session: Session, acting_coordinator: Actor
) -> None:
    # The authentication dependency runs in a worker thread: it hands the actor over on the
    # session, because a context variable set there would not reach the endpoint.
    session.info["actor"] = CLERK
    try:
        entry = donor_entry(session, "Stadtwerke Solingen")
    finally:
        del session.info["actor"]
    assert (entry.actor_user_id, entry.actor_name, entry.actor_role, entry.operation) == (
        3,
        "clerk.anna",
        "clerk",
        "create_donor",
    )


def test_outside_a_request_the_context_names_the_actor(
    session: Session, acting_coordinator: Actor
) -> None:
    entry = donor_entry(session, "Stadtwerke Remscheid")
    assert (entry.actor_user_id, entry.actor_name, entry.operation) == (7, "olena.koval", "op_test")


def test_without_any_actor_the_system_is_named(session: Session) -> None:
    entry = donor_entry(session, "Stadtwerke Velbert")
    assert (entry.actor_user_id, entry.actor_name, entry.actor_role, entry.operation) == (
        None,
        SYSTEM.username,
        SYSTEM.role,
        None,
    )


def test_values_are_stored_as_json_dates_as_iso_strings(client: TestClient) -> None:
    driver = client.post(
        f"{API}/drivers",
        json={
            "name": "Taras Shevchuk",
            "date_of_birth": "1980-03-09",
            "phone": "+49 202 555 0101",
            "licences": [{"licence_class": "CE", "expires_on": "2031-05-31"}],
        },
    )
    assert driver.status_code == 201, driver.text
    driver_id = driver.json()["id"]

    [created] = entries(client, entity="driver", entity_id=str(driver_id))
    assert created["changes"]["date_of_birth"] == {"after": "1980-03-09"}
    # A composite key joins its parts; the licence belongs to its driver.
    [licence] = entries(client, entity="driver_licence")
    assert licence["entity_id"] == f"{driver_id}:CE"
    assert (licence["parent_entity"], licence["parent_id"]) == ("driver", str(driver_id))
    assert licence["changes"] == {
        "driver_id": {"after": driver_id},
        "licence_class": {"after": "CE"},
        "expires_on": {"after": "2031-05-31"},
    }


def test_deleting_records_the_values_before(client: TestClient) -> None:
    donor = factories.donor(client)
    vehicle = factories.vehicle(client, donor_id=donor["id"])
    line = factories.cargo_line(client, vehicle["id"], description="Pipe fittings")
    response = client.delete(f"{API}/cargo/{line['id']}")
    assert response.status_code == 204, response.text

    deleted = [e for e in entries(client, entity="cargo_line") if e["action"] == "delete"]
    assert len(deleted) == 1
    assert deleted[0]["entity_id"] == str(line["id"])
    assert deleted[0]["changes"]["description"] == {"before": "Pipe fittings"}
    assert deleted[0]["changes"]["vehicle_id"] == {"before": vehicle["id"]}
    assert all(set(change) == {"before"} for change in deleted[0]["changes"].values())


def test_redacted_fields_are_recorded_as_stars(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(Donor, "__audit_redact__", frozenset({"contact_phone"}), raising=False)
    donor = factories.donor(client, contact_phone="+49 202 1")
    client.patch(f"{API}/donors/{donor['id']}", json={"contact_phone": "+49 202 2"})

    create, update = sorted(entries(client, entity="donor"), key=lambda e: e["id"])
    assert create["changes"]["contact_phone"] == {"after": "***"}
    assert update["changes"] == {"contact_phone": {"before": "***", "after": "***"}}


def test_tables_that_opt_out_are_not_recorded(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(Donor, "__audit__", False, raising=False)
    factories.donor(client)
    assert entries(client, entity="donor") == []


# --- Nothing recorded for a refused request -------------------------------------------------


def test_refused_patch_422_writes_no_entry(client: TestClient, session: Session) -> None:
    donor = factories.donor(client)
    before = count(session)
    response = client.patch(f"{API}/donors/{donor['id']}", json={"name": None})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "name"]
    assert count(session) == before


def test_refused_action_409_writes_no_entry(client: TestClient, session: Session) -> None:
    donor = factories.donor(client)
    item = factories.vehicle(client, donor_id=donor["id"])
    assert client.post(f"{API}/items/{item['id']}/accept").status_code == 200
    before = count(session)
    response = client.post(f"{API}/items/{item['id']}/accept")
    assert response.status_code == 409
    assert count(session) == before


def test_a_flushed_change_that_is_rolled_back_leaves_no_entry(session: Session) -> None:
    # The listener writes at flush time; the entry must share the change's fate.
    before = count(session)
    session.add(Donor(name="Rolled back"))
    session.flush()
    assert count(session) == before + 1
    session.rollback()
    assert count(session) == before


def test_old_values_never_loaded_are_read_from_the_database(session: Session) -> None:
    donor = Donor(name="Stadtwerke Bochum", city="Bochum")
    session.add(donor)
    session.flush()
    session.expire(donor)  # as after a refresh: the old values are no longer in memory
    donor.city = "Herne"
    session.flush()
    session.expire(donor)
    donor.name = "renamed, then deleted"
    session.delete(donor)
    session.flush()

    rows = session.exec(
        select(AuditEntry).where(AuditEntry.entity_id == str(donor.id)).order_by(col(AuditEntry.id))
    ).all()
    update, delete = [r for r in rows if r.entity == "donor"][1:]
    assert update.changes == {"city": {"before": "Bochum", "after": "Herne"}}
    assert delete.changes["name"] == {"before": "Stadtwerke Bochum"}
    assert delete.changes["city"] == {"before": "Herne"}


# --- Reading: filters and pages --------------------------------------------------------------


def test_filters_by_entity_actor_operation_and_time(
    client: TestClient, as_role: RoleClients
) -> None:
    coordinator = as_role(Role.coordinator)
    coordinator_id, coordinator_name, _ = whoami(coordinator)
    # The window opens just after the entries for the two test accounts.
    accounts = entries(client)
    assert {e["entity"] for e in accounts} == {"app_user"}
    start = max(datetime.fromisoformat(e["occurred_at"]) for e in accounts) + timedelta(
        microseconds=1
    )
    admin_donor = factories.donor(client)
    coordinator_destination = factories.destination(coordinator)
    end = datetime.now(UTC) + timedelta(seconds=1)

    by_coordinator = entries(client, actor_user_id=coordinator_id)
    assert [(e["entity"], e["entity_id"]) for e in by_coordinator] == [
        ("destination", str(coordinator_destination["id"]))
    ]
    # Part of the name, any case.
    assert entries(client, actor=coordinator_name.upper()) == by_coordinator
    assert entries(client, operation="create_destination") == by_coordinator
    assert [e["entity_id"] for e in entries(client, entity="donor")] == [str(admin_donor["id"])]
    assert entries(client, entity="donor", actor=coordinator_name) == []
    window = entries(client, occurred_from=start.isoformat(), occurred_to=end.isoformat())
    assert [e["entity"] for e in window] == ["destination", "donor"]  # newest first
    assert entries(client, occurred_from=end.isoformat()) == []
    assert entries(client, occurred_to=start.isoformat()) == accounts


def test_naive_or_reversed_time_filters_are_refused(client: TestClient) -> None:
    naive = client.get(f"{API}/audit", params={"occurred_from": "2026-01-01T00:00:00"})
    assert naive.status_code == 422
    assert naive.json()["detail"][0]["loc"] == ["query", "occurred_from"]

    reversed_ = client.get(
        f"{API}/audit",
        params={"occurred_from": "2026-02-01T00:00:00Z", "occurred_to": "2026-01-01T00:00:00Z"},
    )
    assert reversed_.status_code == 422
    assert reversed_.json()["detail"] == [
        {
            "loc": ["body", "occurred_to"],
            "msg": "must be later than occurred_from",
            "type": "value_error",
        }
    ]


def test_pages_run_newest_first_without_gaps_or_repeats(client: TestClient) -> None:
    donors = [factories.donor(client) for _ in range(5)]
    expected = [str(d["id"]) for d in reversed(donors)]

    seen: list[str] = []
    cursor = None
    for _ in range(3):
        params: dict[str, Any] = {"entity": "donor", "limit": 2}
        if cursor:
            params["cursor"] = cursor
        page = client.get(f"{API}/audit", params=params).json()
        seen += [e["entity_id"] for e in page["items"]]
        cursor = page["next_cursor"]
    assert seen == expected
    assert cursor is None

    oldest_first = client.get(f"{API}/audit", params={"entity": "donor", "sort": "occurred_at"})
    assert [e["entity_id"] for e in oldest_first.json()["items"]] == expected[::-1]
    bad = client.get(f"{API}/audit", params={"sort": "actor_name"})
    assert bad.status_code == 422


# --- History endpoints ------------------------------------------------------------------------


def test_history_returns_only_that_records_entries(client: TestClient) -> None:
    mine = factories.donor(client)
    other = factories.donor(client)
    client.patch(f"{API}/donors/{mine['id']}", json={"city": "Bochum"})
    client.patch(f"{API}/donors/{other['id']}", json={"city": "Essen"})

    response = client.get(f"{API}/donors/{mine['id']}/history")
    assert response.status_code == 200
    history = response.json()["items"]
    assert [(e["entity"], e["entity_id"], e["action"]) for e in history] == [
        ("donor", str(mine["id"]), "update"),
        ("donor", str(mine["id"]), "create"),
    ]


def test_history_includes_the_rows_that_belong_to_the_record(client: TestClient) -> None:
    donor = factories.donor(client)
    vehicle = factories.vehicle(client, donor_id=donor["id"])
    other = factories.vehicle(client, donor_id=donor["id"])
    line = factories.cargo_line(client, vehicle["id"])
    factories.cargo_line(client, other["id"])

    history = client.get(f"{API}/items/{vehicle['id']}/history").json()["items"]
    assert [(e["entity"], e["entity_id"]) for e in history] == [
        ("cargo_line", str(line["id"])),
        ("item", str(vehicle["id"])),
    ]


def operations() -> dict[tuple[str, str], str]:
    """(path, method) -> operation id of every route the app serves."""
    spec = create_app().openapi()
    return {
        (path, method.upper()): operation["operationId"]
        for path, methods in spec["paths"].items()
        for method, operation in methods.items()
    }


def test_every_record_has_a_history_route() -> None:
    paths = {
        (path, operation_id)
        for (path, method), operation_id in operations().items()
        if path.endswith("/history")
    }
    assert paths == {
        (f"{API}/donors/{{donor_id}}/history", "get_donor_history"),
        (f"{API}/destinations/{{destination_id}}/history", "get_destination_history"),
        (f"{API}/needs/{{need_id}}/history", "get_need_history"),
        (f"{API}/items/{{item_id}}/history", "get_item_history"),
        (f"{API}/certificates/{{certificate_id}}/history", "get_certificate_history"),
        (f"{API}/export-records/{{export_record_id}}/history", "get_export_record_history"),
        (f"{API}/drivers/{{driver_id}}/history", "get_driver_history"),
        (f"{API}/convoys/{{convoy_id}}/history", "get_convoy_history"),
    }


def test_no_route_changes_or_deletes_audit_entries() -> None:
    trail = {
        (path, method)
        for path, method in operations()
        if path.startswith(f"{API}/audit") or path.endswith("/history")
    }
    assert {(path, method) for path, method in trail if path.startswith(f"{API}/audit")} == {
        (f"{API}/audit", "GET")
    }
    assert {method for _, method in trail} == {"GET"}


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
def test_writing_to_the_trail_is_refused(client: TestClient, method: str) -> None:
    # Even an admin: there is no route that writes, so the request never reaches the trail.
    factories.donor(client)
    before = entries(client)
    [entry] = [e for e in before if e["entity"] == "donor"]
    assert client.request(method, f"{API}/audit", json={}).status_code == 405
    assert client.request(method, f"{API}/audit/{entry['id']}", json={}).status_code == 404
    assert entries(client) == before


# --- Who may read the trail ---------------------------------------------------------------------


def test_drivers_and_recipients_never_read_the_trail(
    client: TestClient, as_role: RoleClients
) -> None:
    planned = b.planned_convoy(client)
    driver_id = planned.drivers[0]["id"]
    destination_id = planned.destination["id"]
    driver = as_role(Role.driver, driver_id=driver_id)
    recipient = as_role(Role.recipient, destination_id=destination_id)
    # Their own records included: the trail holds other people's names and phone numbers.
    paths = [
        f"{API}/audit",
        f"{API}/audit?entity=driver&entity_id={driver_id}",
        f"{API}/drivers/{driver_id}/history",
        f"{API}/destinations/{destination_id}/history",
        f"{API}/convoys/{planned.id}/history",
        f"{API}/items/{planned.vehicles[0]['id']}/history",
    ]
    for reader in (driver, recipient):
        for path in paths:
            response = reader.get(path)
            assert response.status_code == 403, (path, response.text)
            assert response.json()["code"] == "forbidden"
            assert "items" not in response.json()
    for office in (client, as_role(Role.coordinator), as_role(Role.clerk)):
        assert all(office.get(path).status_code == 200 for path in paths)


def test_a_password_hash_never_shows_in_the_trail(client: TestClient, session: Session) -> None:
    created = client.post(
        f"{API}/users",
        json={
            "username": "rita.f",
            "full_name": "Rita Falkenberg",
            "role": "coordinator",
            "password": "correct-horse-battery",
        },
    )
    assert created.status_code == 201, created.text
    user_id = str(created.json()["id"])
    changed = client.patch(f"{API}/users/{user_id}", json={"password": "another-long-secret"})
    assert changed.status_code == 200

    recorded = entries(client, entity="app_user", entity_id=user_id)
    assert [e["changes"]["password_hash"] for e in recorded] == [
        {"before": "***", "after": "***"},
        {"after": "***"},
    ]
    # Even a value stored in an entry (written before the field was redacted) is not shown.
    session.add(
        AuditEntry(
            actor_name="system",
            actor_role="system",
            entity="app_user",
            entity_id=user_id,
            action=AuditAction.update,
            changes={"password_hash": {"before": "$argon2id$old", "after": "$argon2id$new"}},
        )
    )
    session.commit()
    [latest, *_] = entries(client, entity="app_user", entity_id=user_id)
    assert latest["changes"] == {"password_hash": {"before": "***", "after": "***"}}
    assert "argon2" not in client.get(f"{API}/audit", params={"entity": "app_user"}).text


# --- Removals that once bypassed the trail --------------------------------------------------------


def deletions(client: TestClient, entity: str) -> list[tuple[str, str | None]]:
    return [
        (e["entity_id"], e["operation"])
        for e in entries(client, entity=entity)
        if e["action"] == "delete"
    ]


def test_cancelling_a_convoy_records_each_assignment_and_load_removed(
    client: TestClient,
) -> None:
    planned = b.planned_convoy(client, plan=b.FIRST_CONVOY, vehicles=2)
    detail = b.get(client, f"/convoys/{planned.id}")
    assert len(detail["assignments"]) == 6  # two buses on three legs
    response = client.post(f"{API}/convoys/{planned.id}/cancel")
    assert response.status_code == 200, response.text

    assert sorted(deletions(client, "assignment")) == sorted(
        (str(a["id"]), "cancel_convoy") for a in detail["assignments"]
    )
    assert sorted(deletions(client, "convoy_item")) == sorted(
        (f"{planned.id}:{v['id']}", "cancel_convoy") for v in planned.vehicles
    )
    [removed, *_] = [
        e
        for e in entries(client, entity="assignment")
        if e["entity_id"] == str(detail["assignments"][0]["id"])
    ]
    assert removed["action"] == "delete"
    assert (removed["parent_entity"], removed["parent_id"]) == ("convoy", str(planned.id))
    assert removed["changes"]["driver_id"] == {"before": detail["assignments"][0]["driver_id"]}


def test_removing_a_leg_or_unloading_records_the_assignments_removed(client: TestClient) -> None:
    planned = b.planned_convoy(client, plan=b.FIRST_CONVOY, vehicles=2)
    assignments = b.get(client, f"/convoys/{planned.id}")["assignments"]
    last_leg = planned.legs[-1]["id"]
    on_last_leg = {str(a["id"]) for a in assignments if a["leg_id"] == last_leg}
    assert client.delete(f"{API}/convoys/{planned.id}/legs/{last_leg}").status_code == 204
    assert {i for i, op in deletions(client, "assignment") if op == "delete_leg"} == on_last_leg

    bus = planned.vehicles[0]["id"]
    of_bus = {str(a["id"]) for a in assignments if a["vehicle_id"] == bus} - on_last_leg
    assert client.delete(f"{API}/convoys/{planned.id}/items/{bus}").status_code == 204
    assert {i for i, op in deletions(client, "assignment") if op == "unload_item"} == of_bus
    assert deletions(client, "convoy_item") == [(f"{planned.id}:{bus}", "unload_item")]


def test_replacing_licences_and_availability_records_the_old_ones_removed(
    client: TestClient,
) -> None:
    driver = b.driver(
        client,
        free=(date(2027, 3, 1), date(2027, 3, 5)),
        licences={"B": date(2030, 1, 1), "CE": date(2031, 5, 31)},
    )
    response = client.patch(
        f"{API}/drivers/{driver['id']}",
        json={
            "licences": [{"licence_class": "CE", "expires_on": "2033-05-31"}],
            "availability": [],
        },
    )
    assert response.status_code == 200, response.text
    assert sorted(deletions(client, "driver_licence")) == [
        (f"{driver['id']}:B", "update_driver"),
        (f"{driver['id']}:CE", "update_driver"),
    ]
    [window] = [e for e in entries(client, entity="driver_availability") if e["action"] == "delete"]
    assert window["changes"]["available_from_on"] == {"before": "2027-03-01"}
    renewed = [
        e
        for e in entries(client, entity="driver_licence", entity_id=f"{driver['id']}:CE")
        if e["operation"] == "update_driver" and e["action"] == "create"
    ]
    assert [e["changes"]["expires_on"] for e in renewed] == [{"after": "2033-05-31"}]
