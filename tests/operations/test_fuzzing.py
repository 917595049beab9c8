"""Schemathesis against the served spec: every operation, as a coordinator, a driver, a
recipient and a treasurer, over the demo's convoys.

Each operation gets generated requests: valid ones, ones that break the spec (ids beyond a
column, text with NUL, missing fields, wrong types), and valid ones with a text replaced by
what no column holds (a lone surrogate, a 60,000-character search). Each answer must be no
server error, carry a status code the spec documents, and conform to the body schema the
spec gives for it. The app is the real one over the test's database (both backends); each operation
starts from the demo as loaded, with a token of the role's demo account of its own.

``KONVOI_FUZZ_EXAMPLES`` sets the cases per operation the role may call (CI's default keeps
the six runs, three roles on two databases, within a few minutes); a larger number explores:

    KONVOI_FUZZ_EXAMPLES=150 pytest -s tests/operations/test_fuzzing.py
"""

import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import (
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.core.failures import FailureGroup
from schemathesis.core.result import Ok
from sqlalchemy import Connection
from sqlmodel import Session, select

from app import demo
from app.auth import service as accounts
from app.auth.models import User
from app.auth.policy import may
from app.auth.roles import Role

CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance]
# Cases per operation the role may call; one it may not gets a few, enough to see the 403.
EXAMPLES = int(os.environ.get("KONVOI_FUZZ_EXAMPLES", "20"))
REFUSED_EXAMPLES = max(1, EXAMPLES // 4)
# The demo's accounts, one per role fuzzed: each linked to a driver or destination with records.
ACCOUNTS = {
    Role.coordinator: "rita.falkenberg",
    Role.driver: "andrij.kovalenko",
    Role.recipient: "lvivvodokanal",
    Role.treasurer: "petra.schoenfeld",  # the books of the transport series
}
# Text no column can hold, put into a valid body by hand: Schemathesis generates neither a
# lone surrogate (it cannot send one in a form or a URL) nor a search of 60,000 characters.
HOSTILE_BODY_TEXT = ("\ud800x", "Wupper\x00tal", "x\udfff", "DEEP")
HOSTILE_QUERY_TEXT = ("Wupper\x00tal", "x" * 60_000)
# A value nested as deep as the JSON parser goes (its refusal echoes it).
DEEP = "[" * 900 + "]" * 900


def fuzz_settings(examples: int) -> settings:
    return settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,  # the same cases every run: CI fails only on a real change
        database=None,
        # Every case is checked and its failures collected (below): nothing to shrink.
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )


@st.composite
def hostile(draw: st.DrawFn, operation: Any) -> Any:
    """A valid case with one of its texts replaced by what no column can hold, or by a
    value nested as deep as a JSON body can be."""
    case = draw(operation.as_strategy(generation_mode=GenerationMode.POSITIVE))
    if isinstance(case.body, dict) and case.media_type == "application/json":
        texts = sorted(k for k, v in case.body.items() if isinstance(v, str))
        if texts:
            body = {
                **case.body,
                draw(st.sampled_from(texts)): draw(st.sampled_from(HOSTILE_BODY_TEXT)),
            }
            # \ud800 as an escape, as a client sends it
            case.body = json.dumps(body).replace('"DEEP"', DEEP).encode()
            return case
    if case.query:
        texts = sorted(k for k, v in case.query.items() if isinstance(v, str))
        if texts:
            case.query = {
                **case.query,
                draw(st.sampled_from(texts)): draw(st.sampled_from(HOSTILE_QUERY_TEXT)),
            }
    return case


@contextmanager
def within_savepoint(session: Session) -> Iterator[None]:
    """Run one operation's cases inside a savepoint rolled back afterwards: each operation
    starts from the demo as loaded, and no transaction collects thousands of savepoints."""
    connection = session.bind
    assert isinstance(connection, Connection)
    session.close()
    savepoint = connection.begin_nested()
    try:
        yield
    finally:
        session.close()
        savepoint.rollback()


def fuzz(app: FastAPI, session: Session, role: Role) -> tuple[int, int, list[str]]:
    """Every operation of the served spec with its generated cases; the number of operations,
    of cases, and the distinct failures found (one line each, with the request to repeat)."""
    demo.load(session)
    session.info.pop("actor", None)
    account = session.exec(select(User).where(User.username == ACCOUNTS[role])).one()
    session.commit()
    api = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = cases = 0
    failures: dict[str, str] = {}
    for result in api.get_all_operations():
        if not isinstance(result, Ok):
            failures[f"spec {result.err()}"] = f"the spec: {result.err()}"
            continue
        operations += 1
        with within_savepoint(session):
            cases += fuzz_operation(result.ok(), role, session, account, failures)
    return operations, cases, sorted(failures.values())


def fuzz_operation(
    operation: Any, role: Role, session: Session, account: User, failures: dict[str, str]
) -> int:
    """Send the operation's cases as ``account``; collect each distinct failure in
    ``failures``; the number of cases sent."""
    name = operation.definition.raw["operationId"]
    strategy = st.one_of(
        operation.as_strategy(generation_mode=GenerationMode.POSITIVE),
        operation.as_strategy(generation_mode=GenerationMode.NEGATIVE),
        hostile(operation),
    )
    token: list[str] = []
    sent = 0

    @fuzz_settings(EXAMPLES if may(role, name) else REFUSED_EXAMPLES)
    @given(case=strategy)
    def run(case: Any) -> None:
        nonlocal sent
        sent += 1
        if not token or name == "revoke_token":  # a logout ends the token it is sent with
            token[:] = [accounts.issue_token(session, account)[0]]
            session.commit()
        response = case.call(headers={"Authorization": f"Bearer {token[0]}"})
        try:
            case.validate_response(response, checks=CHECKS)
        except FailureGroup as found:
            for failure in found.exceptions:
                key = f"{operation.label} {response.status_code} {failure.title}"
                failures.setdefault(key, f"{key}: {found}"[:3000])

    run()
    return sent


def spec_operations(app: FastAPI) -> int:
    methods = {"get", "post", "put", "patch", "delete"}
    return sum(1 for path in app.openapi()["paths"].values() for m in path if m in methods)


@pytest.mark.parametrize("role", list(ACCOUNTS))
def test_every_operation_as(role: Role, app: FastAPI, session: Session) -> None:
    started = time.monotonic()
    operations, cases, failures = fuzz(app, session, role)
    print(
        f"\nfuzzed as a {role.value}: {operations} operations, {cases} cases, "
        f"{len(failures)} distinct failures, {time.monotonic() - started:.0f} s"
    )
    assert operations == spec_operations(app) > 100
    assert failures == [], "\n\n".join(failures)
