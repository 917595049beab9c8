"""Every sort order a list offers is served by an index led by its column.

Keyset pages (app/core/pagination.py) read "the next rows in (column, id) order": without an
index on the column, the first page of a long list sorts the whole table.
"""

from collections.abc import Mapping
from typing import Any

import pytest
from sqlalchemy import Column, Table, UniqueConstraint

from app.audit import service as audit
from app.certificates import service as certificates
from app.convoys import service as convoys
from app.destinations import service as destinations
from app.donors import service as donors
from app.drivers import service as drivers
from app.exports import service as exports
from app.items import service as items
from app.needs import service as needs

LISTS: dict[str, Mapping[str, Any]] = {
    "audit": audit.SORTABLE,
    "certificates": certificates.SORTABLE,
    "convoys": convoys.SORTABLE,
    "destinations": destinations.SORTABLE,
    "donors": donors.SORTABLE,
    "drivers": drivers.SORTABLE,
    "exports": exports.SORTABLE,
    "items": items.SORTABLE,
    "needs": needs.SORTABLE,
}


def leading_columns(table: Table) -> set[str]:
    """Names of the columns some index, unique constraint or the primary key starts with."""
    firsts: list[Column[Any]] = [index.columns[0] for index in table.indexes]
    firsts += [
        constraint.columns[0]
        for constraint in table.constraints
        if isinstance(constraint, UniqueConstraint)
    ]
    firsts += list(table.primary_key.columns)[:1]
    return {column.name for column in firsts}


@pytest.mark.parametrize("name", sorted(LISTS))
def test_each_sort_order_has_an_index(name: str) -> None:
    sortable = LISTS[name]
    unindexed = [
        key
        for key, column in sortable.items()
        if column.expression.name not in leading_columns(column.table)
    ]
    assert unindexed == [], f"{name}: no index starts with {unindexed}"
