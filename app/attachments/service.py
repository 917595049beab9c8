"""Attaching files to records: the type read from the content, not the name; a size limit;
the SHA-256 kept; visible only to those who may see the record it belongs to."""

import hashlib
from collections.abc import Callable
from typing import Any

from sqlmodel import Session, col, select

from app.attachments.models import Attachment, AttachmentKind
from app.auth import visibility
from app.auth.service import Principal
from app.certificates.models import UsageCertificate
from app.convoys.models import Convoy
from app.core.config import get_settings
from app.core.errors import InvalidInput, NotFound, TooLarge
from app.core.i18n import N_, _
from app.exports.models import ExportRecord
from app.items.models import Item

# The first bytes of each type accepted: what the file is, whatever its name says.
SIGNATURES = (
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)
EXTENSIONS = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}


def _item(session: Session, principal: Principal, entity_id: int) -> None:
    if session.get(Item, entity_id) is None:
        raise NotFound(N_("Item"), entity_id)
    visibility.require_item(session, principal, entity_id)


def _export_record(session: Session, principal: Principal, entity_id: int) -> None:
    record = session.get(ExportRecord, entity_id)
    if record is None:
        raise NotFound(N_("Export record"), entity_id)
    visibility.require_item(session, principal, record.item_id, N_("Export record"))


def _certificate(session: Session, principal: Principal, entity_id: int) -> None:
    if session.get(UsageCertificate, entity_id) is None or not visibility.is_office(principal):
        raise NotFound(N_("Certificate"), entity_id)


def _convoy(session: Session, principal: Principal, entity_id: int) -> None:
    if session.get(Convoy, entity_id) is None:
        raise NotFound(N_("Convoy"), entity_id)
    visibility.require_convoy(session, principal, entity_id)


# What files can be attached to, and who may see them: whoever may see the record.
RECORDS: dict[str, Callable[[Session, Principal, int], None]] = {
    "item": _item,
    "export_record": _export_record,
    "usage_certificate": _certificate,
    "convoy": _convoy,
}


def require_record(session: Session, principal: Principal, entity: str, entity_id: int) -> None:
    check = RECORDS.get(entity)
    if check is None:
        said = _("files are attached to one of: {entities}").format(entities=", ".join(RECORDS))
        raise InvalidInput([("entity", said)])
    check(session, principal, entity_id)


def media_type_of(content: bytes) -> str | None:
    return next((media for magic, media in SIGNATURES if content.startswith(magic)), None)


def attach(
    session: Session,
    principal: Principal,
    *,
    entity: str,
    entity_id: int,
    kind: AttachmentKind,
    filename: str,
    declared_type: str | None,
    content: bytes,
) -> Attachment:
    require_record(session, principal, entity, entity_id)
    limit = get_settings().max_attachment_bytes
    if len(content) > limit:
        raise TooLarge(
            _("the file has {size} bytes; at most {limit} are accepted").format(
                size=len(content), limit=limit
            )
        )
    found = media_type_of(content)
    if found is None:
        raise InvalidInput([("file", _("is not a PDF, JPEG or PNG file (read from its content)"))])
    declared = (declared_type or "").split(";")[0].strip().lower()
    if declared and declared not in ("application/octet-stream", found):
        said = _("was sent as {declared} but its content is {found}")
        raise InvalidInput([("file", said.format(declared=declared, found=found))])
    name = (filename or "").strip().replace("/", "_").replace("\\", "_")[:200] or (
        f"{kind.value}.{EXTENSIONS[found]}"
    )
    attachment = Attachment(
        entity=entity,
        entity_id=entity_id,
        kind=kind,
        filename=name,
        media_type=found,
        size_bytes=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        content=content,
        uploaded_by_user_id=principal.user_id,
        uploaded_by_name=principal.full_name or principal.username,
    )
    session.add(attachment)
    session.flush()
    return attachment


def of(session: Session, entity: str, entity_id: int) -> list[Attachment]:
    stmt = (
        select(Attachment)
        .where(Attachment.entity == entity, Attachment.entity_id == entity_id)
        .order_by(col(Attachment.id))
    )
    return list(session.exec(stmt).all())


def get(session: Session, principal: Principal, attachment_id: int) -> Attachment:
    """The attachment, if the reader may see the record it belongs to (404 otherwise)."""
    attachment = session.get(Attachment, attachment_id)
    if attachment is None:
        raise NotFound(N_("Attachment"), attachment_id)
    require_record(session, principal, attachment.entity, attachment.entity_id)
    return attachment


def described(attachment: Attachment) -> dict[str, Any]:
    return attachment.model_dump(exclude={"content"})
