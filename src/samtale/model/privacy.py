"""The identifier index: keyed hashes of the e-mails, phone numbers and order numbers found in a
conversation, so that a customer's request ("delete everything about anna@example.com") finds
all their conversations without scanning text and without storing the value a second time.

The value itself is never stored: `value_hash` is an HMAC under the tenant's secret, so nobody
without the server's secret key can test a guess against it. Rows go with their conversation
(ON DELETE CASCADE).
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from samtale.model.base import Base


class ConversationIdentifier(Base):
    __tablename__ = "conversation_identifiers"
    __table_args__ = (
        # A search looks up one (tenant, kind, hash).
        Index("ix_conversation_identifiers_lookup", "tenant_id", "kind", "value_hash"),
    )

    # The primary key leads with the conversation: the cascade from a deleted conversation finds
    # its rows by index.
    conversation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), primary_key=True
    )
    # `email`, `phone` or `order_number`.
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    value_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    created_at: Mapped[datetime]
