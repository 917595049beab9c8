"""Usage certificates (Verwendungsnachweis): the proof of intended use an item needs to leave.

DOMAIN.md: no item may depart without a valid certificate that names its destination, so a
certificate only covers items already allocated to that destination.
"""

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any, NamedTuple, Protocol

from sqlalchemy import Select, func, or_
from sqlalchemy import select as select_rows
from sqlmodel import Session, col, select

from app.certificates.models import CertificateItem, UsageCertificate
from app.certificates.schemas import CertificateCreate, CertificateRead, CertificateUpdate
from app.core.database import plain_rows
from app.core.errors import Conflict, InvalidInput, NotFound, Reason, RuleViolation
from app.core.i18n import N_, _, ngettext
from app.core.localtime import KYIV, today_at
from app.core.pagination import keyset_page
from app.core.service import apply_changes, get_or_404, like, touch
from app.destinations.models import Destination
from app.items.models import Item, ItemStatus

SORTABLE = {
    "issued_on": col(UsageCertificate.issued_on),
    "number": col(UsageCertificate.number),
    "created_at": col(UsageCertificate.created_at),
    "id": col(UsageCertificate.id),
}


class Validity(Protocol):
    """What the rule reads of a certificate: a table row or a plain row alike."""

    @property
    def destination_id(self) -> int: ...
    @property
    def issued_on(self) -> date: ...
    @property
    def valid_until_on(self) -> date | None: ...


class Cover(NamedTuple):
    """A certificate covering an item, as far as the departure check needs it."""

    item_id: int
    certificate_id: int
    destination_id: int
    issued_on: date
    valid_until_on: date | None


_COVERS = select_rows(
    col(CertificateItem.item_id),
    col(UsageCertificate.id),
    col(UsageCertificate.destination_id),
    col(UsageCertificate.issued_on),
    col(UsageCertificate.valid_until_on),
).join(UsageCertificate, col(UsageCertificate.id) == col(CertificateItem.certificate_id))


def is_valid_for(certificate: Validity, destination_id: int, on: date) -> bool:
    """The rule: a certificate counts for the destination it names, from issue to expiry."""
    return (
        certificate.destination_id == destination_id
        and certificate.issued_on <= on
        and (certificate.valid_until_on is None or certificate.valid_until_on >= on)
    )


def covering(session: Session, item_ids: Iterable[int]) -> dict[int, list[UsageCertificate]]:
    """The certificates covering each item: one query for any number of items."""
    stmt = (
        select(CertificateItem.item_id, UsageCertificate)
        .join(UsageCertificate, col(UsageCertificate.id) == col(CertificateItem.certificate_id))
        .where(col(CertificateItem.item_id).in_(list(item_ids)))
    )
    found: dict[int, list[UsageCertificate]] = defaultdict(list)
    for item_id, certificate in session.exec(stmt).all():
        found[item_id].append(certificate)
    return found


def covering_rows(items: Select[int]) -> Select[int, int | None, int, date, date | None]:
    """The read of the certificates covering the items a subquery names: a check over a whole
    convoy's goods names them by the convoy, not item by item. Built once by its caller."""
    return _COVERS.where(col(CertificateItem.item_id).in_(items))


def covers(
    session: Session,
    statement: Select[int, int | None, int, date, date | None],
    params: Mapping[str, Any],
) -> dict[int, list[Cover]]:
    """``covering`` as plain rows, read with a statement of ``covering_rows``."""
    found: dict[int, list[Cover]] = defaultdict(list)
    for row in plain_rows(session, statement, params):
        found[row[0]].append(Cover(*row))
    return found


def valid_certificates_for(
    session: Session, item_id: int, destination_id: int, on: date
) -> Sequence[UsageCertificate]:
    """Certificates naming this destination that cover the item and are valid on ``on``."""
    return [
        c
        for c in covering(session, [item_id]).get(item_id, [])
        if is_valid_for(c, destination_id, on)
    ]


def get(session: Session, certificate_id: int) -> UsageCertificate:
    return get_or_404(session, UsageCertificate, certificate_id, N_("Certificate"))


def item_ids_by_certificate(
    session: Session, certificate_ids: Iterable[int]
) -> dict[int, list[int]]:
    """Covered item ids for many certificates in one query (a list page never runs N+1)."""
    ids = list(certificate_ids)
    covered: dict[int, list[int]] = defaultdict(list)
    if not ids:
        return covered
    rows = session.exec(
        select(CertificateItem)
        .where(col(CertificateItem.certificate_id).in_(ids))
        .order_by(col(CertificateItem.certificate_id), col(CertificateItem.item_id))
    ).all()
    for row in rows:
        covered[row.certificate_id].append(row.item_id)
    return covered


