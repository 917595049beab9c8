from collections.abc import Sequence
from datetime import date

from sqlalchemy import or_
from sqlmodel import Session, col, select

from app.certificates.models import CertificateItem, UsageCertificate


def valid_certificates_for(
    session: Session, item_id: int, destination_id: int, on: date
) -> Sequence[UsageCertificate]:
    """Certificates naming this destination that cover the item and are valid on ``on``."""
    stmt = (
        select(UsageCertificate)
        .join(CertificateItem, col(CertificateItem.certificate_id) == col(UsageCertificate.id))
        .where(
            CertificateItem.item_id == item_id,
            UsageCertificate.destination_id == destination_id,
            col(UsageCertificate.issued_on) <= on,
            or_(
                col(UsageCertificate.valid_until_on).is_(None),
                col(UsageCertificate.valid_until_on) >= on,
            ),
        )
    )
    return session.exec(stmt).all()
