"""The operator's shops: create one (with its first admin, invited by e-mail), suspend and
resume it, see what it uses, export everything it owns as one archive, and delete it.

Deleting goes through the privacy deletion path (`privacy.retention.delete_tenant`):
conversations in bounded batches, then the tenant row, whose cascades take the rest; its audit
entry outlives the shop. What a deletion removes is counted beforehand from every table with a
`tenant_id` column, so a table a later feature adds is named on the confirmation page and in the
receipt without anyone listing it here.

The archive (what a processor owes the shop at the end of a contract) is a ZIP file: the shop and
its settings, its people (no password hashes), every bot content version as YAML, every
conversation as the same JSON transcript a customer can download, and the shop's audit log.
"""

from __future__ import annotations

import io
import json
import uuid
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import LargeBinary, Table, cast, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from samtale.admin.team import InviteIn, Link, do_invite
from samtale.bot.content import Content, dump_content
from samtale.bot.drafts import publish_starter
from samtale.infra.database import Database
from samtale.kernel.clock import Clock, IdSource
from samtale.knowledge.service import KnowledgeService
from samtale.model import (
    AuditEntry,
    Base,
    BotContentVersion,
    Conversation,
    Message,
    Tenant,
    User,
)
from samtale.privacy import audit
from samtale.privacy.service import PrivacyService
from samtale.shop.service import ShopService
from samtale.tenants.service import TenantCreate, create_tenant

ARCHIVE_FORMAT = "samtale-tenant-archive"
ARCHIVE_VERSION = 1
BATCH = 200


@dataclass
class Usage:
    conversations: int = 0
    messages: int = 0
    message_bytes: int = 0
    users: int = 0
    bot_versions: int = 0

    @property
    def storage_bytes(self) -> int:
        return self.message_bytes


async def usage(
    session: AsyncSession, tenant_ids: Sequence[uuid.UUID] | None = None
) -> dict[uuid.UUID, Usage]:
    """Each shop's conversations, messages, the size of the message texts, people and bot
    versions (one grouped query per table)."""
    out: dict[uuid.UUID, Usage] = {}

    def scoped(query: Any, column: Any) -> Any:
        return query.where(column.in_(tenant_ids)) if tenant_ids is not None else query

    rows = await session.execute(
        scoped(
            select(Conversation.tenant_id, func.count()).group_by(Conversation.tenant_id),
            Conversation.tenant_id,
        )
    )
    for tid, n in rows:
        out.setdefault(tid, Usage()).conversations = int(n)
    # Bytes of UTF-8, not characters (Danish, Finnish and Swedish letters take two).
    if session.get_bind().dialect.name == "postgresql":
        size = func.octet_length(Message.text)
    else:
        size = func.length(cast(Message.text, LargeBinary))
    rows = await session.execute(
        scoped(
            select(
                Message.tenant_id,
                func.count(),
                func.coalesce(func.sum(size), 0),
            ).group_by(Message.tenant_id),
            Message.tenant_id,
        )
    )
    for tid, n, size in rows:
        u = out.setdefault(tid, Usage())
        u.messages, u.message_bytes = int(n), int(size)
    rows = await session.execute(
        scoped(select(User.tenant_id, func.count()).group_by(User.tenant_id), User.tenant_id)
    )
    for tid, n in rows:
        if tid is not None:
            out.setdefault(tid, Usage()).users = int(n)
    rows = await session.execute(
        scoped(
            select(BotContentVersion.tenant_id, func.count()).group_by(BotContentVersion.tenant_id),
            BotContentVersion.tenant_id,
        )
    )
    for tid, n in rows:
        out.setdefault(tid, Usage()).bot_versions = int(n)
    return out


def tenant_tables() -> list[Table]:
    """Every table whose rows belong to a shop (has a `tenant_id` column), except the audit log,
    which keeps its entries after the shop is gone."""
    return [
        t
        for t in Base.metadata.sorted_tables
        if "tenant_id" in t.c and t.name != AuditEntry.__tablename__
    ]


async def row_counts(session: AsyncSession, tenant_id: uuid.UUID) -> dict[str, int]:
    """Table → rows the shop has there (tables with none left out)."""
    counts: dict[str, int] = {}
    for table in tenant_tables():
        n = int(
            await session.scalar(
                select(func.count()).select_from(table).where(table.c.tenant_id == tenant_id)
            )
            or 0
        )
        if n:
            counts[table.name] = n
    return counts


async def do_create_shop(
    session: AsyncSession,
    data: TenantCreate,
    admin: InviteIn,
    actor: str,
    clock: Clock,
    ids: IdSource,
    secret_key: str,
) -> tuple[Tenant, Link]:
    tenant = await create_tenant(session, data, clock)
    await publish_starter(session, tenant, clock)
    await audit.record(
        session,
        tenant_id=tenant.id,
        actor=actor,
        action="tenant.created",
        clock=clock,
        ids=ids,
    )
    link = await do_invite(session, tenant, admin, actor, clock, ids, secret_key)
    return tenant, link


