"""report link expiry: a donor report link works for a limited time

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06 18:30:00
"""

from collections.abc import Sequence
from datetime import timedelta

import sqlalchemy as sa
from alembic import op

from app.core.types import UTCDateTime

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The default lifetime (KONVOI_REPORT_LINK_DAYS), counted from when each link was made: a link
# older than that stops working, as it would have had it been made with one.
LIFETIME = timedelta(days=90)


def upgrade() -> None:
    with op.batch_alter_table("donor_report_link", schema=None) as batch_op:
        batch_op.add_column(sa.Column("expires_at", UTCDateTime(timezone=True), nullable=True))
    links = sa.table(
        "donor_report_link",
        sa.column("id", sa.Integer()),
        sa.column("created_at", UTCDateTime(timezone=True)),
        sa.column("expires_at", UTCDateTime(timezone=True)),
    )
    connection = op.get_bind()
    # Row by row in Python: the two databases add days to a time in different SQL.
    for link_id, created_at in connection.execute(sa.select(links.c.id, links.c.created_at)):
        connection.execute(
            links.update().where(links.c.id == link_id).values(expires_at=created_at + LIFETIME)
        )
    with op.batch_alter_table("donor_report_link", schema=None) as batch_op:
        batch_op.alter_column(
            "expires_at", existing_type=UTCDateTime(timezone=True), nullable=False
        )


def downgrade() -> None:
    with op.batch_alter_table("donor_report_link", schema=None) as batch_op:
        batch_op.drop_column("expires_at")
