"""What a browser or a proxy may keep: nothing of an answer that names people, loads or routes
(``no-store``), the driver's phone page only privately and revalidated, Konvoi's own static
files as they say; and HTTPS held for a year once a browser has seen it (HSTS)."""

import io
from collections.abc import Iterator

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pypdf import PdfWriter

from app.auth.roles import Role
from app.core.config import get_settings
from tests import factories
from tests.convoys import builders as b
from tests.factories import API
from tests.web.conftest import PageClients


def _pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _not_stored(response: httpx.Response) -> None:
    assert response.headers.get_list("cache-control") == ["no-store"], (
        response.request.url,
        response.status_code,
    )


def test_signed_in_answers_and_downloads_are_not_stored(
    client: TestClient, anonymous: TestClient, page_as: PageClients
) -> None:
    donor = factories.donor(client)
    bus = factories.vehicle(client, donor["id"])
    attached = client.post(
        f"{API}/attachments",
        data={"entity": "item", "entity_id": str(bus["id"]), "kind": "registration_papers"},
        files={"file": ("Zulassung.pdf", _pdf(), "application/pdf")},
    )
    assert attached.status_code == 201, attached.text
    office = page_as(Role.coordinator)
    answers = {
        "a list": client.get(f"{API}/donors"),
        "a record": client.get(f"{API}/donors/{donor['id']}"),
        "a refusal": client.get(f"{API}/donors/999999"),
        "not signed in": anonymous.get(f"{API}/donors"),
        "a refused body": client.post(f"{API}/donors", json={"name": ""}),
        "the donor report": client.get(f"{API}/donors/{donor['id']}/report?format=csv"),
        "an attachment": client.get(f"{API}/attachments/{attached.json()['id']}/file"),
        "a template": client.get(f"{API}/imports/needs/template?format=xlsx"),
        "the desk": office.get("/desk"),
        "a register page": office.get(f"/donors/{donor['id']}"),
        "the donor report, on the page": office.get(f"/donors/{donor['id']}/report.csv"),
        "an attachment, on the page": office.get(f"/attachments/{attached.json()['id']}/file"),
        "the login page": anonymous.get("/login"),
    }
    for name, response in answers.items():
        assert response.status_code < 500, name
        _not_stored(response)
    # The record's ETag stays: it is what If-Match sends back.
    assert answers["a record"].headers["etag"] == '"1"'


def test_the_drivers_phone_page_is_kept_privately_and_revalidated(
    client: TestClient, page_as: PageClients
) -> None:
    planned = b.planned_convoy(client, plan=b.FIRST_CONVOY, vehicles=1)
    phone = page_as(Role.driver, driver_id=planned.drivers[0]["id"])
    page = phone.get("/my-convoy")
    assert page.status_code == 200
    # Kept by the phone's service worker for when the network is gone; never by a proxy.
    assert page.headers.get_list("cache-control") == ["private, no-cache"]
    # Its calendar is a download like any other.
    _not_stored(phone.get("/my-convoy/calendar.ics"))


def test_static_files_say_how_long_they_keep(anonymous: TestClient) -> None:
    own = anonymous.get("/static/app/konvoi.css")
    assert own.headers.get_list("cache-control") == ["no-cache"]
    assert anonymous.get("/sw.js").headers.get_list("cache-control") == ["no-cache"]


@pytest.fixture
def over_https(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, base_url="https://testserver", follow_redirects=False) as test_client:
        yield test_client


def test_https_answers_hold_the_browser_to_https(
    over_https: TestClient, anonymous: TestClient
) -> None:
    for response in (
        over_https.get("/healthz"),
        over_https.get("/login"),
        over_https.get(f"{API}/donors"),  # 401
        over_https.get("/static/app/konvoi.css"),
        # answered by the size limit itself, before any route
        over_https.post(f"{API}/donors", content=b"x" * (get_settings().max_request_bytes + 1)),
    ):
        assert response.headers.get_list("strict-transport-security") == ["max-age=31536000"]
        assert response.headers.get_list("cache-control") in (["no-store"], ["no-cache"])
    # Over plain http it would mean nothing, and a developer's machine must stay reachable.
    assert "strict-transport-security" not in anonymous.get("/login").headers
