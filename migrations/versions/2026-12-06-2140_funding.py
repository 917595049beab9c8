"""a transport series and what pays for it: programmes, transports, funds, a ledger whose
booked entries the database never lets change, payroll pledges, grants, issued funding papers

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-06 21:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import app.core.types

# GoBD: a booked entry is never changed or removed; a correction is a reversing entry.
REFUSAL = "ledger entries are never changed or deleted; book a reversing entry"

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "programme",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", app.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", app.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("partner_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("partner_name_uk", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("destination_id", sa.Integer(), nullable=True),
        sa.Column("description", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
        sa.Column("organiser_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("organiser_street", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column(
            "organiser_postal_code", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False
        ),
        sa.Column("organiser_city", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("tax_office", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("tax_number", sqlmodel.sql.sqltypes.AutoString(length=50), nullable=True),
        sa.Column("exemption_notice_on", sa.Date(), nullable=True),
        sa.Column("exemption_period", sqlmodel.sql.sqltypes.AutoString(length=50), nullable=True),
        sa.Column("tax_purpose", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.ForeignKeyConstraint(
            ["destination_id"],
            ["destination.id"],
            name=op.f("fk_programme_destination_id_destination"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_programme")),
        sa.UniqueConstraint("code", name=op.f("uq_programme_code")),
    )
    with op.batch_alter_table("programme", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_programme_destination_id"), ["destination_id"], unique=False
        )
        batch_op.create_index("ix_programme_name_id", ["name", "id"], unique=False)

    op.create_table(
        "fund",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", app.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", app.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("purpose", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.Column("restricted", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["programme_id"], ["programme.id"], name=op.f("fk_fund_programme_id_programme")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fund")),
    )
    with op.batch_alter_table("fund", schema=None) as batch_op:
        batch_op.create_index("ix_fund_name_id", ["name", "id"], unique=False)
        batch_op.create_index(batch_op.f("ix_fund_programme_id"), ["programme_id"], unique=False)

    op.create_table(
        "transport",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", app.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", app.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("convoy_id", sa.Integer(), nullable=True),
        sa.Column("planned_on", sa.Date(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "planned", "done", "cancelled", name="transportstatus", native_enum=False, length=30
            ),
            nullable=False,
        ),
        sa.Column("notes", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
        sa.ForeignKeyConstraint(
            ["convoy_id"], ["convoy.id"], name=op.f("fk_transport_convoy_id_convoy")
        ),
        sa.ForeignKeyConstraint(
            ["programme_id"], ["programme.id"], name=op.f("fk_transport_programme_id_programme")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transport")),
        sa.UniqueConstraint("programme_id", "number", name="uq_transport_programme_number"),
    )
    with op.batch_alter_table("transport", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_transport_convoy_id"), ["convoy_id"], unique=False)
        batch_op.create_index("ix_transport_number_id", ["number", "id"], unique=False)
        batch_op.create_index("ix_transport_planned_on_id", ["planned_on", "id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_transport_programme_id"), ["programme_id"], unique=False
        )

    op.create_table(
        "grant_award",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", app.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", app.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("fund_id", sa.Integer(), nullable=False),
        sa.Column("funder", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("reference", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("purpose", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("amount_cents", sa.Integer(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("conditions", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
        sa.Column("report_due_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(["fund_id"], ["fund.id"], name=op.f("fk_grant_award_fund_id_fund")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_grant_award")),
    )
    with op.batch_alter_table("grant_award", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_grant_award_fund_id"), ["fund_id"], unique=False)

    op.create_table(
        "payroll_pledge",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", app.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", app.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("fund_id", sa.Integer(), nullable=False),
        sa.Column("monthly_cents", sa.Integer(), nullable=False),
        sa.Column("employees", sa.Integer(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.CheckConstraint("employees > 0", name=op.f("ck_payroll_pledge_employees_positive")),
        sa.CheckConstraint("monthly_cents > 0", name=op.f("ck_payroll_pledge_monthly_positive")),
        sa.ForeignKeyConstraint(
            ["fund_id"], ["fund.id"], name=op.f("fk_payroll_pledge_fund_id_fund")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payroll_pledge")),
    )
    with op.batch_alter_table("payroll_pledge", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_payroll_pledge_fund_id"), ["fund_id"], unique=False)

    op.create_table(
        "transport_need",
        sa.Column("transport_id", sa.Integer(), nullable=False),
        sa.Column("need_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["need_id"], ["need.id"], name=op.f("fk_transport_need_need_id_need")
        ),
        sa.ForeignKeyConstraint(
            ["transport_id"],
            ["transport.id"],
            name=op.f("fk_transport_need_transport_id_transport"),
        ),
        sa.PrimaryKeyConstraint("transport_id", "need_id", name=op.f("pk_transport_need")),
    )
    with op.batch_alter_table("transport_need", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_transport_need_need_id"), ["need_id"], unique=False)

    op.create_table(
        "ledger_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fund_id", sa.Integer(), nullable=False),
        sa.Column("transport_id", sa.Integer(), nullable=True),
        sa.Column("booked_on", sa.Date(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "payroll_pledge",
                "donation",
                "grant",
                "goods",
                "vehicle_hire",
                "fuel",
                "tolls",
                "other_cost",
                name="entrykind",
                native_enum=False,
                length=30,
            ),
            nullable=False,
        ),
        sa.Column("amount_cents", sa.Integer(), nullable=False),
        sa.Column("description", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("reference", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("donor_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("donor_address", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.Column("pledge_id", sa.Integer(), nullable=True),
        sa.Column("month_on", sa.Date(), nullable=True),
        sa.Column("grant_id", sa.Integer(), nullable=True),
        sa.Column("reverses_id", sa.Integer(), nullable=True),
        sa.Column("booked_by_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("booked_at", app.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("amount_cents <> 0", name=op.f("ck_ledger_entry_amount_not_zero")),
        sa.ForeignKeyConstraint(
            ["fund_id"], ["fund.id"], name=op.f("fk_ledger_entry_fund_id_fund")
        ),
        sa.ForeignKeyConstraint(
            ["grant_id"], ["grant_award.id"], name=op.f("fk_ledger_entry_grant_id_grant_award")
        ),
        sa.ForeignKeyConstraint(
            ["pledge_id"],
            ["payroll_pledge.id"],
            name=op.f("fk_ledger_entry_pledge_id_payroll_pledge"),
        ),
        sa.ForeignKeyConstraint(
            ["reverses_id"],
            ["ledger_entry.id"],
            name=op.f("fk_ledger_entry_reverses_id_ledger_entry"),
        ),
        sa.ForeignKeyConstraint(
            ["transport_id"], ["transport.id"], name=op.f("fk_ledger_entry_transport_id_transport")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_entry")),
        sa.UniqueConstraint("reverses_id", name=op.f("uq_ledger_entry_reverses_id")),
    )
    with op.batch_alter_table("ledger_entry", schema=None) as batch_op:
        batch_op.create_index("ix_ledger_entry_booked_on_id", ["booked_on", "id"], unique=False)
        batch_op.create_index(batch_op.f("ix_ledger_entry_fund_id"), ["fund_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_ledger_entry_grant_id"), ["grant_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_ledger_entry_pledge_id"), ["pledge_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_ledger_entry_transport_id"), ["transport_id"], unique=False
        )

    op.create_table(
        "funding_paper",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "transport_report",
                "fund_year_report",
                "donation_receipt",
                name="fundingpaperkind",
                native_enum=False,
                length=30,
            ),
            nullable=False,
        ),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("transport_id", sa.Integer(), nullable=True),
        sa.Column("fund_id", sa.Integer(), nullable=True),
        sa.Column("entry_id", sa.Integer(), nullable=True),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("number", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("media_type", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("filename", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("facts", sa.JSON(), nullable=False),
        sa.Column("issued_by_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("issued_at", app.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["entry_id"], ["ledger_entry.id"], name=op.f("fk_funding_paper_entry_id_ledger_entry")
        ),
        sa.ForeignKeyConstraint(
            ["fund_id"], ["fund.id"], name=op.f("fk_funding_paper_fund_id_fund")
        ),
        sa.ForeignKeyConstraint(
            ["programme_id"], ["programme.id"], name=op.f("fk_funding_paper_programme_id_programme")
        ),
        sa.ForeignKeyConstraint(
            ["transport_id"], ["transport.id"], name=op.f("fk_funding_paper_transport_id_transport")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_funding_paper")),
        sa.UniqueConstraint("entry_id", name=op.f("uq_funding_paper_entry_id")),
        sa.UniqueConstraint("number", name=op.f("uq_funding_paper_number")),
    )
    with op.batch_alter_table("funding_paper", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_funding_paper_kind"), ["kind"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_funding_paper_programme_id"), ["programme_id"], unique=False
        )

    _keep_entries_as_booked()


def _keep_entries_as_booked() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION ledger_entry_as_booked() RETURNS trigger AS $$ BEGIN "
            f"RAISE EXCEPTION '{REFUSAL}'; END; $$ LANGUAGE plpgsql"
        )
        op.execute(
            "CREATE TRIGGER ledger_entry_as_booked BEFORE UPDATE OR DELETE ON ledger_entry "
            "FOR EACH ROW EXECUTE FUNCTION ledger_entry_as_booked()"
        )
        return
    for event in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER ledger_entry_no_{event.lower()} BEFORE {event} ON ledger_entry "
            f"BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER ledger_entry_as_booked ON ledger_entry")
        op.execute("DROP FUNCTION ledger_entry_as_booked()")
    else:
        op.execute("DROP TRIGGER ledger_entry_no_update")
        op.execute("DROP TRIGGER ledger_entry_no_delete")
    with op.batch_alter_table("funding_paper", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_funding_paper_programme_id"))
        batch_op.drop_index(batch_op.f("ix_funding_paper_kind"))

    op.drop_table("funding_paper")
    with op.batch_alter_table("ledger_entry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ledger_entry_transport_id"))
        batch_op.drop_index(batch_op.f("ix_ledger_entry_pledge_id"))
        batch_op.drop_index(batch_op.f("ix_ledger_entry_grant_id"))
        batch_op.drop_index(batch_op.f("ix_ledger_entry_fund_id"))
        batch_op.drop_index("ix_ledger_entry_booked_on_id")

    op.drop_table("ledger_entry")
    with op.batch_alter_table("transport_need", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_transport_need_need_id"))

    op.drop_table("transport_need")
    with op.batch_alter_table("payroll_pledge", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_payroll_pledge_fund_id"))

    op.drop_table("payroll_pledge")
    with op.batch_alter_table("grant_award", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_grant_award_fund_id"))

    op.drop_table("grant_award")
    with op.batch_alter_table("transport", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_transport_programme_id"))
        batch_op.drop_index("ix_transport_planned_on_id")
        batch_op.drop_index("ix_transport_number_id")
        batch_op.drop_index(batch_op.f("ix_transport_convoy_id"))

    op.drop_table("transport")
    with op.batch_alter_table("fund", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fund_programme_id"))
        batch_op.drop_index("ix_fund_name_id")

    op.drop_table("fund")
    with op.batch_alter_table("programme", schema=None) as batch_op:
        batch_op.drop_index("ix_programme_name_id")
        batch_op.drop_index(batch_op.f("ix_programme_destination_id"))

    op.drop_table("programme")
