"""sort indexes: one per sort order a list offers, (column, id) for keyset pages

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25 02:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("convoy", schema=None) as batch_op:
        batch_op.create_index("ix_convoy_created_at_id", ["created_at", "id"], unique=False)
        batch_op.create_index(
            "ix_convoy_planned_departure_at_id", ["planned_departure_at", "id"], unique=False
        )

    with op.batch_alter_table("destination", schema=None) as batch_op:
        batch_op.create_index("ix_destination_city_id", ["city", "id"], unique=False)
        batch_op.create_index("ix_destination_created_at_id", ["created_at", "id"], unique=False)

    with op.batch_alter_table("donor", schema=None) as batch_op:
        batch_op.create_index("ix_donor_created_at_id", ["created_at", "id"], unique=False)

    with op.batch_alter_table("driver", schema=None) as batch_op:
        batch_op.create_index("ix_driver_created_at_id", ["created_at", "id"], unique=False)

    with op.batch_alter_table("export_record", schema=None) as batch_op:
        batch_op.create_index("ix_export_record_created_at_id", ["created_at", "id"], unique=False)

    with op.batch_alter_table("item", schema=None) as batch_op:
        batch_op.create_index("ix_item_created_at_id", ["created_at", "id"], unique=False)
        batch_op.create_index(
            "ix_item_declared_value_cents_id", ["declared_value_cents", "id"], unique=False
        )
        batch_op.create_index("ix_item_name_id", ["name", "id"], unique=False)

    with op.batch_alter_table("need", schema=None) as batch_op:
        batch_op.create_index("ix_need_created_at_id", ["created_at", "id"], unique=False)
        batch_op.create_index("ix_need_priority_id", ["priority", "id"], unique=False)
        batch_op.create_index("ix_need_requested_on_id", ["requested_on", "id"], unique=False)

    with op.batch_alter_table("usage_certificate", schema=None) as batch_op:
        batch_op.create_index(
            "ix_usage_certificate_created_at_id", ["created_at", "id"], unique=False
        )
        batch_op.create_index(
            "ix_usage_certificate_issued_on_id", ["issued_on", "id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("usage_certificate", schema=None) as batch_op:
        batch_op.drop_index("ix_usage_certificate_issued_on_id")
        batch_op.drop_index("ix_usage_certificate_created_at_id")

    with op.batch_alter_table("need", schema=None) as batch_op:
        batch_op.drop_index("ix_need_requested_on_id")
        batch_op.drop_index("ix_need_priority_id")
        batch_op.drop_index("ix_need_created_at_id")

    with op.batch_alter_table("item", schema=None) as batch_op:
        batch_op.drop_index("ix_item_name_id")
        batch_op.drop_index("ix_item_declared_value_cents_id")
        batch_op.drop_index("ix_item_created_at_id")

    with op.batch_alter_table("export_record", schema=None) as batch_op:
        batch_op.drop_index("ix_export_record_created_at_id")

    with op.batch_alter_table("driver", schema=None) as batch_op:
        batch_op.drop_index("ix_driver_created_at_id")

    with op.batch_alter_table("donor", schema=None) as batch_op:
        batch_op.drop_index("ix_donor_created_at_id")

    with op.batch_alter_table("destination", schema=None) as batch_op:
        batch_op.drop_index("ix_destination_created_at_id")
        batch_op.drop_index("ix_destination_city_id")

    with op.batch_alter_table("convoy", schema=None) as batch_op:
        batch_op.drop_index("ix_convoy_planned_departure_at_id")
        batch_op.drop_index("ix_convoy_created_at_id")
