"""Every route of the app, every role and anonymous: allowed or denied, as EXPECTED says.

The table is written out here, independently of app/auth/policy.py, and a route without an
entry fails the test: a new route cannot ship without a decision on who may call it.
Allowed means the request got past authentication and authorization (not 401/403, and no
500); denied means 401 for anonymous and 403 for a logged-in role. Which rows a driver or
recipient then sees is tested in test_cross_tenant.py.
"""

import re
from collections.abc import Iterator, Sequence
from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient
from sqlmodel import Session
from starlette.routing import BaseRoute, Mount, Route

from app.auth.roles import Role
from tests.auth.records import Records, build, credentials, links_for

ANONYMOUS = "anonymous"
CALLERS = (ANONYMOUS, *(role.value for role in Role))

ADMIN = frozenset({"admin"})
PLAN = frozenset({"admin", "coordinator"})
OFFICE = PLAN | {"clerk"}
DRIVER = frozenset({"driver"})
RECIPIENT = frozenset({"recipient"})
TREASURER = frozenset({"treasurer"})
VOLUNTEER = frozenset({"volunteer"})
LOGGED_IN = OFFICE | DRIVER | RECIPIENT | TREASURER | VOLUNTEER
FUNDING = OFFICE | TREASURER  # reads a transport series and its money
BOOKS = ADMIN | TREASURER  # keeps the books
PUBLIC = LOGGED_IN | {ANONYMOUS}

