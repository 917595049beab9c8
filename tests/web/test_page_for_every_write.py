"""Every write the API lets a coordinator or a clerk make has a page form that makes it.

The test walks the policy table (app/auth/policy.py): each operation that changes something
and that a coordinator or clerk may call is named here with the page and the form that does
the same through the same service, and the form is looked for on that page, rendered from
records in the state the operation needs. An operation left out (a new one) fails the test
until it gets a page or is listed among the exceptions with the reason.
"""

from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.auth.policy import POLICY
from app.auth.roles import Role
from app.main import app as served
from tests import factories
from tests.convoys import builders as b
from tests.web.conftest import PageClients, soup

# Operations a coordinator or clerk may call through the API with no page of their own, and why.
BATCH = (
    "one call for many items, for integrations; the pages make it item by item on the item's "
    "page, and the board's load form ticks many"
)
SERIES = (
    "a transport series is set up by the planners through the API only so far; its pages "
    "read it and book its money"
)
EXCEPTIONS: dict[str, str] = {
    **dict.fromkeys(
        ("accept_items", "allocate_items", "certify_items", "create_export_records",
         "mark_items_export_ready"),
        BATCH,
    ),
    **dict.fromkeys(
        ("create_programme", "update_programme", "create_transport", "update_transport"), SERIES
    ),
}  # fmt: skip

