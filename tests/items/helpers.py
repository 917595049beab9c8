"""Records the item tests need from other domains, written straight into the test transaction.

``session.commit()`` (a savepoint release inside the test's outer transaction) keeps these rows
when a later refused request rolls its own work back.
"""

from datetime import date, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.certificates.models import CertificateItem, UsageCertificate
from app.core.localtime import today_at
from app.exports.models import ExportRecord
from app.items.models import Item, ItemStatus
from app.items.service import EXPORT_TIMEZONE
from tests import factories
from tests.factories import API

_numbers = iter(range(1, 10_000))


def today() -> date:
    """Today at the export office, the day the item rules count from."""
    return today_at(EXPORT_TIMEZONE)


def insert_certificate(
    session: Session,
    destination_id: int,
    item_ids: list[int],
    *,
    issued_on: date | None = None,
    valid_until_on: date | None = None,
) -> int:
    certificate = UsageCertificate(
        number=f"VN-TEST-{next(_numbers):04d}",
        destination_id=destination_id,
        intended_use="Drinking-water supply of the city's well fields",
        issued_on=issued_on or today() - timedelta(days=30),
        issuer="Lvivvodokanal, deputy technical director",
        valid_until_on=valid_until_on,
    )
    session.add(certificate)
    session.flush()
    assert certificate.id is not None
    for item_id in item_ids:
        session.add(CertificateItem(certificate_id=certificate.id, item_id=item_id))
    session.commit()
    return certificate.id


def complete_export_fields(until: date) -> dict[str, Any]:
    """An export record that lets a vehicle leave for a trip ending ``until``."""
    return {
        "customs_office_code": "DE004601",
        "mrn": "06DE586600006143E1",
        "export_plate": "W 1234 A",
        "plate_valid_from_on": today() - timedelta(days=1),
        "plate_valid_to_on": until,
        "insurance_until_on": until,
        "inspection_due_on": until + timedelta(days=200),
    }


def insert_export_record(session: Session, item_id: int, **fields: Any) -> int:
    record = ExportRecord(item_id=item_id, **fields)
    session.add(record)
    session.commit()
    assert record.id is not None
    return record.id


def force_status(session: Session, item_id: int, status: ItemStatus) -> None:
    """Put an item in a status no action of this domain reaches yet (in convoy, delivered)."""
    item = session.get(Item, item_id)
    assert item is not None
    item.status = status
    session.commit()


def post(client: TestClient, path: str, body: dict[str, Any] | None = None) -> Any:
    return client.post(f"{API}{path}", json=body)


def get_item(client: TestClient, item_id: int) -> dict[str, Any]:
    response = client.get(f"{API}/items/{item_id}")
    assert response.status_code == 200
    data: dict[str, Any] = response.json()
    return data


def allocated_vehicle(
    client: TestClient, **overrides: Any
) -> tuple[dict[str, Any], dict[str, Any]]:
    """A vehicle accepted and allocated to a fresh destination: (item, destination)."""
    donor = factories.donor(client)
    destination = factories.destination(client)
    vehicle = factories.vehicle(client, donor["id"], **overrides)
    assert post(client, f"/items/{vehicle['id']}/accept").status_code == 200
    response = post(
        client, f"/items/{vehicle['id']}/allocate", {"destination_id": destination["id"]}
    )
    assert response.status_code == 200, response.text
    return response.json(), destination


def certified_vehicle(
    client: TestClient, session: Session, **overrides: Any
) -> tuple[dict[str, Any], dict[str, Any]]:
    item, destination = allocated_vehicle(client, **overrides)
    insert_certificate(session, destination["id"], [item["id"]])
    response = post(client, f"/items/{item['id']}/certify")
    assert response.status_code == 200, response.text
    return response.json(), destination
