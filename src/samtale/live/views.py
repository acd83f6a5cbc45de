"""What the console shows of customers' data — the queue with the pre-chat answers, a whole
conversation, the offline messages — and the transcript sections of the pre-chat answers and
offline messages for the customer's own copy.

Only an action is audited: an agent opening one conversation. The queue and the list of offline
messages are previews the console refreshes every few seconds by itself; an entry for each
refresh would bury the real openings in noise (five entries in three seconds for one glance at
the console), so they write none."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import timedelta
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
from samtale.live.notes import notes_of
from samtale.live.routing import estimate_wait
from samtale.live.settings import live_settings
from samtale.model import (
    AuditEntry,
    Conversation,
    Handoff,
    OfflineMessage,
    Tenant,
)
from samtale.privacy import audit
from samtale.privacy.transcript import SectionItem, TranscriptSection

# Re-reads of a conversation by the same agent within this window are one opening.
REOPEN_WINDOW = timedelta(minutes=10)

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
        """The queue as the console shows it, with each customer's pre-chat answers (a preview:
        not audited)."""
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
            notes = await notes_of(session, agent.tenant_id, conv.id)
            await self._record_opening(session, agent, conv.id)
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
            # The staff's internal notes (never shown to the customer).
            "notes": notes,
        }

    async def order_hints(self, agent: Agent, conversation_id: uuid.UUID) -> list[tuple[str, str]]:
        """(order number, e-mail) pairs to look the customer's order up by: what the bot found
        (its order look-up) first, then the pre-chat answers, newest handoff first."""
        async with self.db.session() as session:
            tenant = await self._tenant(session, agent.tenant_id)
            conv = await self._conversation(session, agent.tenant_id, conversation_id)
            handoffs = (
                await session.scalars(
                    select(Handoff)
                    .where(Handoff.tenant_id == agent.tenant_id, Handoff.conversation_id == conv.id)
                    .order_by(Handoff.queued_at.desc())
                )
            ).all()
        kinds = {f.name: f.kind for f in live_settings(tenant).prechat_fields}
        numbers: list[str] = []
        emails: list[str] = []
        context = (conv.bot_state or {}).get("context")
        found = context.get("track_order") if isinstance(context, dict) else None
        if isinstance(found, dict):
            numbers.append(str(found.get("order_number") or ""))
            emails.append(str(found.get("email") or ""))
        for h in handoffs:
            for name, value in (h.answers or {}).items():
                if kinds.get(name) == "order_number":
                    numbers.append(str(value or "").strip())
                elif kinds.get(name) == "email":
                    emails.append(str(value or "").strip())
        numbers = [n for n in dict.fromkeys(numbers) if n]
        emails = [e for e in dict.fromkeys(emails) if e]
        return [(n, e) for n in numbers for e in emails][:3]

    async def _record_opening(
        self, session: AsyncSession, agent: Agent, conversation_id: uuid.UUID
    ) -> None:
        """One entry when an agent opens a conversation; the console's own re-reads of the open
        conversation (a reconnect, a missed message, a transfer) within `REOPEN_WINDOW` of the
        agent's last entry for it are the same opening and add none."""
        subject = audit.receipt(self.secret_key, agent.tenant_id, conversation_id)
        recent = await session.scalar(
            select(AuditEntry.id)
            .where(
                AuditEntry.tenant_id == agent.tenant_id,
                AuditEntry.created_at >= self.clock.now() - REOPEN_WINDOW,
                AuditEntry.actor == agent.actor,
                AuditEntry.action == audit.CONVERSATION_OPENED,
                AuditEntry.subject_hash == subject,
            )
            .limit(1)
        )
        if recent is not None:
            return
        await audit.record(
            session,
            tenant_id=agent.tenant_id,
            actor=agent.actor,
            action=audit.CONVERSATION_OPENED,
            clock=self.clock,
            ids=self.ids,
            subject_hash=subject,
            role=agent.role,
        )

    async def offline_messages(
        self, agent: Agent, status: str | None = None, limit: int = 100
    ) -> list[dict[str, Any]]:
        """The requests left while nobody was available, newest first (a preview: not audited;
        answering one is recorded on the message)."""
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
