"""Security headers on every response, the request size limit, opaque 500s, self-hosted docs."""

import logging
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from app.core import observability
from app.core.config import get_settings
from app.core.database import SessionDep, get_session, make_engine
from app.documents import donor_report
from app.documents.models import DonorReportLink
from app.donors.models import Donor
from app.main import create_app

API = "/api/v1"


def assert_hardened(response: httpx.Response) -> None:
    headers = response.headers
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "same-origin"
    assert headers["x-frame-options"] == "DENY"
    csp = headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp
    assert "default-src 'self'" in csp
    # Each header once: a route's own header is not doubled by the middleware.
    for name in ("x-content-type-options", "x-frame-options", "content-security-policy"):
        assert len(headers.get_list(name)) == 1, name


def oversized_body() -> bytes:
    limit = get_settings().max_request_bytes
    donor = b'{"name": "WSW mobil GmbH", "country": "DE", "notes": "'
    return donor + b"x" * (limit - len(donor)) + b'"}'


def donors(session: Session) -> int:
    return session.exec(select(func.count()).select_from(Donor)).one()


def test_security_headers_on_200_401_404_422(client: TestClient, anonymous: TestClient) -> None:
    responses = {
        200: anonymous.get("/healthz"),
        401: anonymous.get(f"{API}/donors"),
        404: client.get(f"{API}/donors/999999"),
        422: client.post(f"{API}/donors", json={"name": ""}),
    }
    for status, response in responses.items():
        assert response.status_code == status, response.text
        assert_hardened(response)
    assert anonymous.get("/no-such-page").status_code == 404
    assert_hardened(anonymous.get("/no-such-page"))
    assert_hardened(anonymous.get("/login"))


def test_body_over_the_limit_is_413_and_writes_nothing(
    client: TestClient, session: Session
) -> None:
    body = oversized_body()
    assert len(body) > get_settings().max_request_bytes
    response = client.post(
        f"{API}/donors", content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413
    assert response.json() == {
        "detail": f"request body over {get_settings().max_request_bytes} bytes",
        "code": "too_large",
    }
    assert_hardened(response)
    assert donors(session) == 0


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        (f"{API}/donors", "application/json"),  # FastAPI reads the body for the route
        (f"{API}/auth/token", "application/x-www-form-urlencoded"),  # a form for the route
        ("/logout", "application/x-www-form-urlencoded"),  # a dependency reads the form
    ],
)
def test_chunked_body_over_the_limit_is_413_and_writes_nothing(
    client: TestClient, session: Session, path: str, content_type: str
) -> None:
    body = oversized_body()

    def chunks() -> Iterator[bytes]:
        for start in range(0, len(body), 64 * 1024):
            yield body[start : start + 64 * 1024]

    request = client.build_request(
        "POST", path, content=chunks(), headers={"Content-Type": content_type}
    )
    assert "content-length" not in request.headers
    assert request.headers["transfer-encoding"] == "chunked"
    response = client.send(request)
    assert response.status_code == 413
    assert response.json() == {
        "detail": f"request body over {get_settings().max_request_bytes} bytes",
        "code": "too_large",
    }
    assert_hardened(response)
    assert donors(session) == 0


def test_oversized_login_form_is_413(anonymous: TestClient) -> None:
    limit = get_settings().max_request_bytes
    response = anonymous.post(
        f"{API}/auth/token", data={"username": "admin", "password": "x" * (limit + 1)}
    )
    assert response.status_code == 413
    assert_hardened(response)


