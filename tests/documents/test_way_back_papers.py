"""The papers name the team that drives the way back too: a driver's border papers list who
drives the escort van home beside those who drive the convoy's vehicles."""

import io

from fastapi.testclient import TestClient
from pypdf import PdfReader

from tests.convoys import builders as b
from tests.factories import API


def test_the_driver_papers_list_who_drives_the_way_back(client: TestClient) -> None:
    planned = b.planned_convoy(client, vehicles=1, drivers=1)
    escort = b.driver(client, free=planned.free)
    b.way_back(client, planned, b.SPRINTER, rest_hours=12, driver_id=escort["id"])
    response = client.get(
        f"{API}/convoys/{planned.id}/documents/driver_papers",
        params={"driver_id": planned.drivers[0]["id"]},
    )
    assert response.status_code == 200, response.text
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    assert escort["name"] in " ".join(text.split())
