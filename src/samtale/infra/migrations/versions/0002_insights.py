"""insights: statistics events and their daily and hourly rollups, the improvement sample

Revision ID: 0002_insights
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import samtale.model.base

revision: str = "0002_insights"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DT = samtale.model.base.UTCDateTime(timezone=True)


def _tenant_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["tenant_id"],
        ["tenants.id"],
        name=op.f(f"fk_{table}_tenant_id_tenants"),
        ondelete="CASCADE",
    )


def upgrade() -> None:
    op.create_table(
        "insight_events",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("hour", DT, nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=True),
        sa.Column("intent", sa.String(length=64), nullable=True),
        sa.Column("band", sa.String(length=8), nullable=True),
        sa.Column("outcome", sa.String(length=24), nullable=True),
        sa.Column("flow", sa.String(length=64), nullable=True),
        sa.Column("seconds", sa.Integer(), nullable=True),
        sa.Column("rating", sa.SmallInteger(), nullable=True),
        _tenant_fk("insight_events"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_insight_events")),
    )
    op.create_index("ix_insight_events_tenant_hour", "insight_events", ["tenant_id", "hour"])
    op.create_table(
        "insight_daily",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("intent", sa.String(length=64), nullable=False),
        sa.Column("band", sa.String(length=8), nullable=False),
        sa.Column("outcome", sa.String(length=24), nullable=False),
        sa.Column("flow", sa.String(length=64), nullable=False),
        sa.Column("seconds", sa.Integer(), nullable=False),
        sa.Column("rating", sa.SmallInteger(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        _tenant_fk("insight_daily"),
        sa.PrimaryKeyConstraint(
            "tenant_id",
            "kind",
            "day",
            "language",
            "intent",
            "band",
            "outcome",
            "flow",
            "seconds",
            "rating",
            name=op.f("pk_insight_daily"),
        ),
    )
    op.create_table(
        "insight_hourly",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("hour", sa.SmallInteger(), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("weekday", sa.SmallInteger(), nullable=False),
        sa.Column("conversations", sa.Integer(), nullable=False),
        sa.Column("messages", sa.Integer(), nullable=False),
        _tenant_fk("insight_hourly"),
        sa.PrimaryKeyConstraint(
            "tenant_id", "day", "hour", "language", name=op.f("pk_insight_hourly")
        ),
    )
    op.create_table(
        "insight_samples",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("conversation_id", sa.Uuid(), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("intent", sa.String(length=64), nullable=True),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("band", sa.String(length=8), nullable=False),
        sa.Column("outcome", sa.String(length=24), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("label", sa.String(length=64), nullable=True),
        sa.Column("created_at", DT, nullable=False),
        sa.Column("expires_at", DT, nullable=False),
        sa.Column("reviewed_at", DT, nullable=True),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_insight_samples_conversation_id_conversations"),
            ondelete="CASCADE",
        ),
        _tenant_fk("insight_samples"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_insight_samples")),
    )
    op.create_index("ix_insight_samples_conversation", "insight_samples", ["conversation_id"])
    op.create_index(
        "ix_insight_samples_inbox", "insight_samples", ["tenant_id", "status", "created_at"]
    )
    op.create_index("ix_insight_samples_expires", "insight_samples", ["expires_at"])


def downgrade() -> None:
    op.drop_index("ix_insight_samples_expires", table_name="insight_samples")
    op.drop_index("ix_insight_samples_inbox", table_name="insight_samples")
    op.drop_index("ix_insight_samples_conversation", table_name="insight_samples")
    op.drop_table("insight_samples")
    op.drop_table("insight_hourly")
    op.drop_table("insight_daily")
    op.drop_index("ix_insight_events_tenant_hour", table_name="insight_events")
    op.drop_table("insight_events")
