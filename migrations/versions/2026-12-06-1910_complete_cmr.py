"""a complete CMR note: the organisation that carries, recipients' addresses in Latin and
Cyrillic, each cargo line's packing, a convoy's charges, exports declared as humanitarian aid

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-06 19:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

from app.core.types import UTCDateTime

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _text(name: str, length: int, nullable: bool = True) -> sa.Column[str]:
    return sa.Column(name, sqlmodel.sql.sqltypes.AutoString(length=length), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "organisation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        _text("name", 200, nullable=False),
        _text("legal_form", 100, nullable=False),
        _text("street", 200, nullable=False),
        _text("postal_code", 20, nullable=False),
        _text("city", 100, nullable=False),
        _text("country", 2, nullable=False),
        _text("register_court", 100),
        _text("register_number", 50),
        _text("contact_name", 200),
        _text("contact_phone", 50),
        _text("contact_email", 200),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisation")),
    )
    with op.batch_alter_table("destination", schema=None) as batch_op:
        batch_op.add_column(_text("street", 200))
        batch_op.add_column(_text("street_uk", 200))
        batch_op.add_column(_text("postal_code", 5))
        batch_op.add_column(_text("city_uk", 100))
        batch_op.add_column(_text("oblast_uk", 100))
    with op.batch_alter_table("cargo_line", schema=None) as batch_op:
        # Lines recorded before were packed somehow; a carton is the usual package.
        batch_op.add_column(
            sa.Column(
                "packing",
                sa.Enum(
                    "pallet",
                    "crate",
                    "carton",
                    "loose",
                    "fixed_in_vehicle",
                    name="packing",
                    native_enum=False,
                    length=30,
                ),
                nullable=False,
                server_default="carton",
            )
        )
    with op.batch_alter_table("convoy", schema=None) as batch_op:
        batch_op.add_column(_text("charges", 200))
    with op.batch_alter_table("export_record", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("humanitarian_aid", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("export_record", schema=None) as batch_op:
        batch_op.drop_column("humanitarian_aid")
    with op.batch_alter_table("convoy", schema=None) as batch_op:
        batch_op.drop_column("charges")
    with op.batch_alter_table("cargo_line", schema=None) as batch_op:
        batch_op.drop_column("packing")
    with op.batch_alter_table("destination", schema=None) as batch_op:
        for column in ("oblast_uk", "city_uk", "postal_code", "street_uk", "street"):
            batch_op.drop_column(column)
    op.drop_table("organisation")
