"""Talking to a person: the handoff from the bot, the pre-chat form, the queue, presence,
claims, the live chat, transfer, close and rating, the idle close and the requeue of chats whose
agent's connection is gone, and messages left while nobody is available.

Design choices:

* **The database decides.** A claim is one conditional `UPDATE handoffs … WHERE status =
  'queued'` (after a row lock on the agent's presence, so their capacity holds): of two agents
  clicking at once — on one instance or on two — exactly one changes the row; the other gets
  `AlreadyClaimed` with the winner's name. Leaving, closing, transferring and requeueing are
  conditional updates the same way, so a background sweep running on every instance at once
  does each thing once.
* **Everything live goes through the hub.** After each committed change the conversation's
  channel (`conv:<id>`: messages, `state`, `queue` position and wait) and the tenant's channel
  (`tenant:<id>`: `queue`, `assigned`, `released`, `presence`, `offline_message`) hear of it,
  in-process or through Redis.
* **Presence is a heartbeat.** Consoles beat every 20 seconds; an agent unheard of for a minute
  counts as offline for routing, and after the tenant's grace period their live chats go back to
  the front of the queue.
* **The customer's words stay with the case.** Pre-chat answers and offline messages are stored
  in their own columns only, indexed for deletion requests as keyed hashes, shown in the
  customer's transcript (a section provider), and audited whenever an agent views them.
* **Time is injected.** Opening hours, waits, the idle close and the requeue read `clock`; tests
  drive `sweep()` with a manual clock.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from samtale.clock import Clock, IdSource, as_utc
from samtale.conversations.events import message_dict, state_event
from samtale.conversations.repository import Conversations
from samtale.conversations.responder import ConversationContext, IncomingMessage, Reply
from samtale.conversations.service import ConversationService, Turn
from samtale.live import prechat, queries
from samtale.live.errors import (
    AgentUnavailable,
    AlreadyClaimed,
    AtCapacity,
    InvalidAnswers,
    MailFailed,
    MailUnavailable,
    NotFound,
    NotYours,
    Unavailable,
    WrongState,
)
from samtale.live.hours import is_open, next_opening, zone_of
from samtale.live.hub import Hub, conversation_channel, tenant_channel
from samtale.live.mail import Mailer, MailError, mailer_from_env
from samtale.live.routing import AgentLoad, estimate_wait, pick
from samtale.live.settings import OUTCOMES, LiveSettings, live_settings
from samtale.live.texts import text, when
from samtale.logs import get_logger
from samtale.model import (
    AgentPresence,
    Conversation,
    Handoff,
    Message,
    OfflineMessage,
    Tenant,
    User,
)
from samtale.privacy import audit
from samtale.privacy.identifiers import index_text, index_values, search_languages
from samtale.privacy.pii import normalize_identifier
from samtale.privacy.transcript import SectionItem, TranscriptSection
from samtale.store.engine import Database

if TYPE_CHECKING:
    from samtale.privacy.service import PrivacyService

log = get_logger(__name__)

SWEEP_SECONDS = 5.0
# Queue positions and waits are re-sent to waiting customers this often even without changes
# (the estimate moves with time, and a deletion elsewhere may have moved them up).
QUEUE_REFRESH_SECONDS = 15.0
HEARTBEAT_WRITE_EVERY = timedelta(seconds=10)
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
}
OFFLINE_LABELS = {
    "da": ("E-mail", "Navn", "Besked"),
    "sv": ("E-post", "Namn", "Meddelande"),
    "nb": ("E-post", "Navn", "Melding"),
    "fi": ("Sähköposti", "Nimi", "Viesti"),
    "en": ("E-mail", "Name", "Message"),
}


@dataclass(frozen=True)
class Agent:
    """Who acts in the console (built from the logged-in staff member)."""

    user_id: uuid.UUID
    tenant_id: uuid.UUID
    name: str
    role: str = "agent"

    @property
    def actor(self) -> str:
        return audit.user_actor(self.user_id)


@dataclass(frozen=True)
class Availability:
    open_now: bool
    agents_online: int
    next_open: datetime | None
    time_zone: str

    @property
    def available(self) -> bool:
        return self.open_now and self.agents_online > 0

    @property
    def reason(self) -> str | None:
        if not self.open_now:
            return "closed"
        if self.agents_online == 0:
            return "no_agents"
        return None


@dataclass(frozen=True)
class HandoffStatus:
    """What the customer sees of their handoff."""

    handoff_id: uuid.UUID | None
    state: str  # the conversation's state
    status: str | None  # the handoff's
    position: int | None = None
    wait_seconds: int | None = None
    agent_name: str | None = None
    can_rate: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "handoff_id": str(self.handoff_id) if self.handoff_id else None,
            "state": self.state,
            "status": self.status,
            "position": self.position,
            "wait_seconds": self.wait_seconds,
            "agent_name": self.agent_name,
            "can_rate": self.can_rate,
        }


@dataclass
class SweepReport:
    requeued: int = 0
    closed_idle: int = 0
    assigned: int = 0
    tenants: set[uuid.UUID] = field(default_factory=set)


class VisitorActivity:
    """The turn hook: a customer's message in a queued or live chat resets the idle clock."""

    async def on_turn(self, session: AsyncSession, turn: Turn, incoming: IncomingMessage) -> None:
        ctx = turn.conversation
        if ctx.state not in ("queued", "live") or turn.duplicate:
            return
        await session.execute(
            update(Handoff)
            .where(
                Handoff.tenant_id == ctx.tenant_id,
                Handoff.conversation_id == ctx.id,
                Handoff.status.in_(("queued", "live")),
            )
            .values(last_visitor_at=incoming.created_at)
            .execution_options(synchronize_session=False)
        )


