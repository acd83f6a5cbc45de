"""Receiving, keeping and handing out the files of a conversation.

An upload is checked in the order that refuses bad input cheapest: the shop's limits and the
declared length first (a 50 MB upload announced as such is refused before a byte is read), then
the conversation's count, then the body, read in chunks and refused the moment it passes the
limit (nothing over the limit is ever held in memory), then the type from the content, then
the decoding and re-encoding of a photo. Only then is anything written: the row and the bytes
(or the row, then the file, for the folder storage) in one transaction, so a refused or failed
upload leaves nothing.

An uploaded file waits, unsent, until a message claims it (`claim`, in the message's own
transaction): the message's payload then carries the file's description (id, name, type, size,
whether there is a thumbnail) through the hub and in the history, and a file cannot be claimed
twice. Files are read back only through the conversation they belong to, scoped by tenant: the
visitor's token or the shop's staff decide who gets there, and any other path answers "not
found".

File names are the customer's and may be personal data: they are stored beside the file, shown
to the conversation's two sides and in the transcript, and never logged.
"""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePosixPath, PureWindowsPath
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from samtale.conversations.attachments.images import reencode
from samtale.conversations.attachments.kinds import HEAD_BYTES, Kind, sniff
from samtale.conversations.attachments.limits import AttachmentLimits, attachment_limits
from samtale.infra.database import Database
from samtale.infra.files import FileStorage
from samtale.kernel.clock import Clock, IdSource
from samtale.kernel.errors import Conflict, Forbidden, Invalid, NotFound, TooLarge
from samtale.kernel.logs import get_logger
from samtale.kernel.text import clean_text
from samtale.model import Attachment, Conversation, Tenant

log = get_logger(__name__)

MAX_NAME = 200
_UNSAFE_NAME = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]')
EXTENSIONS = {"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp"}


@dataclass(frozen=True)
class AttachmentInfo:
    """What a message says about one of its files."""

    id: uuid.UUID
    name: str
    content_type: str
    size: int
    thumbnail: bool

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "name": self.name,
            "type": self.content_type,
            "size": self.size,
            "thumbnail": self.thumbnail,
        }

    @classmethod
    def of(cls, row: Attachment) -> AttachmentInfo:
        return cls(row.id, row.name, row.content_type, row.size, row.has_thumbnail)


def clean_name(name: str | None, content_type: str) -> str:
    """A file name safe to show and to send back in Content-Disposition: no folders, no control
    or shell characters, at most 200 characters, the extension of what the file now is."""
    raw = clean_text(name or "")
    raw = PureWindowsPath(PurePosixPath(raw).name).name
    raw = _UNSAFE_NAME.sub("_", raw).strip(" .")
    stem, dot, _ext = raw.rpartition(".")
    if not dot:
        stem = raw
    wanted = EXTENSIONS.get(content_type, ".pdf" if content_type == "application/pdf" else "")
    if not stem:
        stem = "document" if content_type == "application/pdf" else "photo"
    return stem[: MAX_NAME - len(wanted)] + wanted


async def read_limited(chunks: AsyncIterator[bytes], limit: int) -> bytes:
    """The whole body, or `TooLarge` as soon as more than `limit` bytes have come."""
    parts: list[bytes] = []
    size = 0
    async for chunk in chunks:
        size += len(chunk)
        if size > limit:
            raise too_large(limit)
        parts.append(chunk)
    return b"".join(parts)


def too_large(limit: int) -> TooLarge:
    mb = limit // (1024 * 1024)
    return TooLarge(f"The file is too large: at most {mb} MB per file.", max_bytes=limit)


