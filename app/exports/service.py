from sqlmodel import Session, select

from app.exports.models import ExportRecord


def record_for_item(session: Session, item_id: int) -> ExportRecord | None:
    return session.exec(select(ExportRecord).where(ExportRecord.item_id == item_id)).first()
