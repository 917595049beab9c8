"""Every table, imported in dependency order so metadata is complete (Alembic, tests)."""

from app.certificates.models import CertificateItem, UsageCertificate
from app.core.models import metadata
from app.destinations.models import Destination
from app.donors.models import Donor
from app.exports.models import ExportRecord
from app.items.models import CargoLine, Item
from app.needs.models import Need

__all__ = [
    "CargoLine",
    "CertificateItem",
    "Destination",
    "Donor",
    "ExportRecord",
    "Item",
    "Need",
    "UsageCertificate",
    "metadata",
]
