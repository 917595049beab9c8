"""client key per reporter: a key one account used does not refuse another account's report

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06 18:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("leg_event", schema=None) as batch_op:
        batch_op.drop_index("ix_leg_event_client_key")
        batch_op.create_unique_constraint(
            "uq_leg_event_reporter_user_id", ["reporter_user_id", "client_key"]
        )


def downgrade() -> None:
    # Keys were unique across all reporters before: two accounts' equal keys cannot go back.
    with op.batch_alter_table("leg_event", schema=None) as batch_op:
        batch_op.drop_constraint("uq_leg_event_reporter_user_id", type_="unique")
        batch_op.create_index("ix_leg_event_client_key", ["client_key"], unique=True)
