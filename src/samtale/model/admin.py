"""What the admin pages keep: one-time links for staff (invitations and password resets) and the
bot's publish jobs (training progress and each published version's evaluation)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from samtale.model.base import Base, JSONType


class AccountToken(Base):
    """A one-time link sent by e-mail: `invite` (set a first password) or `reset` (set a new
    one). Only the SHA-256 of the link's token is stored; it expires and is used once."""

    __tablename__ = "account_tokens"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    tenant_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("tenants.id", ondelete="CASCADE"), index=True, nullable=True
    )
    purpose: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None] = mapped_column(nullable=True)


class BotPublishJob(Base):
    """Publishing one content version: trained in the background, switched live only when
    training succeeded. Any instance reads the progress from here."""

    __tablename__ = "bot_publish_jobs"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    tenant_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("tenants.id", ondelete="CASCADE"), index=True
    )
    version_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("bot_content_versions.id", ondelete="CASCADE"), index=True
    )
    # queued, running, succeeded, failed
    status: Mapped[str] = mapped_column(String(16))
    # queued, embedding, training, evaluating, switching, done
    stage: Mapped[str] = mapped_column(String(16))
    done: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int] = mapped_column(Integer, default=0)
    # A short code when it failed (no_examples, training_failed, interrupted, ...).
    error: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # The version's cross-validated evaluation (accuracy and macro-F1 per language, F1 per
    # intent, confused pairs): numbers and intent names only.
    evaluation: Mapped[dict[str, Any] | None] = mapped_column(JSONType, nullable=True)
    # The evaluation's own queue, which outlives a restart: queued (the version is live, its
    # evaluation waits for an instance), running (an instance holds it until `evaluation_lease`
    # and renews that while it works), done, failed. None: the publish never got that far.
    evaluation_state: Mapped[str | None] = mapped_column(String(16), nullable=True)
    evaluation_lease: Mapped[datetime | None] = mapped_column(nullable=True)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    finished_at: Mapped[datetime | None] = mapped_column(nullable=True)