class LiveService:
    def __init__(
        self,
        db: Database,
        hub: Hub,
        clock: Clock,
        ids: IdSource,
        conversations: ConversationService,
        secret_key: str,
        *,
        privacy: PrivacyService | None = None,
        mailer: Mailer | None = None,
    ) -> None:
        self.db = db
        self.hub = hub
        self.clock = clock
        self.ids = ids
        self.conversations = conversations
        self.secret_key = secret_key
        self.privacy = privacy
        self.mailer = mailer
        self.hook = VisitorActivity()
        self._task: asyncio.Task[None] | None = None
        self._last_refresh = 0.0
        self._beats: dict[uuid.UUID, datetime] = {}

    @classmethod
    def of(cls, runtime: Any) -> LiveService:
        """The runtime's live service, made once: it registers the visitor-activity turn hook
        and the transcript section of pre-chat answers and offline messages."""
        service: LiveService | None = runtime.__dict__.get("_live_service")
        if service is None:
            service = cls(
                runtime.db,
                runtime.hub,
                runtime.clock,
                runtime.ids,
                runtime.conversations,
                runtime.settings.effective_secret_key,
                privacy=runtime.privacy,
                mailer=mailer_from_env(),
            )
            runtime.__dict__["_live_service"] = service
            runtime.conversations.hooks.append(service.hook)
            runtime.privacy.sections.append(service.sections)
            runtime.on_close(service.stop)
        return service

    # Reading -------------------------------------------------------------------------------

    async def _tenant(self, session: AsyncSession, tenant_id: uuid.UUID) -> Tenant:
        tenant = await session.get(Tenant, tenant_id)
        if tenant is None:
            raise NotFound("No such shop.")
        return tenant

    async def _conversation(
        self, session: AsyncSession, tenant_id: uuid.UUID, conversation_id: uuid.UUID
    ) -> Conversation:
        conv = await Conversations(session, tenant_id).get(conversation_id)
        if conv is None:
            raise NotFound("No such conversation.")
        return conv

    async def availability(
        self, tenant: Tenant, session: AsyncSession | None = None
    ) -> Availability:
        settings = live_settings(tenant)
        zone = zone_of(tenant.time_zone)
        now = self.clock.now()
        if session is None:
            async with self.db.session() as s:
                loads = await queries.agents(s, tenant.id, now)
        else:
            loads = await queries.agents(session, tenant.id, now)
        online = sum(1 for a in loads if a.status == "online")
        open_now = is_open(settings, zone, now)
        nxt = next_opening(settings, zone, now)
        return Availability(open_now, online, nxt if nxt != now else None, str(zone.key))

    async def agents(self, tenant_id: uuid.UUID) -> list[AgentLoad]:
        async with self.db.session() as session:
            return await queries.agents(session, tenant_id, self.clock.now())

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

    # The bot's "talk to a person" ------------------------------------------------------------

    async def offer(self, conv: ConversationContext, bot: Any = None) -> list[Reply]:
        """What the bot answers when the customer asks for a person: the pre-chat form when
        someone can take the chat, else when the team is back and the offline-message form."""
        async with self.db.session() as session:
            tenant = await self._tenant(session, conv.tenant_id)
            avail = await self.availability(tenant, session)
        lang = conv.language
        if avail.available:
            return [Reply(text("form", lang), payload={"type": "handoff_form"})]
        payload: dict[str, Any] = {
            "type": "offline_form",
            "reason": avail.reason,
            "next_open": avail.next_open.isoformat() if avail.next_open else None,
        }
        if avail.reason == "closed" and avail.next_open:
            words = text(
                "closed_hours", lang, when=when(avail.next_open, zone_of(tenant.time_zone), lang)
            )
        elif avail.reason == "closed":
            words = text("closed_long", lang)
        else:
            words = text("no_agents", lang)
        return [Reply(words, payload=payload)]

    # The customer ----------------------------------------------------------------------------

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
            raise Unavailable(
                "Nobody from customer service is available right now.",
                reason=avail.reason,
                next_open=avail.next_open.isoformat() if avail.next_open else None,
            )
        now = self.clock.now()
        handoff_id = self.ids.uuid()
        async with self.db.transaction() as session:
            moved = await session.execute(
                update(Conversation)
                .where(
                    Conversation.id == conversation_id,
                    Conversation.tenant_id == tenant_id,
                    Conversation.state.in_(("bot", "closed")),
                )
                .values(state="queued")
                .execution_options(synchronize_session=False)
            )
            if moved.rowcount != 1:  # type: ignore[attr-defined]
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
                    requeues=0,
                )
            )
            await self._index_answers(
                session, tenant, settings, conversation_id, clean, conv.language
            )
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
            await session.execute(
                update(Conversation)
                .where(Conversation.id == conversation_id, Conversation.state == "queued")
                .values(state="bot")
                .execution_options(synchronize_session=False)
            )
        await self._system(tenant_id, conversation_id, text("left", conv.language), "left")
        await self.hub.publish(conversation_channel(conversation_id), state_event("bot"))
        await self.publish_queue(tenant_id)
        return await self.status(tenant_id, conversation_id)

    async def rate(
        self, tenant_id: uuid.UUID, conversation_id: uuid.UUID, rating: int, comment: str | None
    ) -> None:
        """The customer's rating of a chat an agent closed (once). A comment is kept as their
        message in the conversation, where what customers write lives."""
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
                .values(rating=rating, rated_at=now)
                .execution_options(synchronize_session=False)
            )
            if done.rowcount != 1:  # type: ignore[attr-defined]
                raise WrongState("This chat has been rated already.")
            agent_id = h.agent_id
        if comment:
            await self.conversations.add_message(
                tenant_id,
                conversation_id,
                "visitor",
                comment,
                payload={"type": "rating", "rating": rating},
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
                id=self.ids.uuid(), token=self.ids.token(32), language=language, now=now
            )
            conv.state = "closed"
            conv.person_involved = True
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
        await self.hub.publish(
            tenant_channel(tenant.id), {"type": "offline_message", "id": str(row.id)}
        )
        log.info("offline_message_left", tenant_id=str(tenant.id))
        return row

    # Agents: presence ------------------------------------------------------------------------

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

    # Agents: the queue and claims -------------------------------------------------------------

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
            await session.execute(
                update(Conversation)
                .where(
                    Conversation.id == h.conversation_id, Conversation.tenant_id == agent.tenant_id
                )
                .values(state="live", person_involved=True)
                .execution_options(synchronize_session=False)
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

    # Agents: the live chat ----------------------------------------------------------------------

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
        async with self.db.session() as session:
            h = await self._live_handoff(session, agent, conversation_id)
        msg = await self.conversations.add_message(
            agent.tenant_id,
            conversation_id,
            "agent",
            message,
            agent_id=agent.user_id,
            agent_name=agent.name,
        )
        async with self.db.transaction() as session:
            await session.execute(
                update(Handoff)
                .where(Handoff.id == h.id)
                .values(last_agent_at=msg.created_at)
                .execution_options(synchronize_session=False)
            )
        return msg

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
            await session.execute(
                update(Conversation)
                .where(Conversation.id == h.conversation_id, Conversation.state == "live")
                .values(state="closed")
                .execution_options(synchronize_session=False)
            )
        await self._system(tenant_id, h.conversation_id, line, "closed", rate=True)
        await self.hub.publish(conversation_channel(h.conversation_id), state_event("closed"))
        await self._released(tenant_id, h.conversation_id, h.agent_id, outcome)
        return True

    async def _released(
        self,
        tenant_id: uuid.UUID,
        conversation_id: uuid.UUID,
        agent_id: uuid.UUID | None,
        reason: str,
    ) -> None:
        await self.hub.publish(
            tenant_channel(tenant_id),
            {
                "type": "released",
                "conversation_id": str(conversation_id),
                "agent_id": str(agent_id) if agent_id else None,
                "reason": reason,
            },
        )

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
                    "answers": prechat.labelled(settings, h.answers or {}, label_language),
                }
                for h in handoffs
            ],
            "context": context if isinstance(context, dict) else None,
            "offline_message": _offline_dict(offline, names) if offline else None,
        }

    # Offline messages -----------------------------------------------------------------------

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

    # Transcripts -----------------------------------------------------------------------------

    async def sections(
        self, session: AsyncSession, conversation: Conversation, language: str
    ) -> Sequence[TranscriptSection]:
        """The pre-chat answers and an offline message, for the customer's transcript and
        access-request export."""
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

    # Hub -------------------------------------------------------------------------------------

    async def _system(
        self,
        tenant_id: uuid.UUID,
        conversation_id: uuid.UUID,
        line: str,
        event: str,
        *,
        agent_id: uuid.UUID | None = None,
        agent_name: str | None = None,
        rate: bool = False,
    ) -> None:
        payload: dict[str, Any] = {"type": "handoff", "event": event}
        if rate:
            payload["rate"] = True
        with contextlib.suppress(LookupError):  # deleted meanwhile
            await self.conversations.add_message(
                tenant_id,
                conversation_id,
                "system",
                line,
                payload=payload,
                agent_id=agent_id,
                agent_name=agent_name,
            )

    async def publish_queue(self, tenant_id: uuid.UUID) -> None:
        """Tell each waiting customer their position and estimated wait, and the consoles
        that the queue changed."""
        now = self.clock.now()
        async with self.db.session() as session:
            queue = await queries.queued(session, tenant_id)
            loads = await queries.agents(session, tenant_id, now)
            recent = await queries.recent_wait(session, tenant_id, now) if queue else 0.0
        online = sum(1 for a in loads if a.status == "online")
        for i, h in enumerate(queue, start=1):
            await self.hub.publish(
                conversation_channel(h.conversation_id),
                {
                    "type": "queue",
                    "position": i,
                    "wait_seconds": estimate_wait(i, recent, online),
                    "handoff_id": str(h.id),
                },
            )
        await self.hub.publish(
            tenant_channel(tenant_id),
            {
                "type": "queue",
                "count": len(queue),
                "languages": [h.language for h in queue],
            },
        )

    # The sweep -------------------------------------------------------------------------------

    async def sweep(self, tenant_id: uuid.UUID | None = None) -> SweepReport:
        """Requeue chats whose agent's console is gone longer than the grace period, close
        chats whose customer is silent longer than the idle timeout, assign queued
        conversations where the tenant wants that. Safe on every instance at once."""
        report = SweepReport()
        now = self.clock.now()
        scope = [Handoff.tenant_id == tenant_id] if tenant_id else []
        async with self.db.session() as session:
            rows = (
                await session.execute(
                    select(Handoff, AgentPresence.last_seen_at, Tenant)
                    .join(Tenant, Tenant.id == Handoff.tenant_id)
                    .outerjoin(AgentPresence, AgentPresence.user_id == Handoff.agent_id)
                    .where(Handoff.status == "live", *scope)
                )
            ).all()
            queued_tenants = set(
                (
                    await session.scalars(
                        select(Handoff.tenant_id)
                        .where(Handoff.status == "queued", *scope)
                        .distinct()
                    )
                ).all()
            )
        for h, last_seen, tenant in rows:
            settings = live_settings(tenant)
            if last_seen is None or now - last_seen > timedelta(seconds=settings.grace_seconds):
                if await self._requeue(tenant, h):
                    report.requeued += 1
                    report.tenants.add(tenant.id)
                continue
            cutoff = now - timedelta(minutes=settings.idle_timeout_minutes)
            times = [t for t in (h.last_visitor_at, h.last_agent_at, h.claimed_at) if t]
            if times and max(times) < cutoff:
                line = text("idle", h.language, minutes=settings.idle_timeout_minutes)
                if await self._close(tenant.id, h, "no_response", line):
                    report.closed_idle += 1
        for tenant_id in report.tenants:
            await self.publish_queue(tenant_id)
        for tenant_id in queued_tenants | report.tenants:
            report.assigned += await self.auto_assign(tenant_id)
        loop_now = asyncio.get_running_loop().time()
        if loop_now - self._last_refresh >= QUEUE_REFRESH_SECONDS:
            self._last_refresh = loop_now
            for tenant_id in queued_tenants - report.tenants:
                await self.publish_queue(tenant_id)
        return report

    async def _requeue(self, tenant: Tenant, h: Handoff) -> bool:
        async with self.db.transaction() as session:
            moved = await session.execute(
                update(Handoff)
                .where(Handoff.id == h.id, Handoff.status == "live", Handoff.agent_id == h.agent_id)
                .values(status="queued", agent_id=None, priority=1, requeues=Handoff.requeues + 1)
                .execution_options(synchronize_session=False)
            )
            if moved.rowcount != 1:  # type: ignore[attr-defined]
                return False
            await session.execute(
                update(Conversation)
                .where(Conversation.id == h.conversation_id, Conversation.state == "live")
                .values(state="queued")
                .execution_options(synchronize_session=False)
            )
            names = await queries.agent_names(
                session, tenant.id, {h.agent_id} if h.agent_id else set()
            )
        name = names.get(h.agent_id, "") if h.agent_id else ""
        await self._system(
            tenant.id, h.conversation_id, text("requeued", h.language, name=name), "requeued"
        )
        await self.hub.publish(conversation_channel(h.conversation_id), state_event("queued"))
        await self._released(tenant.id, h.conversation_id, h.agent_id, "requeued")
        log.info(
            "handoff_requeued", tenant_id=str(tenant.id), conversation_id=str(h.conversation_id)
        )
        return True

    def start_background(self, interval: float = SWEEP_SECONDS) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._loop(interval), name="live-sweep")

    async def _loop(self, interval: float) -> None:
        while True:
            await asyncio.sleep(interval)
            try:
                await self.sweep()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("live_sweep_failed")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task


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
