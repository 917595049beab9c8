"""the way back: return vehicles (the escort van, a hired minibus) and their return legs, each
with the driver at the wheel

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06 19:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import app.core.types

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _entity() -> list[sa.Column[object]]:
    return [
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", app.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", app.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "return_vehicle",
        *_entity(),
        sa.Column("convoy_id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("gross_weight_kg", sa.Integer(), nullable=False),
        sa.Column("seats", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["convoy_id"], ["convoy.id"], name=op.f("fk_return_vehicle_convoy_id_convoy")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_return_vehicle")),
    )
    with op.batch_alter_table("return_vehicle", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_return_vehicle_convoy_id"), ["convoy_id"], unique=False
        )
    op.create_table(
        "return_leg",
        *_entity(),
        sa.Column("convoy_id", sa.Integer(), nullable=False),
        sa.Column("return_vehicle_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("from_place", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("to_place", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("to_time_zone", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column(
            "planned_departure_at", app.core.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("planned_arrival_at", app.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("distance_km", sa.Integer(), nullable=False),
        sa.Column("driver_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["convoy_id"], ["convoy.id"], name=op.f("fk_return_leg_convoy_id_convoy")
        ),
        sa.ForeignKeyConstraint(
            ["driver_id"], ["driver.id"], name=op.f("fk_return_leg_driver_id_driver")
        ),
        sa.ForeignKeyConstraint(
            ["return_vehicle_id"],
            ["return_vehicle.id"],
            name=op.f("fk_return_leg_return_vehicle_id_return_vehicle"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_return_leg")),
        sa.UniqueConstraint(
            "return_vehicle_id", "position", name=op.f("uq_return_leg_return_vehicle_id")
        ),
    )
    with op.batch_alter_table("return_leg", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_return_leg_convoy_id"), ["convoy_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_return_leg_driver_id"), ["driver_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_return_leg_return_vehicle_id"), ["return_vehicle_id"], unique=False
        )


def downgrade() -> None:
    op.drop_table("return_leg")
    op.drop_table("return_vehicle")
