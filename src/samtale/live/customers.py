"""The customer's side of talking to a person: the bot's offer, the pre-chat form into the
queue, the position and wait, leaving the queue, the rating, and a message left while nobody
is available."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from samtale.conversations.events import state_event
from samtale.conversations.repository import Conversations
from samtale.conversations.responder import ConversationContext, Reply
from samtale.conversations.state import Transitions, transition
from samtale.infra.hub import conversation_channel, tenant_channel
from samtale.kernel.clock import as_utc
from samtale.live import prechat, queries
from samtale.live.base import (
    PRESENCE_WRITE_EVERY,
    HandoffStatus,
    LiveBase,
    log,
)
from samtale.live.errors import (
    InvalidAnswers,
    NobodyAvailable,
    WrongState,
)
from samtale.live.hours import zone_of
from samtale.live.routing import estimate_wait
from samtale.live.settings import LiveSettings, live_settings
from samtale.live.texts import reply_estimate, text, when
from samtale.model import (
    Handoff,
    OfflineMessage,
    Tenant,
)
from samtale.model.conversation import State
from samtale.privacy.identifiers import index_text, index_values, search_languages
from samtale.privacy.pii import normalize_identifier


class CustomerSide(LiveBase):
    async def status(self, tenant_id: uuid.UUID, conversation_id: uuid.UUID) -> HandoffStatus:
        async with self.db.session() as session:
            conv = await self._conversation(session, tenant_id, conversation_id)
            h = await queries.current(session, tenant_id, conversation_id)
            if h is None:
                return HandoffStatus(None, conv.state, None)
            name = None
            if h.agent_id:
                name = (await queries.agent_names(session, tenant_id, {h.agent_id})).get(h.agent_id)
            position = wait = None
            if h.status == "queued":
                position, wait = await self._position(session, tenant_id, h.id)
            return HandoffStatus(
                h.id,
                conv.state,
                h.status,
                position,
                wait,
                name,
                can_rate=h.status == "closed" and h.claimed_at is not None and h.rating is None,
            )

    async def _position(
        self, session: AsyncSession, tenant_id: uuid.UUID, handoff_id: uuid.UUID
    ) -> tuple[int | None, int | None]:
        now = self.clock.now()
        queue = await queries.queued(session, tenant_id)
        for i, h in enumerate(queue, start=1):
            if h.id == handoff_id:
                loads = await queries.agents(session, tenant_id, now)
                online = sum(1 for a in loads if a.status == "online")
                recent = await queries.recent_wait(session, tenant_id, now)
                return i, estimate_wait(i, recent, online)
        return None, None

    async def offer(self, conv: ConversationContext, bot: Any = None) -> list[Reply]:
        """What the bot answers when the customer asks for a person: the pre-chat form when
        someone can take the chat, else when the team is back and the offline-message form."""
        async with self.db.session() as session:
            tenant = await self._tenant(session, conv.tenant_id)
            avail = await self.availability(tenant, session)
            # Within opening hours with nobody there, an honest estimate of the e-mail answer.
            reply_within = (
                await queries.typical_offline_reply(session, conv.tenant_id, self.clock.now())
                if avail.reason == "no_agents"
                else None
            )
        lang = conv.language
        if avail.available:
            return [Reply(text("form", lang), payload={"type": "handoff_form"})]
        payload: dict[str, Any] = {
            "type": "offline_form",
            "reason": avail.reason,
            "next_open": avail.next_open.isoformat() if avail.next_open else None,
            "reply_within_seconds": int(reply_within.total_seconds()) if reply_within else None,
        }
        if avail.reason == "closed" and avail.next_open:
            words = text(
                "closed_hours", lang, when=when(avail.next_open, zone_of(tenant.time_zone), lang)
            )
        elif avail.reason == "closed":
            words = text("closed_long", lang)
        else:
            words = " ".join(
                filter(None, [text("no_agents", lang), reply_estimate(reply_within, lang)])
            )
        return [Reply(words, payload=payload)]

    async def request(
        self, tenant_id: uuid.UUID, conversation_id: uuid.UUID, answers: dict[str, Any]
    ) -> HandoffStatus:
        """Enter the queue with the pre-chat answers. Asking again while queued or live answers
        with the current status."""
        async with self.db.session() as session:
            tenant = await self._tenant(session, tenant_id)
            conv = await self._conversation(session, tenant_id, conversation_id)
            settings = live_settings(tenant)
            if conv.state in ("queued", "live"):
                return await self.status(tenant_id, conversation_id)
            clean, errors = prechat.check_answers(
                settings, answers, search_languages(tenant, conv.language)
            )
            if errors:
                raise InvalidAnswers([e.as_dict() for e in errors])
            avail = await self.availability(tenant, session)
        if not avail.available:
            raise NobodyAvailable(
                "Nobody from customer service is available right now.",
                reason=avail.reason,
                next_open=avail.next_open.isoformat() if avail.next_open else None,
            )
        now = self.clock.now()
        handoff_id = self.ids.uuid()
        async with self.db.transaction() as session:
            if not await transition(session, tenant_id, conversation_id, Transitions.HANDOFF):
                raise WrongState("The conversation changed meanwhile; try again.")
            # The queue is ordered by entry time; one entering in the same instant as the last
            # one (a coarse clock) comes a microsecond after it.
            last = await session.scalar(
                select(func.max(Handoff.queued_at)).where(
                    Handoff.tenant_id == tenant_id, Handoff.status == "queued"
                )
            )
            if last is not None and as_utc(last) >= now:
                now = as_utc(last) + timedelta(microseconds=1)
            session.add(
                Handoff(
                    id=handoff_id,
                    tenant_id=tenant_id,
                    conversation_id=conversation_id,
                    status="queued",
                    language=conv.language,
                    answers=clean,
                    priority=0,
                    queued_at=now,
                    last_visitor_at=now,
                    visitor_seen_at=now,
                    requeues=0,
                )
            )
            await self._index_answers(
                session, tenant, settings, conversation_id, clean, conv.language
            )
            await self._event(session, tenant_id, "queued", language=conv.language, at=now)
        await self._system(tenant_id, conversation_id, text("queued", conv.language), "queued")
        await self.hub.publish(conversation_channel(conversation_id), state_event("queued"))
        await self.publish_queue(tenant_id)
        log.info("handoff_queued", tenant_id=str(tenant_id), conversation_id=str(conversation_id))
        if settings.auto_assign:
            await self.auto_assign(tenant_id)
        return await self.status(tenant_id, conversation_id)

    async def _index_answers(
        self,
        session: AsyncSession,
        tenant: Tenant,
        settings: LiveSettings,
        conversation_id: uuid.UUID,
        answers: dict[str, str],
        language: str,
    ) -> None:
        kinds, texts = prechat.identifiers(settings, answers)
        languages = search_languages(tenant, language)
        values = []
        for item in kinds:
            kind, _, value = item.partition(":")
            normalized = normalize_identifier(kind, value, languages)
            if normalized:
                values.append((kind, normalized))
        await index_values(session, self.secret_key, tenant.id, conversation_id, values, self.clock)
        for t in texts:
            await index_text(
                session, self.secret_key, tenant, conversation_id, t, self.clock, language
            )

    async def visitor_present(self, tenant_id: uuid.UUID, conversation_id: uuid.UUID) -> None:
        """The customer is there (an open websocket, a poll): a queued one keeps their place.
        Written at most every `PRESENCE_WRITE_EVERY` per conversation and instance."""
        now = self.clock.now()
        last = self._present.get(conversation_id)
        if last is not None and now - last < PRESENCE_WRITE_EVERY:
            return
        if len(self._present) > 10_000:
            self._present.clear()
        self._present[conversation_id] = now
        async with self.db.transaction() as session:
            await session.execute(
                update(Handoff)
                .where(
                    Handoff.tenant_id == tenant_id,
                    Handoff.conversation_id == conversation_id,
                    Handoff.status == "queued",
                )
                .values(visitor_seen_at=now)
                .execution_options(synchronize_session=False)
            )

    async def leave(self, tenant_id: uuid.UUID, conversation_id: uuid.UUID) -> HandoffStatus:
        """Leave the queue: the bot answers again."""
        now = self.clock.now()
        async with self.db.transaction() as session:
            conv = await self._conversation(session, tenant_id, conversation_id)
            h = await queries.current(session, tenant_id, conversation_id)
            if h is None or h.status != "queued":
                raise WrongState("The conversation is not in the queue.")
            left = await session.execute(
                update(Handoff)
                .where(Handoff.id == h.id, Handoff.status == "queued")
                .values(status="left", closed_at=now)
                .execution_options(synchronize_session=False)
            )
            if left.rowcount != 1:  # type: ignore[attr-defined]
                raise WrongState("The conversation is not in the queue any more.")
            await self._event(
                session,
                tenant_id,
                "left",
                language=h.language,
                at=now,
                seconds=(now - as_utc(h.queued_at)).total_seconds(),
            )
            await transition(session, tenant_id, conversation_id, Transitions.LEAVE_QUEUE)
        await self._system(tenant_id, conversation_id, text("left", conv.language), "left")
        await self.hub.publish(conversation_channel(conversation_id), state_event("bot"))
        await self.publish_queue(tenant_id)
        return await self.status(tenant_id, conversation_id)

    async def rate(
        self, tenant_id: uuid.UUID, conversation_id: uuid.UUID, rating: int, comment: str | None
    ) -> None:
        """The customer's rating of a chat an agent closed (once). A comment is kept with the
        rating (not as a chat message: it is feedback on the chat, not part of it)."""
        if not 1 <= rating <= 5:
            raise WrongState("A rating is 1 to 5.")
        now = self.clock.now()
        async with self.db.transaction() as session:
            h = await queries.current(session, tenant_id, conversation_id)
            if h is None or h.status != "closed" or h.claimed_at is None:
                raise WrongState("There is no closed chat with a person to rate.")
            done = await session.execute(
                update(Handoff)
                .where(Handoff.id == h.id, Handoff.rating.is_(None))
                .values(rating=rating, rating_comment=comment or None, rated_at=now)
                .execution_options(synchronize_session=False)
            )
            if done.rowcount != 1:  # type: ignore[attr-defined]
                raise WrongState("This chat has been rated already.")
            agent_id = h.agent_id
            await self._event(
                session, tenant_id, "rating", language=h.language, at=now, rating=rating
            )
            if comment:  # an e-mail or phone number in it finds the conversation on request
                tenant = await self._tenant(session, tenant_id)
                await index_text(
                    session,
                    self.secret_key,
                    tenant,
                    conversation_id,
                    comment,
                    self.clock,
                    h.language,
                )
        await self.hub.publish(
            tenant_channel(tenant_id),
            {
                "type": "rated",
                "conversation_id": str(conversation_id),
                "agent_id": str(agent_id) if agent_id else None,
                "rating": rating,
            },
        )

    async def leave_message(
        self,
        tenant: Tenant,
        *,
        email: str,
        message: str,
        name: str | None,
        language: str,
    ) -> OfflineMessage:
        """A message for customer service while nobody is available, answered by e-mail. It
        gets a conversation of its own (kept like chats with a person, deleted on request)."""
        now = self.clock.now()
        async with self.db.transaction() as session:
            conv = await Conversations(session, tenant.id).create(
                id=self.ids.uuid(),
                token=self.ids.token(32),
                language=language,
                now=now,
                state=State.CLOSED,
                person_involved=True,
            )
            row = OfflineMessage(
                id=self.ids.uuid(),
                tenant_id=tenant.id,
                conversation_id=conv.id,
                language=language,
                email=email,
                name=name or None,
                text=message,
                status="open",
                created_at=now,
            )
            session.add(row)
            await session.flush()
            normalized = normalize_identifier("email", email)
            if normalized:
                await index_values(
                    session,
                    self.secret_key,
                    tenant.id,
                    conv.id,
                    [("email", normalized)],
                    self.clock,
                )
            await index_text(
                session, self.secret_key, tenant, conv.id, message, self.clock, language
            )
            await self._event(session, tenant.id, "offline", language=language, at=now)
        await self.hub.publish(
            tenant_channel(tenant.id), {"type": "offline_message", "id": str(row.id)}
        )
        log.info("offline_message_left", tenant_id=str(tenant.id))
        return row
