"""Downloads name their files in any script (RFC 6266 ``filename*``), and a name from the data
never adds a parameter or a header: an attachment in Ukrainian, a convoy numbered in Cyrillic,
a number holding a quote, a semicolon and a line break."""

import io
import re
from typing import Any
from urllib.parse import unquote, urlsplit

from fastapi.testclient import TestClient
from pypdf import PdfWriter

from app.auth.roles import Role
from app.documents.service import KINDS
from tests import factories
from tests.convoys import builders as b
from tests.factories import API
from tests.web.conftest import PageClients, csrf_token


def _pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


# RFC 6266 with RFC 8187: the disposition, an ASCII name in quotes, the name itself encoded;
# the whole header and nothing else.
DISPOSITION = re.compile(
    r"(attachment|inline); filename=\"([ -!#-\[\]-~]*)\"; "
    r"filename\*=UTF-8''([A-Za-z0-9%!#$&+.^_`|~-]+)"
)


def _names(response: Any) -> tuple[str, str]:
    """(the ASCII stand-in, the name a browser saves) from the Content-Disposition header."""
    assert response.status_code == 200, response.text
    header = response.headers["content-disposition"]
    shape = DISPOSITION.fullmatch(header)
    assert shape, header  # no quote, parameter or line break of the data's own
    return shape.group(2), unquote(shape.group(3), errors="strict")


def _named(response: Any) -> str:
    return _names(response)[1]


def _papers(planned: b.Planned) -> list[tuple[str, dict[str, Any]]]:
    """Every paper of the convoy, each with the subject it needs."""
    bus = planned.vehicles[0]
    subjects: dict[str | None, dict[str, Any]] = {
        None: {},
        "vehicle_id": {"vehicle_id": bus["id"]},
        "destination_id": {"destination_id": planned.destination["id"]},
        "donor_destination": {
            "destination_id": planned.destination["id"],
            "donor_id": bus["donor_id"],
        },
        "driver_id": {"driver_id": planned.drivers[0]["id"]},
    }
    return [(kind.name, subjects[kind.subject]) for kind in KINDS.values()]


def test_an_attachment_named_in_ukrainian_uploads_and_downloads_by_its_name(
    client: TestClient, page_as: PageClients
) -> None:
    bus = factories.vehicle(client, factories.donor(client)["id"])
    name = "акт передачі.pdf"
    created = client.post(
        f"{API}/attachments",
        data={"entity": "item", "entity_id": str(bus["id"]), "kind": "registration_papers"},
        files={"file": (name, _pdf(), "application/pdf")},
    )
    assert created.status_code == 201, created.text
    assert created.json()["filename"] == name
    download = client.get(f"{API}/attachments/{created.json()['id']}/file")
    assert _named(download) == name
    assert _names(download)[0] == "download.pdf"
    # The page's form and its download link, as a clerk's browser uses them.
    clerk = page_as(Role.coordinator)
    token = csrf_token(clerk.get(f"/items/{bus['id']}").text)
    uploaded = clerk.post(
        "/attachments",
        data={
            "csrf_token": token,
            "entity": "item",
            "entity_id": str(bus["id"]),
            "kind": "insurance_certificate",
        },
        files={"file": ("Übergabe – поліс.pdf", _pdf(), "application/pdf")},
    )
    assert uploaded.status_code == 303, uploaded.text
    listed = client.get(f"{API}/attachments", params={"entity": "item", "entity_id": bus["id"]})
    second = listed.json()[-1]
    downloaded = clerk.get(f"/attachments/{second['id']}/file")
    assert _named(downloaded) == "Übergabe – поліс.pdf"
    assert _names(downloaded)[0] == "Ubergabe.pdf"


def test_every_paper_of_a_convoy_numbered_in_cyrillic_downloads(
    client: TestClient, page_as: PageClients
) -> None:
    planned = b.planned_convoy(client, number="КОН-01")
    clerk = page_as(Role.coordinator)
    for kind, subject in _papers(planned):
        for fmt in KINDS[kind].formats:
            preview = client.get(
                f"{API}/convoys/{planned.id}/documents/{kind}", params={"format": fmt, **subject}
            )
            assert _named(preview).startswith("КОН-01-"), (kind, fmt)
            assert _named(preview).endswith(f".{fmt}")
            page = clerk.get(
                f"/convoys/{planned.id}/documents/{kind}", params={"format": fmt, **subject}
            )
            assert _named(page) == _named(preview)
        issued = client.post(
            f"{API}/convoys/{planned.id}/documents", json={"kind": kind, **subject}
        )
        assert issued.status_code == 201, issued.text
        number = issued.json()["number"]
        assert number.startswith("КОН-01/")
        kept = client.get(f"{API}/issued-documents/{issued.json()['id']}/file")
        assert _named(kept).startswith(number.replace("/", "-"))
        assert _named(clerk.get(f"/issued-documents/{issued.json()['id']}/file")) == _named(kept)


def test_a_quote_or_a_line_break_in_a_number_adds_no_parameter_and_no_header(
    client: TestClient,
) -> None:
    number = 'W4U-1";x=1\r\nSet-Cookie:a=b'
    planned = b.planned_convoy(client, number=number)
    manifest = client.get(
        f"{API}/convoys/{planned.id}/documents/manifest", params={"format": "csv"}
    )
    assert "set-cookie" not in manifest.headers
    name = _named(manifest)
    # The whole number is in the name a browser saves (its line break made harmless).
    assert name.startswith('W4U-1";x=1_Set-Cookie:a=b-')
    assert _names(manifest)[0] == "W4U-1_x_1_Set-Cookie_a_b-manifest.csv"


def test_the_donor_report_is_named_on_its_page_and_behind_its_link(
    client: TestClient, anonymous: TestClient, page_as: PageClients
) -> None:
    donor = factories.donor(client, name="Stadtwerke «Wärme» 🚒")
    factories.vehicle(client, donor["id"])
    office = page_as(Role.coordinator)
    shared = client.post(f"{API}/donors/{donor['id']}/report-links")
    assert shared.status_code == 201, shared.text
    link = urlsplit(shared.json()["url"]).path
    for fmt in ("pdf", "csv"):
        expected = f"donor-report-{donor['id']}.{fmt}"
        assert _named(office.get(f"/donors/{donor['id']}/report.{fmt}")) == expected
        assert _named(anonymous.get(link, params={"format": fmt})) == expected


def test_a_reissued_paper_and_a_number_with_blanks_download_without_a_blank(
    client: TestClient, page_as: PageClients
) -> None:
    planned = b.planned_convoy(client, number="W4U 07")
    preview = client.get(f"{API}/convoys/{planned.id}/documents/manifest")
    assert _names(preview) == ("W4U-07-manifest.pdf", "W4U-07-manifest.pdf")
    for _time in range(2):
        issued = client.post(f"{API}/convoys/{planned.id}/documents", json={"kind": "manifest"})
        assert issued.status_code == 201, issued.text
    assert issued.json()["revision"] == 2
    assert issued.json()["filename"] == "W4U-07-MAN-1-rev2.pdf"
    kept = client.get(f"{API}/issued-documents/{issued.json()['id']}/file")
    assert _names(kept) == ("W4U-07-MAN-1-rev2.pdf", "W4U-07-MAN-1-rev2.pdf")
    clerk = page_as(Role.coordinator)
    assert _named(clerk.get(f"/issued-documents/{issued.json()['id']}/file")) == _named(kept)
