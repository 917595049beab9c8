"""bilingual papers: an item's name in Ukrainian and its country of origin, a cargo line's
description in Ukrainian and the marks on its packages; issued documents kept as issued

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 07:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

from app.core.types import UTCDateTime

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("item", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("name_uk", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True)
        )
        batch_op.add_column(
            sa.Column(
                "origin_country",
                sqlmodel.sql.sqltypes.AutoString(length=2),
                nullable=False,
                server_default="DE",
            )
        )
    with op.batch_alter_table("cargo_line", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("description_uk", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True)
        )
        batch_op.add_column(
            sa.Column("marks", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True)
        )

    op.create_table(
        "issued_document",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("convoy_id", sa.Integer(), nullable=False),
        sa.Column("vehicle_id", sa.Integer(), nullable=True),
        sa.Column("destination_id", sa.Integer(), nullable=True),
        sa.Column("donor_id", sa.Integer(), nullable=True),
        sa.Column("driver_id", sa.Integer(), nullable=True),
        sa.Column("number", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("media_type", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("filename", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("facts", sa.JSON(), nullable=False),
        sa.Column("issued_by_user_id", sa.Integer(), nullable=True),
        sa.Column("issued_by_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("issued_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["convoy_id"], ["convoy.id"], name=op.f("fk_issued_document_convoy_id_convoy")
        ),
        sa.ForeignKeyConstraint(
            ["destination_id"],
            ["destination.id"],
            name=op.f("fk_issued_document_destination_id_destination"),
        ),
        sa.ForeignKeyConstraint(
            ["donor_id"], ["donor.id"], name=op.f("fk_issued_document_donor_id_donor")
        ),
        sa.ForeignKeyConstraint(
            ["driver_id"], ["driver.id"], name=op.f("fk_issued_document_driver_id_driver")
        ),
        sa.ForeignKeyConstraint(
            ["issued_by_user_id"],
            ["app_user.id"],
            name=op.f("fk_issued_document_issued_by_user_id_app_user"),
        ),
        sa.ForeignKeyConstraint(
            ["vehicle_id"], ["item.id"], name=op.f("fk_issued_document_vehicle_id_item")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_issued_document")),
        sa.UniqueConstraint("number", "revision", name="uq_issued_document_revision"),
    )
    with op.batch_alter_table("issued_document", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_issued_document_convoy_id"), ["convoy_id"])
        batch_op.create_index(batch_op.f("ix_issued_document_destination_id"), ["destination_id"])
        batch_op.create_index(batch_op.f("ix_issued_document_kind"), ["kind"])
        batch_op.create_index(batch_op.f("ix_issued_document_number"), ["number"])


def downgrade() -> None:
    op.drop_table("issued_document")
    with op.batch_alter_table("cargo_line", schema=None) as batch_op:
        batch_op.drop_column("marks")
        batch_op.drop_column("description_uk")
    with op.batch_alter_table("item", schema=None) as batch_op:
        batch_op.drop_column("origin_country")
        batch_op.drop_column("name_uk")
