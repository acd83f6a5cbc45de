"""The agents' side: presence and heartbeats, atomic claims within capacity, automatic
assignment, the live chat (send, typing, read), transfer, close, and answering offline
messages by e-mail."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from samtale.conversations.events import state_event
from samtale.conversations.state import Transitions, transition
from samtale.infra.hub import conversation_channel, tenant_channel
from samtale.infra.mail import MailError
from samtale.kernel.clock import as_utc
from samtale.live import queries
from samtale.live.base import (
    HEARTBEAT_WRITE_EVERY,
    Agent,
    LiveBase,
    log,
)
from samtale.live.errors import (
    AgentUnavailable,
    AlreadyClaimed,
    AtCapacity,
    MailFailed,
    MailUnavailable,
    NotFound,
    NotYours,
    WrongState,
)
from samtale.live.routing import pick
from samtale.live.settings import OUTCOMES, live_settings
from samtale.live.texts import text
from samtale.model import (
    AgentPresence,
    Handoff,
    Message,
    OfflineMessage,
    User,
)


class AgentSide(LiveBase):
    async def _ensure_presence(self, session: AsyncSession, agent: Agent, now: datetime) -> None:
        insert = pg_insert if self.db.dialect == "postgresql" else sqlite_insert
        await session.execute(
            insert(AgentPresence)
            .values(
                user_id=agent.user_id,
                tenant_id=agent.tenant_id,
                status="offline",
                last_seen_at=now,
                changed_at=now,
            )
            .on_conflict_do_nothing()
        )

    async def set_presence(self, agent: Agent, status: str) -> None:
        if status not in ("online", "away", "offline"):
            raise WrongState("Presence is online, away or offline.")
        now = self.clock.now()
        async with self.db.transaction() as session:
            await self._ensure_presence(session, agent, now)
            await session.execute(
                update(AgentPresence)
                .where(AgentPresence.user_id == agent.user_id)
                .values(status=status, last_seen_at=now, changed_at=now)
                .execution_options(synchronize_session=False)
            )
        self._beats[agent.user_id] = now
        await self.hub.publish(
            tenant_channel(agent.tenant_id),
            {"type": "presence", "agent_id": str(agent.user_id), "status": status},
        )
        if status == "online":
            async with self.db.session() as session:
                settings = live_settings(await self._tenant(session, agent.tenant_id))
            if settings.auto_assign:
                await self.auto_assign(agent.tenant_id)
        else:
            # The last agent leaving tells the waiting customers at once.
            await self.release_queue(agent.tenant_id)

    async def heartbeat(self, agent: Agent, *, force: bool = False) -> None:
        """The console is alive (written at most every 10 seconds per agent and instance)."""
        now = self.clock.now()
        last = self._beats.get(agent.user_id)
        if not force and last is not None and now - last < HEARTBEAT_WRITE_EVERY:
            return
        self._beats[agent.user_id] = now
        async with self.db.transaction() as session:
            await self._ensure_presence(session, agent, now)
            await session.execute(
                update(AgentPresence)
                .where(AgentPresence.user_id == agent.user_id)
                .values(last_seen_at=now)
                .execution_options(synchronize_session=False)
            )

    async def claim(self, agent: Agent, handoff_id: uuid.UUID) -> uuid.UUID:
        """Take a queued conversation (atomic across instances). Returns its conversation id."""
        now = self.clock.now()
        async with self.db.transaction() as session:
            # The agent's presence row, locked: their own concurrent claims queue up here, so
            # their capacity holds.
            await self._ensure_presence(session, agent, now)
            await session.execute(
                select(AgentPresence.user_id)
                .where(AgentPresence.user_id == agent.user_id)
                .with_for_update()
            )
            h = await session.scalar(
                select(Handoff).where(
                    Handoff.id == handoff_id, Handoff.tenant_id == agent.tenant_id
                )
            )
            if h is None:
                raise NotFound("No such conversation in the queue.")
            if h.status != "queued":
                raise await self._taken(session, h)
            user_capacity = await self._capacity(session, agent)
            active = await session.scalar(
                select(func.count())
                .select_from(Handoff)
                .where(Handoff.agent_id == agent.user_id, Handoff.status == "live")
            )
            if int(active or 0) >= user_capacity:
                raise AtCapacity(
                    f"You already have {user_capacity} chats; close one first.",
                    capacity=user_capacity,
                )
            wait = h.wait_seconds
            if wait is None:
                wait = max(0, int((now - h.queued_at).total_seconds()))
            won = await session.execute(
                update(Handoff)
                .where(Handoff.id == h.id, Handoff.status == "queued")
                .values(status="live", agent_id=agent.user_id, claimed_at=now, wait_seconds=wait)
                .execution_options(synchronize_session=False)
            )
            if won.rowcount != 1:  # type: ignore[attr-defined]
                raise AlreadyClaimed("Another agent took this conversation a moment ago.")
            if h.wait_seconds is None:  # the first time this handoff is taken
                await self._event(
                    session, agent.tenant_id, "claimed", language=h.language, at=now, seconds=wait
                )
            await transition(
                session,
                agent.tenant_id,
                h.conversation_id,
                Transitions.CLAIM,
                person_involved=True,
            )
            conversation_id = h.conversation_id
            language = h.language
        await self._after_assign(agent, conversation_id, handoff_id, language, "joined")
        await self.publish_queue(agent.tenant_id)
        log.info(
            "handoff_claimed", tenant_id=str(agent.tenant_id), conversation_id=str(conversation_id)
        )
        return conversation_id

    async def _capacity(self, session: AsyncSession, agent: Agent) -> int:
        cap = await session.scalar(select(User.capacity).where(User.id == agent.user_id))
        return int(cap or 1)

    async def _taken(self, session: AsyncSession, h: Handoff) -> Exception:
        if h.status == "live" and h.agent_id:
            names = await queries.agent_names(session, h.tenant_id, {h.agent_id})
            who = names.get(h.agent_id, "")
            return AlreadyClaimed(
                f"{who} took this conversation a moment ago."
                if who
                else "Another agent took this conversation.",
                agent_name=who,
            )
        return WrongState("The conversation is no longer in the queue.")

    async def _after_assign(
        self,
        agent: Agent,
        conversation_id: uuid.UUID,
        handoff_id: uuid.UUID,
        language: str,
        key: str,
    ) -> None:
        await self._system(
            agent.tenant_id,
            conversation_id,
            text(key, language, name=agent.name),
            key,
            agent_id=agent.user_id,
            agent_name=agent.name,
        )
        await self.hub.publish(
            conversation_channel(conversation_id), state_event("live", agent_name=agent.name)
        )
        await self.hub.publish(
            tenant_channel(agent.tenant_id),
            {
                "type": "assigned",
                "conversation_id": str(conversation_id),
                "handoff_id": str(handoff_id),
                "agent_id": str(agent.user_id),
                "agent_name": agent.name,
            },
        )

    async def auto_assign(self, tenant_id: uuid.UUID) -> int:
        """Give queued conversations to the least busy fitting agents (when the tenant has
        automatic assignment on). Returns how many were assigned."""
        assigned = 0
        for _ in range(100):
            now = self.clock.now()
            async with self.db.session() as session:
                tenant = await self._tenant(session, tenant_id)
                if not live_settings(tenant).auto_assign:
                    return assigned
                queue = await queries.queued(session, tenant_id)
                loads = await queries.agents(session, tenant_id, now)
            progressed = False
            for h in queue:
                best = pick(loads, h.language)
                if best is None:
                    return assigned
                try:
                    await self.claim(Agent(best.user_id, tenant_id, best.name, best.role), h.id)
                except (AlreadyClaimed, AtCapacity, WrongState, NotFound):
                    progressed = True
                    break
                assigned += 1
                progressed = True
                break
            if not progressed:
                return assigned
        return assigned

    async def _live_handoff(
        self,
        session: AsyncSession,
        agent: Agent,
        conversation_id: uuid.UUID,
        *,
        any_agent: bool = False,
    ) -> Handoff:
        h = await queries.current(session, agent.tenant_id, conversation_id)
        if h is None:
            await self._conversation(session, agent.tenant_id, conversation_id)
            raise WrongState("Nobody is chatting in this conversation.")
        if h.status != "live":
            raise WrongState("The chat is not live.")
        if h.agent_id != agent.user_id and not (any_agent and agent.role == "admin"):
            raise NotYours("Another agent has this chat.")
        return h

    async def check_live(self, agent: Agent, conversation_id: uuid.UUID) -> None:
        """Raise unless `agent` has this live chat."""
        async with self.db.session() as session:
            await self._live_handoff(session, agent, conversation_id)

    async def send(self, agent: Agent, conversation_id: uuid.UUID, message: str) -> Message:
        msg, _duplicate = await self.send_once(agent, conversation_id, message)
        return msg

    async def send_once(
        self,
        agent: Agent,
        conversation_id: uuid.UUID,
        message: str,
        client_id: str | None = None,
        attachments: Sequence[uuid.UUID] = (),
    ) -> tuple[Message, bool]:
        """Send (with files the agent uploaded to the conversation); with `client_id`, a retry
        (the answer was lost) returns the message stored the first time and True, and stores
        nothing."""
        async with self.db.session() as session:
            h = await self._live_handoff(session, agent, conversation_id)
        msg, duplicate = await self.conversations.add_message_once(
            agent.tenant_id,
            conversation_id,
            "agent",
            message,
            client_id=f"agent:{client_id}" if client_id else None,
            agent_id=agent.user_id,
            agent_name=agent.name,
            attachments=attachments,
        )
        if duplicate:
            return msg, True
        async with self.db.transaction() as session:
            await session.execute(
                update(Handoff)
                .where(Handoff.id == h.id)
                .values(last_agent_at=msg.created_at)
                .execution_options(synchronize_session=False)
            )
            if h.last_agent_at is None:  # the person's first message in this handoff
                await self._event(
                    session,
                    agent.tenant_id,
                    "first_reply",
                    language=h.language,
                    at=msg.created_at,
                    seconds=(msg.created_at - as_utc(h.queued_at)).total_seconds(),
                )
        return msg, False

    async def typing(self, agent: Agent, conversation_id: uuid.UUID, typing: bool) -> None:
        await self.hub.publish(
            conversation_channel(conversation_id),
            {
                "type": "typing",
                "author": "agent",
                "typing": typing,
                "name": agent.name,
                "agent_id": str(agent.user_id),
            },
        )

    async def read(self, agent: Agent, conversation_id: uuid.UUID, cursor: int) -> None:
        await self.hub.publish(
            conversation_channel(conversation_id),
            {"type": "read", "author": "agent", "cursor": cursor, "agent_id": str(agent.user_id)},
        )

    async def transfer(self, agent: Agent, conversation_id: uuid.UUID, to: uuid.UUID) -> None:
        """Hand a live chat to another online agent of the shop with room for it."""
        now = self.clock.now()
        if to == agent.user_id:
            raise AgentUnavailable("That is you.")
        loads = await self.agents(agent.tenant_id)
        target = next((a for a in loads if a.user_id == to), None)
        if target is None:
            raise NotFound("No such agent.")
        if target.status != "online" or target.free < 1:
            raise AgentUnavailable(f"{target.name} is not available for another chat.")
        async with self.db.transaction() as session:
            h = await self._live_handoff(session, agent, conversation_id, any_agent=True)
            moved = await session.execute(
                update(Handoff)
                .where(Handoff.id == h.id, Handoff.status == "live", Handoff.agent_id == h.agent_id)
                .values(agent_id=to, last_agent_at=now)
                .execution_options(synchronize_session=False)
            )
            if moved.rowcount != 1:  # type: ignore[attr-defined]
                raise WrongState("The chat changed meanwhile; try again.")
            previous = h.agent_id
            handoff_id = h.id
            language = h.language
        await self._released(agent.tenant_id, conversation_id, previous, "transferred")
        await self._after_assign(
            Agent(to, agent.tenant_id, target.name, target.role),
            conversation_id,
            handoff_id,
            language,
            "transferred",
        )

    async def close(self, agent: Agent, conversation_id: uuid.UUID, outcome: str) -> None:
        """End a live chat with an outcome; the customer is asked for a rating."""
        if outcome not in OUTCOMES:
            raise WrongState(f"The outcome is one of {', '.join(OUTCOMES)}.")
        async with self.db.session() as session:
            h = await self._live_handoff(session, agent, conversation_id, any_agent=True)
        await self._close(agent.tenant_id, h, outcome, text("closed", h.language, name=agent.name))

    async def _close(self, tenant_id: uuid.UUID, h: Handoff, outcome: str, line: str) -> bool:
        now = self.clock.now()
        async with self.db.transaction() as session:
            done = await session.execute(
                update(Handoff)
                .where(Handoff.id == h.id, Handoff.status == "live")
                .values(status="closed", closed_at=now, outcome=outcome)
                .execution_options(synchronize_session=False)
            )
            if done.rowcount != 1:  # type: ignore[attr-defined]
                return False
            await transition(session, h.tenant_id, h.conversation_id, Transitions.CLOSE)
            since = as_utc(h.claimed_at) if h.claimed_at else None
            await self._event(
                session,
                tenant_id,
                "closed",
                language=h.language,
                at=now,
                seconds=(now - since).total_seconds() if since else None,
                outcome=outcome,
            )
        await self._system(tenant_id, h.conversation_id, line, "closed", rate=True)
        await self.hub.publish(conversation_channel(h.conversation_id), state_event("closed"))
        await self._released(tenant_id, h.conversation_id, h.agent_id, outcome)
        return True

    async def answer_offline(self, agent: Agent, offline_id: uuid.UUID, reply: str) -> None:
        """Answer an offline message by e-mail; the answer is kept in its conversation."""
        if self.mailer is None:
            raise MailUnavailable("Answering by e-mail is not set up (SAMTALE_SMTP_URL).")
        async with self.db.session() as session:
            tenant = await self._tenant(session, agent.tenant_id)
            row = await session.scalar(
                select(OfflineMessage).where(
                    OfflineMessage.id == offline_id, OfflineMessage.tenant_id == agent.tenant_id
                )
            )
        if row is None:
            raise NotFound("No such message.")
        lang = row.language
        quoted = "\n".join("> " + line for line in row.text.splitlines())
        body = (
            f"{reply}\n\n{agent.name}\n{tenant.name}\n\n{text('reply_quote', lang)}\n{quoted}\n\n"
            f"-- \n{text('reply_footer', lang)}\n"
        )
        try:
            await self.mailer.send(
                row.email,
                text("reply_subject", lang, shop=tenant.name),
                body,
                sender_name=tenant.name,
            )
        except MailError as exc:
            log.warning("offline_reply_failed", tenant_id=str(agent.tenant_id), error=str(exc))
            raise MailFailed(
                "The mail server did not accept the message; try again later."
            ) from None
        now = self.clock.now()
        async with self.db.transaction() as session:
            await session.execute(
                update(OfflineMessage)
                .where(OfflineMessage.id == row.id)
                .values(status="answered", answered_at=now, answered_by=agent.user_id)
                .execution_options(synchronize_session=False)
            )
        await self.conversations.add_message(
            agent.tenant_id,
            row.conversation_id,
            "agent",
            reply,
            payload={"type": "email_reply"},
            agent_id=agent.user_id,
            agent_name=agent.name,
        )
        await self.hub.publish(
            tenant_channel(agent.tenant_id),
            {"type": "offline_message", "id": str(row.id), "status": "answered"},
        )