# API operations by operation id; pages and framework routes by "METHOD path".
EXPECTED: dict[str, frozenset[str]] = {
    # logging in
    "issue_token": PUBLIC,
    "whoami": LOGGED_IN,
    "revoke_token": LOGGED_IN,
    # accounts
    "list_users": ADMIN,
    "create_user": ADMIN,
    "get_user": ADMIN,
    "update_user": ADMIN,
    # donors: office records
    "list_donors": OFFICE,
    "get_donor": OFFICE,
    "create_donor": PLAN,
    "update_donor": PLAN,
    "get_donor_history": OFFICE,
    # the organisation that runs the convoys: an admin sets it
    "get_organisation": OFFICE,
    "create_organisation": ADMIN,
    "update_organisation": ADMIN,
    # destinations: a recipient reads its own
    "list_destinations": OFFICE | RECIPIENT,
    "get_destination": OFFICE | RECIPIENT,
    "create_destination": PLAN,
    "update_destination": PLAN,
    "get_destination_history": OFFICE,
    # needs: a recipient states its own
    "list_needs": OFFICE | RECIPIENT,
    "get_need": OFFICE | RECIPIENT,
    "create_need": PLAN | RECIPIENT,
    "update_need": PLAN | RECIPIENT,
    "cancel_need": PLAN | RECIPIENT,
    "get_need_history": OFFICE,
    # items: a driver reads the vehicles they drive, a recipient the items it receives
    "list_items": OFFICE | DRIVER | RECIPIENT,
    "get_item": OFFICE | DRIVER | RECIPIENT,
    "create_item": PLAN,
    "update_item": PLAN,
    "accept_item": PLAN,
    "allocate_item": PLAN,
    "withdraw_item": PLAN,
    "certify_item": OFFICE,  # paperwork: the clerk too
    "mark_item_export_ready": OFFICE,
    # several items in one call: the same roles as one at a time
    "accept_items": PLAN,
    "allocate_items": PLAN,
    "certify_items": OFFICE,
    "mark_items_export_ready": OFFICE,
    "get_item_history": OFFICE,
    "list_cargo_lines": OFFICE | DRIVER | RECIPIENT,
    "create_cargo_line": PLAN,
    "update_cargo_line": PLAN,
    "delete_cargo_line": PLAN,
    # usage certificates: paperwork
    "list_certificates": OFFICE,
    "get_certificate": OFFICE,
    "create_certificate": OFFICE,
    "update_certificate": OFFICE,
    "add_certificate_items": OFFICE,
    "remove_certificate_item": OFFICE,
    "get_certificate_history": OFFICE,
    # export records: paperwork; a driver reads their vehicle's papers
    "list_export_records": OFFICE,
    "get_export_record": OFFICE | DRIVER,
    "get_item_export_record": OFFICE | DRIVER,
    "create_export_record": OFFICE,
    "create_export_records": OFFICE,
    "update_export_record": OFFICE,
    "get_export_record_history": OFFICE,
    # drivers: personal data; a driver reads their own record
    "list_drivers": OFFICE,
    "get_driver": OFFICE | DRIVER,
    "create_driver": PLAN,
    "update_driver": PLAN,
    "get_driver_history": OFFICE,
    "export_driver_data": PLAN | DRIVER,
    "erase_driver": ADMIN,
    # convoys: planned by coordinators; the clerk reads; drivers and recipients read theirs
    "list_convoys": OFFICE | DRIVER | RECIPIENT,
    "get_convoy": OFFICE | DRIVER | RECIPIENT,
    "get_convoy_readiness": OFFICE,
    # the way back: the office plans it, a driver reads their convoy's
    "get_way_back": OFFICE | DRIVER,
    "add_return_vehicle": PLAN,
    "add_return_leg": PLAN,
    "update_return_leg": PLAN,
    "get_convoy_history": OFFICE,
    "create_convoy": PLAN,
    "update_convoy": PLAN,
    "add_leg": PLAN,
    "update_leg": PLAN,
    "delete_leg": PLAN,
    "load_item": PLAN,
    "load_items": PLAN,
    "unload_item": PLAN,
    "assign_driver": PLAN,
    "assign_drivers_for_trip": PLAN,
    "swap_driver": PLAN,
    "unassign_driver": PLAN,
    "withdraw_driver": PLAN,
    "list_withdrawals": OFFICE,
    "mark_ready_convoy": PLAN,
    "depart_convoy": PLAN,
    "arrive_convoy": PLAN,
    "close_convoy": PLAN,
    "cancel_convoy": PLAN,
    "report_progress": PLAN | DRIVER,
    "list_progress": OFFICE | DRIVER | RECIPIENT,
    "record_handover": PLAN | RECIPIENT,
    "list_handovers": OFFICE | DRIVER | RECIPIENT,
    # the donor report
    "get_donor_report": OFFICE,
    "share_donor_report": PLAN,
    "list_donor_report_links": OFFICE,
    "revoke_donor_report_link": PLAN,
    # spreadsheet imports
    "import_needs": PLAN,
    "get_needs_template": OFFICE,
    "import_offer": PLAN,
    "get_offer_template": OFFICE,
    # attached files (the treasurer's: receipts of the books)
    "create_attachment": OFFICE | RECIPIENT | TREASURER,
    "list_attachments": OFFICE | DRIVER | RECIPIENT | TREASURER,
    "download_attachment": OFFICE | DRIVER | RECIPIENT | TREASURER,
    # a transport series and what pays for it: planned by the planners, booked by the treasurer
    "list_programmes": FUNDING,
    "get_programme": FUNDING,
    "create_programme": PLAN,
    "update_programme": PLAN,
    "list_transports": FUNDING,
    "get_transport": FUNDING,
    "create_transport": PLAN,
    "update_transport": PLAN,
    "list_funds": FUNDING,
    "get_fund": FUNDING,
    "create_fund": BOOKS,
    "get_balances": FUNDING,
    "get_forecast": FUNDING,
    "list_ledger_entries": FUNDING,
    "get_ledger_entry": FUNDING,
    "book_entry": BOOKS,
    "reverse_entry": BOOKS,
    "export_ledger": FUNDING,
    "list_pledges": FUNDING,
    "create_pledge": BOOKS,
    "update_pledge": BOOKS,
    "book_pledge_month": BOOKS,
    "list_grants": FUNDING,
    "get_grant": FUNDING,
    "create_grant": BOOKS,
    "issue_transport_report": BOOKS,
    "issue_fund_year_report": BOOKS,
    "issue_donation_receipt": BOOKS,
    "list_funding_papers": FUNDING,
    "download_funding_paper": FUNDING,
    "import_intake": PLAN | VOLUNTEER,
    "get_intake_template": OFFICE | VOLUNTEER,
    # papers
    "get_convoy_document": OFFICE | DRIVER | RECIPIENT,
    "issue_convoy_document": OFFICE,
    "list_issued_documents": OFFICE,
    "get_issued_document": OFFICE,
    "download_issued_document": OFFICE,
    # audit trail
    "list_audit_entries": OFFICE,
    # the collection point: a volunteer records, moves and packs at their own hall
    "list_collection_points": OFFICE | VOLUNTEER,
    "get_collection_point": OFFICE | VOLUNTEER,
    "create_collection_point": PLAN,
    "update_collection_point": PLAN,
    "list_storage_places": OFFICE | VOLUNTEER,
    "create_storage_place": PLAN,
    "get_stock_catalogue": OFFICE | VOLUNTEER,
    "record_intake": PLAN | VOLUNTEER,
    "list_stock": OFFICE | VOLUNTEER,
    "get_stock_line": OFFICE | VOLUNTEER,
    "move_stock": PLAN | VOLUNTEER,
    "write_off_stock": PLAN,
    "count_stock": PLAN,
    "list_stock_movements": OFFICE | VOLUNTEER,
    "match_stock": OFFICE,
    "list_reservations": OFFICE | VOLUNTEER,
    "reserve_stock": PLAN,
    "fill_need_from_stock": PLAN,
    "POST /collection-matching/fill": PLAN,
    "release_reservation": PLAN,
    "list_pallets": OFFICE | VOLUNTEER,
    "create_pallet": PLAN | VOLUNTEER,
    "get_pallet": OFFICE | VOLUNTEER,
    "update_pallet": PLAN | VOLUNTEER,
    "pack_pallet": PLAN | VOLUNTEER,
    "load_pallet": PLAN,
    "hand_over_pallet": PLAN,
    # HTML pages (browser session) and framework routes outside the spec
    "GET /": LOGGED_IN,
    "GET /login": PUBLIC,
    "POST /login": PUBLIC,
    "POST /logout": LOGGED_IN,
    "POST /language": LOGGED_IN,
    "GET /desk": OFFICE,
    "GET /convoys": OFFICE,
    "GET /convoys/{convoy_id}": OFFICE,
    "GET /convoys/new": PLAN,
    "POST /convoys/new": PLAN,
    "POST /convoys/{convoy_id}/legs": PLAN,
    "POST /convoys/{convoy_id}/load": PLAN,
    "POST /convoys/{convoy_id}/seat": PLAN,
    "POST /convoys/{convoy_id}/whole-trip": PLAN,
    "POST /convoys/{convoy_id}/return-seat": PLAN,
    "POST /convoys/{convoy_id}/withdraw": PLAN,
    "POST /convoys/{convoy_id}/actions/{action}": PLAN,
    "GET /convoys/{convoy_id}/edit": PLAN,
    "POST /convoys/{convoy_id}/edit": PLAN,
    "GET /convoys/{convoy_id}/legs/{leg_id}": PLAN,
    "POST /convoys/{convoy_id}/legs/{leg_id}/edit": PLAN,
    "POST /convoys/{convoy_id}/legs/{leg_id}/delete": PLAN,
    "POST /convoys/{convoy_id}/unload": PLAN,
    "POST /convoys/{convoy_id}/carrier": PLAN,
    "POST /convoys/{convoy_id}/swap": PLAN,
    "POST /convoys/{convoy_id}/return-vehicles": PLAN,
    "POST /convoys/{convoy_id}/return-legs": PLAN,
    "GET /convoys/{convoy_id}/return-legs/{leg_id}": PLAN,
    "POST /convoys/{convoy_id}/return-legs/{leg_id}/edit": PLAN,
    "POST /convoys/{convoy_id}/progress": PLAN,
    "POST /items/{item_id}/certificate": OFFICE,
    "POST /items/{item_id}/cargo/{cargo_id}/edit": PLAN,
    "POST /items/{item_id}/cargo/{cargo_id}/delete": PLAN,
    "POST /certificates/{certificate_id}/items": OFFICE,
    "POST /certificates/{certificate_id}/items/{item_id}/remove": OFFICE,
    "GET /export-records/for-item/{item_id}": OFFICE,
    "GET /deliveries": RECIPIENT,
    "GET /deliveries/{convoy_id}": RECIPIENT,
    "POST /deliveries/{convoy_id}": RECIPIENT,
    "GET /items": OFFICE,
    "GET /items/new": PLAN,
    "POST /items/new": PLAN,
    "GET /items/{record_id}": OFFICE,
    "GET /items/{record_id}/edit": PLAN,
    "POST /items/{record_id}/edit": PLAN,
    "GET /donors": OFFICE,
    "GET /donors/new": PLAN,
    "POST /donors/new": PLAN,
    "GET /donors/{record_id}": OFFICE,
    "GET /donors/{record_id}/edit": PLAN,
    "POST /donors/{record_id}/edit": PLAN,
    "POST /items/{item_id}/cargo": PLAN,
    "GET /organisation": OFFICE,
    "GET /organisation/new": ADMIN,
    "POST /organisation/new": ADMIN,
    "GET /organisation/{record_id}": OFFICE,
    "GET /organisation/{record_id}/edit": ADMIN,
    "POST /organisation/{record_id}/edit": ADMIN,
    "GET /destinations": OFFICE,
    "GET /destinations/new": PLAN,
    "POST /destinations/new": PLAN,
    "GET /destinations/{record_id}": OFFICE,
    "GET /destinations/{record_id}/edit": PLAN,
    "POST /destinations/{record_id}/edit": PLAN,
    "GET /drivers": OFFICE,
    "GET /drivers/new": PLAN,
    "POST /drivers/new": PLAN,
    "GET /drivers/{record_id}": OFFICE,
    "GET /drivers/{record_id}/edit": PLAN,
    "POST /drivers/{record_id}/edit": PLAN,
    "POST /drivers/{driver_id}/licences": PLAN,
    "POST /drivers/{driver_id}/availability": PLAN,
    "POST /items/{item_id}/actions/{item_action}": PLAN,
    # paperwork: the clerk's as much as the coordinator's
    "GET /convoys/{convoy_id}/papers": OFFICE,
    "GET /convoys/{convoy_id}/documents/{kind}": OFFICE | DRIVER | RECIPIENT,
    "POST /convoys/{convoy_id}/documents": OFFICE,
    "GET /issued-documents/{document_id}/file": OFFICE,
    "GET /donors/{donor_id}/report.{fmt}": OFFICE,
    "POST /donors/{donor_id}/report-links": PLAN,
    "POST /donor-report-links/{link_id}/revoke": PLAN,
    "GET /reports/donors/{token}": PUBLIC,  # the shared link: its token is the key
    "POST /attachments": OFFICE | RECIPIENT | TREASURER,
    "GET /attachments/{attachment_id}/file": OFFICE | DRIVER | RECIPIENT | TREASURER,
    "GET /certificates": OFFICE,
    "GET /certificates/new": OFFICE,
    "POST /certificates/new": OFFICE,
    "GET /certificates/{record_id}": OFFICE,
    "GET /certificates/{record_id}/edit": OFFICE,
    "POST /certificates/{record_id}/edit": OFFICE,
    "GET /export-records": OFFICE,
    "GET /export-records/new": OFFICE,
    "POST /export-records/new": OFFICE,
    "GET /export-records/{record_id}": OFFICE,
    "GET /export-records/{record_id}/edit": OFFICE,
    "POST /export-records/{record_id}/edit": OFFICE,
    # needs: the office's register, and the receiving utility's own
    "GET /items/import": PLAN,
    "POST /items/import": PLAN,
    "GET /items/import/template.{fmt}": OFFICE,
    "GET /needs/import": PLAN,
    "POST /needs/import": PLAN,
    "GET /needs/import/template.{fmt}": OFFICE,
    "GET /needs": OFFICE | RECIPIENT,
    "GET /needs/new": PLAN | RECIPIENT,
    "POST /needs/new": PLAN | RECIPIENT,
    "GET /needs/{record_id}": OFFICE | RECIPIENT,
    "GET /needs/{record_id}/edit": PLAN | RECIPIENT,
    "POST /needs/{record_id}/edit": PLAN | RECIPIENT,
    "POST /needs/{need_id}/cancel": PLAN | RECIPIENT,
    # a transport series: the office and the treasurer read it, the treasurer books
    "GET /programmes": FUNDING,
    "GET /programmes/{programme_id}": FUNDING,
    "GET /programmes/{programme_id}/ledger": FUNDING,
    "GET /programmes/{programme_id}/ledger.{fmt}": FUNDING,
    "GET /transports/{transport_id}": FUNDING,
    "GET /ledger-entries/{entry_id}": FUNDING,
    "GET /funding-papers/{paper_id}/file": FUNDING,
    "POST /programmes/{programme_id}/entries": BOOKS,
    "POST /funds/{fund_id}/pledge-months": BOOKS,
    "POST /funds/{fund_id}/year-reports": BOOKS,
    "POST /ledger-entries/{entry_id}/reversal": BOOKS,
    "POST /ledger-entries/{entry_id}/receipt": BOOKS,
    "POST /transports/{transport_id}/funders-report": BOOKS,
    # the collection point's pages: a volunteer's phone page and hall, the office's matching
    "GET /collection": OFFICE | VOLUNTEER,
    "GET /collection/{point_id}": OFFICE | VOLUNTEER,
    "GET /collection/{point_id}/intake": PLAN | VOLUNTEER,
    "POST /collection/{point_id}/intake": PLAN | VOLUNTEER,
    "POST /collection/{point_id}/pallets": PLAN | VOLUNTEER,
    "GET /collection-matching": OFFICE,
    "POST /collection-matching/reserve": PLAN,
    "GET /collection/pallets/{pallet_id}": OFFICE | VOLUNTEER,
    "GET /collection/pallets/{pallet_id}/{paper}.pdf": OFFICE | VOLUNTEER,
    "POST /collection/pallets/{pallet_id}/pack": PLAN | VOLUNTEER,
    "POST /collection/pallets/{pallet_id}/weigh": PLAN | VOLUNTEER,
    "POST /collection/pallets/{pallet_id}/load": PLAN,
    "POST /collection/pallets/{pallet_id}/handover": PLAN,
    # the hall's set-up (the planners'), its stock kept (volunteers move), its intake sheet
    "GET /collection/new": PLAN,
    "POST /collection/new": PLAN,
    "GET /collection/{point_id}/setup": PLAN,
    "POST /collection/{point_id}/setup": PLAN,
    "POST /collection/{point_id}/places": PLAN,
    "GET /collection/{point_id}/stock": OFFICE | VOLUNTEER,
    "GET /collection/stock/{line_id}": OFFICE | VOLUNTEER,
    "POST /collection/stock/{line_id}/move": PLAN | VOLUNTEER,
    "POST /collection/stock/{line_id}/write-off": PLAN,
    "POST /collection/stock/{line_id}/count": PLAN,
    "POST /collection/reservations/{reservation_id}/release": PLAN,
    "GET /collection/{point_id}/import": PLAN | VOLUNTEER,
    "POST /collection/{point_id}/import": PLAN | VOLUNTEER,
    "GET /collection/{point_id}/import/template.{fmt}": OFFICE | VOLUNTEER,
    "GET /my-convoy": DRIVER,
    "GET /my-convoy/calendar.ics": DRIVER,
    "POST /my-convoy/legs/{leg_id}/report": DRIVER,
    "GET /sw.js": PUBLIC,
    "GET /static/app/{name}": PUBLIC,  # Konvoi's own script, stylesheet, service worker
    "GET /static/app/{digest}/{name}": PUBLIC,  # the same, named by content for a page
    "GET /static/vendor/{version}/{name}": PUBLIC,  # htmx and the stylesheet, from npm
    "GET /healthz": PUBLIC,
    # No role opens it: 404 unless KONVOI_METRICS_TOKEN is set, then only for that token
    # (tests/operations/test_observability.py).
    "GET /metrics": PUBLIC,
    "GET /openapi.json": PUBLIC,
    "GET /docs": PUBLIC,
    "GET /docs/oauth2-redirect": PUBLIC,
    "GET /static/swagger-ui/": PUBLIC,  # Swagger UI's script and style (a static mount)
}


