"""Every table, imported in dependency order so metadata is complete (Alembic, tests)."""

from app.attachments.models import Attachment
from app.audit.models import AuditEntry
from app.auth.models import ApiToken, KnownDevice, LoginFailure, User, WebSession
from app.certificates.models import CertificateItem, UsageCertificate
from app.collection.models import (
    CollectionPoint,
    Pallet,
    PalletLine,
    Reservation,
    StockLine,
    StockMovement,
    StoragePlace,
)
from app.convoys.models import Assignment, Convoy, ConvoyItem, Handover, Leg, LegEvent
from app.core.models import metadata
from app.destinations.models import Destination
from app.documents.models import DonorReportLink, IssuedDocument
from app.donors.models import Donor
from app.drivers.models import Driver, DriverAvailability, DriverLicence
from app.exports.models import ExportRecord
from app.funding.models import (
    Fund,
    FundingPaper,
    GrantAward,
    LedgerEntry,
    PayrollPledge,
    Programme,
    Transport,
    TransportNeed,
)
from app.items.models import CargoLine, Item
from app.needs.models import Need
from app.organisation.models import Organisation

__all__ = [
    "ApiToken",
    "Assignment",
    "Attachment",
    "AuditEntry",
    "CargoLine",
    "CertificateItem",
    "CollectionPoint",
    "Convoy",
    "ConvoyItem",
    "Destination",
    "Donor",
    "DonorReportLink",
    "Driver",
    "DriverAvailability",
    "DriverLicence",
    "ExportRecord",
    "Fund",
    "FundingPaper",
    "GrantAward",
    "Handover",
    "IssuedDocument",
    "Item",
    "KnownDevice",
    "LedgerEntry",
    "Leg",
    "LegEvent",
    "LoginFailure",
    "Need",
    "Organisation",
    "Pallet",
    "PalletLine",
    "PayrollPledge",
    "Programme",
    "Reservation",
    "StockLine",
    "StockMovement",
    "StoragePlace",
    "Transport",
    "TransportNeed",
    "UsageCertificate",
    "User",
    "WebSession",
    "metadata",
]
