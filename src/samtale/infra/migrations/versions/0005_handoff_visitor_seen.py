"""handoffs: the queued customer's last sign of presence (websocket or poll)

Revision ID: 0005_handoff_visitor_seen
Revises: 0002_live
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import samtale.model.base

revision: str = "0005_handoff_visitor_seen"
down_revision: str | None = "0002_live"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC = samtale.model.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("handoffs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("visitor_seen_at", UTC, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("handoffs", schema=None) as batch_op:
        batch_op.drop_column("visitor_seen_at")
