"""Files sent in a conversation (photos, PDFs), and their bytes when the database stores them.

An attachment belongs to its conversation (`ON DELETE CASCADE`): deleting the conversation, by
any path, deletes these rows and, with the database storage, the bytes. The folder storage is
emptied by the retention's after-delete step. Nothing here is ever copied into statistics, the
improvement sample or logs: a row holds the customer's file name, which may be personal data.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from samtale.model.base import Base


class Attachment(Base):
    __tablename__ = "attachments"
    __table_args__ = (Index("ix_attachments_conversation", "conversation_id", "created_at"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    tenant_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("tenants.id", ondelete="CASCADE"), index=True
    )
    conversation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE")
    )
    # The message that carries it; None while uploaded but not yet sent.
    message_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("messages.id", ondelete="CASCADE"), nullable=True, index=True
    )
    # Who sent it: "visitor" or "agent".
    author: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(200))
    # The type decided from the content after re-encoding (image/jpeg, image/png, image/webp,
    # application/pdf).
    content_type: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    has_thumbnail: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime]


class AttachmentBlob(Base):
    """The bytes of a file (`kind` "file") or its thumbnail ("thumbnail"), for the database
    storage (`SAMTALE_ATTACHMENT_STORAGE=database`): shared by every instance on PostgreSQL."""

    __tablename__ = "attachment_blobs"

    attachment_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("attachments.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)
