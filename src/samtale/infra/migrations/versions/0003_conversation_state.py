"""conversation state as an enum with a check, and the bot state's version

Revision ID: 0003_conversation_state
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_conversation_state"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STATES = ("bot", "queued", "live", "closed")


def upgrade() -> None:
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("bot_state_version", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.alter_column(
            "state",
            existing_type=sa.String(length=16),
            type_=sa.Enum(
                *STATES,
                name="conversation_state",
                native_enum=False,
                length=16,
                create_constraint=True,
            ),
            existing_nullable=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.drop_constraint("ck_conversations_conversation_state", type_="check")
        batch_op.alter_column(
            "state",
            existing_type=sa.Enum(*STATES, name="conversation_state", native_enum=False),
            type_=sa.String(length=16),
            existing_nullable=False,
        )
        batch_op.drop_column("bot_state_version")
