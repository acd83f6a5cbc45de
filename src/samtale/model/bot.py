"""The bot's content, versioned per tenant. The newest published version is the live bot."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from samtale.model.base import Base, JSONType


class BotContentVersion(Base):
    __tablename__ = "bot_content_versions"
    __table_args__ = (UniqueConstraint("tenant_id", "version"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    tenant_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("tenants.id", ondelete="CASCADE"), index=True
    )
    version: Mapped[int] = mapped_column(Integer)
    # The content as JSON (the same model as the YAML files); its SHA-256 names the trained model.
    content: Mapped[dict[str, Any]] = mapped_column(JSONType)
    sha256: Mapped[str] = mapped_column(String(64))
    # builtin (shipped with Samtale), import (a YAML file), admin (edited in the admin pages), review
    source: Mapped[str] = mapped_column(String(16))
    # draft, published, archived
    status: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime]
    published_at: Mapped[datetime | None] = mapped_column(nullable=True)
