"""Insights: statistics events and their rollups (no personal data, no link to a conversation),
and the improvement sample (redacted customer questions for the review inbox).

* `insight_events` — one row per thing that happened: a bot turn, a conversation's first
  message, a flow started or ended, a handoff queued, claimed, answered, closed or rated. A row
  holds the hour (UTC), a kind and coded dimensions (language, intent, confidence band, outcome,
  flow), and a duration or a rating: never text, never a conversation or visitor id. Kept for
  the tenant's statistics period (25 months by default), whatever happens to conversations.
* `insight_daily` and `insight_hourly` — the same events counted per day (in the shop's time
  zone) and per local hour, kept up to date in the transaction that writes the event, so the
  dashboard reads a few thousand rows for a year instead of millions of events.
* `insight_samples` — the improvement sample: a share of customer questions, **redacted**, with
  the bot's prediction, for the review inbox. Linked to its conversation only so that deleting
  the conversation deletes the item (ON DELETE CASCADE); expires after the sample period.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from samtale.model.base import Base

# SQLite numbers rows itself only for an INTEGER PRIMARY KEY.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class InsightEvent(Base):
    __tablename__ = "insight_events"
    __table_args__ = (
        # Reading a tenant's events by time (rebuilding rollups), and the expiry purge.
        Index("ix_insight_events_tenant_hour", "tenant_id", "hour"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    # The start of the hour (UTC) the event happened in: nothing finer is kept.
    hour: Mapped[datetime]
    # conversation, turn, flow, queued, left, claimed, first_reply, closed, rating, offline
    kind: Mapped[str] = mapped_column(String(16))
    language: Mapped[str | None] = mapped_column(String(8), nullable=True)
    intent: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # high, medium, low: the bot's confidence in the intent
    band: Mapped[str | None] = mapped_column(String(8), nullable=True)
    # The bot's outcome of a turn, a flow's end, or an agent's close code.
    outcome: Mapped[str | None] = mapped_column(String(24), nullable=True)
    flow: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # A duration: the queue wait, the first answer by a person, a chat's length.
    seconds: Mapped[int | None] = mapped_column(Integer, nullable=True)
    rating: Mapped[int | None] = mapped_column(SmallInteger, nullable=True)


class InsightDaily(Base):
    """Events counted per tenant, local day and every dimension ('' or -1 / 0 when absent)."""

    __tablename__ = "insight_daily"

    tenant_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    language: Mapped[str] = mapped_column(String(8), primary_key=True)
    intent: Mapped[str] = mapped_column(String(64), primary_key=True)
    band: Mapped[str] = mapped_column(String(8), primary_key=True)
    outcome: Mapped[str] = mapped_column(String(24), primary_key=True)
    flow: Mapped[str] = mapped_column(String(64), primary_key=True)
    # Durations in buckets (exact to 2 minutes, then coarser): -1 when the event has none.
    seconds: Mapped[int] = mapped_column(Integer, primary_key=True)
    # 1–5, or 0 when the event has none.
    rating: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    count: Mapped[int] = mapped_column(Integer)


class InsightHourly(Base):
    """Conversations and customer messages per local day, hour and language (busiest hours)."""

    __tablename__ = "insight_hourly"

    tenant_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    hour: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    language: Mapped[str] = mapped_column(String(8), primary_key=True)
    # 0 = Monday … 6 = Sunday (kept so every database groups by it the same way).
    weekday: Mapped[int] = mapped_column(SmallInteger)
    conversations: Mapped[int] = mapped_column(Integer)
    messages: Mapped[int] = mapped_column(Integer)


class SampleItem(Base):
    """One customer question in the review inbox, redacted before it was stored."""

    __tablename__ = "insight_samples"
    __table_args__ = (
        # The cascade from a deleted conversation.
        Index("ix_insight_samples_conversation", "conversation_id"),
        # The inbox: a tenant's items by status, newest first.
        Index("ix_insight_samples_inbox", "tenant_id", "status", "created_at"),
        # The expiry purge.
        Index("ix_insight_samples_expires", "expires_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    # Only for the cascade: the inbox never shows or follows it.
    conversation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE")
    )
    language: Mapped[str] = mapped_column(String(8))
    # The customer's question after redaction (`[EMAIL]`, `[NAME]`, `[NUMBER]` …).
    text: Mapped[str] = mapped_column(Text)
    # What the bot made of it.
    intent: Mapped[str | None] = mapped_column(String(64), nullable=True)
    confidence: Mapped[float] = mapped_column(Float)
    band: Mapped[str] = mapped_column(String(8))
    outcome: Mapped[str | None] = mapped_column(String(24), nullable=True)
    # The shop's page an answer from knowledge quoted (a public address, not the customer's).
    page_url: Mapped[str | None] = mapped_column(String(2000), nullable=True)
    # new, confirmed, discarded
    status: Mapped[str] = mapped_column(String(16))
    # The intent a reviewer confirmed or chose (a training example of it now).
    label: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    reviewed_at: Mapped[datetime | None] = mapped_column(nullable=True)