async def do_set_active(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    active: bool,
    actor: str,
    clock: Clock,
    ids: IdSource,
) -> Tenant:
    """Suspend (its staff cannot log in, its widget does not open, its bot is unloaded) or
    resume a shop. Nothing is deleted."""
    tenant = await session.get(Tenant, tenant_id, with_for_update=True)
    if tenant is None:
        raise LookupError("no such tenant")
    if tenant.active != active:
        tenant.active = active
        await audit.record(
            session,
            tenant_id=tenant.id,
            actor=actor,
            action="tenant.resumed" if active else "tenant.suspended",
            clock=clock,
            ids=ids,
        )
    return tenant


@dataclass
class Receipt:
    """What deleting a shop removed."""

    tenant_id: uuid.UUID
    name: str
    slug: str
    deleted_at: str
    conversations: int
    messages: int
    batches: int
    rows: dict[str, int] = field(default_factory=dict)


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2, default=str)


def _row_dict(row: Any, leave_out: tuple[str, ...]) -> dict[str, Any]:
    return {
        c.key: getattr(row, c.key)
        for c in row.__table__.columns
        if c.key not in ("tenant_id", *leave_out)
    }


async def _write_insights(db: Any, tenant_id: uuid.UUID, archive: zipfile.ZipFile) -> None:
    """The statistics (events and rollups) and the review sample, one JSON object a line; no
    personal data is in them, and the sample's link to its conversation is left out."""
    from samtale.model import InsightDaily, InsightEvent, InsightHourly, SampleItem

    tables: list[tuple[str, Any, tuple[str, ...]]] = [
        ("insights/events.jsonl", InsightEvent, ()),
        ("insights/daily.jsonl", InsightDaily, ()),
        ("insights/hourly.jsonl", InsightHourly, ()),
        ("review_sample.jsonl", SampleItem, ("conversation_id",)),
    ]
    for name, model, leave_out in tables:
        with archive.open(name, "w") as lines:
            async with db.session() as session:
                rows = await session.stream_scalars(
                    select(model)
                    .where(model.tenant_id == tenant_id)
                    .execution_options(yield_per=1000)
                )
                async for row in rows:
                    line = json.dumps(_row_dict(row, leave_out), ensure_ascii=False, default=str)
                    lines.write((line + "\n").encode())


async def _write_knowledge(db: Any, tenant_id: uuid.UUID, archive: zipfile.ZipFile) -> None:
    """The shop's knowledge: its sources, the pages read and their passages (text and headings;
    the search vectors are left out, they are computed again from the text)."""
    from samtale.model import KnowledgePage, KnowledgePassage, KnowledgeSource

    tables: list[tuple[str, Any, tuple[str, ...], Any]] = [
        ("knowledge/sources.jsonl", KnowledgeSource, (), KnowledgeSource.created_at),
        ("knowledge/pages.jsonl", KnowledgePage, (), KnowledgePage.url),
        (
            "knowledge/passages.jsonl",
            KnowledgePassage,
            ("vector", "heading_vector"),
            KnowledgePassage.page_id,
        ),
    ]
    for name, model, leave_out, order in tables:
        with archive.open(name, "w") as lines:
            async with db.session() as session:
                rows = await session.stream_scalars(
                    select(model)
                    .where(model.tenant_id == tenant_id)
                    .order_by(order)
                    .execution_options(yield_per=1000)
                )
                async for row in rows:
                    line = json.dumps(_row_dict(row, leave_out), ensure_ascii=False, default=str)
                    lines.write((line + "\n").encode())


