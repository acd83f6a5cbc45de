"""shop: the built-in demo shop's products, orders and shipments

Revision ID: 0002_shop
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import samtale.model.base

revision: str = "0002_shop"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
UTC = samtale.model.base.UTCDateTime(timezone=True)


def _tenant_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["tenant_id"], ["tenants.id"], name=f"fk_{table}_tenant_id_tenants", ondelete="CASCADE"
    )


def upgrade() -> None:
    op.create_table(
        "shop_products",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("sku", sa.String(length=64), nullable=False),
        sa.Column("data", JSON, nullable=False),
        _tenant_fk("shop_products"),
        sa.PrimaryKeyConstraint("id", name="pk_shop_products"),
        sa.UniqueConstraint("tenant_id", "sku", name="uq_shop_products_tenant_id_sku"),
    )
    op.create_index("ix_shop_products_tenant_id", "shop_products", ["tenant_id"])
    op.create_table(
        "shop_orders",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("order_number", sa.String(length=64), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("placed_at", UTC, nullable=False),
        sa.Column("data", JSON, nullable=False),
        _tenant_fk("shop_orders"),
        sa.PrimaryKeyConstraint("id", name="pk_shop_orders"),
        sa.UniqueConstraint(
            "tenant_id", "order_number", name="uq_shop_orders_tenant_id_order_number"
        ),
    )
    op.create_index("ix_shop_orders_tenant_id", "shop_orders", ["tenant_id"])
    op.create_table(
        "shop_shipments",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("order_id", sa.Uuid(), nullable=False),
        sa.Column("tracking_number", sa.String(length=64), nullable=False),
        sa.Column("data", JSON, nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["shop_orders.id"],
            name="fk_shop_shipments_order_id_shop_orders",
            ondelete="CASCADE",
        ),
        _tenant_fk("shop_shipments"),
        sa.PrimaryKeyConstraint("id", name="pk_shop_shipments"),
        sa.UniqueConstraint(
            "tenant_id", "tracking_number", name="uq_shop_shipments_tenant_id_tracking_number"
        ),
    )
    op.create_index("ix_shop_shipments_tenant_id", "shop_shipments", ["tenant_id"])
    op.create_index("ix_shop_shipments_order_id", "shop_shipments", ["order_id"])
    op.create_table(
        "shop_demo_seeds",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("seed", sa.Integer(), nullable=False),
        sa.Column("version", sa.String(length=32), nullable=False),
        sa.Column("products", sa.Integer(), nullable=False),
        sa.Column("orders", sa.Integer(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        _tenant_fk("shop_demo_seeds"),
        sa.PrimaryKeyConstraint("tenant_id", name="pk_shop_demo_seeds"),
    )


def downgrade() -> None:
    op.drop_table("shop_demo_seeds")
    op.drop_index("ix_shop_shipments_order_id", table_name="shop_shipments")
    op.drop_index("ix_shop_shipments_tenant_id", table_name="shop_shipments")
    op.drop_table("shop_shipments")
    op.drop_index("ix_shop_orders_tenant_id", table_name="shop_orders")
    op.drop_table("shop_orders")
    op.drop_index("ix_shop_products_tenant_id", table_name="shop_products")
    op.drop_table("shop_products")
