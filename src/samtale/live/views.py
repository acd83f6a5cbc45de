"""What the console shows of customers' data — the queue with the pre-chat answers, a whole
conversation, the offline messages — each view audited; and the transcript sections of the
pre-chat answers and offline messages for the customer's own copy."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from samtale.conversations.events import message_dict
from samtale.conversations.repository import Conversations
from samtale.live import prechat, queries
from samtale.live.base import (
    Agent,
    LiveBase,
)
from samtale.live.routing import estimate_wait
from samtale.live.settings import live_settings
from samtale.model import (
    Conversation,
    Handoff,
    OfflineMessage,
    Tenant,
)
from samtale.privacy import audit
from samtale.privacy.transcript import SectionItem, TranscriptSection

SECTION_TITLES = {
    "prechat": {
        "da": "Dine svar før samtalen",
        "sv": "Dina svar före samtalet",
        "nb": "Svarene dine før samtalen",
        "fi": "Vastauksesi ennen keskustelua",
        "en": "Your answers before the chat",
    },
    "offline": {
        "da": "Din besked til kundeservice",
        "sv": "Ditt meddelande till kundtjänst",
        "nb": "Meldingen din til kundeservice",
        "fi": "Viestisi asiakaspalvelulle",
        "en": "Your message to customer service",
    },
    "rating": {
        "da": "Din vurdering",
        "sv": "Ditt betyg",
        "nb": "Vurderingen din",
        "fi": "Arviosi",
        "en": "Your rating",
    },
}
RATING_LABELS = {
    "da": ("Vurdering", "Kommentar"),
    "sv": ("Betyg", "Kommentar"),
    "nb": ("Vurdering", "Kommentar"),
    "fi": ("Arvio", "Kommentti"),
    "en": ("Rating", "Comment"),
}
OFFLINE_LABELS = {
    "da": ("E-mail", "Navn", "Besked"),
    "sv": ("E-post", "Namn", "Meddelande"),
    "nb": ("E-post", "Navn", "Melding"),
    "fi": ("Sähköposti", "Nimi", "Viesti"),
    "en": ("E-mail", "Name", "Message"),
}


class ConsoleViews(LiveBase):
    async def queue_view(self, agent: Agent, label_language: str) -> list[dict[str, Any]]:
        """The queue as the console shows it, with each customer's pre-chat answers; the view
        is audited (one entry per conversation shown)."""
        now = self.clock.now()
        async with self.db.transaction() as session:
            tenant = await self._tenant(session, agent.tenant_id)
            settings = live_settings(tenant)
            queue = await queries.queued(session, agent.tenant_id)
            loads = await queries.agents(session, agent.tenant_id, now)
            me = next((a for a in loads if a.user_id == agent.user_id), None)
            online = sum(1 for a in loads if a.status == "online")
            recent = await queries.recent_wait(session, agent.tenant_id, now)
            items = []
            for i, h in enumerate(queue, start=1):
                items.append(
                    {
                        "handoff_id": str(h.id),
                        "conversation_id": str(h.conversation_id),
                        "position": i,
                        "language": h.language,
                        "queued_at": h.queued_at.isoformat(),
                        "waited_seconds": int((now - h.queued_at).total_seconds()),
                        "estimated_wait_seconds": estimate_wait(i, recent, online),
                        "requeued": h.priority > 0,
                        "fits_me": bool(me and h.language in me.languages),
                        "answers": prechat.labelled(settings, h.answers or {}, label_language),
                    }
                )
                await audit.record(
                    session,
                    tenant_id=agent.tenant_id,
                    actor=agent.actor,
                    action=audit.CONVERSATION_OPENED,
                    clock=self.clock,
                    ids=self.ids,
                    subject_hash=audit.receipt(self.secret_key, agent.tenant_id, h.conversation_id),
                    role=agent.role,
                    preview=True,
                )
        return items

    async def conversation_view(
        self, agent: Agent, conversation_id: uuid.UUID, label_language: str
    ) -> dict[str, Any]:
        """Everything the console shows of one conversation: the whole transcript (the bot part
        too), the pre-chat answers, what the bot found (tracking, order), the handoffs, an
        offline message. Audited."""
        async with self.db.transaction() as session:
            tenant = await self._tenant(session, agent.tenant_id)
            settings = live_settings(tenant)
            conv = await self._conversation(session, agent.tenant_id, conversation_id)
            messages = list(
                await Conversations(session, agent.tenant_id).messages(conv.id, 0, 2000)
            )
            handoffs = (
                await session.scalars(
                    select(Handoff)
                    .where(Handoff.tenant_id == agent.tenant_id, Handoff.conversation_id == conv.id)
                    .order_by(Handoff.queued_at)
                )
            ).all()
            offline = await session.scalar(
                select(OfflineMessage).where(
                    OfflineMessage.tenant_id == agent.tenant_id,
                    OfflineMessage.conversation_id == conv.id,
                )
            )
            ids = {m.agent_id for m in messages if m.agent_id} | {
                h.agent_id for h in handoffs if h.agent_id
            }
            if offline and offline.answered_by:
                ids.add(offline.answered_by)
            names = await queries.agent_names(session, agent.tenant_id, ids)
            await audit.record(
                session,
                tenant_id=agent.tenant_id,
                actor=agent.actor,
                action=audit.CONVERSATION_OPENED,
                clock=self.clock,
                ids=self.ids,
                subject_hash=audit.receipt(self.secret_key, agent.tenant_id, conv.id),
                role=agent.role,
            )
        current = handoffs[-1] if handoffs else None
        context = (conv.bot_state or {}).get("context")
        return {
            "conversation_id": str(conv.id),
            "state": conv.state,
            "language": conv.language,
            "started_at": conv.created_at.isoformat(),
            "last_activity_at": conv.last_activity_at.isoformat(),
            "page_path": conv.page_path,
            "cursor": conv.last_seq,
            "mine": bool(
                current and current.status == "live" and current.agent_id == agent.user_id
            ),
            "messages": [
                message_dict(m, names.get(m.agent_id) if m.agent_id else None) for m in messages
            ],
            "handoffs": [
                {
                    "handoff_id": str(h.id),
                    "status": h.status,
                    "agent_id": str(h.agent_id) if h.agent_id else None,
                    "agent_name": names.get(h.agent_id) if h.agent_id else None,
                    "queued_at": h.queued_at.isoformat(),
                    "claimed_at": h.claimed_at.isoformat() if h.claimed_at else None,
                    "closed_at": h.closed_at.isoformat() if h.closed_at else None,
                    "wait_seconds": h.wait_seconds,
                    "outcome": h.outcome,
                    "rating": h.rating,
                    "rating_comment": h.rating_comment,
                    "answers": prechat.labelled(settings, h.answers or {}, label_language),
                }
                for h in handoffs
            ],
            "context": context if isinstance(context, dict) else None,
            "offline_message": _offline_dict(offline, names) if offline else None,
        }

    async def offline_messages(
        self, agent: Agent, status: str | None = None, limit: int = 100
    ) -> list[dict[str, Any]]:
        """The requests left while nobody was available, newest first; the view is audited."""
        async with self.db.transaction() as session:
            query = select(OfflineMessage).where(OfflineMessage.tenant_id == agent.tenant_id)
            if status:
                query = query.where(OfflineMessage.status == status)
            rows = (
                await session.scalars(
                    query.order_by(OfflineMessage.created_at.desc(), OfflineMessage.id).limit(limit)
                )
            ).all()
            names = await queries.agent_names(
                session,
                agent.tenant_id,
                {r.answered_by for r in rows if r.answered_by},
            )
            for r in rows:
                await audit.record(
                    session,
                    tenant_id=agent.tenant_id,
                    actor=agent.actor,
                    action=audit.CONVERSATION_OPENED,
                    clock=self.clock,
                    ids=self.ids,
                    subject_hash=audit.receipt(self.secret_key, agent.tenant_id, r.conversation_id),
                    role=agent.role,
                    preview=True,
                )
        return [_offline_dict(r, names) for r in rows]

    async def sections(
        self, session: AsyncSession, conversation: Conversation, language: str
    ) -> Sequence[TranscriptSection]:
        """The pre-chat answers, a rating's comment and an offline message, for the customer's
        transcript and access-request export."""
        tenant = await session.get(Tenant, conversation.tenant_id)
        if tenant is None:
            return []
        settings = live_settings(tenant)
        out = []
        handoffs = (
            await session.scalars(
                select(Handoff)
                .where(Handoff.tenant_id == tenant.id, Handoff.conversation_id == conversation.id)
                .order_by(Handoff.queued_at)
            )
        ).all()
        for h in handoffs:
            if h.answers:
                answers = tuple(
                    SectionItem(a["label"], a["value"])
                    for a in prechat.labelled(settings, h.answers, language)
                )
                out.append(TranscriptSection("prechat", _title("prechat", language), answers))
            if h.rating_comment:  # the rating's comment is the customer's text: theirs to take
                r, c = RATING_LABELS.get(language, RATING_LABELS["en"])
                rated = (SectionItem(r, f"{h.rating}/5"), SectionItem(c, h.rating_comment))
                out.append(TranscriptSection("rating", _title("rating", language), rated))
        offline = await session.scalar(
            select(OfflineMessage).where(
                OfflineMessage.tenant_id == tenant.id,
                OfflineMessage.conversation_id == conversation.id,
            )
        )
        if offline is not None:
            e, n, m = OFFLINE_LABELS.get(language, OFFLINE_LABELS["en"])
            items = [SectionItem(e, offline.email)]
            if offline.name:
                items.append(SectionItem(n, offline.name))
            items.append(SectionItem(m, offline.text))
            out.append(
                TranscriptSection("offline_message", _title("offline", language), tuple(items))
            )
        return out


def _title(key: str, language: str) -> str:
    titles = SECTION_TITLES[key]
    return titles.get(language, titles["en"])


def _offline_dict(row: OfflineMessage, names: dict[uuid.UUID, str]) -> dict[str, Any]:
    return {
        "id": str(row.id),
        "conversation_id": str(row.conversation_id),
        "language": row.language,
        "email": row.email,
        "name": row.name,
        "text": row.text,
        "status": row.status,
        "created_at": row.created_at.isoformat(),
        "answered_at": row.answered_at.isoformat() if row.answered_at else None,
        "answered_by": names.get(row.answered_by) if row.answered_by else None,
    }
