"""Conversations and their messages: the one place where raw customer text lives."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any, Literal

from sqlalchemy import Boolean, Enum, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from samtale.model.base import Base, JSONType


class State(StrEnum):
    """Where a conversation stands; `conversations/state.py` holds the transitions."""

    BOT = "bot"  # the bot answers
    QUEUED = "queued"  # waiting for a person
    LIVE = "live"  # a person is chatting
    CLOSED = "closed"  # the person closed the chat (the bot answers a new message)


STATES: tuple[State, ...] = tuple(State)
Author = Literal["visitor", "bot", "agent", "system"]
AUTHORS: tuple[Author, ...] = ("visitor", "bot", "agent", "system")


class Conversation(Base):
    __tablename__ = "conversations"
    __table_args__ = (
        # The retention purge walks conversations by tenant and last activity.
        Index(
            "ix_conversations_tenant_activity", "tenant_id", "person_involved", "last_activity_at"
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    # SHA-256 of the visitor's secret token; the token itself is never stored.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    language: Mapped[str] = mapped_column(String(8))
    state: Mapped[State] = mapped_column(
        Enum(
            State,
            name="conversation_state",
            native_enum=False,
            length=16,
            values_callable=lambda states: [s.value for s in states],
            create_constraint=True,
            validate_strings=True,
        ),
        default=State.BOT,
    )
    person_involved: Mapped[bool] = mapped_column(Boolean, default=False)
    # The path of the page the conversation started on (no query string: it may carry data).
    page_path: Mapped[str | None] = mapped_column(String(500), nullable=True)
    # The highest message cursor handed out; messages are numbered 1, 2, 3 … per conversation.
    last_seq: Mapped[int] = mapped_column(Integer, default=0)
    # The bot's dialogue state (current flow, filled slots, fallback count).
    bot_state: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    # Written with every change of `bot_state`: a turn stores its new state only when the
    # version is still the one it read (two instances never lose each other's update).
    bot_state_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime]
    last_activity_at: Mapped[datetime]


class Message(Base):
    __tablename__ = "messages"
    __table_args__ = (
        UniqueConstraint("conversation_id", "seq"),
        UniqueConstraint("conversation_id", "client_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    tenant_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("tenants.id", ondelete="CASCADE"), index=True
    )
    conversation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE")
    )
    seq: Mapped[int] = mapped_column(Integer)
    author: Mapped[str] = mapped_column(String(16))
    agent_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    text: Mapped[str] = mapped_column(Text)
    payload: Mapped[dict[str, Any] | None] = mapped_column(JSONType, nullable=True)
    # The visitor's idempotency key: a retried POST returns the first result.
    client_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # For bot and system replies: the visitor message they answer.
    reply_to: Mapped[uuid.UUID | None] = mapped_column(nullable=True)
    created_at: Mapped[datetime]
