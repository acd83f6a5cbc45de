"""Reads of the live chat, scoped by tenant: the queue in its order, the agents and their load,
recent waiting times, the current handoff of a conversation, the history."""

from __future__ import annotations

import math
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from samtale.kernel.clock import as_utc
from samtale.live.routing import AgentLoad, effective_status
from samtale.model import AgentPresence, Conversation, Handoff, OfflineMessage, User

RECENT_WAITS = 20
RECENT_DAYS = 14
DEFAULT_WAIT_SECONDS = 120.0


def queue_order() -> tuple[object, ...]:
    return (Handoff.priority.desc(), Handoff.queued_at, Handoff.id)


async def queued(session: AsyncSession, tenant_id: uuid.UUID) -> Sequence[Handoff]:
    """The tenant's queue: chats put back by a lost connection first, then oldest first."""
    rows = await session.scalars(
        select(Handoff)
        .where(Handoff.tenant_id == tenant_id, Handoff.status == "queued")
        .order_by(*queue_order())  # type: ignore[arg-type]
    )
    return rows.all()


async def current(
    session: AsyncSession, tenant_id: uuid.UUID, conversation_id: uuid.UUID
) -> Handoff | None:
    """The conversation's latest handoff."""
    return await session.scalar(
        select(Handoff)
        .where(Handoff.tenant_id == tenant_id, Handoff.conversation_id == conversation_id)
        .order_by(Handoff.queued_at.desc(), Handoff.id.desc())
        .limit(1)
    )


async def recent_wait(session: AsyncSession, tenant_id: uuid.UUID, now: datetime) -> float:
    """The average wait of the tenant's last claimed handoffs (two weeks at most)."""
    rows = (
        await session.scalars(
            select(Handoff.wait_seconds)
            .where(
                Handoff.tenant_id == tenant_id,
                Handoff.wait_seconds.is_not(None),
                Handoff.claimed_at >= now - timedelta(days=RECENT_DAYS),
            )
            .order_by(Handoff.claimed_at.desc())
            .limit(RECENT_WAITS)
        )
    ).all()
    waits = [w for w in rows if w is not None]
    return sum(waits) / len(waits) if waits else DEFAULT_WAIT_SECONDS


OFFLINE_REPLY_DAYS = 30
OFFLINE_REPLY_MIN_SAMPLES = 5


async def typical_offline_reply(
    session: AsyncSession, tenant_id: uuid.UUID, now: datetime
) -> timedelta | None:
    """How long the team takes to answer a message left while nobody was available: three in
    four of the last 30 days' answered messages were answered within it. None with fewer than
    five answers to go by: an estimate from two data points would be a guess, not a promise."""
    rows = (
        await session.execute(
            select(OfflineMessage.created_at, OfflineMessage.answered_at)
            .where(
                OfflineMessage.tenant_id == tenant_id,
                OfflineMessage.answered_at.is_not(None),
                OfflineMessage.created_at >= now - timedelta(days=OFFLINE_REPLY_DAYS),
            )
            .order_by(OfflineMessage.created_at.desc())
            .limit(500)
        )
    ).all()
    spans = sorted(
        (as_utc(answered) - as_utc(created)).total_seconds()
        for created, answered in rows
        if answered is not None
    )
    if len(spans) < OFFLINE_REPLY_MIN_SAMPLES:
        return None
    return timedelta(seconds=max(0.0, spans[math.ceil(0.75 * (len(spans) - 1))]))


async def agents(session: AsyncSession, tenant_id: uuid.UUID, now: datetime) -> list[AgentLoad]:
    """The tenant's active agents and admins with their presence and live chats."""
    users = (
        await session.execute(
            select(User, AgentPresence)
            .outerjoin(AgentPresence, AgentPresence.user_id == User.id)
            .where(
                User.tenant_id == tenant_id,
                User.active.is_(True),
                User.role.in_(("agent", "admin")),
            )
            .order_by(User.display_name, User.email)
        )
    ).all()
    live_rows = (
        await session.execute(
            select(Handoff.agent_id, Handoff.conversation_id).where(
                Handoff.tenant_id == tenant_id, Handoff.status == "live"
            )
        )
    ).all()
    chats: dict[uuid.UUID, list[uuid.UUID]] = {}
    for agent_id, conversation_id in live_rows:
        if agent_id is not None:
            chats.setdefault(agent_id, []).append(conversation_id)
    out = []
    for user, presence in users:
        chosen = presence.status if presence else "offline"
        seen = presence.last_seen_at if presence else None
        mine = chats.get(user.id, [])
        out.append(
            AgentLoad(
                user_id=user.id,
                name=user.display_name or user.email.split("@")[0],
                role=user.role,
                languages=tuple(user.languages or ()),
                capacity=user.capacity,
                active=len(mine),
                status=effective_status(chosen, seen, now),
                chosen=chosen,
                last_seen_at=seen,
                conversations=tuple(mine),
            )
        )
    return out