# --- enumerating the app's routes --------------------------------------------------------------


def _walk(routes: Sequence[BaseRoute]) -> Iterator[tuple[str, BaseRoute]]:
    """Every route with its full path, those of included routers too."""
    for context in iter_route_contexts(routes):
        yield context.path or "", context.original_route


def _operations(app: FastAPI) -> dict[str, tuple[str, str]]:
    """The spec's operations: id -> (method, path)."""
    found: dict[str, tuple[str, str]] = {}
    for path, methods in app.openapi()["paths"].items():
        for method, operation in methods.items():
            assert operation["operationId"] not in found, operation["operationId"]
            found[operation["operationId"]] = (method.upper(), path)
    return found


def routes_of(app: FastAPI) -> dict[str, tuple[str, str]]:
    """Every route to decide on: key (operation id, or "METHOD path") -> (method, path)."""
    operations = _operations(app)
    found = dict(operations)
    walked_operations = set()
    for path, route in _walk(app.routes):
        if isinstance(route, Mount):  # static files: whatever lies below the mount
            found[f"GET {path}/"] = ("GET", f"{path}/")
            continue
        assert isinstance(route, APIRoute | Route), f"unexpected kind of route {route!r}"
        operation_id = route.operation_id if isinstance(route, APIRoute) else None
        if operation_id in operations:
            assert operations[operation_id][1] == path, (operation_id, path)
            walked_operations.add(operation_id)
            continue
        for method in sorted((route.methods or set()) - {"HEAD"}):
            found[f"{method} {path}"] = (method, path)
    assert walked_operations == set(operations), "the walk missed operations of the spec"
    return found


