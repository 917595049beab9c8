"""What operators see: a request id on every answer and log line, JSON logs, Prometheus metrics.

Log lines name the route as its template (``/reports/donors/{token}``), never the path as
sent, so a link's secret never reaches the log; no query string, no header, no body is logged.
"""

import gc
import logging
import logging.config
import os
import re
import time
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cache
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.config import get_settings

access_log = logging.getLogger("konvoi.access")

# A record carries nothing the lines do not show: no thread or process (the logging HOWTO's
# "Optimization"); every request writes one line.
logging.logThreads = False
logging.logProcesses = False
logging.logMultiprocessing = False

REQUEST_ID_HEADER = b"x-request-id"
# An id sent by a proxy in front is kept if it looks like one; anything else is replaced.
_SANE_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


@dataclass
class RequestRecord:
    """The request a log line belongs to; the authentication dependency fills in the user."""

    request_id: str
    method: str
    route: str | None = None
    user: str | None = None


current_request: ContextVar[RequestRecord | None] = ContextVar("current_request", default=None)


def identify(username: str) -> None:
    """Name the user of the current request in its log lines (called by authentication)."""
    record = current_request.get()
    if record is not None:
        record.user = username


# --- metrics ------------------------------------------------------------------------------

REQUESTS = Counter(
    "konvoi_http_requests", "Requests answered, by route and status", ["method", "route", "status"]
)
DURATION = Histogram(
    "konvoi_http_request_duration_seconds",
    "Time from the request's arrival to the end of its answer, by route",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
POOL_IN_USE = Gauge(
    "konvoi_db_pool_connections_in_use",
    "Database connections lent out to requests",
    multiprocess_mode="livesum",
)
POOL_SIZE = Gauge(
    "konvoi_db_pool_size",
    "Database connections the pools may hold: KONVOI_DB_POOL_SIZE per worker, summed",
    multiprocess_mode="livesum",
)


def _sample_pool() -> None:
    """Read at each scrape, and after requests at most once a second: with several workers,
    each reports its own pool and the scrape sums them."""
    from app.core.database import get_engine

    pool: Any = get_engine().pool
    if hasattr(pool, "checkedout"):
        POOL_IN_USE.set(pool.checkedout())


# --- the cycle collector's pauses -------------------------------------------------------

# Python's cycle collector stops every thread while it runs, and a full collection (generation
# 2) walks every object the process holds: a quarter of a million once Konvoi is loaded, over
# 100 ms on this project's two-core machine. Whatever request is being answered then waits.
# The callback keeps plain numbers: it runs inside whatever allocation started the collection,
# perhaps while a metric's lock is held, so it takes no lock itself.
_collection_started = [0.0]
_collections = [0, 0, 0]
_collection_seconds = [0.0, 0.0, 0.0]
_longest_collection = [0.0, 0.0, 0.0]


def _on_collection(phase: str, info: dict[str, int]) -> None:
    if phase == "start":
        _collection_started[0] = time.perf_counter()
        return
    generation = info["generation"]
    took = time.perf_counter() - _collection_started[0]
    _collections[generation] += 1
    _collection_seconds[generation] += took
    _longest_collection[generation] = max(_longest_collection[generation], took)


def watch_collections() -> None:
    """Time the cycle collector from now on (each worker, as it starts)."""
    if _on_collection not in gc.callbacks:
        gc.callbacks.append(_on_collection)


class CollectorPauses(Collector):
    """The collector's runs and pauses by generation, read at each scrape."""

    def collect(self) -> Iterator[Metric]:
        runs = CounterMetricFamily(
            "konvoi_gc_collections",
            "Runs of Python's cycle collector, by generation (2: a full collection)",
            labels=["generation"],
        )
        seconds = CounterMetricFamily(
            "konvoi_gc_pause_seconds",
            "Time every thread stood still for the cycle collector, by generation",
            labels=["generation"],
        )
        longest = GaugeMetricFamily(
            "konvoi_gc_longest_pause_seconds",
            "The longest single run of the cycle collector so far, by generation",
            labels=["generation"],
        )
        for generation in range(3):
            label = [str(generation)]
            runs.add_metric(label, _collections[generation])
            seconds.add_metric(label, _collection_seconds[generation])
            longest.add_metric(label, _longest_collection[generation])
        yield from (runs, seconds, longest)


# One process's own figures: with several workers, whose metrics are summed through
# PROMETHEUS_MULTIPROC_DIR, a scrape would see whichever worker answered; they are left out
# there (exposition below reads the workers' files only).
REGISTRY.register(CollectorPauses())


def exposition() -> tuple[bytes, str]:
    """The metrics in Prometheus' text format; with several workers (``konvoi serve
    --workers``) summed over all of them through PROMETHEUS_MULTIPROC_DIR."""
    _sample_pool()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    else:
        registry = REGISTRY
    return generate_latest(registry), CONTENT_TYPE_LATEST


# --- the middleware -----------------------------------------------------------------------


def route_template(scope: Scope) -> str:
    """The route a request was matched to, as its template (``/reports/donors/{token}``)."""
    # A route of an included router knows its path without the prefix; FastAPI (0.160 on)
    # keeps the full template in the route context it serves the request with.
    fastapi_scope = scope.get("fastapi")
    effective = (
        fastapi_scope.get("effective_route_context") if isinstance(fastapi_scope, dict) else None
    )
    template = getattr(effective, "path", None) or getattr(scope.get("route"), "path", None)
    return template if isinstance(template, str) else "unmatched"


# A method no route has is counted as "other": a client cannot add series at will.
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


# Each route's counter and histogram, found once (the client checks and locks on each lookup).
@cache
def _counted(method: str, route: str, status: int) -> Counter:
    return REQUESTS.labels(method, route, str(status))


@cache
def _timed(method: str, route: str) -> Histogram:
    return DURATION.labels(method, route)


class Observing:
    """ASGI middleware (outermost): a request id, one access log line, the metrics."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._pool_sampled_at = 0.0
        # Built once per worker as it starts: each counts its pool from the start, served or
        # not, so the sum is the connections all of them may hold.
        POOL_SIZE.set(get_settings().db_pool_size)
        watch_collections()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        sent_id = dict(scope["headers"]).get(REQUEST_ID_HEADER, b"").decode("latin-1")
        request_id = sent_id if _SANE_ID.fullmatch(sent_id) else os.urandom(16).hex()
        record = RequestRecord(request_id=request_id, method=scope["method"])
        token = current_request.set(record)
        status = 500
        started = time.perf_counter()
        header = (REQUEST_ID_HEADER, request_id.encode())

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message = {**message, "headers": [*message.get("headers", []), header]}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            ended = time.perf_counter()
            elapsed = ended - started
            route = route_template(scope)
            record.route = route
            method = scope["method"] if scope["method"] in _METHODS else "other"
            _counted(method, route, status).inc()
            _timed(method, route).observe(elapsed)
            if ended - self._pool_sampled_at >= 1.0:
                self._pool_sampled_at = ended
                _sample_pool()
            access_log.info(
                "%s %s %d",
                scope["method"],
                route,
                status,
                extra={"status": status, "duration_ms": round(elapsed * 1000, 1)},
            )
            current_request.reset(token)


# --- logging ------------------------------------------------------------------------------


class RequestFields(logging.Filter):
    """Adds the request id, the user and the route to every record logged during a request."""

    def filter(self, record: logging.LogRecord) -> bool:
        current = current_request.get()
        if current is not None:
            record.request_id = current.request_id
            record.user = current.user
            record.route = current.route
            record.method = current.method
        return True


def logging_config(json_lines: bool, level: str = "INFO") -> dict[str, Any]:
    """dictConfig for the server: Konvoi's and uvicorn's loggers, as JSON lines or text.

    Uvicorn's own access log is off: ``konvoi.access`` writes one line per request, with
    the route's template instead of the path that was sent."""
    formatter: dict[str, Any] = (
        {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
            "datefmt": "%Y-%m-%dT%H:%M:%S%z",
        }
        if json_lines
        else {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}
    )
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request": {"()": RequestFields}},
        "formatters": {"default": formatter},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "formatter": "default",
                "filters": ["request"],
                "stream": "ext://sys.stderr",
            }
        },
        "loggers": {
            "konvoi": {"handlers": ["stderr"], "level": level, "propagate": False},
            "uvicorn": {"handlers": ["stderr"], "level": level, "propagate": False},
            "uvicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
        },
    }
