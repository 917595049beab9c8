"""A fund's balance is always the sum of its entries (bookings and reversals in any order),
and money is never a float: not in a column, not in a field of the API."""

from datetime import date
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Float, Numeric
from sqlmodel import Session

import app.models  # noqa: F401  (every table on the metadata)
from app.auth.roles import Role
from app.auth.service import Principal
from app.core.models import metadata
from app.funding import service
from app.funding.models import COSTS, EntryKind, Fund, Programme
from app.funding.schemas import EntryCreate, ReversalCreate
from app.main import create_app

BOOKABLE = sorted(set(EntryKind) - {EntryKind.payroll_pledge, EntryKind.grant})
TREASURER = Principal(1, "kasse", Role.treasurer, full_name="Kassenwart")

booking = st.tuples(
    st.integers(min_value=0, max_value=2),  # which fund
    st.sampled_from(BOOKABLE),
    st.integers(min_value=1, max_value=5_000_000),
)
# Each step books an entry or reverses one booked earlier (by its position among them).
step = st.one_of(
    st.tuples(st.just("book"), booking), st.tuples(st.just("reverse"), st.integers(0, 50))
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(steps=st.lists(step, max_size=30))
def test_each_funds_balance_is_the_sum_of_its_entries(
    session: Session, steps: list[tuple[str, Any]]
) -> None:
    with session.begin_nested() as example:
        programme = Programme(code="P", name="P", partner_name="K", organiser_name="O")
        session.add(programme)
        session.flush()
        funds = [Fund(programme_id=programme.id or 0, name=f"F{n}") for n in range(3)]
        session.add_all(funds)
        session.flush()
        expected = [0, 0, 0]
        booked: list[tuple[int, Any]] = []
        reversed_: set[int] = set()
        for action, detail in steps:
            if action == "book":
                n, kind, cents = detail
                entry = service.book(
                    session,
                    EntryCreate(
                        fund_id=funds[n].id or 0,
                        booked_on=date(2026, 11, 1),
                        kind=kind,
                        amount_cents=cents,
                        description="x",
                    ),
                    TREASURER,
                )
                expected[n] += -cents if kind in COSTS else cents
                booked.append((n, entry))
            elif booked:
                n, entry = booked[detail % len(booked)]
                if entry.id in reversed_:
                    continue
                service.reverse(session, entry, ReversalCreate(reason="wrong"), TREASURER)
                reversed_.add(entry.id)
                expected[n] -= entry.amount_cents
        for n, fund in enumerate(funds):
            assert service.balance_of(session, fund.id or 0) == expected[n]
        totals = service.balances(session, programme)
        assert [f.balance_cents for f in totals.funds] == expected
        assert totals.balance_cents == sum(expected)
        for row in totals.funds:
            assert row.income_cents - row.costs_cents == row.balance_cents
        example.rollback()


MONEY = ("cents", "amount", "balance", "income", "costs", "inflow", "value", "price")


def test_no_money_column_is_a_float() -> None:
    for table in metadata.tables.values():
        for column in table.columns:
            assert not isinstance(column.type, Float), f"{table.name}.{column.name} is a float"
            if any(word in column.name for word in MONEY):
                assert not isinstance(column.type, Numeric) or column.type.asdecimal, (
                    f"{table.name}.{column.name}"
                )


def _floats(schema: Any, path: str, found: list[str]) -> None:
    if isinstance(schema, dict):
        if schema.get("type") == "number":
            found.append(path)
        for key, value in schema.items():
            _floats(value, f"{path}.{key}", found)
    elif isinstance(schema, list):
        for n, value in enumerate(schema):
            _floats(value, f"{path}[{n}]", found)


def test_no_money_field_of_the_api_is_a_float() -> None:
    """Every field that holds money is an integer of cents (a JSON "number" could be 0.1)."""
    spec = create_app().openapi()
    found: list[str] = []
    for name, schema in spec["components"]["schemas"].items():
        for field, definition in schema.get("properties", {}).items():
            if any(word in field for word in MONEY):
                _floats(definition, f"{name}.{field}", found)
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                if any(word in parameter["name"] for word in MONEY):
                    _floats(parameter.get("schema"), f"{method} {path} {parameter['name']}", found)
    assert found == []
    # The funding API's money is there to be checked.
    forecast = spec["components"]["schemas"]["Forecast"]["properties"]
    assert forecast["inflow_per_month_cents"]["type"] == "integer"