class AttachmentService:
    def __init__(self, db: Database, storage: FileStorage, clock: Clock, ids: IdSource) -> None:
        self.db = db
        self.storage = storage
        self.clock = clock
        self.ids = ids

    async def limits(self, tenant_id: uuid.UUID) -> AttachmentLimits:
        async with self.db.session() as session:
            settings = await session.scalar(select(Tenant.settings).where(Tenant.id == tenant_id))
        return attachment_limits(settings)

    async def upload(
        self,
        tenant_id: uuid.UUID,
        conversation_id: uuid.UUID,
        *,
        author: str,
        name: str | None,
        chunks: AsyncIterator[bytes],
        length: int | None = None,
    ) -> AttachmentInfo:
        """Receive one file for the conversation (see the module's essay for the order of the
        checks). Raises `TooLarge` (413), `UnsupportedType` (415), `Conflict` with code
        `too_many_attachments` (409), `Forbidden` when the shop has turned attachments off."""
        limits = await self.limits(tenant_id)
        if not limits.enabled:
            raise Forbidden("This shop does not accept files.", code="attachments_off")
        if length is not None and length > limits.max_bytes:
            raise too_large(limits.max_bytes)
        async with self.db.session() as session:
            await self._check_count(session, tenant_id, conversation_id, limits)
        data = await read_limited(chunks, limits.max_bytes)
        if not data:
            raise Invalid("The file is empty.", code="empty_file")
        kind: Kind = sniff(data[:HEAD_BYTES])
        thumbnail: bytes | None = None
        if kind == "pdf":
            content_type = "application/pdf"
        else:
            encoded = await asyncio.to_thread(reencode, data, kind)
            data, content_type, thumbnail = encoded.data, encoded.content_type, encoded.thumbnail
        row = Attachment(
            id=self.ids.uuid(),
            tenant_id=tenant_id,
            conversation_id=conversation_id,
            message_id=None,
            author=author,
            name=clean_name(name, content_type),
            content_type=content_type,
            size=len(data),
            has_thumbnail=thumbnail is not None,
            created_at=self.clock.now(),
        )
        async with self.db.transaction() as session:
            conv = await session.scalar(
                select(Conversation.id)
                .where(Conversation.id == conversation_id, Conversation.tenant_id == tenant_id)
                .with_for_update()
            )
            if conv is None:
                raise NotFound("No such conversation.", code="conversation_not_found")
            await self._check_count(session, tenant_id, conversation_id, limits)
            session.add(row)
            await session.flush()
            await self.storage.put(session, tenant_id, conversation_id, row.id, "file", data)
            if thumbnail is not None:
                await self.storage.put(
                    session, tenant_id, conversation_id, row.id, "thumbnail", thumbnail
                )
        log.info("attachment_received", conversation_id=str(conversation_id), size=len(data))
        return AttachmentInfo.of(row)

    async def _check_count(
        self,
        session: AsyncSession,
        tenant_id: uuid.UUID,
        conversation_id: uuid.UUID,
        limits: AttachmentLimits,
    ) -> None:
        count = await session.scalar(
            select(func.count())
            .select_from(Attachment)
            .where(Attachment.tenant_id == tenant_id, Attachment.conversation_id == conversation_id)
        )
        if int(count or 0) >= limits.max_files:
            raise Conflict(
                f"This conversation already has {limits.max_files} files, the most it can hold.",
                code="too_many_attachments",
                max_files=limits.max_files,
            )

    async def read(
        self,
        tenant_id: uuid.UUID,
        conversation_id: uuid.UUID,
        attachment_id: uuid.UUID,
        *,
        thumbnail: bool = False,
    ) -> tuple[AttachmentInfo, bytes, str]:
        """The file (or its JPEG thumbnail), its description and the type to serve it as.
        `NotFound` unless it is this tenant's and this conversation's."""
        async with self.db.session() as session:
            row = await session.scalar(
                select(Attachment).where(
                    Attachment.id == attachment_id,
                    Attachment.tenant_id == tenant_id,
                    Attachment.conversation_id == conversation_id,
                )
            )
            if row is None or (thumbnail and not row.has_thumbnail):
                raise NotFound("No such file.", code="attachment_not_found")
            data = await self.storage.get(
                session, tenant_id, conversation_id, row.id, "thumbnail" if thumbnail else "file"
            )
        if data is None:
            raise NotFound("No such file.", code="attachment_not_found")
        return AttachmentInfo.of(row), data, "image/jpeg" if thumbnail else row.content_type

    async def on_deleted(self, tenant_id: uuid.UUID, conversation_ids: Sequence[uuid.UUID]) -> None:
        """After conversations were deleted (the cascade took the rows): their files."""
        await self.storage.delete_conversations(tenant_id, conversation_ids)

    async def sweep(self, now: datetime, tenant_id: uuid.UUID | None = None) -> int:
        """Remove kept files whose conversation no longer exists (a purge step: catches a
        crash between a deletion's commit and the files' removal). Returns how many
        conversations' files were removed."""
        stored = await self.storage.stored()
        if tenant_id is not None:
            stored = [s for s in stored if s[0] == tenant_id]
        if not stored:
            return 0
        async with self.db.session() as session:
            alive = set(
                (
                    await session.scalars(
                        select(Conversation.id).where(Conversation.id.in_([c for _, c in stored]))
                    )
                ).all()
            )
        gone = [(t, c) for t, c in stored if c not in alive]
        for t, c in gone:
            await self.storage.delete_conversations(t, [c])
        return len(gone)


async def pending(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    conversation_id: uuid.UUID,
    ids: Sequence[uuid.UUID],
    author: str,
) -> list[AttachmentInfo]:
    """The descriptions of these uploaded, not yet sent files of the conversation (sent by
    `author`), in the order given; `Invalid` when one is unknown, someone else's or sent."""
    if not ids:
        return []
    unique = list(dict.fromkeys(ids))
    rows = (
        await session.scalars(
            select(Attachment).where(
                Attachment.tenant_id == tenant_id,
                Attachment.conversation_id == conversation_id,
                Attachment.id.in_(unique),
                Attachment.author == author,
                Attachment.message_id.is_(None),
            )
        )
    ).all()
    by_id = {r.id: r for r in rows}
    if len(by_id) != len(unique):
        raise Invalid(
            "A file of this message was not uploaded to this conversation, or was sent already.",
            code="attachment_not_found",
        )
    return [AttachmentInfo.of(by_id[i]) for i in unique]


async def claim(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    conversation_id: uuid.UUID,
    ids: Sequence[uuid.UUID],
    message_id: uuid.UUID,
) -> None:
    """Mark these files as sent with `message_id`, in the message's transaction; `Conflict`
    when one was claimed meanwhile (the transaction then stores nothing)."""
    if not ids:
        return
    unique = list(dict.fromkeys(ids))
    result: Any = await session.execute(
        update(Attachment)
        .where(
            Attachment.tenant_id == tenant_id,
            Attachment.conversation_id == conversation_id,
            Attachment.id.in_(unique),
            Attachment.message_id.is_(None),
        )
        .values(message_id=message_id)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != len(unique):
        raise Conflict("A file of this message was sent already.", code="attachment_sent")
