"""Storing a tenant's bot content: versions, the published one, and the built-in demo content."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from samtale.bot.content import Content, load_content
from samtale.kernel.clock import Clock
from samtale.model import BotContentVersion


def content_sha(content: Content) -> str:
    data = json.dumps(content.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(data.encode()).hexdigest()


class ContentVersions:
    """A tenant's content versions (tenant-scoped)."""

    def __init__(self, session: AsyncSession, tenant_id: uuid.UUID) -> None:
        self.session = session
        self.tenant_id = tenant_id

    async def published(self) -> BotContentVersion | None:
        return await self.session.scalar(
            select(BotContentVersion)
            .where(
                BotContentVersion.tenant_id == self.tenant_id,
                BotContentVersion.status == "published",
            )
            .order_by(BotContentVersion.version.desc())
            .limit(1)
        )

    async def all(self) -> Sequence[BotContentVersion]:
        rows = await self.session.scalars(
            select(BotContentVersion)
            .where(BotContentVersion.tenant_id == self.tenant_id)
            .order_by(BotContentVersion.version.desc())
        )
        return rows.all()

    async def save(
        self, content: Content, source: str, clock: Clock, publish: bool = False
    ) -> BotContentVersion:
        last = await self.session.scalar(
            select(func.max(BotContentVersion.version)).where(
                BotContentVersion.tenant_id == self.tenant_id
            )
        )
        now = clock.now()
        row = BotContentVersion(
            id=uuid.uuid4(),
            tenant_id=self.tenant_id,
            version=int(last or 0) + 1,
            content=content.model_dump(mode="json"),
            sha256=content_sha(content),
            source=source,
            status="draft",
            created_at=now,
            published_at=None,
        )
        self.session.add(row)
        await self.session.flush()
        if publish:
            await self.publish(row, clock)
        return row

    async def publish(self, row: BotContentVersion, clock: Clock) -> None:
        current = await self.published()
        if current is not None and current.id != row.id:
            current.status = "archived"
        row.status = "published"
        row.published_at = clock.now()
        await self.session.flush()


async def ensure_builtin_content(
    session: AsyncSession, tenant_id: uuid.UUID, clock: Clock, path: Path
) -> BotContentVersion:
    """Give the tenant the built-in content when it has none, or when the built-in content
    changed and the tenant's live version is still an untouched built-in one."""
    versions = ContentVersions(session, tenant_id)
    content = load_content(path)
    current = await versions.published()
    if current is not None and (
        current.sha256 == content_sha(content) or current.source != "builtin"
    ):
        return current
    return await versions.save(content, "builtin", clock, publish=True)
