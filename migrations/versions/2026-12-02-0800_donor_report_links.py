"""donor report links: a donor's report shared read-only, revocable

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 08:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

from app.core.types import UTCDateTime

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "donor_report_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("donor_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("created_by_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["donor_id"], ["donor.id"], name=op.f("fk_donor_report_link_donor_id_donor")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_donor_report_link")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_donor_report_link_token_hash")),
    )
    with op.batch_alter_table("donor_report_link", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_donor_report_link_donor_id"), ["donor_id"])


def downgrade() -> None:
    op.drop_table("donor_report_link")
