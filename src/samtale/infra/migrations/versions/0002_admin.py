"""admin: one-time links for staff, bot publish jobs

Revision ID: 0002_admin
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import samtale.model.base

revision: str = "0002_admin"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
# Publish jobs refer to content versions.
depends_on: str | Sequence[str] | None = "0002_bot"

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
DT = samtale.model.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "account_tokens",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=True),
        sa.Column("purpose", sa.String(length=16), nullable=False),
        sa.Column("created_at", DT, nullable=False),
        sa.Column("expires_at", DT, nullable=False),
        sa.Column("used_at", DT, nullable=True),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_account_tokens_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_account_tokens_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_account_tokens_token_hash")),
    )
    with op.batch_alter_table("account_tokens", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_account_tokens_tenant_id"), ["tenant_id"])
        batch_op.create_index(batch_op.f("ix_account_tokens_user_id"), ["user_id"])

    op.create_table(
        "bot_publish_jobs",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("version_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("stage", sa.String(length=16), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("error", sa.String(length=64), nullable=True),
        sa.Column("evaluation", JSON, nullable=True),
        sa.Column("created_at", DT, nullable=False),
        sa.Column("updated_at", DT, nullable=False),
        sa.Column("finished_at", DT, nullable=True),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_bot_publish_jobs_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["bot_content_versions.id"],
            name=op.f("fk_bot_publish_jobs_version_id_bot_content_versions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bot_publish_jobs")),
    )
    with op.batch_alter_table("bot_publish_jobs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_bot_publish_jobs_tenant_id"), ["tenant_id"])
        batch_op.create_index(batch_op.f("ix_bot_publish_jobs_version_id"), ["version_id"])


def downgrade() -> None:
    with op.batch_alter_table("bot_publish_jobs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_bot_publish_jobs_version_id"))
        batch_op.drop_index(batch_op.f("ix_bot_publish_jobs_tenant_id"))
    op.drop_table("bot_publish_jobs")
    with op.batch_alter_table("account_tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_account_tokens_user_id"))
        batch_op.drop_index(batch_op.f("ix_account_tokens_tenant_id"))
    op.drop_table("account_tokens")
