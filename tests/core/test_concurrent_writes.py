"""Writes sent at once to a running server all succeed, and every one of them is kept.

A real uvicorn process serves a database of its own, through the real session dependency
(the rolled-back test transaction cannot hold what a server commits, and would serialise
the requests). 16 clients each send 20 writes at the same moment: a PATCH of one shared donor
without If-Match, or a new donor. On SQLite without WAL, a busy timeout and BEGIN IMMEDIATE
for writes, most of them fail with 500 "database is locked".
"""

from pathlib import Path

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.audit.models import AuditAction, AuditEntry
from app.core.database import make_engine
from app.donors.models import Donor
from bench.concurrent_writes import (
    PATCH_DONOR,
    POST_DONOR,
    create_admin,
    fire,
    log_in,
    running_server,
    table,
    writes,
)
from tests.conftest import fresh_database

CLIENTS = 16
WRITES_EACH = 20


# An empty database of the test's backend, beside the shared test database.
server_database = fresh_database


def test_concurrent_writes_all_succeed(database_url: str, tmp_path: Path) -> None:
    log = tmp_path / "server.log"
    with server_database(database_url, tmp_path) as url:
        password = create_admin(url)
        with running_server(url, log) as base:
            headers = log_in(base, password)
            donor_id, mix = writes(base, headers)
            only_writes = {label: mix[label] for label in (PATCH_DONOR, POST_DONOR)}
            tally = fire(base, headers, only_writes, clients=CLIENTS, rounds=WRITES_EACH)

        report = f"{table({database_url.split(':')[0]: tally})}\n{log.read_text()[-3000:]}"
        assert sum(tally.codes.values()) == CLIENTS * WRITES_EACH
        assert tally.failures() == 0, report
        patched, posted = tally.succeeded(PATCH_DONOR), tally.succeeded(POST_DONOR)
        assert patched + posted == CLIENTS * WRITES_EACH, report

        engine = make_engine(url)
        try:
            with Session(engine) as session:
                donors = session.exec(select(func.count()).select_from(Donor)).one()
                shared = session.get(Donor, donor_id)
                assert shared is not None
                version = shared.version
                updates = session.exec(
                    select(func.count())
                    .select_from(AuditEntry)
                    .where(
                        col(AuditEntry.entity) == "donor",
                        col(AuditEntry.entity_id) == str(donor_id),
                        col(AuditEntry.action) == AuditAction.update,
                    )
                ).one()
        finally:
            engine.dispose()
        # The shared donor plus every one created; one recorded change per accepted PATCH, and
        # one new version each: blind edits are serialised, so no two states share an ETag.
        assert (donors, updates, version) == (1 + posted, patched, 1 + patched)
