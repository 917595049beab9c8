"""GDPR for drivers: a copy of everything stored about them, and erasure that keeps the facts."""

import json
from datetime import date
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session, col, func, select

from app.audit.models import AuditEntry
from app.auth.roles import Role
from tests.accounts import PASSWORD, RoleClients
from tests.convoys import builders as b
from tests.factories import API

# Everything personal the driver below registers with: none of it may survive an erasure.
PERSONAL = {
    "name": "Taras Shevchuk",
    "date_of_birth": "1971-03-09",
    "phone": "+49 202 555 0191",
    "email": "taras.shevchuk@example.org",
    "languages": ["uk", "de"],
    "emergency_contact_name": "Oksana Shevchuk",
    "emergency_contact_phone": "+49 202 555 0192",
    "notes": "Prefers night drives; diabetic, carries insulin",
}
TRACES = [
    "Taras Shevchuk",
    "1971-03-09",
    "+49 202 555 0191",
    "taras.shevchuk@example.org",
    "Oksana Shevchuk",
    "+49 202 555 0192",
    "insulin",
    "2031-05-31",  # the licence's expiry
]


def on_convoy(client: TestClient) -> tuple[b.Planned, dict[str, Any]]:
    """A planned convoy whose bus Taras drives on its one leg."""
    planned = b.planned_convoy(client, drivers=0, assigned=False)
    taras = b.driver(
        client,
        free=planned.free,
        licences={"D": date(2031, 5, 31)},
        **PERSONAL,
    )
    b.assign(client, planned.id, planned.legs[0]["id"], planned.vehicles[0]["id"], taras["id"])
    return planned, taras


