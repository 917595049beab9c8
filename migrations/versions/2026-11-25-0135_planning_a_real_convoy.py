"""planning a real convoy: time zones, the planned handover, withdrawals, trailers

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 01:35:27.103194
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import app.core.types

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "driver_withdrawal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", app.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", app.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("convoy_id", sa.Integer(), nullable=False),
        sa.Column("driver_id", sa.Integer(), nullable=False),
        sa.Column(
            "reason",
            sa.Enum(
                "ill",
                "heat",
                "family",
                "vehicle",
                "other",
                name="withdrawalreason",
                native_enum=False,
                length=30,
            ),
            nullable=False,
        ),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True),
        sa.Column("withdrawn_at", app.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("left_open", sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=False),
        sa.ForeignKeyConstraint(
            ["convoy_id"], ["convoy.id"], name=op.f("fk_driver_withdrawal_convoy_id_convoy")
        ),
        sa.ForeignKeyConstraint(
            ["driver_id"], ["driver.id"], name=op.f("fk_driver_withdrawal_driver_id_driver")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_driver_withdrawal")),
    )
    with op.batch_alter_table("driver_withdrawal", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_driver_withdrawal_convoy_id"), ["convoy_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_driver_withdrawal_driver_id"), ["driver_id"], unique=False
        )

    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "actor_full_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True
            )
        )

    with op.batch_alter_table("convoy", schema=None) as batch_op:
        # Convoys planned before zones were recorded met in Germany.
        batch_op.add_column(
            sa.Column(
                "meeting_time_zone",
                sqlmodel.sql.sqltypes.AutoString(length=64),
                nullable=False,
                server_default="Europe/Berlin",
            )
        )
        batch_op.add_column(
            sa.Column(
                "planned_handover_at", app.core.types.UTCDateTime(timezone=True), nullable=True
            )
        )
        batch_op.add_column(
            sa.Column("handover_place", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True)
        )
        batch_op.add_column(
            sa.Column(
                "actual_departure_at", app.core.types.UTCDateTime(timezone=True), nullable=True
            )
        )
        batch_op.add_column(
            sa.Column("actual_arrival_at", app.core.types.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("status_reason", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True)
        )

    with op.batch_alter_table("item", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("trailer_type", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True)
        )
        batch_op.add_column(
            sa.Column(
                "trailer_registration", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True
            )
        )
        batch_op.add_column(sa.Column("trailer_permissible_weight_kg", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("plates_needed_from_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("plates_needed_until_on", sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column("status_reason", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True)
        )

    with op.batch_alter_table("leg", schema=None) as batch_op:
        # Legs planned before zones were recorded are read as German time, as they were entered.
        batch_op.add_column(
            sa.Column(
                "to_time_zone",
                sqlmodel.sql.sqltypes.AutoString(length=64),
                nullable=False,
                server_default="Europe/Berlin",
            )
        )

    with op.batch_alter_table("leg_event", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reporter_user_id", sa.Integer(), nullable=True))
        # The free text was the only record of who reported; it becomes the reporter's name.
        batch_op.alter_column(
            "reported_by",
            new_column_name="reporter_name",
            existing_type=sa.VARCHAR(length=200),
            existing_nullable=False,
        )
        batch_op.add_column(
            sa.Column("reported_for", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True)
        )

    # A convoy already on the road left when its status last changed; later ones as planned.
    op.execute(
        "UPDATE convoy SET actual_departure_at = status_changed_at WHERE status = 'under_way'"
    )
    op.execute(
        "UPDATE convoy SET actual_departure_at = planned_departure_at WHERE status IN ('arrived', 'closed')"
    )


def downgrade() -> None:
    with op.batch_alter_table("leg_event", schema=None) as batch_op:
        batch_op.drop_column("reported_for")
        batch_op.alter_column(
            "reporter_name",
            new_column_name="reported_by",
            existing_type=sa.VARCHAR(length=200),
            existing_nullable=False,
        )
        batch_op.drop_column("reporter_user_id")

    with op.batch_alter_table("leg", schema=None) as batch_op:
        batch_op.drop_column("to_time_zone")

    with op.batch_alter_table("item", schema=None) as batch_op:
        batch_op.drop_column("status_reason")
        batch_op.drop_column("plates_needed_until_on")
        batch_op.drop_column("plates_needed_from_on")
        batch_op.drop_column("trailer_permissible_weight_kg")
        batch_op.drop_column("trailer_registration")
        batch_op.drop_column("trailer_type")

    with op.batch_alter_table("convoy", schema=None) as batch_op:
        batch_op.drop_column("status_reason")
        batch_op.drop_column("actual_arrival_at")
        batch_op.drop_column("actual_departure_at")
        batch_op.drop_column("handover_place")
        batch_op.drop_column("planned_handover_at")
        batch_op.drop_column("meeting_time_zone")

    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.drop_column("actor_full_name")

    with op.batch_alter_table("driver_withdrawal", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_driver_withdrawal_driver_id"))
        batch_op.drop_index(batch_op.f("ix_driver_withdrawal_convoy_id"))

    op.drop_table("driver_withdrawal")
