"""the collection point: halls, storage places, sorted stock with its movements, reservations
for needs, pallets; recipients of any kind; needs for sorted goods; volunteer accounts

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-06 21:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

from app.core.types import UTCDateTime

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "collection_point",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("street", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("postal_code", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True),
        sa.Column("city", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("country", sqlmodel.sql.sqltypes.AutoString(length=2), nullable=False),
        sa.Column("opening_hours", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
        sa.Column("time_zone", sqlmodel.sql.sqltypes.AutoString(length=50), nullable=False),
        sa.Column("pallet_prefix", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_collection_point")),
    )
    with op.batch_alter_table("collection_point", schema=None) as batch_op:
        batch_op.create_index("ix_collection_point_name_id", ["name", "id"], unique=False)

    op.create_table(
        "storage_place",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("collection_point_id", sa.Integer(), nullable=False),
        sa.Column("zone", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("row", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("shelf", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.ForeignKeyConstraint(
            ["collection_point_id"],
            ["collection_point.id"],
            name=op.f("fk_storage_place_collection_point_id_collection_point"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_storage_place")),
        sa.UniqueConstraint(
            "collection_point_id",
            "zone",
            "row",
            "shelf",
            name=op.f("uq_storage_place_collection_point_id"),
        ),
    )
    with op.batch_alter_table("storage_place", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_storage_place_collection_point_id"),
            ["collection_point_id"],
            unique=False,
        )

    op.create_table(
        "stock_line",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("collection_point_id", sa.Integer(), nullable=False),
        sa.Column("place_id", sa.Integer(), nullable=False),
        sa.Column(
            "category",
            sa.Enum(
                "clothing",
                "shoes",
                "hygiene",
                "baby_care",
                "food",
                "medical",
                "bedding",
                "tools",
                name="stockcategory",
                native_enum=False,
                length=30,
            ),
            nullable=False,
        ),
        sa.Column("subcategory", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column(
            "gender",
            sa.Enum(
                "women",
                "men",
                "girls",
                "boys",
                "unisex",
                name="gender",
                native_enum=False,
                length=30,
            ),
            nullable=True,
        ),
        sa.Column("size", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
        sa.Column(
            "season",
            sa.Enum("winter", "summer", "all_year", name="season", native_enum=False, length=30),
            nullable=True,
        ),
        sa.Column("description", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column(
            "unit",
            sa.Enum(
                "pcs",
                "pairs",
                "packs",
                "boxes",
                "kg",
                name="stockunit",
                native_enum=False,
                length=30,
            ),
            nullable=False,
        ),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("reserved", sa.Integer(), nullable=False),
        sa.Column(
            "condition",
            sa.Enum("new", "good", "worn", name="stockcondition", native_enum=False, length=30),
            nullable=False,
        ),
        sa.Column(
            "priority",
            sa.Enum(
                "urgent", "not_urgent", "not_usable", name="priority", native_enum=False, length=30
            ),
            nullable=False,
        ),
        sa.Column("best_before_on", sa.Date(), nullable=True),
        sa.Column("batch", sqlmodel.sql.sqltypes.AutoString(length=50), nullable=True),
        sa.Column("expires_on", sa.Date(), nullable=True),
        sa.Column("donor_id", sa.Integer(), nullable=True),
        sa.Column("recorded_by_user_id", sa.Integer(), nullable=True),
        sa.Column("client_key", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.CheckConstraint("quantity >= 0", name=op.f("ck_stock_line_quantity_not_negative")),
        sa.CheckConstraint(
            "reserved >= 0 AND reserved <= quantity",
            name=op.f("ck_stock_line_reserved_within_quantity"),
        ),
        sa.ForeignKeyConstraint(
            ["collection_point_id"],
            ["collection_point.id"],
            name=op.f("fk_stock_line_collection_point_id_collection_point"),
        ),
        sa.ForeignKeyConstraint(
            ["donor_id"], ["donor.id"], name=op.f("fk_stock_line_donor_id_donor")
        ),
        sa.ForeignKeyConstraint(
            ["place_id"], ["storage_place.id"], name=op.f("fk_stock_line_place_id_storage_place")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stock_line")),
        sa.UniqueConstraint(
            "recorded_by_user_id", "client_key", name=op.f("uq_stock_line_recorded_by_user_id")
        ),
    )
    with op.batch_alter_table("stock_line", schema=None) as batch_op:
        batch_op.create_index(
            "ix_stock_line_collection_point_id_id", ["collection_point_id", "id"], unique=False
        )
        batch_op.create_index("ix_stock_line_created_at_id", ["created_at", "id"], unique=False)
        batch_op.create_index(batch_op.f("ix_stock_line_donor_id"), ["donor_id"], unique=False)
        batch_op.create_index("ix_stock_line_place_id_id", ["place_id", "id"], unique=False)

    op.create_table(
        "reservation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("stock_line_id", sa.Integer(), nullable=False),
        sa.Column("need_id", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("packed", sa.Integer(), nullable=False),
        sa.Column("released", sa.Boolean(), nullable=False),
        sa.CheckConstraint(
            "packed <= quantity", name=op.f("ck_reservation_packed_within_quantity")
        ),
        sa.CheckConstraint("quantity >= 0", name=op.f("ck_reservation_quantity_not_negative")),
        sa.ForeignKeyConstraint(["need_id"], ["need.id"], name=op.f("fk_reservation_need_id_need")),
        sa.ForeignKeyConstraint(
            ["stock_line_id"],
            ["stock_line.id"],
            name=op.f("fk_reservation_stock_line_id_stock_line"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reservation")),
    )
    with op.batch_alter_table("reservation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reservation_need_id"), ["need_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_reservation_stock_line_id"), ["stock_line_id"], unique=False
        )

    op.create_table(
        "pallet",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("collection_point_id", sa.Integer(), nullable=False),
        sa.Column("number", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("pallet", "box", name="palletkind", native_enum=False, length=30),
            nullable=False,
        ),
        sa.Column("need_id", sa.Integer(), nullable=True),
        sa.Column("weight_kg", sa.Integer(), nullable=False),
        sa.Column("volume_dm3", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "open", "loaded", "handed_over", name="palletstatus", native_enum=False, length=30
            ),
            nullable=False,
        ),
        sa.Column("convoy_id", sa.Integer(), nullable=True),
        sa.Column("vehicle_id", sa.Integer(), nullable=True),
        sa.Column("cargo_line_id", sa.Integer(), nullable=True),
        sa.Column("carrier_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("truck_plate", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
        sa.Column("received_by", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("handed_over_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["cargo_line_id"], ["cargo_line.id"], name=op.f("fk_pallet_cargo_line_id_cargo_line")
        ),
        sa.ForeignKeyConstraint(
            ["collection_point_id"],
            ["collection_point.id"],
            name=op.f("fk_pallet_collection_point_id_collection_point"),
        ),
        sa.ForeignKeyConstraint(
            ["convoy_id"], ["convoy.id"], name=op.f("fk_pallet_convoy_id_convoy")
        ),
        sa.ForeignKeyConstraint(["need_id"], ["need.id"], name=op.f("fk_pallet_need_id_need")),
        sa.ForeignKeyConstraint(
            ["vehicle_id"], ["item.id"], name=op.f("fk_pallet_vehicle_id_item")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pallet")),
        sa.UniqueConstraint("number", name=op.f("uq_pallet_number")),
    )
    with op.batch_alter_table("pallet", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_pallet_collection_point_id"), ["collection_point_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_pallet_convoy_id"), ["convoy_id"], unique=False)
        batch_op.create_index("ix_pallet_created_at_id", ["created_at", "id"], unique=False)
        batch_op.create_index(batch_op.f("ix_pallet_need_id"), ["need_id"], unique=False)

    op.create_table(
        "pallet_line",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("pallet_id", sa.Integer(), nullable=False),
        sa.Column("reservation_id", sa.Integer(), nullable=False),
        sa.Column("stock_line_id", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["pallet_id"], ["pallet.id"], name=op.f("fk_pallet_line_pallet_id_pallet")
        ),
        sa.ForeignKeyConstraint(
            ["reservation_id"],
            ["reservation.id"],
            name=op.f("fk_pallet_line_reservation_id_reservation"),
        ),
        sa.ForeignKeyConstraint(
            ["stock_line_id"],
            ["stock_line.id"],
            name=op.f("fk_pallet_line_stock_line_id_stock_line"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pallet_line")),
    )
    with op.batch_alter_table("pallet_line", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pallet_line_pallet_id"), ["pallet_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_pallet_line_reservation_id"), ["reservation_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_pallet_line_stock_line_id"), ["stock_line_id"], unique=False
        )

    op.create_table(
        "stock_movement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("stock_line_id", sa.Integer(), nullable=False),
        sa.Column("collection_point_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "intake",
                "move",
                "reserve",
                "release",
                "pack",
                "dispatch",
                "write_off",
                "stocktake",
                name="movementkind",
                native_enum=False,
                length=30,
            ),
            nullable=False,
        ),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("from_place_id", sa.Integer(), nullable=True),
        sa.Column("to_place_id", sa.Integer(), nullable=True),
        sa.Column("need_id", sa.Integer(), nullable=True),
        sa.Column("pallet_id", sa.Integer(), nullable=True),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.Column("counted", sa.Integer(), nullable=True),
        sa.Column("difference", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("user_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("recorded_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["collection_point_id"],
            ["collection_point.id"],
            name=op.f("fk_stock_movement_collection_point_id_collection_point"),
        ),
        sa.ForeignKeyConstraint(
            ["from_place_id"],
            ["storage_place.id"],
            name=op.f("fk_stock_movement_from_place_id_storage_place"),
        ),
        sa.ForeignKeyConstraint(
            ["need_id"], ["need.id"], name=op.f("fk_stock_movement_need_id_need")
        ),
        sa.ForeignKeyConstraint(
            ["pallet_id"], ["pallet.id"], name=op.f("fk_stock_movement_pallet_id_pallet")
        ),
        sa.ForeignKeyConstraint(
            ["stock_line_id"],
            ["stock_line.id"],
            name=op.f("fk_stock_movement_stock_line_id_stock_line"),
        ),
        sa.ForeignKeyConstraint(
            ["to_place_id"],
            ["storage_place.id"],
            name=op.f("fk_stock_movement_to_place_id_storage_place"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stock_movement")),
    )
    with op.batch_alter_table("stock_movement", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_stock_movement_collection_point_id"),
            ["collection_point_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_stock_movement_stock_line_id"), ["stock_line_id"], unique=False
        )

    with op.batch_alter_table("app_user", schema=None) as batch_op:
        batch_op.add_column(sa.Column("collection_point_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_app_user_collection_point_id_collection_point"),
            "collection_point",
            ["collection_point_id"],
            ["id"],
        )

    with op.batch_alter_table("destination", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "kind",
                sa.Enum(
                    "utility",
                    "clinic",
                    "hospital",
                    "rehabilitation_centre",
                    "other",
                    name="recipientkind",
                    native_enum=False,
                    length=30,
                ),
                nullable=False,
                server_default="utility",
            )
        )

    with op.batch_alter_table("need", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "goods_category",
                sa.Enum(
                    "clothing",
                    "shoes",
                    "hygiene",
                    "baby_care",
                    "food",
                    "medical",
                    "bedding",
                    "tools",
                    name="stockcategory",
                    native_enum=False,
                    length=30,
                ),
                nullable=True,
            )
        )
        batch_op.add_column(
            sa.Column(
                "goods_subcategory", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True
            )
        )
        batch_op.add_column(
            sa.Column(
                "gender",
                sa.Enum(
                    "women",
                    "men",
                    "girls",
                    "boys",
                    "unisex",
                    name="gender",
                    native_enum=False,
                    length=30,
                ),
                nullable=True,
            )
        )
        batch_op.add_column(
            sa.Column("size", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True)
        )
        batch_op.add_column(
            sa.Column(
                "season",
                sa.Enum(
                    "winter", "summer", "all_year", name="season", native_enum=False, length=30
                ),
                nullable=True,
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("need", schema=None) as batch_op:
        batch_op.drop_column("season")
        batch_op.drop_column("size")
        batch_op.drop_column("gender")
        batch_op.drop_column("goods_subcategory")
        batch_op.drop_column("goods_category")

    with op.batch_alter_table("destination", schema=None) as batch_op:
        batch_op.drop_column("kind")

    with op.batch_alter_table("app_user", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_app_user_collection_point_id_collection_point"), type_="foreignkey"
        )
        batch_op.drop_column("collection_point_id")

    with op.batch_alter_table("stock_movement", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_stock_movement_stock_line_id"))
        batch_op.drop_index(batch_op.f("ix_stock_movement_collection_point_id"))

    op.drop_table("stock_movement")
    with op.batch_alter_table("pallet_line", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pallet_line_stock_line_id"))
        batch_op.drop_index(batch_op.f("ix_pallet_line_reservation_id"))
        batch_op.drop_index(batch_op.f("ix_pallet_line_pallet_id"))

    op.drop_table("pallet_line")
    with op.batch_alter_table("pallet", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pallet_need_id"))
        batch_op.drop_index("ix_pallet_created_at_id")
        batch_op.drop_index(batch_op.f("ix_pallet_convoy_id"))
        batch_op.drop_index(batch_op.f("ix_pallet_collection_point_id"))

    op.drop_table("pallet")
    with op.batch_alter_table("reservation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reservation_stock_line_id"))
        batch_op.drop_index(batch_op.f("ix_reservation_need_id"))

    op.drop_table("reservation")
    with op.batch_alter_table("stock_line", schema=None) as batch_op:
        batch_op.drop_index("ix_stock_line_place_id_id")
        batch_op.drop_index(batch_op.f("ix_stock_line_donor_id"))
        batch_op.drop_index("ix_stock_line_created_at_id")
        batch_op.drop_index("ix_stock_line_collection_point_id_id")

    op.drop_table("stock_line")
    with op.batch_alter_table("storage_place", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_storage_place_collection_point_id"))

    op.drop_table("storage_place")
    with op.batch_alter_table("collection_point", schema=None) as batch_op:
        batch_op.drop_index("ix_collection_point_name_id")

    op.drop_table("collection_point")
