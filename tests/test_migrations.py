"""Migrations build the schema on both backends, go back down, and match the models."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, Integer, String, column, insert, inspect, select, table

import app.models  # noqa: F401
from app.core import migrations
from app.core.database import make_engine
from app.core.models import metadata
from app.core.types import UTCDateTime


def test_models_match_migrations(engine: Engine) -> None:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, metadata)
    assert diff == []


def test_upgrade_downgrade_upgrade(database_url: str, engine: Engine) -> None:
    # A second, empty schema on the same server: SQLite file / PostgreSQL schema search path.
    if engine.dialect.name == "sqlite":
        url = database_url.replace("konvoi.db", "roundtrip.db")
        other = make_engine(url)
    else:
        with engine.begin() as conn:
            conn.exec_driver_sql("CREATE SCHEMA IF NOT EXISTS roundtrip")
        other = make_engine(database_url, connect_args={"options": "-csearch_path=roundtrip"})
    try:
        with other.begin() as conn:
            migrations.upgrade(conn)
        tables = set(inspect(other).get_table_names())
        assert set(metadata.tables) <= tables
        with other.begin() as conn:
            migrations.downgrade(conn, "base")
        assert set(inspect(other).get_table_names()) <= {"alembic_version"}
        with other.begin() as conn:
            migrations.upgrade(conn)
        assert set(metadata.tables) <= set(inspect(other).get_table_names())
    finally:
        other.dispose()
        if engine.dialect.name != "sqlite":
            with engine.begin() as conn:
                conn.exec_driver_sql("DROP SCHEMA roundtrip CASCADE")


def test_the_head_read_from_the_scripts_is_alembics(engine: Engine) -> None:
    scripts = ScriptDirectory.from_config(migrations.alembic_config())
    assert migrations.head_revision() == scripts.get_current_head()
    with engine.connect() as conn:
        assert migrations.is_at_head(conn)


@contextmanager
def scratch(database_url: str, engine: Engine, name: str) -> Iterator[Engine]:
    """An empty schema of its own beside the test database's."""
    if engine.dialect.name == "sqlite":
        other = make_engine(database_url.replace("konvoi.db", f"{name}.db"))
    else:
        with engine.begin() as conn:
            conn.exec_driver_sql(f"CREATE SCHEMA IF NOT EXISTS {name}")
        other = make_engine(database_url, connect_args={"options": f"-csearch_path={name}"})
    try:
        yield other
    finally:
        other.dispose()
        if engine.dialect.name != "sqlite":
            with engine.begin() as conn:
                conn.exec_driver_sql(f"DROP SCHEMA {name} CASCADE")


def test_report_links_made_before_expiry_existed_expire_90_days_after_they_were_made(
    database_url: str, engine: Engine
) -> None:
    made = datetime(2026, 9, 1, 8, 30, tzinfo=UTC)
    links = table(
        "donor_report_link",
        column("donor_id", Integer()),
        column("token_hash", String()),
        column("created_by_name", String()),
        column("created_at", UTCDateTime()),
    )
    with scratch(database_url, engine, "before_expiry") as other:
        with other.begin() as conn:
            migrations.upgrade(conn, "0016")
            donor = table(
                "donor",
                *(column(name, String()) for name in ("name", "kind", "country")),
                column("id", Integer()),
                column("version", Integer()),
                column("created_at", UTCDateTime()),
                column("updated_at", UTCDateTime()),
            )
            conn.execute(
                insert(donor).values(
                    id=1,
                    version=1,
                    created_at=made,
                    updated_at=made,
                    name="WSW mobil GmbH",
                    kind="utility",
                    country="DE",
                )
            )
            conn.execute(
                insert(links).values(
                    donor_id=1, token_hash="0" * 64, created_by_name="Anna", created_at=made
                )
            )
        with other.begin() as conn:
            migrations.upgrade(conn)
            expires = conn.execute(
                select(column("expires_at", UTCDateTime())).select_from(links)
            ).scalar_one()
    assert expires == made + timedelta(days=90)
