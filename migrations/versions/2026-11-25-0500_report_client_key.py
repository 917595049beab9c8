"""report client key: a report sent twice (an offline phone retrying) is recorded once

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-25 05:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("leg_event", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("client_key", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True)
        )
        batch_op.create_index("ix_leg_event_client_key", ["client_key"], unique=True)


def downgrade() -> None:
    with op.batch_alter_table("leg_event", schema=None) as batch_op:
        batch_op.drop_index("ix_leg_event_client_key")
        batch_op.drop_column("client_key")