def account_for(client: TestClient, driver_id: int) -> dict[str, Any]:
    response = client.post(
        f"{API}/users",
        json={
            "username": "taras.s",
            "full_name": "Taras Shevchuk",
            "role": "driver",
            "password": PASSWORD,
            "driver_id": driver_id,
        },
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def log_in(anonymous: TestClient, username: str) -> dict[str, str]:
    response = anonymous.post(
        f"{API}/auth/token", data={"username": username, "password": PASSWORD}
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def trail(session: Session) -> list[AuditEntry]:
    return list(session.exec(select(AuditEntry).order_by(col(AuditEntry.id))).all())


def audit_count(session: Session) -> int:
    return session.exec(select(func.count()).select_from(AuditEntry)).one()


# --- export -------------------------------------------------------------------------------------


def test_export_holds_record_licences_availability_assignments_account_and_trail(
    client: TestClient,
) -> None:
    planned, taras = on_convoy(client)
    account = account_for(client, taras["id"])

    response = client.get(f"{API}/drivers/{taras['id']}/personal-data")
    assert response.status_code == 200, response.text
    data = response.json()
    assert set(data) == {"exported_at", "driver", "assignments", "user_accounts", "audit_entries"}
    assert data["driver"] == b.get(client, f"/drivers/{taras['id']}")
    assert data["driver"]["phone"] == PERSONAL["phone"]
    assert data["driver"]["licences"] == [{"licence_class": "D", "expires_on": "2031-05-31"}]
    assert data["driver"]["availability"] == [
        {"available_from_on": d.isoformat(), "available_to_on": e.isoformat()}
        for d, e in [planned.free]
    ]
    leg, bus = planned.legs[0], planned.vehicles[0]
    assert data["assignments"] == [
        {
            "assignment_id": planned_assignment(client, planned)["id"],
            "convoy_id": planned.id,
            "convoy_number": planned.convoy["number"],
            "convoy_name": planned.convoy["name"],
            "convoy_status": "planning",
            "leg_id": leg["id"],
            "leg_position": 1,
            "from_place": leg["from_place"],
            "to_place": leg["to_place"],
            "vehicle_id": bus["id"],
            "vehicle_name": bus["name"],
            "vehicle_vin": bus["vin"],
            "starts_at": leg["planned_departure_at"],
            "ends_at": leg["planned_arrival_at"],
        }
    ]
    [user] = data["user_accounts"]
    assert (user["id"], user["username"], user["driver_id"]) == (
        account["id"],
        "taras.s",
        taras["id"],
    )
    assert "password_hash" not in user
    about = {(e["entity"], e["action"]) for e in data["audit_entries"]}
    assert about == {
        ("driver", "create"),
        ("driver_licence", "create"),
        ("driver_availability", "create"),
        ("assignment", "create"),
        ("app_user", "create"),
    }
    [created_account] = [e for e in data["audit_entries"] if e["entity"] == "app_user"]
    assert created_account["changes"]["password_hash"] == {"after": "***"}
    # Nothing about other drivers or other records.
    assert all(
        e["entity_id"] == str(taras["id"])
        or e["parent_id"] == str(taras["id"])
        or e["entity"] in {"assignment", "app_user"}
        for e in data["audit_entries"]
    )


def planned_assignment(client: TestClient, planned: b.Planned) -> dict[str, Any]:
    assignments: list[dict[str, Any]] = b.get(client, f"/convoys/{planned.id}")["assignments"]
    [assignment] = assignments
    return assignment


def test_export_keeps_the_trail_of_an_assignment_since_removed(client: TestClient) -> None:
    planned, taras = on_convoy(client)
    assignment = planned_assignment(client, planned)
    removed = client.delete(f"{API}/convoys/{planned.id}/assignments/{assignment['id']}")
    assert removed.status_code == 204

    data = client.get(f"{API}/drivers/{taras['id']}/personal-data").json()
    assert data["assignments"] == []
    assert [
        (e["entity"], e["entity_id"], e["action"])
        for e in data["audit_entries"]
        if e["entity"] == "assignment"
    ] == [
        ("assignment", str(assignment["id"]), "create"),
        ("assignment", str(assignment["id"]), "delete"),
    ]


def test_a_driver_exports_their_own_data_and_not_anothers(
    client: TestClient, as_role: RoleClients
) -> None:
    _, taras = on_convoy(client)
    other = b.driver(client, free=None)
    himself = as_role(Role.driver, driver_id=taras["id"])

    own = himself.get(f"{API}/drivers/{taras['id']}/personal-data")
    assert own.status_code == 200
    assert own.json()["driver"]["name"] == "Taras Shevchuk"

    foreign = himself.get(f"{API}/drivers/{other['id']}/personal-data")
    assert foreign.status_code == 404
    assert foreign.json() == {"detail": f"Driver {other['id']} does not exist", "code": "not_found"}
    assert "Volunteer" not in foreign.text


def test_clerk_recipient_and_anonymous_get_no_export(
    client: TestClient, as_role: RoleClients, anonymous: TestClient
) -> None:
    planned, taras = on_convoy(client)
    path = f"{API}/drivers/{taras['id']}/personal-data"
    assert as_role(Role.coordinator).get(path).status_code == 200
    recipient = {"destination_id": planned.destination["id"]}
    for role, links in ((Role.clerk, {}), (Role.recipient, recipient)):
        refused = as_role(role, **links).get(path)
        assert refused.status_code == 403
        assert "Shevchuk" not in refused.text
    assert anonymous.get(path).status_code == 401


def test_export_of_an_unknown_driver_is_404(client: TestClient) -> None:
    response = client.get(f"{API}/drivers/999999/personal-data")
    assert response.status_code == 404
    assert response.json()["detail"] == "Driver 999999 does not exist"


# --- erasure ------------------------------------------------------------------------------------


def test_erasure_anonymises_the_driver_and_keeps_the_facts(
    client: TestClient, session: Session, anonymous: TestClient
) -> None:
    planned, taras = on_convoy(client)
    account = account_for(client, taras["id"])
    driver_client = TestClient(client.app, headers=log_in(anonymous, "taras.s"))
    assignment = planned_assignment(client, planned)
    before = {e.id: e for e in trail(session)}
    facts_before = {i: (e.occurred_at, e.actor_name, e.entity, e.entity_id, e.action)
                    for i, e in before.items()}  # fmt: skip

    response = client.post(f"{API}/drivers/{taras['id']}/erase")
    assert response.status_code == 200, response.text
    erased = response.json()
    assert erased["version"] == taras["version"] + 1
    assert response.headers["etag"] == f'"{erased["version"]}"'
    assert erased["erased_at"] is not None
    assert {k: erased[k] for k in PERSONAL} == {
        "name": f"Erased driver #{taras['id']}",
        "date_of_birth": None,
        "phone": "",
        "email": None,
        "languages": [],
        "emergency_contact_name": None,
        "emergency_contact_phone": None,
        "notes": None,
    }
    assert (erased["licences"], erased["availability"]) == ([], [])
    assert b.get(client, f"/drivers/{taras['id']}") == erased

    # The fact stays: this driver drove this bus on this leg; only the name is gone.
    assert planned_assignment(client, planned) == {
        **assignment,
        "driver_name": f"Erased driver #{taras['id']}",
    }
    # The account is closed: deactivated, renamed, its token dead.
    user = b.get(client, f"/users/{account['id']}")
    assert (user["is_active"], user["full_name"]) == (False, f"Erased driver #{taras['id']}")
    assert driver_client.get(f"{API}/auth/me").status_code == 401

    after = trail(session)
    # Every entry is still there, with its who, when and what; none shows a personal value.
    assert set(before) <= {e.id for e in after}
    assert {e.id: (e.occurred_at, e.actor_name, e.entity, e.entity_id, e.action)
            for e in after if e.id in before} == facts_before  # fmt: skip
    everything = json.dumps([e.changes for e in after], ensure_ascii=False)
    assert [t for t in TRACES if t in everything] == []
    [created] = [e for e in after if (e.entity, e.entity_id, e.action) == ("driver",
                 str(taras["id"]), "create")]  # fmt: skip
    assert created.changes["phone"] == {"after": "erased"}
    assert created.changes["date_of_birth"] == {"after": "erased"}
    assert created.changes["emergency_contact_name"] == {"after": "erased"}
    # Facts in the trail stay readable.
    [assigned] = [e for e in after if e.entity == "assignment" and e.action == "create"]
    assert assigned.changes["driver_id"] == {"after": taras["id"]}
    assert assigned.changes["vehicle_id"] == {"after": planned.vehicles[0]["id"]}


def test_the_erasure_is_itself_in_the_trail(client: TestClient) -> None:
    _, taras = on_convoy(client)
    me = b.get(client, "/auth/me")
    assert client.post(f"{API}/drivers/{taras['id']}/erase").status_code == 200

    history = b.get(client, f"/drivers/{taras['id']}/history?limit=200")["items"]
    erasure = [e for e in history if e["operation"] == "erase_driver"]
    assert {(e["entity"], e["action"]) for e in erasure} == {
        ("driver", "update"),
        ("driver_licence", "delete"),
        ("driver_availability", "delete"),
    }
    assert {(e["actor_user_id"], e["actor_name"], e["actor_role"]) for e in erasure} == {
        (me["id"], me["username"], "admin")
    }
    [update] = [e for e in erasure if e["entity"] == "driver"]
    assert update["changes"]["name"] == {
        "before": "erased",
        "after": f"Erased driver #{taras['id']}",
    }
    assert update["changes"]["phone"] == {"before": "erased", "after": ""}
    assert update["changes"]["email"] == {"before": "erased", "after": None}
    assert set(update["changes"]["erased_at"]) == {"before", "after"}
    [licence] = [e for e in erasure if e["entity"] == "driver_licence"]
    assert licence["changes"] == {
        "driver_id": {"before": taras["id"]},
        "licence_class": {"before": "erased"},
        "expires_on": {"before": "erased"},
    }


def test_erasing_twice_is_409_and_changes_nothing(client: TestClient, session: Session) -> None:
    _, taras = on_convoy(client)
    first = client.post(f"{API}/drivers/{taras['id']}/erase")
    assert first.status_code == 200
    count = audit_count(session)

    again = client.post(f"{API}/drivers/{taras['id']}/erase")
    assert again.status_code == 409
    assert again.json()["code"] == "conflict"
    assert again.json()["detail"].startswith(f"driver {taras['id']} was already erased on ")
    assert b.get(client, f"/drivers/{taras['id']}") == first.json()
    assert audit_count(session) == count


def test_an_erased_driver_cannot_be_edited_back(client: TestClient, session: Session) -> None:
    _, taras = on_convoy(client)
    erased = client.post(f"{API}/drivers/{taras['id']}/erase").json()
    count = audit_count(session)

    response = client.patch(f"{API}/drivers/{taras['id']}", json={"phone": PERSONAL["phone"]})
    assert response.status_code == 409
    assert response.json()["detail"] == (
        f"driver {taras['id']} was erased on request and cannot be edited"
    )
    assert b.get(client, f"/drivers/{taras['id']}") == erased
    assert audit_count(session) == count


def test_erasure_against_a_stale_version_is_412(client: TestClient, session: Session) -> None:
    _, taras = on_convoy(client)
    read = client.get(f"{API}/drivers/{taras['id']}")
    stale = read.headers["etag"]
    edited = client.patch(f"{API}/drivers/{taras['id']}", json={"notes": "Back from holiday"})
    assert edited.status_code == 200
    count = audit_count(session)

    refused = client.post(f"{API}/drivers/{taras['id']}/erase", headers={"If-Match": stale})
    assert refused.status_code == 412
    assert b.get(client, f"/drivers/{taras['id']}") == edited.json()
    assert audit_count(session) == count

    current = edited.headers["etag"]
    done = client.post(f"{API}/drivers/{taras['id']}/erase", headers={"If-Match": current})
    assert done.status_code == 200
    assert done.json()["erased_at"] is not None


def test_only_an_admin_erases(client: TestClient, as_role: RoleClients, session: Session) -> None:
    planned, taras = on_convoy(client)
    path = f"{API}/drivers/{taras['id']}/erase"
    count = audit_count(session)
    for role, links in (
        (Role.coordinator, {}),
        (Role.clerk, {}),
        (Role.driver, {"driver_id": taras["id"]}),
        (Role.recipient, {"destination_id": planned.destination["id"]}),
    ):
        refused = as_role(role, **links).post(path)
        assert refused.status_code == 403, role
    # Each as_role() adds its account to the trail; the refusals added nothing else.
    assert audit_count(session) == count + 4
    assert b.get(client, f"/drivers/{taras['id']}")["name"] == "Taras Shevchuk"


def test_erasing_an_unknown_driver_is_404(client: TestClient) -> None:
    response = client.post(f"{API}/drivers/999999/erase")
    assert response.status_code == 404