class ShopLifecycle:
    """The end of a shop: its archive (what a processor owes the shop at the end of a contract)
    and its deletion, built once by the composition root."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        ids: IdSource,
        privacy: PrivacyService,
        shop: ShopService,
        knowledge: KnowledgeService,
    ) -> None:
        self.db = db
        self.clock = clock
        self.ids = ids
        self.privacy = privacy
        self.shop = shop
        self.knowledge = knowledge

    async def delete_shop(self, tenant_id: uuid.UUID, actor: str) -> Receipt:
        """Delete the shop and everything of it (the privacy deletion path), with a receipt."""
        async with self.db.session() as session:
            tenant = await session.get(Tenant, tenant_id)
            if tenant is None:
                raise LookupError("no such tenant")
            name, slug = tenant.name, tenant.slug
            before = await row_counts(session, tenant_id)
        done = await self.privacy.retention.delete_tenant(tenant_id, actor=actor)
        self.shop.forget(tenant_id)
        await self.knowledge.forget(tenant_id)  # the search index on disk
        if self.shop.changes is not None:
            await self.shop.changes.announce(tenant_id, "deleted")  # the other instances
        return Receipt(
            tenant_id=tenant_id,
            name=name,
            slug=slug,
            deleted_at=self.clock.now().isoformat(),
            conversations=done.conversations,
            messages=done.messages,
            batches=done.batches,
            rows={**before, "conversations": done.conversations, "messages": done.messages},
        )

    async def write_archive(self, tenant_id: uuid.UUID, out: io.IOBase | Any, actor: str) -> int:
        """Write the shop's archive as a ZIP file into `out`; returns the conversations written.
        Audited as `tenant.exported`."""
        from samtale.privacy.transcript import build_transcript, transcript_dict

        db = self.db
        now = self.clock.now()
        with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            async with db.session() as session:
                tenant = await session.get(Tenant, tenant_id)
                if tenant is None:
                    raise LookupError("no such tenant")
                archive.writestr(
                    "shop.json",
                    _json(
                        {
                            "format": ARCHIVE_FORMAT,
                            "version": ARCHIVE_VERSION,
                            "generated_at": now.isoformat(),
                            "shop": {
                                "id": str(tenant.id),
                                "name": tenant.name,
                                "slug": tenant.slug,
                                "widget_key": tenant.widget_key,
                                "allowed_origins": tenant.allowed_origins,
                                "languages": tenant.languages,
                                "default_language": tenant.default_language,
                                "default_country": tenant.default_country,
                                "time_zone": tenant.time_zone,
                                "retention_bot_days": tenant.retention_bot_days,
                                "retention_agent_days": tenant.retention_agent_days,
                                "active": tenant.active,
                                "created_at": tenant.created_at.isoformat(),
                                "settings": tenant.settings,
                            },
                            "counts": await row_counts(session, tenant_id),
                        }
                    ),
                )
                people = (
                    await session.scalars(
                        select(User).where(User.tenant_id == tenant_id).order_by(User.email)
                    )
                ).all()
                archive.writestr(
                    "people.json",
                    _json(
                        [
                            {
                                "email": u.email,
                                "display_name": u.display_name,
                                "role": u.role,
                                "active": u.active,
                                "languages": u.languages,
                                "capacity": u.capacity,
                                "created_at": u.created_at.isoformat(),
                            }
                            for u in people
                        ]
                    ),
                )
                versions = (
                    await session.scalars(
                        select(BotContentVersion)
                        .where(BotContentVersion.tenant_id == tenant_id)
                        .order_by(BotContentVersion.version)
                    )
                ).all()
                for v in versions:
                    archive.writestr(
                        f"bot/v{v.version:04d}-{v.status}.yaml",
                        dump_content(Content.model_validate(v.content)),
                    )
                entries = (
                    await session.scalars(
                        select(AuditEntry)
                        .where(AuditEntry.tenant_id == tenant_id)
                        .order_by(AuditEntry.created_at)
                    )
                ).all()
                archive.writestr(
                    "audit.jsonl",
                    "".join(
                        json.dumps(audit.entry_dict(e), ensure_ascii=False) + "\n" for e in entries
                    ),
                )
            await _write_insights(db, tenant_id, archive)
            await _write_knowledge(db, tenant_id, archive)
            written = 0
            after: tuple[Any, uuid.UUID] | None = None
            with archive.open("conversations.jsonl", "w") as lines:
                while True:
                    async with db.session() as session:
                        query = (
                            select(Conversation)
                            .where(Conversation.tenant_id == tenant_id)
                            .order_by(Conversation.created_at, Conversation.id)
                            .limit(BATCH)
                        )
                        if after is not None:
                            query = query.where(
                                (Conversation.created_at > after[0])
                                | (
                                    (Conversation.created_at == after[0])
                                    & (Conversation.id > after[1])
                                )
                            )
                        batch = (await session.scalars(query)).all()
                        if not batch:
                            break
                        tenant = await session.get(Tenant, tenant_id)
                        if tenant is None:
                            raise LookupError("no such tenant")
                        for conv in batch:
                            t = await build_transcript(
                                session, tenant, conv, now, self.privacy.sections
                            )
                            data = transcript_dict(t)
                            data["conversation_id"] = str(conv.id)
                            lines.write(
                                (json.dumps(data, ensure_ascii=False, default=str) + "\n").encode()
                            )
                            written += 1
                        after = (batch[-1].created_at, batch[-1].id)
        async with db.transaction() as session:
            await audit.record(
                session,
                tenant_id=tenant_id,
                actor=actor,
                action="tenant.exported",
                clock=self.clock,
                ids=self.ids,
                conversations=written,
            )
        return written
