"""Schemathesis against the served spec: every operation, as an admin and as a driver.

Each operation gets generated requests, valid and invalid, and each answer must be no server
error, conform to the response schema the spec gives, and carry a status code the spec
documents. The app is the real one over the test's database (both backends); every example
starts from a working login, since a generated request may log the token out or change the
account's password.
"""

from collections.abc import Callable
from datetime import date
from typing import Any

import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.core.result import Ok
from sqlalchemy import Connection
from sqlmodel import Session

from app.auth.roles import Role
from app.drivers.models import Driver
from tests.accounts import auth_headers

CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance]
EXAMPLES = 25
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,  # the same cases every run: CI fails only on a real change
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.data_too_large,
    ],
)


def driver_headers(session: Session) -> dict[str, str]:
    driver = Driver(name="Fuzz Driver", date_of_birth=date(1980, 5, 1), phone="+49 151 0000000")
    session.add(driver)
    session.commit()
    return auth_headers(session, Role.driver, driver_id=driver.id)


def begin_again(session: Session) -> None:
    """Roll the test's transaction back and begin another. An operation's cases need nothing
    the earlier ones made, and thousands of savepoints in one transaction grow slow."""
    connection = session.bind
    assert isinstance(connection, Connection)
    session.close()
    transaction = connection.get_transaction()
    if transaction is not None:
        transaction.rollback()
    connection.begin()


def fuzz(
    app: FastAPI, session: Session, login: Callable[[], dict[str, str]]
) -> tuple[int, list[str]]:
    """Every operation of the served spec, each with its generated cases (in a transaction of
    their own); the number of operations and the failures found, one line each."""
    api = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = 0
    failures: list[str] = []
    for result in api.get_all_operations():
        if not isinstance(result, Ok):
            failures.append(f"the spec: {result.err()}")
            continue
        operation = result.ok()
        operations += 1
        begin_again(session)

        @FUZZ
        @given(case=operation.as_strategy())
        def run(case: Any) -> None:
            case.call_and_validate(headers=login(), checks=CHECKS)

        try:
            run()
        except Exception as failure:
            failures.append(f"{operation.label}: {str(failure).strip()[:2000]}")
    return operations, failures


def spec_operations(app: FastAPI) -> int:
    methods = {"get", "post", "put", "patch", "delete"}
    return sum(1 for path in app.openapi()["paths"].values() for m in path if m in methods)


def test_every_operation_as_an_admin(app: FastAPI, session: Session) -> None:
    operations, failures = fuzz(app, session, lambda: auth_headers(session, Role.admin))
    assert operations == spec_operations(app) > 100
    assert failures == [], "\n\n".join(failures)


def test_every_operation_as_a_driver(app: FastAPI, session: Session) -> None:
    operations, failures = fuzz(app, session, lambda: driver_headers(session))
    assert operations == spec_operations(app) > 100
    assert failures == [], "\n\n".join(failures)