def test_every_route_has_a_decision(app: FastAPI) -> None:
    routes = routes_of(app)
    undecided = sorted(set(routes) - set(EXPECTED))
    assert undecided == [], f"routes without an entry in EXPECTED: {undecided}"
    # Also the other way round, so the table cannot drift from the app.
    gone = sorted(set(EXPECTED) - set(routes))
    assert gone == [], f"entries in EXPECTED for routes the app does not have: {gone}"
    assert len(routes) > 80  # the walk found the API, not just the framework's routes


# --- calling each route as each caller ---------------------------------------------------------

_PARAM = re.compile(r"\{(\w+)\}")


# Path parameters of the asset routes: a file that exists.
_ASSET = {
    "name": "konvoi.js",
    "version": "0",
    "digest": "0000000000000000",
    "action": "mark-ready",
    "item_action": "accept",
    "kind": "manifest",
    "fmt": "xlsx",
    "token": "not-a-shared-token",
    "paper": "label",
}


# A register page's {record_id} is the id of the record its path names.
_REGISTER_IDS = {
    "items": "item_id",
    "donors": "donor_id",
    "destinations": "destination_id",
    "drivers": "driver_id",
    "needs": "need_id",
    "certificates": "certificate_id",
    "export-records": "export_record_id",
    "organisation": "organisation_id",
}