def test_body_at_the_limit_is_accepted(client: TestClient, session: Session) -> None:
    # The notes field is capped by the schema; the request itself is under the byte limit.
    response = client.post(
        f"{API}/donors",
        content=b'{"name": "WSW mobil GmbH", "country": "DE"}'
        + b" " * (get_settings().max_request_bytes - 64),
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 201, response.text
    assert donors(session) == 1


@pytest.fixture
def failing_app() -> FastAPI:
    """A fresh app with a test-only route that fails the way a bug would."""
    application = create_app()

    @application.get("/boom", include_in_schema=False)
    def boom() -> None:
        raise RuntimeError("secret internals: password=hunter2 at /srv/konvoi/app/x.py")

    return application


def test_unhandled_error_is_an_opaque_500(
    failing_app: FastAPI, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR, logger="konvoi")
    with TestClient(failing_app, raise_server_exceptions=True) as test_client:
        response = test_client.get("/boom")
    assert response.status_code == 500
    assert response.json() == {"detail": "internal error; it has been logged", "code": "internal"}
    for leak in ("Traceback", "RuntimeError", "hunter2", ".py"):
        assert leak not in response.text
    assert_hardened(response)
    # The details go to the log instead.
    [record] = [r for r in caplog.records if r.name == "konvoi"]
    assert "GET /boom" in record.getMessage()
    assert record.exc_info is not None


LINK_SECRET = "donor-link-secret-5ee1d"


def test_a_500_logs_the_routes_template_never_the_path(
    anonymous: TestClient, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(_session: Session, _token: str) -> tuple[Donor, DonorReportLink]:
        raise RuntimeError("a bug behind a shared link")

    monkeypatch.setattr(donor_report, "donor_of", broken)
    caplog.set_level(logging.INFO, logger="konvoi")
    caplog.handler.addFilter(observability.RequestFields())  # as the server's log adds them
    response = anonymous.get(f"/reports/donors/{LINK_SECRET}")
    assert response.status_code == 500
    [error] = [r for r in caplog.records if r.name == "konvoi"]
    [access] = [r for r in caplog.records if r.name == "konvoi.access"]
    assert error.getMessage() == "unhandled error on GET /reports/donors/{token}"
    assert error.__dict__["route"] == "/reports/donors/{token}"
    assert access.getMessage() == "GET /reports/donors/{token} 500"
    assert LINK_SECRET not in caplog.text


def test_a_database_error_is_logged_without_the_values_it_was_sent(
    app: FastAPI, client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    donor = client.post(f"{API}/donors", json={"name": "Stadtwerke Witten"}).json()

    @app.post("/boom/donors/{donor_id}", include_in_schema=False)
    def clash(donor_id: int, session: SessionDep) -> None:
        # A bug: a second donor under the first one's id, named by what a user typed.
        session.add(Donor(id=donor_id, name=LINK_SECRET))
        session.flush()

    caplog.set_level(logging.ERROR, logger="konvoi")
    response = client.post(f"/boom/donors/{donor['id']}")
    assert response.status_code == 500
    [error] = [r for r in caplog.records if r.name == "konvoi"]
    assert error.exc_info is not None and isinstance(error.exc_info[1], IntegrityError)
    assert "INSERT INTO donor" in caplog.text  # the statement, for whoever reads the log
    assert LINK_SECRET not in caplog.text  # not the values bound to it


def test_docs_are_served_without_any_external_host(anonymous: TestClient) -> None:
    response = anonymous.get("/docs")
    assert response.status_code == 200
    assert_hardened(response)
    html = response.text
    assert "SwaggerUIBundle" in html
    assert not re.search(r"https?://", html), "the docs page loads nothing from elsewhere"
    assets = re.findall(r"""(?:src|href)=["']([^"']+)["']""", html)
    assert len(assets) == 3
    for asset in assets:
        assert asset.startswith("/static/"), asset
        served = anonymous.get(asset)
        assert served.status_code == 200, asset
        assert_hardened(served)
    assert anonymous.get("/openapi.json").status_code == 200
    assert anonymous.get("/docs/oauth2-redirect").status_code == 200
    assert anonymous.get("/redoc").status_code == 404


def test_docs_script_and_style_have_their_types(anonymous: TestClient) -> None:
    script = anonymous.get("/static/swagger-ui/swagger-ui-bundle.js")
    assert "javascript" in script.headers["content-type"]
    assert "SwaggerUIBundle" in script.text
    style = anonymous.get("/static/swagger-ui/swagger-ui.css")
    assert style.headers["content-type"].startswith("text/css")
    assert anonymous.get("/static/swagger-ui/../../__init__.py").status_code == 404


def test_pages_forbid_inline_scripts_and_only_the_api_docs_allow_them(
    anonymous: TestClient,
) -> None:
    page = anonymous.get("/login").headers["content-security-policy"]
    assert "script-src 'self';" in page
    assert "style-src 'self';" in page
    assert "unsafe-inline" not in page
    docs = anonymous.get("/docs").headers["content-security-policy"]
    assert "script-src 'self' 'unsafe-inline'" in docs


def test_health_says_whether_the_database_answers(
    app: FastAPI, anonymous: TestClient, tmp_path: Path
) -> None:
    assert anonymous.get("/healthz").json() == {"status": "ok", "database": "ok"}
    # A database that does not answer: a directory where the SQLite file should be.
    gone = make_engine(f"sqlite:///{tmp_path}")

    def unreachable() -> Iterator[Session]:
        with Session(gone) as session:
            yield session

    app.dependency_overrides[get_session] = unreachable
    down = anonymous.get("/healthz")
    assert down.status_code == 503
    assert down.json() == {"status": "unavailable", "database": "not answering"}
