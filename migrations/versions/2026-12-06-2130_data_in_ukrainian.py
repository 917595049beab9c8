"""data in both languages: a Ukrainian text beside what coordinators and recipients type for
needs, convoys and their places, and legs

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-06 21:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = {
    "need": (("description_uk", 500),),
    "convoy": (("name_uk", 200), ("meeting_point_uk", 300), ("handover_place_uk", 200)),
    "leg": (("from_place_uk", 200), ("to_place_uk", 200)),
}


def upgrade() -> None:
    for table, columns in COLUMNS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name, length in columns:
                batch_op.add_column(
                    sa.Column(name, sqlmodel.sql.sqltypes.AutoString(length=length), nullable=True)
                )


def downgrade() -> None:
    for table, columns in COLUMNS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name, _length in reversed(columns):
                batch_op.drop_column(name)
