"""login throttle: failures remember their device; the devices an account logged in from

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05 07:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

from app.core.types import UTCDateTime

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("login_failure", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("device_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True)
        )
    op.create_table(
        "known_device",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("device_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("last_login_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["app_user.id"], name=op.f("fk_known_device_user_id_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_known_device")),
    )
    with op.batch_alter_table("known_device", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_known_device_device_hash"), ["device_hash"])
        batch_op.create_index(batch_op.f("ix_known_device_user_id"), ["user_id"])


def downgrade() -> None:
    op.drop_table("known_device")
    with op.batch_alter_table("login_failure", schema=None) as batch_op:
        batch_op.drop_column("device_hash")
