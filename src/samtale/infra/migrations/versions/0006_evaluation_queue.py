"""bot_publish_jobs: the evaluation's queue (state and lease), resumed after a restart

Revision ID: 0006_evaluation_queue
Revises: 0002_admin
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import samtale.model.base

revision: str = "0006_evaluation_queue"
down_revision: str | None = "0002_admin"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC = samtale.model.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("bot_publish_jobs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("evaluation_state", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("evaluation_lease", UTC, nullable=True))
    # Versions already live whose evaluation an earlier stop left unfinished: queue them.
    op.execute(
        "UPDATE bot_publish_jobs SET evaluation_state = 'queued' "
        "WHERE status = 'running' AND stage = 'evaluating'"
    )


def downgrade() -> None:
    with op.batch_alter_table("bot_publish_jobs", schema=None) as batch_op:
        batch_op.drop_column("evaluation_lease")
        batch_op.drop_column("evaluation_state")
