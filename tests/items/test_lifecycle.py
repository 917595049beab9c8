"""The pure lifecycle rules: licence classes and the transition table."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.core.identifiers import LicenceClass
from app.items.lifecycle import (
    TRANSITIONS,
    Action,
    covers,
    licence_too_weak,
    required_licence_class,
    status_reasons,
)
from app.items.models import VEHICLE_KINDS, ItemKind, ItemStatus

L = LicenceClass


@pytest.mark.parametrize(
    ("kind", "gross_weight_kg", "seats", "expected"),
    [
        (ItemKind.bus, 18_000, 40, L.D),
        (ItemKind.bus, 18_000, None, L.D),
        (ItemKind.bus, 5_000, 17, L.D),
        (ItemKind.bus, 5_000, 16, L.D1),
        (ItemKind.bus, 2_000, 8, L.D1),
        (ItemKind.truck, 40_000, None, L.C),
        (ItemKind.truck, 7_501, 2, L.C),
        (ItemKind.unimog, 7_500, 2, L.C1),
        (ItemKind.unimog, 3_501, 2, L.C1),
        (ItemKind.van, 3_500, 3, L.B),
        (ItemKind.car, 1_800, 4, L.B),
        (ItemKind.special_vehicle, 26_000, None, L.C),
    ],
)
def test_required_licence_class(
    kind: ItemKind, gross_weight_kg: int, seats: int | None, expected: LicenceClass
) -> None:
    assert required_licence_class(kind, gross_weight_kg, seats) == expected


ORDER = [L.B, L.C1, L.C]


@given(
    kind=st.sampled_from(sorted(VEHICLE_KINDS - {ItemKind.bus})),
    lighter=st.integers(min_value=1, max_value=60_000),
    extra=st.integers(min_value=0, max_value=60_000),
    seats=st.none() | st.integers(min_value=0, max_value=200),
)
def test_a_heavier_vehicle_never_needs_a_weaker_class(
    kind: ItemKind, lighter: int, extra: int, seats: int | None
) -> None:
    light = required_licence_class(kind, lighter, seats)
    heavy = required_licence_class(kind, lighter + extra, seats)
    assert ORDER.index(heavy) >= ORDER.index(light)
    assert covers(heavy, light)
    assert licence_too_weak(heavy, kind, lighter + extra, seats) is None


@given(
    gross_weight_kg=st.integers(min_value=1, max_value=60_000),
    seats=st.none() | st.integers(min_value=0, max_value=200),
)
def test_a_bus_needs_a_bus_class_whatever_its_weight(
    gross_weight_kg: int, seats: int | None
) -> None:
    needed = required_licence_class(ItemKind.bus, gross_weight_kg, seats)
    assert needed == (L.D1 if seats is not None and seats <= 16 else L.D)
    for truck_class in (L.B, L.C1, L.C, L.CE):
        assert licence_too_weak(truck_class, ItemKind.bus, gross_weight_kg, seats) is not None


@given(held=st.sampled_from(list(LicenceClass)), required=st.sampled_from(list(LicenceClass)))
def test_covers_is_reflexive_and_every_class_includes_b(
    held: LicenceClass, required: LicenceClass
) -> None:
    assert covers(held, held)
    assert covers(held, L.B)
    if covers(held, required) and covers(required, held):
        assert held == required


@pytest.mark.parametrize(
    ("held", "required", "expected"),
    [
        (L.CE, L.C, True),
        (L.C, L.C1, True),
        (L.C1, L.C, False),
        (L.D, L.D1, True),
        (L.D1, L.D, False),
        (L.C, L.D1, False),
        (L.D, L.C1, False),
        (L.C1E, L.BE, True),
    ],
)
def test_covers(held: LicenceClass, required: LicenceClass, expected: bool) -> None:
    assert covers(held, required) is expected


def test_every_status_reaches_the_end_only_through_the_table() -> None:
    # From offered, following the table reaches delivered and withdrawn; nothing leaves them.
    reachable = {ItemStatus.offered}
    frontier = [ItemStatus.offered]
    while frontier:
        status = frontier.pop()
        for transition in TRANSITIONS.values():
            if status in transition.sources and transition.target not in reachable:
                reachable.add(transition.target)
                frontier.append(transition.target)
    assert reachable == set(ItemStatus)
    for action in Action:
        assert status_reasons(action, ItemStatus.delivered) != []
        assert status_reasons(action, ItemStatus.withdrawn) != []
