from collections.abc import Iterator

import pytest

from tests.conftest import IN_CI, POSTGRES_URL, _create_postgres_database, _drop_postgres_database


@pytest.fixture
def postgres_database() -> Iterator[str]:
    """An empty PostgreSQL database of this test's own (no schema), dropped afterwards."""
    if not POSTGRES_URL:
        if IN_CI:
            pytest.fail("KONVOI_TEST_POSTGRES_URL is not set; CI runs every test on PostgreSQL")
        pytest.skip("set KONVOI_TEST_POSTGRES_URL: several servers share one PostgreSQL")
    url, name = _create_postgres_database()
    try:
        yield url
    finally:
        _drop_postgres_database(name)
