"""The spec documents every error an operation can answer, and the answers match it."""

import ast
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from jsonschema import Draft202012Validator

from app.main import create_app
from app.refusals import REFUSALS
from tests.convoys import builders as b
from tests.factories import API

APP_DIR = Path(__file__).resolve().parents[2] / "app"


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    return create_app().openapi()


def operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method.upper(), path, operation)
        for path, methods in spec["paths"].items()
        for method, operation in methods.items()
        if path.startswith(API)
    ]


def test_every_operation_documents_the_errors_its_construction_gives(
    spec: dict[str, Any],
) -> None:
    missing: list[str] = []
    for method, path, operation in operations(spec):
        documented = set(operation["responses"])
        expected = set()
        if operation["operationId"] != "issue_token":
            expected.add("401")
        if "{" in path:
            expected.add("404")
        if method == "PATCH":
            expected |= {"412", "413", "422"}
        if "requestBody" in operation:
            expected |= {"400", "413"}
        expected.add("422")  # any parameter is checked for what no database stores
        missing += [f"{method} {path}: {status}" for status in sorted(expected - documented)]
    assert missing == []


def test_a_transition_lists_its_reason_codes_with_the_body_schema(spec: dict[str, Any]) -> None:
    depart = spec["paths"][f"{API}/convoys/{{convoy_id}}/depart"]["post"]["responses"]["409"]
    assert "`vehicle_without_driver`" in depart["description"]
    assert "`driver_licence_missing`" in depart["description"]
    body = depart["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/RefusalBody"}
    refusal = spec["components"]["schemas"]["RefusalBody"]
    assert refusal["properties"]["reasons"]["items"] == {"$ref": "#/components/schemas/ReasonBody"}
    patch_item = spec["paths"][f"{API}/items/{{item_id}}"]["patch"]["responses"]
    assert patch_item["412"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ErrorBody"
    }
    # A driver may read their convoy but not mark it ready: 403 names who may.
    mark_ready = spec["paths"][f"{API}/convoys/{{convoy_id}}/mark-ready"]["post"]["responses"]
    assert "coordinator" in mark_ready["403"]["description"]
    assert "driver" not in mark_ready["403"]["description"].split("(allowed:")[1].split(")")[0]


def _refusal_codes_in_the_rules() -> set[str]:
    """Every code passed to a Reason or a readiness blocker anywhere in the app."""
    codes: set[str] = set()
    for source in APP_DIR.rglob("*.py"):
        for node in ast.walk(ast.parse(source.read_text())):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name not in {"Reason", "block"}:
                continue
            given = node.args[0] if node.args else None
            given = next((k.value for k in node.keywords if k.arg == "code"), given)
            if isinstance(given, ast.Constant) and isinstance(given.value, str):
                codes.add(given.value)
    return codes


def test_every_reason_code_the_rules_raise_is_documented() -> None:
    raised = _refusal_codes_in_the_rules()
    assert "vehicle_without_driver" in raised  # the scan finds them
    documented = {code for codes in REFUSALS.values() for code in codes}
    assert sorted(raised - documented) == []


def _validate(spec: dict[str, Any], response: Any, method: str, path: str) -> None:
    """The body conforms to the schema the spec gives for this status."""
    documented = spec["paths"][path][method]["responses"]
    assert str(response.status_code) in documented, response.text
    ref = documented[str(response.status_code)]["content"]["application/json"]["schema"]
    schema = {"$ref": ref["$ref"], "components": spec["components"]}
    errors = list(Draft202012Validator(schema).iter_errors(response.json()))
    assert errors == []


def test_real_refusals_match_what_the_spec_documents(
    client: TestClient, spec: dict[str, Any]
) -> None:
    planned = b.planned_convoy(client, vehicles=2, drivers=1)
    depart = b.post(client, f"/convoys/{planned.id}/depart")
    assert depart.status_code == 409
    _validate(spec, depart, "post", f"{API}/convoys/{{convoy_id}}/depart")
    documented = REFUSALS["depart_convoy"]
    assert {r["code"] for r in depart.json()["reasons"]} <= set(documented)

    missing = client.get(f"{API}/items/999999")
    _validate(spec, missing, "get", f"{API}/items/{{item_id}}")
    item = planned.vehicles[0]
    stale = client.patch(
        f"{API}/items/{item['id']}", json={"name": "Renamed"}, headers={"If-Match": '"0"'}
    )
    assert stale.status_code == 412
    _validate(spec, stale, "patch", f"{API}/items/{{item_id}}")
    anonymous = TestClient(client.app).get(f"{API}/items")
    _validate(spec, anonymous, "get", f"{API}/items")


def _validate_schema(spec: dict[str, Any], response: Any, method: str, path: str) -> None:
    """Like ``_validate``, for a documented body that is one of several schemas."""
    documented = spec["paths"][path][method]["responses"]
    assert str(response.status_code) in documented, response.text
    body = documented[str(response.status_code)]["content"]["application/json"]["schema"]
    schema = {**body, "components": spec["components"]}
    assert list(Draft202012Validator(schema).iter_errors(response.json())) == []


def test_the_frameworks_own_refusals_match_the_spec_too(
    client: TestClient, spec: dict[str, Any]
) -> None:
    # A body that is not UTF-8 JSON: FastAPI's 400, in the API's shape.
    unreadable = client.post(
        f"{API}/donors", content=b"\xff\xfe{", headers={"content-type": "application/json"}
    )
    assert unreadable.json()["code"] == "unreadable_body"
    _validate(spec, unreadable, "post", f"{API}/donors")
    # An import answers 422 with its report for bad rows, and the usual 422 without a file.
    rows = client.post(
        f"{API}/imports/needs", files={"file": ("needs.csv", b"nonsense\n1\n", "text/csv")}
    )
    assert rows.status_code == 422
    _validate_schema(spec, rows, "post", f"{API}/imports/needs")
    no_file = client.post(f"{API}/imports/needs")
    assert no_file.status_code == 422
    _validate_schema(spec, no_file, "post", f"{API}/imports/needs")
    # A file for a record that does not exist: 404, named in the body, not the path.
    orphan = client.post(
        f"{API}/attachments",
        data={"entity": "item", "entity_id": "999999"},
        files={"file": ("a.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")},
    )
    _validate(spec, orphan, "post", f"{API}/attachments")
    assert orphan.status_code == 404
