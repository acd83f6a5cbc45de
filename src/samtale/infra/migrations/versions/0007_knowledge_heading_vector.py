"""knowledge passages: the vector of the passage's heading path beside the vector of its text

Revision ID: 0007_knowledge_heading_vector
Revises: 0002_knowledge
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_knowledge_heading_vector"
down_revision: str | None = "0002_knowledge"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("knowledge_passages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("heading_vector", sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("knowledge_passages", schema=None) as batch_op:
        batch_op.drop_column("heading_vector")
