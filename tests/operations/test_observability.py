"""What an operator sees of a running server: request ids, JSON log lines, /metrics.

A real `konvoi serve` process on a database of its own: the log configuration, the middleware
and the metrics are those of production, read from the process's own output.
"""

import json
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from app.core.config import get_settings
from bench.concurrent_writes import USERNAME, create_admin
from bench.serving import serving
from tests.fresh import in_fresh_process

METRICS_TOKEN = "scraper-secret-7f3a"
REPORT_SECRET = "donor-link-secret-c0ffee"


def test_requests_are_logged_as_json_lines_with_id_user_and_route(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'served.db'}"
    password = create_admin(url)
    log = tmp_path / "server.log"
    with (
        serving(url, log, env={"KONVOI_METRICS_TOKEN": METRICS_TOKEN}) as served,
        httpx.Client(base_url=served.base) as client,
    ):
        token = client.post(
            "/api/v1/auth/token", data={"username": USERNAME, "password": password}
        ).json()["access_token"]
        me = client.get(
            "/api/v1/auth/me",
            headers={"Authorization": f"Bearer {token}", "X-Request-ID": "trace-42"},
        )
        assert me.status_code == 200
        assert me.headers["x-request-id"] == "trace-42"
        # A body read by a schema built when first used (app/core/schemas.py).
        donor = client.post(
            "/api/v1/donors",
            json={"name": "Stadtwerke Witten", "contact_email": "fuhrpark@stadtwerke.example"},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert donor.status_code == 201, donor.text
        refused = client.post(
            "/api/v1/donors",
            json={"name": "", "contact_email": "no address"},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert refused.status_code == 422
        assert {tuple(error["loc"]) for error in refused.json()["detail"]} == {
            ("body", "name"),
            ("body", "contact_email"),
        }
        # An id of our own when none (or no sane one) is sent.
        other = client.get("/healthz", headers={"X-Request-ID": "bad id\twith spaces"})
        assert len(other.headers["x-request-id"]) == 32
        assert client.get(f"/reports/donors/{REPORT_SECRET}").status_code == 404
        assert client.get("/api/v1/auth/me").status_code == 401

        assert client.get("/metrics").status_code == 401
        wrong = client.get("/metrics", headers={"Authorization": "Bearer guessed"})
        assert wrong.status_code == 401
        metrics = client.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
    assert metrics.status_code == 200
    assert metrics.headers["content-type"].startswith("text/plain")
    text = metrics.text
    assert 'konvoi_http_requests_total{method="GET",route="/api/v1/auth/me",status="200"} 1.0' in (
        text
    )
    assert 'konvoi_http_requests_total{method="GET",route="/api/v1/auth/me",status="401"} 1.0' in (
        text
    )
    assert (
        'konvoi_http_request_duration_seconds_count{method="GET",route="/api/v1/auth/me"} 2.0'
        in text
    )
    # The link's secret is never a label: the route's template is.
    assert REPORT_SECRET not in text
    assert "konvoi_db_pool_connections_in_use" in text
    assert f"konvoi_db_pool_size {get_settings().db_pool_size:.1f}" in text

    output = log.read_text()
    lines = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    assert lines, output
    assert "Warning" not in output
    assert "Traceback" not in output
    access = [line for line in lines if line["logger"] == "konvoi.access"]
    [traced] = [line for line in access if line.get("request_id") == "trace-42"]
    assert traced["user"] == USERNAME
    assert traced["route"] == "/api/v1/auth/me"
    assert traced["method"] == "GET"
    assert traced["status"] == 200
    assert traced["duration_ms"] >= 0
    assert {"time", "level", "message"} <= traced.keys()
    [report] = [line for line in access if line["route"] == "/reports/donors/{token}"]
    assert report["status"] == 404
    # Nothing secret reaches the log: not the password, the token, nor a link's secret.
    for secret in (password, token, REPORT_SECRET, METRICS_TOKEN):
        assert secret not in output


def test_metrics_are_closed_unless_a_token_is_set(anonymous: TestClient) -> None:
    assert anonymous.get("/metrics").status_code == 404


# What each worker does as it starts serving (uvicorn builds the app's middleware then).
WORKER = """
from app.core.observability import Observing

async def app(scope, receive, send): ...

Observing(app)
"""
SCRAPE = """
from app.core import observability

print(observability.exposition()[0].decode())
"""


def test_the_pool_size_is_what_all_workers_may_hold(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`konvoi serve --workers 3` with KONVOI_DB_POOL_SIZE=5: 15 connections at most, what
    PostgreSQL's max_connections must allow; the workers keep their metrics in one directory."""
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    monkeypatch.setenv("KONVOI_DB_POOL_SIZE", "5")
    monkeypatch.setenv("KONVOI_DATABASE_URL", f"sqlite:///{tmp_path / 'konvoi.db'}")
    for _worker in range(2):
        in_fresh_process(WORKER)
    # The third worker answers the scrape.
    text = in_fresh_process(WORKER + SCRAPE)
    assert "konvoi_db_pool_size 15.0" in text.splitlines()


COLLECTION = """
import gc

gc.collect()
gc.collect()
"""


def test_the_cycle_collectors_pauses_are_counted_by_generation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A full collection stops every request in flight: an operator sees how often and how
    long, from the moment a worker starts serving."""
    monkeypatch.setenv("KONVOI_DATABASE_URL", f"sqlite:///{tmp_path / 'konvoi.db'}")
    lines = in_fresh_process(WORKER + COLLECTION + SCRAPE).splitlines()
    full = [
        line for line in lines if line.startswith('konvoi_gc_collections_total{generation="2"}')
    ]
    assert len(full) == 1 and float(full[0].split()[-1]) >= 2, full
    [paused] = [
        line for line in lines if line.startswith('konvoi_gc_pause_seconds_total{generation="2"}')
    ]
    [longest] = [
        line for line in lines if line.startswith('konvoi_gc_longest_pause_seconds{generation="2"}')
    ]
    assert 0 < float(longest.split()[-1]) <= float(paused.split()[-1])


def test_several_workers_leave_out_their_own_collectors_pauses(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    monkeypatch.setenv("KONVOI_DATABASE_URL", f"sqlite:///{tmp_path / 'konvoi.db'}")
    text = in_fresh_process(WORKER + COLLECTION + SCRAPE)
    assert "konvoi_db_pool_size" in text
    assert "konvoi_gc_" not in text
