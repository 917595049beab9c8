"""Migrations build the schema on both backends, go back down, and match the models."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect

import app.models  # noqa: F401
from app.core import migrations
from app.core.database import make_engine
from app.core.models import metadata


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
