"""The files of a conversation in its transcript and access-request export: one section that
lists each file's name, type and size (the bytes stay in the conversation; the customer
downloads them from the chat)."""

from __future__ import annotations

from collections.abc import Sequence

from babel.numbers import format_decimal
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from samtale.kernel.i18n import catalogue
from samtale.model import Attachment, Conversation, Message
from samtale.privacy.transcript import LOCALES, SectionItem, TranscriptSection


def human_size(size: int, language: str) -> str:
    locale = LOCALES.get(language, "en_GB")
    if size < 1024 * 1024:
        return f"{format_decimal(max(1, round(size / 1024)), locale=locale)} KB"
    return f"{format_decimal(round(size / (1024 * 1024), 1), locale=locale)} MB"


async def attachment_sections(
    session: AsyncSession, conversation: Conversation, language: str
) -> Sequence[TranscriptSection]:
    # In the order they were sent (files uploaded but never sent last).
    rows = (
        await session.scalars(
            select(Attachment)
            .outerjoin(Message, Message.id == Attachment.message_id)
            .where(
                Attachment.tenant_id == conversation.tenant_id,
                Attachment.conversation_id == conversation.id,
            )
            .order_by(Message.seq.is_(None), Message.seq, Attachment.created_at, Attachment.name)
        )
    ).all()
    if not rows:
        return []
    items = tuple(
        SectionItem(r.name, f"{r.content_type}, {human_size(r.size, language)}") for r in rows
    )
    title = catalogue("transcript").text("attachments", language)
    return [TranscriptSection("attachments", title, items)]
