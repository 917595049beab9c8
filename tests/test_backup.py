"""konvoi backup and konvoi restore, on both databases: a restore into an empty database gives
the same records, the audit trail, the issued papers' exact bytes and the attached files."""

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, func, inspect, text
from sqlalchemy import select as select_rows
from sqlmodel import Session, col, select

from app.attachments import service as attachments
from app.attachments.models import Attachment, AttachmentKind
from app.auth.roles import Role
from app.auth.service import Principal
from app.cli import cli
from app.convoys.models import Convoy
from app.core import migrations
from app.core.config import get_settings
from app.core.database import make_engine
from app.demo import load_if_empty
from app.documents import service as papers
from app.documents.models import IssuedDocument
from app.items.models import Item
from tests.conftest import IN_CI, POSTGRES_URL, _create_postgres_database, _drop_postgres_database
from tests.files import pdf

PDF = pdf(pages=2)  # a scanned exit confirmation


@pytest.fixture(params=["sqlite", "postgresql"])
def two_databases(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """An empty source and an empty target database of one backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'source.db'}", f"sqlite:///{tmp_path / 'target.db'}"
        return
    if not POSTGRES_URL:
        if IN_CI:
            pytest.fail("KONVOI_TEST_POSTGRES_URL is not set; CI runs every test on PostgreSQL")
        pytest.skip("set KONVOI_TEST_POSTGRES_URL to run the PostgreSQL half of the suite")
    (source, source_name), (target, target_name) = (
        _create_postgres_database(),
        _create_postgres_database(),
    )
    yield source, target
    _drop_postgres_database(source_name)
    _drop_postgres_database(target_name)


def _counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            table: conn.execute(
                select_rows(func.count()).select_from(text(f'"{table}"'))
            ).scalar_one()
            for table in inspect(engine).get_table_names()
        }


def _hashes(engine: Engine) -> set[str]:
    with Session(engine) as session:
        issued = session.exec(select(IssuedDocument.content)).all()
        files = session.exec(select(Attachment.content)).all()
    return {hashlib.sha256(content).hexdigest() for content in [*issued, *files]}


@pytest.fixture
def settings_from_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    """The CLI reads its database from the environment; forget the settings read here."""
    yield monkeypatch
    get_settings.cache_clear()


def test_a_restore_gives_back_every_record_file_and_entry(
    two_databases: tuple[str, str], tmp_path: Path, settings_from_env: pytest.MonkeyPatch
) -> None:
    monkeypatch = settings_from_env
    source_url, target_url = two_databases
    source = make_engine(source_url)
    with source.begin() as conn:
        migrations.upgrade(conn)
    assert load_if_empty(source) is not None
    with Session(source) as session:
        convoy = session.exec(select(Convoy).where(Convoy.number == "W4U-02")).one()
        bus = session.exec(select(Item).where(col(Item.vin).is_not(None))).first()
        assert bus is not None and bus.id is not None
        clerk = Principal(1, "jana.lindner", Role.clerk, full_name="Jana Lindner")
        papers.issue(session, convoy, papers.paper("manifest", None, None), clerk)
        attachments.attach(
            session,
            clerk,
            entity="item",
            entity_id=bus.id,
            kind=AttachmentKind.exit_confirmation,
            filename="Ausgangsvermerk.pdf",
            declared_type="application/pdf",
            content=PDF,
        )
        session.commit()
    before, files = _counts(source), _hashes(source)
    assert before["audit_entry"] > 0 and before["issued_document"] == 1
    source.dispose()

    runner = CliRunner()
    backup_file = tmp_path / "konvoi.backup"
    monkeypatch.setenv("KONVOI_DATABASE_URL", source_url)
    get_settings.cache_clear()
    made = runner.invoke(cli, ["backup", str(backup_file)])
    assert made.exit_code == 0, made.output
    assert backup_file.stat().st_size > 0

    monkeypatch.setenv("KONVOI_DATABASE_URL", target_url)
    get_settings.cache_clear()
    restored = runner.invoke(cli, ["restore", str(backup_file)])
    assert restored.exit_code == 0, restored.output
    target = make_engine(target_url)
    assert _counts(target) == before
    assert _hashes(target) == files and hashlib.sha256(PDF).hexdigest() in files
    # A restore never lands on records: the target now has them, so a second one is refused.
    again = runner.invoke(cli, ["restore", str(backup_file)])
    assert again.exit_code == 1 and "not empty" in again.output
    assert _counts(target) == before
    target.dispose()
