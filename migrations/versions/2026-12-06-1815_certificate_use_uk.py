"""the intended use of a usage certificate in Ukrainian, for the usage form's Ukrainian half

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06 18:15:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("usage_certificate") as batch:
        batch.add_column(sa.Column("intended_use_uk", sa.String(length=2000), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("usage_certificate") as batch:
        batch.drop_column("intended_use_uk")