def _url(path: str, records: Records) -> str:
    register = _REGISTER_IDS.get(path.split("/")[1], "")

    def value(match: re.Match[str]) -> str:
        name = register if match.group(1) == "record_id" else match.group(1)
        return _ASSET.get(name) or str(records.ids[name])

    return _PARAM.sub(value, path)


def _denial(key: str, caller: str) -> int:
    """A page sends a stranger to the login page; the API answers 401. Others get 403."""
    if caller != ANONYMOUS:
        return 403
    return 303 if key.startswith(("GET /", "POST /")) else 401


# Run last, so the other routes meet the data set whole (a cancelled convoy has no drivers).
_DESTRUCTIVE = frozenset(
    {
        "cancel_convoy",
        "delete_cargo_line",
        "delete_leg",
        "erase_driver",
        "remove_certificate_item",
        "unassign_driver",
        "unload_item",
        "withdraw_driver",
        "swap_driver",
        "withdraw_item",
        "revoke_donor_report_link",
        "POST /donor-report-links/{link_id}/revoke",
        "release_reservation",
        "POST /collection/reservations/{reservation_id}/release",
        "POST /convoys/{convoy_id}/legs/{leg_id}/delete",
        "POST /convoys/{convoy_id}/unload",
        "POST /convoys/{convoy_id}/swap",
        "POST /items/{item_id}/cargo/{cargo_id}/delete",
        "POST /certificates/{certificate_id}/items/{item_id}/remove",
    }
)


