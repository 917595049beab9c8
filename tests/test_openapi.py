"""The checked-in spec is exactly what the app serves."""

import json
from pathlib import Path

from fastapi.testclient import TestClient

from app.cli import OPENAPI_PATH, openapi_document
from app.main import create_app


def test_checked_in_spec_matches_the_app() -> None:
    checked_in = Path(OPENAPI_PATH).read_text(encoding="utf-8")
    assert checked_in == openapi_document(), "run `konvoi openapi` and commit openapi/openapi.json"


def test_served_spec_equals_checked_in_spec() -> None:
    served = TestClient(create_app()).get("/openapi.json").json()
    assert served == json.loads(Path(OPENAPI_PATH).read_text(encoding="utf-8"))


def test_operation_ids_are_unique_function_names() -> None:
    spec = create_app().openapi()
    ids = [op["operationId"] for path in spec["paths"].values() for op in path.values()]
    assert len(ids) == len(set(ids))
    assert all(i.isidentifier() and i.islower() for i in ids)
