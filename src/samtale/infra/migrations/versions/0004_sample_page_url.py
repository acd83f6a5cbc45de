"""the improvement sample keeps which of the shop's pages answered a question

Revision ID: 0004_sample_page_url
Revises: 0002_insights
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_sample_page_url"
down_revision: str | None = "0002_insights"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("insight_samples", schema=None) as batch_op:
        batch_op.add_column(sa.Column("page_url", sa.String(length=2000), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("insight_samples", schema=None) as batch_op:
        batch_op.drop_column("page_url")