# operation -> (the page, with {placeholders} from the scene below; a CSS selector of the form)
PAGES: dict[str, tuple[str, str]] = {
    "create_donor": ("/donors/new", "form[action='/donors/new']"),
    "update_donor": ("/donors/{donor}/edit", "form[action='/donors/{donor}/edit']"),
    "share_donor_report": ("/donors/{donor}", "form[action='/donors/{donor}/report-links']"),
    "revoke_donor_report_link": ("/donors/{donor}", "form[action$='/revoke']"),
    "create_destination": ("/destinations/new", "form[action='/destinations/new']"),
    "update_destination": (
        "/destinations/{destination}/edit",
        "form[action='/destinations/{destination}/edit']",
    ),
    "create_need": ("/needs/new", "form[action='/needs/new']"),
    "update_need": ("/needs/{need}/edit", "form[action='/needs/{need}/edit']"),
    "cancel_need": ("/needs/{need}", "form[action='/needs/{need}/cancel']"),
    "import_needs": ("/needs/import", "form[action='/needs/import']"),
    "create_item": ("/items/new", "form[action='/items/new']"),
    "update_item": ("/items/{offered}/edit", "form[action='/items/{offered}/edit']"),
    "import_offer": ("/items/import", "form[action='/items/import']"),
    "accept_item": ("/items/{offered}", "form[action='/items/{offered}/actions/accept']"),
    "allocate_item": ("/items/{accepted}", "form[action='/items/{accepted}/actions/allocate']"),
    "withdraw_item": ("/items/{accepted}", "form[action='/items/{accepted}/actions/withdraw']"),
    "certify_item": ("/items/{allocated}", "form[action='/items/{allocated}/actions/certify']"),
    "add_certificate_items": ("/items/{allocated}", "form#certificate select[name=certificate_id]"),
    "mark_item_export_ready": (
        "/items/{certified}",
        "form[action='/items/{certified}/actions/mark-export-ready']",
    ),
    "create_cargo_line": ("/items/{bus}", "form[action='/items/{bus}/cargo']"),
    "update_cargo_line": ("/items/{bus}", "form[action='/items/{bus}/cargo/{cargo}/edit']"),
    "delete_cargo_line": ("/items/{bus}", "form[action='/items/{bus}/cargo/{cargo}/delete']"),
    "create_attachment": ("/items/{bus}", "form[action='/attachments']"),
    "create_certificate": ("/certificates/new", "form[action='/certificates/new']"),
    "update_certificate": (
        "/certificates/{certificate}/edit",
        "form[action='/certificates/{certificate}/edit']",
    ),
    "remove_certificate_item": ("/certificates/{certificate}", "form[action$='/remove']"),
    "create_export_record": ("/export-records/new", "form[action='/export-records/new']"),
    "update_export_record": (
        "/export-records/{export_record}/edit",
        "form[action='/export-records/{export_record}/edit']",
    ),
    "create_driver": ("/drivers/new", "form[action='/drivers/new']"),
    "update_driver": ("/drivers/{driver}", "form[action='/drivers/{driver}/licences']"),
    "create_convoy": ("/convoys/new", "form[action='/convoys/new']"),
    "update_convoy": ("/convoys/{plan}/edit", "form[action='/convoys/{plan}/edit']"),
    "add_leg": ("/convoys/{plan}", "form[action='/convoys/{plan}/legs']"),
    "update_leg": ("/convoys/{plan}/legs/{leg}", "form[action='/convoys/{plan}/legs/{leg}/edit']"),
    "delete_leg": (
        "/convoys/{plan}/legs/{leg}",
        "form[action='/convoys/{plan}/legs/{leg}/delete'] input[name=reason]",
    ),
    "load_items": ("/convoys/{plan}", "form[action='/convoys/{plan}/load']"),
    "load_item": ("/convoys/{plan}", "form[action='/convoys/{plan}/carrier']"),
    "unload_item": ("/convoys/{plan}", "form[action='/convoys/{plan}/unload'] input[name=reason]"),
    "assign_driver": ("/convoys/{plan}", "form[action='/convoys/{plan}/seat'] button"),
    "unassign_driver": ("/convoys/{plan}", "form[action='/convoys/{plan}/seat'] option[value='']"),
    "assign_drivers_for_trip": ("/convoys/{plan}", "form[action='/convoys/{plan}/whole-trip']"),
    "swap_driver": ("/convoys/{plan}", "form[action='/convoys/{plan}/swap']"),
    "withdraw_driver": (
        "/convoys/{plan}",
        "details form[action='/convoys/{plan}/withdraw'] button.danger",
    ),
    "add_return_vehicle": ("/convoys/{plan}", "form[action='/convoys/{plan}/return-vehicles']"),
    "add_return_leg": ("/convoys/{plan}", "form[action='/convoys/{plan}/return-legs']"),
    # Its times on the leg's own page; who drives it in the board's return-seat form.
    "update_return_leg": (
        "/convoys/{plan}/return-legs/{return_leg}",
        "form[action='/convoys/{plan}/return-legs/{return_leg}/edit'] [name=planned_arrival_at]",
    ),
    "issue_convoy_document": ("/convoys/{plan}/papers", "form[action='/convoys/{plan}/documents']"),
    "mark_ready_convoy": ("/convoys/{clean}", "form[action='/convoys/{clean}/actions/mark-ready']"),
    "depart_convoy": ("/convoys/{ready}", "form[action='/convoys/{ready}/actions/depart']"),
    "cancel_convoy": (
        "/convoys/{ready}",
        "details form[action='/convoys/{ready}/actions/cancel'] input[name=reason]",
    ),
    "report_progress": ("/convoys/{road}", "form[action='/convoys/{road}/progress']"),
    "arrive_convoy": ("/convoys/{road}", "form[action='/convoys/{road}/actions/arrive']"),
    "record_handover": (
        "/deliveries/{road}?destination_id={road_destination}",
        "form[action='/deliveries/{road}?destination_id={road_destination}']",
    ),
    "close_convoy": ("/convoys/{arrived}", "form[action='/convoys/{arrived}/actions/close']"),
    "revoke_token": ("/desk", "form[action='/logout']"),
    # the collection point: its set-up, stock keeping, matching and pallets
    "create_collection_point": ("/collection/new", "form[action='/collection/new']"),
    "update_collection_point": (
        "/collection/{hall}/setup",
        "form[action='/collection/{hall}/setup']",
    ),
    "create_storage_place": (
        "/collection/{hall}/setup",
        "form[action='/collection/{hall}/places']",
    ),
    "record_intake": ("/collection/{hall}/intake", "form[action='/collection/{hall}/intake']"),
    "import_intake": ("/collection/{hall}/import", "form[action='/collection/{hall}/import']"),
    "move_stock": ("/collection/stock/{line}", "form[action='/collection/stock/{line}/move']"),
    "write_off_stock": (
        "/collection/stock/{line}",
        "details form[action='/collection/stock/{line}/write-off'] input[name=reason]",
    ),
    "count_stock": ("/collection/stock/{line}", "form[action='/collection/stock/{line}/count']"),
    "release_reservation": (
        "/collection/stock/{line}",
        "form[action='/collection/reservations/{reservation}/release']",
    ),
    "reserve_stock": (
        "/collection-matching?need_id={goods_need}",
        "form[action='/collection-matching/reserve']",
    ),
    "fill_need_from_stock": (
        "/collection-matching?need_id={goods_need}",
        "form[action='/collection-matching/fill']",
    ),
    "create_pallet": ("/collection/{hall}", "form[action='/collection/{hall}/pallets']"),
    "pack_pallet": (
        "/collection/pallets/{pallet}",
        "form[action='/collection/pallets/{pallet}/pack']",
    ),
    "update_pallet": (
        "/collection/pallets/{pallet}",
        "form[action='/collection/pallets/{pallet}/weigh']",
    ),
    "load_pallet": (
        "/collection/pallets/{pallet}",
        "form[action='/collection/pallets/{pallet}/load']",
    ),
    "hand_over_pallet": (
        "/collection/pallets/{pallet}",
        "form[action='/collection/pallets/{pallet}/handover']",
    ),
}


