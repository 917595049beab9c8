"""Text no database can store (NUL, a lone surrogate) is refused as input on both databases,
naming the field, wherever it comes in: a body, a query, a path, a form read by the framework.
The refusal itself never fails on what it echoes, and nothing is changed."""

import json

from fastapi.testclient import TestClient

from tests.core.refusals import refused


def test_nul_in_a_body_is_refused_on_both_databases_and_nothing_is_made(
    client: TestClient,
) -> None:
    answer = client.post("/api/v1/donors", json={"name": "Stadtwerke\x00Bochum", "kind": "utility"})
    error = refused(answer, "body", "name")
    assert error["type"] == "unstorable_text"
    assert "NUL" in error["msg"]
    assert client.get("/api/v1/donors", params={"q": "Bochum"}).json()["items"] == []


def test_a_lone_surrogate_in_a_body_is_refused_and_the_refusal_can_be_sent(
    client: TestClient,
) -> None:
    # Valid JSON, not valid Unicode: the JSON escape of half a UTF-16 pair.
    raw = '{"name": "\\ud800x", "kind": "utility", "city": "Lviv"}'
    answer = client.post(
        "/api/v1/donors", content=raw, headers={"content-type": "application/json"}
    )
    error = refused(answer, "body", "name")
    assert error["input"] == "\ufffdx"  # echoed, with the half pair replaced
    assert client.get("/api/v1/donors", params={"q": "Lviv"}).json()["items"] == []


def test_the_refusal_echoes_a_lone_surrogate_it_did_not_look_for(client: TestClient) -> None:
    # A list where an object belongs: the body is refused as a whole and echoed whole.
    raw = '["\\ud800x", {"\\udfff": 1}]'
    answer = client.post(
        "/api/v1/donors", content=raw, headers={"content-type": "application/json"}
    )
    assert answer.status_code == 422
    assert "\ufffdx" in json.dumps(answer.json(), ensure_ascii=False)


def test_a_body_nested_as_deep_as_the_parser_allows_is_refused_not_a_500(
    client: TestClient,
) -> None:
    # The refusal echoes what it refused: only its outer levels, never to the stack's end.
    for raw in ("[" * 900 + "]" * 900, '{"name": ' + "[" * 900 + "1" + "]" * 900 + "}"):
        answer = client.post(
            "/api/v1/donors", content=raw, headers={"content-type": "application/json"}
        )
        assert answer.status_code == 422, answer.text[:200]


def test_nul_in_a_query_and_a_path_is_refused(client: TestClient) -> None:
    error = refused(client.get("/api/v1/donors", params={"q": "Wupper\x00tal"}), "query", "q")
    assert error["type"] == "unstorable_text"
    refused(client.get("/api/v1/convoys/1/documents/mani%00fest"), "path", "kind")


def test_text_past_every_schema_is_refused_by_the_database_guard_on_both(
    anonymous: TestClient,
) -> None:
    # The login form is read by the framework, not by a schema of ours: the guard before each
    # statement refuses the NUL on SQLite too, where the driver would send it on.
    answer = anonymous.post(
        "/api/v1/auth/token", data={"username": "rita\x00", "password": "wuppertal"}
    )
    assert refused(answer, "body", "username")["msg"]