async def agent_names(
    session: AsyncSession, tenant_id: uuid.UUID, ids: set[uuid.UUID]
) -> dict[uuid.UUID, str]:
    ids = {i for i in ids if i}
    if not ids:
        return {}
    rows = await session.execute(
        select(User.id, User.display_name, User.email).where(
            User.tenant_id == tenant_id, User.id.in_(ids)
        )
    )
    return {r.id: r.display_name or r.email.split("@")[0] for r in rows}


async def history(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    *,
    agent_id: uuid.UUID | None = None,
    state: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[dict[str, object]], int]:
    """Conversations in which a person took part or was asked for (and offline messages),
    newest first, with who handled them. No message text and no answers: opening one is the
    audited view."""
    involved = or_(
        Conversation.person_involved.is_(True),
        exists().where(Handoff.conversation_id == Conversation.id),
    )
    conditions = [Conversation.tenant_id == tenant_id, involved]
    if agent_id is not None:
        conditions.append(
            or_(
                exists().where(
                    and_(Handoff.conversation_id == Conversation.id, Handoff.agent_id == agent_id)
                ),
                exists().where(
                    and_(
                        OfflineMessage.conversation_id == Conversation.id,
                        OfflineMessage.answered_by == agent_id,
                    )
                ),
            )
        )
    if state == "offline":
        conditions.append(exists().where(OfflineMessage.conversation_id == Conversation.id))
    elif state:
        conditions.append(Conversation.state == state)
    if since is not None:
        conditions.append(Conversation.last_activity_at >= since)
    if until is not None:
        conditions.append(Conversation.created_at < until)
    total = int(
        await session.scalar(select(func.count()).select_from(Conversation).where(*conditions)) or 0
    )
    convs = (
        await session.scalars(
            select(Conversation)
            .where(*conditions)
            .order_by(Conversation.last_activity_at.desc(), Conversation.id)
            .limit(limit)
            .offset(offset)
        )
    ).all()
    ids = [c.id for c in convs]
    handoffs: dict[uuid.UUID, list[Handoff]] = {}
    offline: dict[uuid.UUID, OfflineMessage] = {}
    if ids:
        for h in (
            await session.scalars(
                select(Handoff).where(Handoff.conversation_id.in_(ids)).order_by(Handoff.queued_at)
            )
        ).all():
            handoffs.setdefault(h.conversation_id, []).append(h)
        for o in (
            await session.scalars(
                select(OfflineMessage).where(OfflineMessage.conversation_id.in_(ids))
            )
        ).all():
            offline[o.conversation_id] = o
    agent_ids = {h.agent_id for hs in handoffs.values() for h in hs if h.agent_id}
    agent_ids |= {o.answered_by for o in offline.values() if o.answered_by}
    names = await agent_names(session, tenant_id, agent_ids)
    items: list[dict[str, object]] = []
    for c in convs:
        hs = handoffs.get(c.id, [])
        last = hs[-1] if hs else None
        off = offline.get(c.id)
        who = [names.get(h.agent_id, "") for h in hs if h.agent_id]
        if off and off.answered_by:
            who.append(names.get(off.answered_by, ""))
        items.append(
            {
                "conversation_id": str(c.id),
                "kind": "offline" if off else "chat",
                "state": c.state,
                "language": c.language,
                "started_at": c.created_at.isoformat(),
                "last_activity_at": c.last_activity_at.isoformat(),
                "messages": c.last_seq,
                "agents": list(dict.fromkeys(n for n in who if n)),
                "outcome": last.outcome if last else None,
                "rating": last.rating if last else None,
                "handoff_status": last.status if last else None,
                "offline_status": off.status if off else None,
            }
        )
    return items, total