def read(session: Session, certificate: UsageCertificate) -> CertificateRead:
    return read_page(session, [certificate])[0]


def read_page(session: Session, certificates: Sequence[UsageCertificate]) -> list[CertificateRead]:
    covered = item_ids_by_certificate(session, [c.id for c in certificates if c.id is not None])
    return [
        CertificateRead.model_validate({**c.model_dump(), "item_ids": covered.get(c.id or 0, [])})
        for c in certificates
    ]


def _date_errors(issued_on: date, valid_until_on: date | None) -> list[tuple[str, str]]:
    errors: list[tuple[str, str]] = []
    # Signed in Germany or in Ukraine: a date already today in Kyiv is not in the future.
    if issued_on > today_at(KYIV):
        errors.append(
            (
                "issued_on",
                _("{issued_on} is in the future; enter the date it was signed").format(
                    issued_on=issued_on
                ),
            )
        )
    if valid_until_on is not None and valid_until_on < issued_on:
        errors.append(
            (
                "valid_until_on",
                _("{valid_until_on} is before the issue date {issued_on}").format(
                    valid_until_on=valid_until_on, issued_on=issued_on
                ),
            )
        )
    return errors


def _check_number_free(session: Session, number: str, own_id: int | None = None) -> None:
    stmt = select(UsageCertificate.id).where(UsageCertificate.number == number)
    if own_id is not None:
        stmt = stmt.where(UsageCertificate.id != own_id)
    if session.exec(stmt).first() is not None:
        raise Conflict(
            _("a certificate numbered {number!r} already exists").format(number=number),
            field="number",
        )


def _unique(ids: Iterable[int]) -> list[int]:
    return list(dict.fromkeys(ids))


def _load_items(session: Session, item_ids: list[int]) -> list[Item]:
    if not item_ids:
        return []
    items = session.exec(select(Item).where(col(Item.id).in_(item_ids))).all()
    found = {i.id for i in items}
    unknown = [i for i in item_ids if i not in found]
    if unknown:
        listed = ", ".join(str(i) for i in unknown)
        said = ngettext("Item {listed} does not exist", "Items {listed} do not exist", len(unknown))
        raise InvalidInput([("item_ids", said.format(listed=listed))])
    by_id = {i.id: i for i in items}
    return [by_id[i] for i in item_ids]


def _coverage_reasons(
    session: Session, items: Sequence[Item], destination: Destination
) -> list[Reason]:
    """Why each item cannot be covered by a certificate for ``destination`` (empty: all can)."""
    other_ids = {
        i.destination_id
        for i in items
        if i.destination_id is not None and i.destination_id != destination.id
    }
    names: dict[int | None, str] = {}
    if other_ids:
        rows = session.exec(select(Destination).where(col(Destination.id).in_(other_ids))).all()
        names = {d.id: d.name for d in rows}
    reasons: list[Reason] = []
    for item in items:
        label = f"Item {item.id} ({item.name})"
        if item.status == ItemStatus.withdrawn:
            reasons.append(
                Reason(
                    "item_withdrawn",
                    _("{label} is withdrawn and cannot be certified").format(label=label),
                    "item_ids",
                    item_id=item.id,
                )
            )
        elif item.destination_id is None:
            reasons.append(
                Reason(
                    "item_not_allocated",
                    _("{label} is not allocated to any destination").format(label=label),
                    "item_ids",
                    item_id=item.id,
                )
            )
        elif item.destination_id != destination.id:
            reasons.append(
                Reason(
                    "item_allocated_elsewhere",
                    (
                        _("{label} is allocated to {value}, not to {destination}").format(
                            label=label,
                            value=names[item.destination_id],
                            destination=destination.name,
                        )
                    ),
                    "item_ids",
                    {"destination_id": item.destination_id},
                    item_id=item.id,
                )
            )
    return reasons


def _check_coverage(session: Session, items: Sequence[Item], destination: Destination) -> None:
    reasons = _coverage_reasons(session, items, destination)
    if reasons:
        raise RuleViolation(
            _("the certificate for {destination} cannot cover these items").format(
                destination=destination.name
            ),
            reasons,
        )


