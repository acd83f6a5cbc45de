"""shop catalogues: connected shops' synced catalogues (last sync, newest change seen)

Revision ID: 0004_shop_catalogues
Revises: 0002_shop
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import samtale.model.base

revision: str = "0004_shop_catalogues"
down_revision: str | None = "0002_shop"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC = samtale.model.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "shop_catalogues",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("platform", sa.String(length=32), nullable=False),
        sa.Column("products", sa.Integer(), nullable=False),
        sa.Column("last_updated_at", UTC, nullable=True),
        sa.Column("synced_at", UTC, nullable=False),
        sa.Column("full_synced_at", UTC, nullable=True),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name="fk_shop_catalogues_tenant_id_tenants",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", name="pk_shop_catalogues"),
    )


def downgrade() -> None:
    op.drop_table("shop_catalogues")
