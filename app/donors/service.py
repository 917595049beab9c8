from collections.abc import Sequence

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from app.core.i18n import N_
from app.core.pagination import keyset_page
from app.core.service import apply_changes, get_or_404, like
from app.donors.models import Donor, DonorKind
from app.donors.schemas import DonorCreate, DonorUpdate

SORTABLE = {"name": col(Donor.name), "created_at": col(Donor.created_at), "id": col(Donor.id)}


def get(session: Session, donor_id: int) -> Donor:
    return get_or_404(session, Donor, donor_id, N_("Donor"))


def create(session: Session, data: DonorCreate) -> Donor:
    donor = Donor.model_validate(data)
    session.add(donor)
    session.flush()
    return donor


def update(session: Session, donor: Donor, changes: DonorUpdate) -> Donor:
    apply_changes(donor, changes)
    session.flush()
    return donor


def search(
    session: Session,
    *,
    q: str | None,
    kind: DonorKind | None,
    country: str | None,
    sort: str,
    cursor: str | None,
    limit: int,
) -> tuple[Sequence[Donor], str | None]:
    stmt = select(Donor)
    if q:
        pattern = like(q)
        stmt = stmt.where(
            or_(
                func.lower(Donor.name).like(pattern, escape="\\"),
                func.lower(func.coalesce(Donor.city, "")).like(pattern, escape="\\"),
                func.lower(func.coalesce(Donor.contact_name, "")).like(pattern, escape="\\"),
            )
        )
    if kind:
        stmt = stmt.where(Donor.kind == kind)
    if country:
        stmt = stmt.where(Donor.country == country.upper())
    return keyset_page(
        session,
        stmt,
        id_column=col(Donor.id),
        sort=sort,
        sortable=SORTABLE,
        cursor=cursor,
        limit=limit,
    )