def _order(entry: tuple[str, tuple[str, str]]) -> tuple[int, str]:
    key, (method, _) = entry
    return (2 if key in _DESTRUCTIVE else 0 if method == "GET" else 1), key


def _call(client: TestClient, method: str, url: str, headers: dict[str, str]) -> Any:
    # An empty body: enough to get past authorization; a create is then refused as invalid.
    body: dict[str, Any] | None = {} if method in {"POST", "PUT", "PATCH"} else None
    return client.request(method, url, headers=headers, follow_redirects=False, json=body)


def test_each_role_and_anonymous_get_what_the_table_says(
    app: FastAPI, client: TestClient, anonymous: TestClient, session: Session
) -> None:
    records = build(client, session)
    routes = routes_of(app)
    assert set(routes) <= set(EXPECTED)
    wrong: list[str] = []
    calls = 0
    for key, (method, path) in sorted(routes.items(), key=_order):
        url = _url(path, records)
        for caller in CALLERS:
            if caller == ANONYMOUS:
                headers: dict[str, str] = {}
            else:
                role = Role(caller)
                headers = credentials(session, role, **links_for(role, records))
            status = _call(anonymous, method, url, headers).status_code
            calls += 1
            allowed = caller in EXPECTED[key]
            if allowed and (status in (401, 403) or status >= 500):
                wrong.append(f"{key} ({method} {url}) as {caller}: {status}, expected allowed")
            if not allowed and status != _denial(key, caller):
                denial = _denial(key, caller)
                wrong.append(f"{key} ({method} {url}) as {caller}: {status}, expected {denial}")
    assert wrong == [], "\n".join(wrong)
    assert calls == len(routes) * len(CALLERS)


def test_a_denied_request_changes_nothing(
    client: TestClient, as_role: Any, session: Session
) -> None:
    """Denial comes before the body is looked at: a clerk's PATCH of a convoy is 403 even when
    it is valid, and the convoy is unchanged."""
    records = build(client, session)
    convoy_url = f"/api/v1/convoys/{records.ids['convoy_id']}"
    before = client.get(convoy_url).json()
    clerk = as_role(Role.clerk)
    response = clerk.patch(convoy_url, json={"name": "Renamed by the clerk"})
    assert response.status_code == 403
    assert response.json() == {"detail": "a clerk may not update convoy", "code": "forbidden"}
    assert client.get(convoy_url).json() == before
