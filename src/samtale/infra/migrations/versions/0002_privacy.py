"""privacy: the identifier index

Revision ID: 0002_privacy
Revises: 0001
Create Date: 2026-12-01 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import samtale.model.base

revision: str = "0002_privacy"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "conversation_identifiers",
        sa.Column("conversation_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("value_hash", sa.String(length=64), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", samtale.model.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_conversation_identifiers_conversation_id_conversations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_conversation_identifiers_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "conversation_id", "kind", "value_hash", name=op.f("pk_conversation_identifiers")
        ),
    )
    with op.batch_alter_table("conversation_identifiers", schema=None) as batch_op:
        batch_op.create_index(
            "ix_conversation_identifiers_lookup",
            ["tenant_id", "kind", "value_hash"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("conversation_identifiers", schema=None) as batch_op:
        batch_op.drop_index("ix_conversation_identifiers_lookup")
    op.drop_table("conversation_identifiers")
