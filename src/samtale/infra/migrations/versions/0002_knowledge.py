"""knowledge: sources, pages and passages a shop's bot answers from

Revision ID: 0002_knowledge
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import samtale.model.base

revision: str = "0002_knowledge"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = samtale.model.base.JSONType
UTC = samtale.model.base.UTCDateTime(timezone=True)


def _tenant_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["tenant_id"], ["tenants.id"], name=f"fk_{table}_tenant_id_tenants", ondelete="CASCADE"
    )


def upgrade() -> None:
    op.create_table(
        "knowledge_sources",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("location", sa.String(length=2000), nullable=False),
        sa.Column("max_pages", sa.Integer(), nullable=False),
        sa.Column("crawl_every_hours", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("error", sa.String(length=500), nullable=True),
        sa.Column("page_count", sa.Integer(), nullable=False),
        sa.Column("passage_count", sa.Integer(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("last_crawl_at", UTC, nullable=True),
        _tenant_fk("knowledge_sources"),
        sa.PrimaryKeyConstraint("id", name="pk_knowledge_sources"),
    )
    op.create_index("ix_knowledge_sources_tenant_id", "knowledge_sources", ["tenant_id"])
    op.create_table(
        "knowledge_pages",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("source_id", sa.Uuid(), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=True),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("http_status", sa.Integer(), nullable=True),
        sa.Column("error", sa.String(length=300), nullable=True),
        sa.Column("etag", sa.String(length=200), nullable=True),
        sa.Column("last_modified", sa.String(length=100), nullable=True),
        sa.Column("content_hash", sa.String(length=64), nullable=True),
        sa.Column("excluded", sa.Boolean(), nullable=False),
        sa.Column("fetched_at", UTC, nullable=False),
        sa.Column("indexed_at", UTC, nullable=True),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["knowledge_sources.id"],
            name="fk_knowledge_pages_source_id_knowledge_sources",
            ondelete="CASCADE",
        ),
        _tenant_fk("knowledge_pages"),
        sa.PrimaryKeyConstraint("id", name="pk_knowledge_pages"),
        sa.UniqueConstraint("source_id", "url", name="uq_knowledge_pages_source_id_url"),
    )
    op.create_index("ix_knowledge_pages_tenant_id", "knowledge_pages", ["tenant_id"])
    op.create_table(
        "knowledge_passages",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("page_id", sa.Uuid(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("headings", JSON, nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("vector", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(
            ["page_id"],
            ["knowledge_pages.id"],
            name="fk_knowledge_passages_page_id_knowledge_pages",
            ondelete="CASCADE",
        ),
        _tenant_fk("knowledge_passages"),
        sa.PrimaryKeyConstraint("id", name="pk_knowledge_passages"),
        sa.UniqueConstraint("page_id", "seq", name="uq_knowledge_passages_page_id_seq"),
    )
    op.create_index("ix_knowledge_passages_tenant_id", "knowledge_passages", ["tenant_id"])


def downgrade() -> None:
    op.drop_table("knowledge_passages")
    op.drop_table("knowledge_pages")
    op.drop_table("knowledge_sources")
