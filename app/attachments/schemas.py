from datetime import datetime

from pydantic import Field

from app.attachments.models import AttachmentKind
from app.core.schemas import Schema
from app.core.types import RecordId


class AttachmentRead(Schema):
    id: int
    entity: str = Field(examples=["item"])
    entity_id: RecordId
    kind: AttachmentKind
    filename: str
    media_type: str = Field(description="Read from the content: PDF, JPEG or PNG")
    size_bytes: int
    sha256: str
    uploaded_by_name: str
    uploaded_at: datetime