def _writes_of_the_office() -> set[str]:
    """The operations that change something (not GET) and that a coordinator or clerk may
    call, read from the app's own OpenAPI document."""
    office = {Role.coordinator, Role.clerk}
    return {
        operation["operationId"]
        for methods in served.openapi()["paths"].values()
        for method, operation in methods.items()
        if method != "get" and office & POLICY.get(operation["operationId"], frozenset())
    }


def test_every_write_of_the_office_is_named_with_its_page_or_a_reason() -> None:
    writes = _writes_of_the_office()
    assert writes - set(PAGES) - set(EXCEPTIONS) == set(), "name the page form of these"
    assert set(PAGES) - writes == set(), "these are no operations a coordinator or clerk makes"
    assert all(reason.strip() for reason in EXCEPTIONS.values())


@pytest.fixture
def scene(client: TestClient) -> dict[str, Any]:
    """Records in the state each operation needs, by the names the pages above use."""
    plan = b.planned_convoy(client, vehicles=1)
    trip_end = plan.arrival.date()
    _van, return_leg = b.way_back(client, plan, b.SPRINTER, rest_hours=10)
    generator = b.equipment(client, trip_end=trip_end, destination=plan.destination)
    b.load(client, plan.id, generator["id"])
    clean = b.planned_convoy(client, vehicles=1)
    ready = b.planned_convoy(client, vehicles=1)
    b.post(client, f"/convoys/{ready.id}/mark-ready")
    road = b.planned_convoy(client, vehicles=1)
    b.post(client, f"/convoys/{road.id}/depart")
    arrived = b.planned_convoy(client, vehicles=1)
    b.post(client, f"/convoys/{arrived.id}/depart")
    b.post(client, f"/convoys/{arrived.id}/arrive")
    items = {
        stage: b.vehicle(client, trip_end=trip_end, destination=plan.destination, stage=stage)
        for stage in ("offered", "accepted", "allocated", "certified")
    }
    bus = plan.vehicles[0]
    cargo = factories.cargo_line(client, bus["id"])
    [certificate] = b.get(client, f"/certificates?item_id={items['certified']['id']}")["items"]
    export_record = b.get(client, f"/items/{bus['id']}/export-record")
    donor = b.get(client, f"/items/{bus['id']}")["donor_id"]
    b.post(client, f"/donors/{donor}/report-links")
    need = factories.need(client, plan.destination["id"])
    hall = factories.collection_point(client)
    place = factories.storage_place(client, hall["id"])
    factories.storage_place(client, hall["id"])  # somewhere to move to
    line = factories.intake(client, hall["id"], place["id"])
    clinic = factories.destination(client, kind="clinic")
    goods_need = factories.goods_need(client, clinic["id"], quantity=20)
    reservation = factories.created(
        client,
        "/reservations",
        {"need_id": goods_need["id"], "stock_line_id": line["id"], "quantity": 10},
    )
    pallet = factories.created(
        client, "/pallets", {"collection_point_id": hall["id"], "need_id": goods_need["id"]}
    )
    return {
        "hall": hall["id"],
        "line": line["id"],
        "goods_need": goods_need["id"],
        "reservation": reservation["id"],
        "pallet": pallet["id"],
        "plan": plan.id,
        "leg": plan.legs[0]["id"],
        "return_leg": return_leg["id"],
        "clean": clean.id,
        "ready": ready.id,
        "road": road.id,
        "road_destination": road.destination["id"],
        "arrived": arrived.id,
        "bus": bus["id"],
        "cargo": cargo["id"],
        **{stage: item["id"] for stage, item in items.items()},
        "certificate": certificate["id"],
        "export_record": export_record["id"],
        "donor": donor,
        "destination": plan.destination["id"],
        "need": need["id"],
        "driver": plan.drivers[0]["id"],
    }


def test_each_write_has_its_form_on_its_page(
    client: TestClient, page_as: PageClients, scene: dict[str, Any]
) -> None:
    coordinator = page_as(Role.coordinator)
    missing = []
    pages: dict[str, Any] = {}
    for operation, (path, selector) in sorted(PAGES.items()):
        address = path.format(**scene)
        if address not in pages:
            response = coordinator.get(address)
            assert response.status_code == 200, (operation, address, response.text[:300])
            pages[address] = soup(response.text)
        if pages[address].select_one(selector.format(**scene)) is None:
            missing.append((operation, address, selector.format(**scene)))
    assert missing == []
