"""Attaching files to records: the type read from the content, not the name; a size limit;
the SHA-256 kept; visible only to those who may see the record it belongs to."""

import hashlib
import io
from collections.abc import Callable
from typing import Any

from PIL import Image, UnidentifiedImageError
from pypdf import PdfReader
from sqlmodel import Session, col, select

from app.attachments.models import Attachment, AttachmentKind
from app.auth import visibility
from app.auth.policy import may
from app.auth.service import Principal
from app.certificates.models import UsageCertificate
from app.convoys.models import Convoy
from app.core.config import get_settings
from app.core.errors import InvalidInput, NotFound, TooLarge
from app.core.i18n import N_, _
from app.exports.models import ExportRecord
from app.funding.models import LedgerEntry
from app.items.models import Item

# The first bytes of each type accepted: what the file is, whatever its name says.
SIGNATURES = (
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)
EXTENSIONS = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}
# What Pillow must find inside a file whose first bytes say JPEG or PNG.
IMAGE_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG"}
# A scan of an A4 page at 600 dpi has 35 million pixels; far beyond, decoding it only costs
# memory (a small file can unpack into gigabytes).
MAX_IMAGE_PIXELS = 60_000_000


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


def _ledger_entry(session: Session, _principal: Principal, entity_id: int) -> None:
    # The books are read whole by whoever may read them (the policy table decides).
    if session.get(LedgerEntry, entity_id) is None:
        raise NotFound(N_("Ledger entry"), entity_id)


# What files can be attached to, and who may see them: whoever may see the record.
RECORDS: dict[str, Callable[[Session, Principal, int], None]] = {
    "item": _item,
    "export_record": _export_record,
    "usage_certificate": _certificate,
    "convoy": _convoy,
    "ledger_entry": _ledger_entry,
}
# The operation that reads each record, and its name: a role the policy table keeps from the
# record is kept from its files too (a recipient sees its items, not their export records).
READ_BY = {
    "item": ("get_item", N_("Item")),
    "export_record": ("get_export_record", N_("Export record")),
    "usage_certificate": ("get_certificate", N_("Certificate")),
    "convoy": ("get_convoy", N_("Convoy")),
    "ledger_entry": ("get_ledger_entry", N_("Ledger entry")),
}


def require_record(session: Session, principal: Principal, entity: str, entity_id: int) -> None:
    """404 naming the record unless the principal may read it: by the policy table, then by
    its rows (a driver who left the convoy is told so, as on the convoy itself)."""
    check = RECORDS.get(entity)
    if check is None:
        said = _("files are attached to one of: {entities}").format(entities=", ".join(RECORDS))
        raise InvalidInput([("entity", said)])
    operation, label = READ_BY[entity]
    if not may(principal.role, operation):
        raise NotFound(label, entity_id)
    check(session, principal, entity_id)


def media_type_of(content: bytes) -> str | None:
    return next((media for magic, media in SIGNATURES if content.startswith(magic)), None)


def _pdf_problem(content: bytes) -> str | None:
    """Why the file does not open as a PDF, or None when pypdf reads its pages."""
    try:
        reader = PdfReader(io.BytesIO(content))
        if reader.is_encrypted and not reader.decrypt(""):
            return _("it is protected by a password")
        if len(reader.pages) == 0:
            return _("it has no pages")
    except Exception as exc:
        # A hostile or broken file makes pypdf fail in many ways (its own errors, and
        # ValueError, KeyError, RecursionError ... from deep inside): each is a refusal.
        return _("it does not open as a PDF ({reason})").format(reason=str(exc)[:200] or "-")
    return None


def _image_problem(content: bytes, media_type: str) -> str | None:
    """Why the file does not open as the image its first bytes promise, or None."""
    try:
        with Image.open(io.BytesIO(content)) as image:
            if image.format != IMAGE_FORMATS[media_type]:
                return _("it does not open as a {format} image").format(
                    format=IMAGE_FORMATS[media_type]
                )
            width, height = image.size
            if width * height > MAX_IMAGE_PIXELS:
                return _("it has {pixels} pixels; at most {limit} are accepted").format(
                    pixels=width * height, limit=MAX_IMAGE_PIXELS
                )
            image.load()  # every pixel decoded: a truncated or corrupt scan fails here
    except UnidentifiedImageError:
        return _("it does not open as a {format} image").format(format=IMAGE_FORMATS[media_type])
    except Exception as exc:  # OSError, SyntaxError, a decompression bomb: a refusal
        return _("it does not open as a {format} image ({reason})").format(
            format=IMAGE_FORMATS[media_type], reason=str(exc)[:200] or "-"
        )
    return None


def opening_problem(content: bytes, media_type: str) -> str | None:
    """Why a file whose first bytes say ``media_type`` does not open as one (None: it does).
    The first bytes are easy to fake; the parsers read the whole file."""
    if media_type == "application/pdf":
        return _pdf_problem(content)
    return _image_problem(content, media_type)


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
    problem = opening_problem(content, found)
    if problem is not None:
        said = _("{filename} is refused: {reason}")
        raise InvalidInput([("file", said.format(filename=name, reason=problem))])
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
    """The attachment, if the reader may see the record it belongs to; otherwise the same 404
    as for an attachment that does not exist, which names neither the record nor its id."""
    attachment = session.get(Attachment, attachment_id)
    if attachment is None:
        raise NotFound(N_("Attachment"), attachment_id)
    try:
        require_record(session, principal, attachment.entity, attachment.entity_id)
    except NotFound:
        raise NotFound(N_("Attachment"), attachment_id) from None
    return attachment


def described(attachment: Attachment) -> dict[str, Any]:
    return attachment.model_dump(exclude={"content"})
