"""bot content versions

Revision ID: 0002_bot
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import samtale.model.base

revision: str = "0002_bot"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "bot_content_versions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("content", JSON, nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", samtale.model.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("published_at", samtale.model.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_bot_content_versions_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bot_content_versions")),
        sa.UniqueConstraint(
            "tenant_id", "version", name=op.f("uq_bot_content_versions_tenant_id_version")
        ),
    )
    with op.batch_alter_table("bot_content_versions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_bot_content_versions_tenant_id"), ["tenant_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("bot_content_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_bot_content_versions_tenant_id"))
    op.drop_table("bot_content_versions")
