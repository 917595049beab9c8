"""Numbers beyond a column and search text beyond its limit are refused as input on both
databases, naming the field, before the database sees them; nothing is changed. The spec
states each bound, so a client knows it."""

from collections.abc import Iterator
from math import inf
from string import ascii_lowercase
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.core.types import MAX_STORED_INT, SEARCH_MAX_LENGTH
from tests import factories
from tests.core.refusals import refused

BEYOND = MAX_STORED_INT + 1  # 2147483648: one past PostgreSQL's INTEGER

# Every id a list or paper takes in its query (the field, then the list).
QUERY_IDS = [
    ("donor_id", "/api/v1/items"),
    ("destination_id", "/api/v1/items"),
    ("destination_id", "/api/v1/needs"),
    ("destination_id", "/api/v1/certificates"),
    ("item_id", "/api/v1/certificates"),
    ("item_id", "/api/v1/export-records"),
    ("actor_user_id", "/api/v1/audit"),
    ("entity_id", "/api/v1/attachments?entity=item"),
]
SEARCHES = [
    "/api/v1/items",
    "/api/v1/donors",
    "/api/v1/destinations",
    "/api/v1/needs",
    "/api/v1/certificates",
    "/api/v1/export-records",
    "/api/v1/drivers",
    "/api/v1/convoys",
]


@pytest.mark.parametrize(("field", "path"), QUERY_IDS)
def test_an_id_beyond_the_column_in_a_query_is_refused(
    client: TestClient, field: str, path: str
) -> None:
    joiner = "&" if "?" in path else "?"
    answer = client.get(f"{path}{joiner}{field}={BEYOND}")
    assert refused(answer, "query", field)["type"] == "less_than_equal"
    assert client.get(f"{path}{joiner}{field}={MAX_STORED_INT}").status_code in (200, 404)


def test_an_id_beyond_the_column_in_a_path_and_a_paper_is_refused(client: TestClient) -> None:
    refused(client.get(f"/api/v1/items/{BEYOND}"), "path", "item_id")
    for field in ("vehicle_id", "destination_id", "donor_id", "driver_id"):
        paper = client.get(f"/api/v1/convoys/1/documents/manifest?{field}={BEYOND}")
        refused(paper, "query", field)


def test_amounts_and_counts_beyond_the_column_are_refused_and_nothing_is_made(
    client: TestClient,
) -> None:
    donor = factories.donor(client)
    body = factories.equipment_body(donor["id"], declared_value_cents=BEYOND)
    refused(client.post("/api/v1/items", json=body), "body", "declared_value_cents")
    need = {"destination_id": factories.destination(client)["id"], "item_kind": "pump"}
    need |= {"description": "Pumps", "quantity": BEYOND, "priority": 1}
    refused(client.post("/api/v1/needs", json=need), "body", "quantity")
    assert client.get(f"/api/v1/items?donor_id={donor['id']}").json()["items"] == []
    assert client.get("/api/v1/needs").json()["items"] == []


@pytest.mark.parametrize("path", SEARCHES)
def test_a_search_beyond_its_length_is_refused_not_a_database_outage(
    client: TestClient, path: str
) -> None:
    assert client.get(path, params={"q": "x" * SEARCH_MAX_LENGTH}).status_code == 200
    # beyond SQLite's LIKE pattern limit (50,000 bytes), within what a client sends in a URL
    answer = client.get(path, params={"q": "x" * 60_000})
    assert refused(answer, "query", "q")["type"] == "string_too_long"


def integers_and_query_texts(spec: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every integer a request can carry (parameter or body field), and every text query
    parameter, with where it is."""
    schemas = spec["components"]["schemas"]
    seen: set[str] = set()

    def walk(schema: dict[str, Any], where: str) -> Iterator[tuple[str, dict[str, Any]]]:
        if "$ref" in schema:
            name = schema["$ref"].rsplit("/", 1)[-1]
            if name not in seen:
                seen.add(name)
                yield from walk(schemas[name], name)
            return
        for alternatives in ("anyOf", "oneOf", "allOf"):
            for alternative in schema.get(alternatives, ()):
                yield from walk(alternative, where)
        if schema.get("type") == "integer":
            yield where, schema
        for name, inner in schema.get("properties", {}).items():
            yield from walk(inner, f"{where}.{name}")
        if "items" in schema:
            yield from walk(schema["items"], f"{where}[]")

    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", ()):
                where = f"{method.upper()} {path} {parameter['name']}"
                yield from walk(parameter["schema"], where)
                texts = [parameter["schema"], *parameter["schema"].get("anyOf", ())]
                if parameter["in"] == "query":
                    yield from ((where, t) for t in texts if t.get("type") == "string")
            for content in operation.get("requestBody", {}).get("content", {}).values():
                yield from walk(content["schema"], f"{method.upper()} {path}")


def test_every_integer_and_search_in_the_spec_is_bounded(client: TestClient) -> None:
    """What the spec promises a client is what the database holds: no integer beyond the
    column, no query text without a length (a sort key or record type is one of a list)."""
    spec = client.get("/openapi.json").json()
    unbounded = [
        where
        for where, schema in integers_and_query_texts(spec)
        if (schema["type"] == "integer" and schema.get("maximum", inf) > MAX_STORED_INT)
        or (
            schema["type"] == "string"
            and "maxLength" not in schema
            and "enum" not in schema
            and "format" not in schema  # a date or an instant
            and not where.endswith((" sort", " entity"))
        )
    ]
    assert unbounded == []


def test_an_address_longer_than_its_column_is_refused_though_valid(client: TestClient) -> None:
    # Valid addresses reach 254 characters; the columns hold 200 (PostgreSQL refused the rest).
    domain = ".".join(["b" * 60] * 3) + ".org"  # 186 characters, each label within 63
    long = "a" * 60 + "@" + domain
    donor = {"name": "Stadtwerke Hagen", "kind": "utility", "contact_email": long}
    error = refused(client.post("/api/v1/donors", json=donor), "body", "contact_email")
    assert error["type"] == "string_too_long"
    assert client.get("/api/v1/donors", params={"q": "Hagen"}).json()["items"] == []
    shorter = {**donor, "contact_email": "rita@" + domain}
    assert client.post("/api/v1/donors", json=shorter).status_code == 201


def test_more_languages_than_the_column_holds_are_refused(client: TestClient) -> None:
    # Stored comma-separated in 200 characters: 67 codes fit, a 68th did not on PostgreSQL.
    codes = [a + b for a in ascii_lowercase for b in ascii_lowercase]
    driver = {"name": "Polyglot", "date_of_birth": "1970-01-01", "phone": "+49 202 555 0199"}
    too_many = client.post("/api/v1/drivers", json={**driver, "languages": codes[:68]})
    assert refused(too_many, "body", "languages")["type"] == "too_long"
    assert client.get("/api/v1/drivers", params={"q": "Polyglot"}).json()["items"] == []
    fitting = client.post("/api/v1/drivers", json={**driver, "languages": codes[:67]})
    assert fitting.status_code == 201, fitting.text