def _destination_of(session: Session, certificate: UsageCertificate) -> Destination:
    # The foreign key guarantees it exists.
    destination = session.get(Destination, certificate.destination_id)
    assert destination is not None
    return destination


def create(session: Session, data: CertificateCreate) -> UsageCertificate:
    errors = _date_errors(data.issued_on, data.valid_until_on)
    destination = session.get(Destination, data.destination_id)
    if destination is None:
        errors.append(
            (
                "destination_id",
                _("Destination {destination_id} does not exist").format(
                    destination_id=data.destination_id
                ),
            )
        )
    if errors:
        raise InvalidInput(errors)
    assert destination is not None
    item_ids = _unique(data.item_ids)
    items = _load_items(session, item_ids)
    _check_number_free(session, data.number)
    _check_coverage(session, items, destination)
    certificate = UsageCertificate.model_validate(data.model_dump(exclude={"item_ids"}))
    session.add(certificate)
    session.flush()
    assert certificate.id is not None
    session.add_all(CertificateItem(certificate_id=certificate.id, item_id=i) for i in item_ids)
    session.flush()
    return certificate


def update(
    session: Session, certificate: UsageCertificate, changes: CertificateUpdate
) -> UsageCertificate:
    """Apply a PATCH; the dates are checked on the merged record, not on the changes alone."""
    sent = changes.model_dump(exclude_unset=True)
    errors = _date_errors(
        sent.get("issued_on") or certificate.issued_on,
        sent.get("valid_until_on", certificate.valid_until_on),
    )
    destination: Destination | None = None
    destination_id = sent.get("destination_id")
    if destination_id is not None:
        destination = session.get(Destination, destination_id)
        if destination is None:
            errors.append(
                (
                    "destination_id",
                    _("Destination {destination_id} does not exist").format(
                        destination_id=destination_id
                    ),
                )
            )
    if errors:
        raise InvalidInput(errors)
    if sent.get("number") is not None:
        _check_number_free(session, sent["number"], certificate.id)
    if destination is not None and destination.id != certificate.destination_id:
        # The covered items must follow: a certificate names the destination they go to.
        assert certificate.id is not None
        covered = item_ids_by_certificate(session, [certificate.id]).get(certificate.id, [])
        _check_coverage(session, _load_items(session, covered), destination)
    apply_changes(certificate, changes)
    session.flush()
    return certificate


def add_items(
    session: Session, certificate: UsageCertificate, item_ids: list[int]
) -> UsageCertificate:
    """Cover further items; items already covered are left as they are."""
    assert certificate.id is not None
    wanted = _unique(item_ids)
    items = _load_items(session, wanted)
    _check_coverage(session, items, _destination_of(session, certificate))
    already = set(item_ids_by_certificate(session, [certificate.id]).get(certificate.id, []))
    new = [i for i in wanted if i not in already]
    if new:
        session.add_all(CertificateItem(certificate_id=certificate.id, item_id=i) for i in new)
        touch(certificate)
        session.flush()
    return certificate


def remove_item(session: Session, certificate: UsageCertificate, item_id: int) -> UsageCertificate:
    link = session.get(CertificateItem, (certificate.id, item_id))
    if link is None:
        raise NotFound(_("Item {id} on certificate").format(id=item_id), certificate.id)
    session.delete(link)
    touch(certificate)
    session.flush()
    return certificate


def search(
    session: Session,
    *,
    q: str | None,
    destination_id: int | None,
    item_id: int | None,
    sort: str,
    cursor: str | None,
    limit: int,
) -> tuple[Sequence[UsageCertificate], str | None]:
    stmt = select(UsageCertificate)
    if q:
        pattern = like(q)
        stmt = stmt.where(
            or_(
                func.lower(UsageCertificate.number).like(pattern, escape="\\"),
                func.lower(UsageCertificate.issuer).like(pattern, escape="\\"),
                func.lower(UsageCertificate.intended_use).like(pattern, escape="\\"),
            )
        )
    if destination_id is not None:
        stmt = stmt.where(UsageCertificate.destination_id == destination_id)
    if item_id is not None:
        covering = select(CertificateItem.certificate_id).where(CertificateItem.item_id == item_id)
        stmt = stmt.where(col(UsageCertificate.id).in_(covering))
    return keyset_page(
        session,
        stmt,
        id_column=col(UsageCertificate.id),
        sort=sort,
        sortable=SORTABLE,
        cursor=cursor,
        limit=limit,
    )
