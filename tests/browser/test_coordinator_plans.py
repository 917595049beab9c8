"""A coordinator plans the next convoy in the browser, from export-ready items to `ready`: a
new convoy, its three legs in one form, the items loaded, a driver for each vehicle for the
whole trip, marked ready; the interactions counted, with and without JavaScript."""

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page

from tests.browser.conftest import Interactions, LiveServer
from tests.conftest import BACKENDS
from tests.convoys.builders import mrn, vin

pytestmark = pytest.mark.parametrize("live_backend", BACKENDS, indirect=True)

# The most a coordinator may need, from the desk to a convoy marked ready.
PLAN_INTERACTIONS = 20


def _ok(response: httpx.Response) -> Any:
    assert response.status_code < 300, response.text
    return response.json()


def _second_van_and_driver(live_server: LiveServer) -> date:
    """Beside the demo's waiting Sprinter: another van export-ready for Lviv and a second
    volunteer free with Katrin (made through the API, not counted). Returns Katrin's first
    free day."""
    with live_server.api("coordinator") as api:
        [katrin] = _ok(api.get("/drivers", params={"q": "Katrin Wolff"}))["items"]
        free = katrin["availability"][0]
        found = _ok(api.get("/items", params={"q": "Sprinter", "status": "export_ready"}))
        [sprinter] = [i for i in found["items"] if "workshop" in i["name"]]
        record = _ok(api.get(f"/items/{sprinter['id']}/export-record"))
        van = _ok(
            api.post(
                "/items",
                json={
                    "category": "vehicle",
                    "kind": "van",
                    "name": "VW Crafter pipe-laying van",
                    "donor_id": sprinter["donor_id"],
                    "declared_value_cents": 1_400_000,
                    "weight_kg": 2_200,
                    "condition": "used",
                    "make": "Volkswagen",
                    "model": "Crafter 35",
                    "vin": vin(),
                    "year": 2015,
                    "gross_weight_kg": 3_500,
                    "registration_papers_held": True,
                    "hs_code": "8704",
                },
            )
        )
        _ok(api.post(f"/items/{van['id']}/accept"))
        _ok(
            api.post(
                f"/items/{van['id']}/allocate",
                json={"destination_id": sprinter["destination_id"]},
            )
        )
        [certificate] = _ok(api.get("/certificates", params={"q": "VN-LVIV-003"}))["items"]
        _ok(api.post(f"/certificates/{certificate['id']}/items", json={"item_ids": [van["id"]]}))
        _ok(api.post(f"/items/{van['id']}/certify"))
        _ok(
            api.post(
                "/export-records",
                json={
                    "item_id": van["id"],
                    "customs_office_code": record["customs_office_code"],
                    "mrn": mrn(),
                    "export_plate": "W 7213 A",
                    "plate_valid_from_on": record["plate_valid_from_on"],
                    "plate_valid_to_on": record["plate_valid_to_on"],
                    "insurer": "Provinzial",
                    "insurance_until_on": record["insurance_until_on"],
                    "inspection_due_on": record["inspection_due_on"],
                },
            )
        )
        _ok(
            api.post(
                f"/items/{van['id']}/mark-export-ready",
                json={"plates_valid_until": free["available_to_on"]},
            )
        )
        licence = (date.fromisoformat(free["available_to_on"]) + timedelta(days=2000)).isoformat()
        _ok(
            api.post(
                "/drivers",
                json={
                    "name": "Olena Marchenko",
                    "date_of_birth": "1979-03-14",
                    "phone": "+49 202 555 0190",
                    "languages": ["de", "uk"],
                    "emergency_contact_name": "Family",
                    "emergency_contact_phone": "+49 202 555 0000",
                    "licences": [{"licence_class": "B", "expires_on": licence}],
                    "availability": [free],
                },
            )
        )
    return date.fromisoformat(free["available_from_on"])


@pytest.mark.parametrize("javascript", [True, False])
def test_the_next_convoy_planned_on_pages_is_ready_in_few_steps(
    open_as: Callable[..., Page], live_server: LiveServer, javascript: bool
) -> None:
    day = (_second_van_and_driver(live_server) + timedelta(days=2)).isoformat()
    page = open_as("coordinator", viewport=(1366, 900), javascript=javascript)
    steps = Interactions(page)
    steps.click("a[href='/convoys/new']")
    # The number follows the last convoy's and the meeting point is the usual depot.
    assert page.locator("#number").input_value() == "W4U-04"
    steps.fill("#planned_departure_at", f"{day}T08:00")
    steps.click("form[action='/convoys/new'] button[type=submit]")
    assert page.locator("h1").inner_text().startswith("W4U-04")

    # Three legs in one form: each starts where the one before ended, after a 45-minute break.
    for row, (place, arrives, km) in enumerate(
        (
            ("Kassel-Ost rest area", "11:00", "250"),
            ("Dresden", "14:45", "380"),
            ("Görlitz", "16:30", "100"),
        )
    ):
        n = "" if row == 0 else f"-{row + 1}"
        steps.fill(f"#to_place{n}", place)
        steps.fill(f"#planned_arrival_at{n}", f"{day}T{arrives}")
        steps.fill(f"#distance_km{n}", km)
    steps.click("form.leg-form button[type=submit]")
    assert page.locator(".seat-grid thead th").count() == 0  # no vehicle yet
    # The export-ready items come ticked.
    steps.click("form[action$='/load'] button[type=submit]")
    if not javascript:  # the board with every driver in every select
        steps.click("a[href$='?choices=all']")
    trips = page.locator("select[id^=trip-]")
    sprinter, crafter = (f"#{trips.nth(i).get_attribute('id')}" for i in (0, 1))
    steps.seat(sprinter, "Katrin Wolff", javascript=javascript)
    steps.seat(crafter, "Olena Marchenko", javascript=javascript)
    assert page.locator(".readiness .ready").is_visible(), page.locator(".readiness").inner_text()
    steps.click("form[action$='/actions/mark-ready'] button")

    with live_server.api("coordinator") as api:
        [convoy] = api.get("/convoys", params={"q": "W4U-04"}).json()["items"]
        detail = api.get(f"/convoys/{convoy['id']}").json()
    assert convoy["status"] == "ready"
    assert len(detail["legs"]) == 3
    assert len(detail["assignments"]) == 6  # two vans, three legs, one driver each
    print(f"planned to ready in {steps.count} interactions (javascript={javascript})")
    assert steps.count <= PLAN_INTERACTIONS, steps.count
