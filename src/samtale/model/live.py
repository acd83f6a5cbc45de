"""Talking to a person: handoffs (the queue and the live chats), agents' presence, and the
messages customers leave when nobody is available.

The pre-chat answers (`handoffs.answers`), a rating's comment (`handoffs.rating_comment`) and offline messages (`offline_messages.email`,
`.name`, `.text`) are what the customer wrote for their case; they are kept in these columns
only — never copied into statistics, logs or the improvement sample — and go with their
conversation (ON DELETE CASCADE).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from samtale.model.base import Base, JSONType

HandoffStatus = Literal["queued", "live", "closed", "left"]
HANDOFF_STATUSES: tuple[HandoffStatus, ...] = ("queued", "live", "closed", "left")
PresenceStatus = Literal["online", "away", "offline"]
PRESENCE_STATUSES: tuple[PresenceStatus, ...] = ("online", "away", "offline")


class Handoff(Base):
    """One request to talk to a person: from the pre-chat form through the queue and the live
    chat to its close (or the customer leaving the queue). A conversation may have several."""

    __tablename__ = "handoffs"
    __table_args__ = (
        # The cascade from a deleted conversation, and "the current handoff of a conversation".
        Index("ix_handoffs_conversation", "conversation_id", "queued_at"),
        # The queue: a tenant's queued handoffs, requeued ones first, then oldest first.
        Index("ix_handoffs_queue", "tenant_id", "status", "priority", "queued_at"),
        # An agent's live chats (capacity, requeue when their connection is gone).
        Index("ix_handoffs_agent", "agent_id", "status"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    conversation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE")
    )
    # queued | live | closed | left
    status: Mapped[str] = mapped_column(String(16))
    language: Mapped[str] = mapped_column(String(8))
    # The pre-chat answers, field name → what the customer wrote (for this case only).
    answers: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    # 1 for a chat put back at the front of the queue (its agent's connection was lost).
    priority: Mapped[int] = mapped_column(Integer, default=0)
    queued_at: Mapped[datetime]
    agent_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    claimed_at: Mapped[datetime | None] = mapped_column(nullable=True)
    # Seconds from entering the queue to the first claim: the basis of the estimated wait.
    wait_seconds: Mapped[int | None] = mapped_column(Integer, nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(nullable=True)
    # A code: resolved, follow_up, not_resolved, no_response, idle, spam.
    outcome: Mapped[str | None] = mapped_column(String(24), nullable=True)
    rating: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # What the customer wrote with their rating: kept with it (shown with the rating in the
    # console), never as a chat message, and deleted with the conversation like the answers.
    rating_comment: Mapped[str | None] = mapped_column(Text, nullable=True)
    rated_at: Mapped[datetime | None] = mapped_column(nullable=True)
    # The idle close looks at the later of these two.
    last_visitor_at: Mapped[datetime]
    last_agent_at: Mapped[datetime | None] = mapped_column(nullable=True)
    requeues: Mapped[int] = mapped_column(Integer, default=0)
    # The customer's last sign of presence while queued (an open websocket, a poll): one gone
    # longer than the shop's grace period leaves the queue.
    visitor_seen_at: Mapped[datetime | None] = mapped_column(nullable=True)


class AgentPresence(Base):
    """An agent's chosen status and the last sign of life of their console (heartbeat)."""

    __tablename__ = "agent_presence"

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    tenant_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("tenants.id", ondelete="CASCADE"), index=True
    )
    # online | away | offline, as the agent chose it.
    status: Mapped[str] = mapped_column(String(16), default="offline")
    last_seen_at: Mapped[datetime]
    changed_at: Mapped[datetime]


class OfflineMessage(Base):
    """A message left when nobody was available, answered by e-mail from the console. It has a
    conversation of its own (so it is found, kept and deleted like agent conversations)."""

    __tablename__ = "offline_messages"
    __table_args__ = (Index("ix_offline_messages_tenant", "tenant_id", "status", "created_at"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    conversation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), unique=True
    )
    language: Mapped[str] = mapped_column(String(8))
    email: Mapped[str] = mapped_column(String(254))
    name: Mapped[str | None] = mapped_column(String(100), nullable=True)
    text: Mapped[str] = mapped_column(Text)
    # open | answered
    status: Mapped[str] = mapped_column(String(16), default="open")
    created_at: Mapped[datetime]
    answered_at: Mapped[datetime | None] = mapped_column(nullable=True)
    answered_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )


class ConversationNote(Base):
    """An internal note an agent wrote on a conversation, for the shop's staff only.

    Notes are never messages: the visitor never receives them, they are not in the visitor's
    transcript or export, and no hook (statistics, the improvement sample) ever reads them. They
    go with their conversation (ON DELETE CASCADE), by the same purge as everything else."""

    __tablename__ = "conversation_notes"
    __table_args__ = (
        # The cascade from a deleted conversation, and a conversation's notes in order.
        Index("ix_conversation_notes_conversation", "conversation_id", "created_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    tenant_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("tenants.id", ondelete="CASCADE"), index=True
    )
    conversation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE")
    )
    author_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
