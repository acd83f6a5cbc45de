"""A tenant is one shop. Every other row of shop data carries its `tenant_id`."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from samtale.model.base import Base, JSONType

DEFAULT_BOT_RETENTION_DAYS = 90
# None: conversations in which a person took part are kept until deletion is requested.
DEFAULT_AGENT_RETENTION_DAYS: int | None = None


class Tenant(Base):
    __tablename__ = "tenants"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(63), unique=True)
    widget_key: Mapped[str] = mapped_column(String(64), unique=True)
    allowed_origins: Mapped[list[str]] = mapped_column(JSONType, default=list)
    languages: Mapped[list[str]] = mapped_column(JSONType, default=list)
    default_language: Mapped[str] = mapped_column(String(8), default="da")
    default_country: Mapped[str] = mapped_column(String(2), default="DK")
    time_zone: Mapped[str] = mapped_column(String(64), default="Europe/Copenhagen")
    retention_bot_days: Mapped[int] = mapped_column(Integer, default=DEFAULT_BOT_RETENTION_DAYS)
    retention_agent_days: Mapped[int | None] = mapped_column(Integer, nullable=True, default=None)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Settings later features read (widget look, pre-chat form, opening hours, ...), validated
    # by their own pydantic models at the edge.
    settings: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    created_at: Mapped[datetime]
