"""Every table is a Record (app/core/models.py): its validator is built when first used, not
when the app starts, and it validates the same once built."""

import pytest
from pydantic import ValidationError
from sqlmodel import SQLModel

from app.core.models import Record
from app.donors.models import Donor
from tests.fresh import in_fresh_process


def test_every_table_is_a_record() -> None:
    tables = [mapper.class_ for mapper in SQLModel._sa_registry.mappers]
    assert len(tables) >= 28
    assert [t.__name__ for t in tables if not issubclass(t, Record)] == []


def test_a_fresh_process_builds_no_table_validator_to_start() -> None:
    script = (
        "import app.main\n"
        "from sqlmodel import SQLModel\n"
        "built = [m.class_.__name__ for m in SQLModel._sa_registry.mappers\n"
        "         if m.class_.__pydantic_complete__]\n"
        "print(built)\n"
    )
    assert in_fresh_process(script).split() == ["[]"]


def test_a_table_validates_once_used() -> None:
    with pytest.raises(ValidationError) as refused:
        Donor.model_validate({"name": "x" * 201, "kind": "utility", "country": "DE"})
    assert [error["loc"] for error in refused.value.errors()] == [("name",)]
