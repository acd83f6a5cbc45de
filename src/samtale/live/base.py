"""What both sides of the live chat share: the service's state, reading a shop and a
conversation, availability, system lines, and telling the hub what changed."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from samtale.conversations.repository import Conversations
from samtale.conversations.responder import IncomingMessage
from samtale.conversations.service import ConversationService, Turn
from samtale.infra.database import Database
from samtale.infra.hub import Hub, conversation_channel, tenant_channel
from samtale.infra.mail import Mailer
from samtale.kernel.clock import Clock, IdSource
from samtale.kernel.logs import get_logger
from samtale.live import queries
from samtale.live.errors import (
    NotFound,
)
from samtale.live.hours import is_open, next_opening, zone_of
from samtale.live.routing import AgentLoad, estimate_wait
from samtale.live.settings import live_settings
from samtale.model import Conversation, Handoff, Tenant, table_of
from samtale.privacy import audit

if TYPE_CHECKING:
    from samtale.privacy.service import PrivacyService

log = get_logger(__name__)

SWEEP_SECONDS = 5.0
# Queue positions and waits are re-sent to waiting customers this often even without changes
# (the estimate moves with time, and a deletion elsewhere may have moved them up).
QUEUE_REFRESH_SECONDS = 15.0
HEARTBEAT_WRITE_EVERY = timedelta(seconds=10)
# A queued customer's presence (open websocket, polls) is written at most this often.
PRESENCE_WRITE_EVERY = timedelta(seconds=15)


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
    left_away: int = 0  # queued customers gone longer than the grace period
    released: int = 0  # queued customers told that nobody can take the chat any more
    tenants: set[uuid.UUID] = field(default_factory=set)


class VisitorActivity:
    """The turn hook: a customer's message in a queued or live chat resets the idle clock."""

    async def on_turn(self, session: AsyncSession, turn: Turn, incoming: IncomingMessage) -> None:
        ctx = turn.conversation
        if ctx.state not in ("queued", "live") or turn.duplicate:
            return
        turn.writes.append(
            update(table_of(Handoff))
            .where(
                Handoff.tenant_id == ctx.tenant_id,
                Handoff.conversation_id == ctx.id,
                Handoff.status.in_(("queued", "live")),
            )
            .values(last_visitor_at=incoming.created_at)
        )


class LiveEventSink(Protocol):
    """Told of each step of a handoff inside the transaction that makes it (statistics): `kind`
    is queued, left, claimed, first_reply, closed, rating or offline; `seconds` a duration (the
    wait, the first answer, the chat), `outcome` the close code. Never an id or a text."""

    async def on_live_event(
        self,
        session: AsyncSession,
        tenant_id: uuid.UUID,
        kind: str,
        *,
        language: str,
        at: datetime,
        seconds: int | None = None,
        outcome: str | None = None,
        rating: int | None = None,
    ) -> None: ...


class LiveBase:
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
        # Statistics (the insights feature adds its sink).
        self.events: list[LiveEventSink] = []
        # The queue-length gauge of /metrics (set by `LiveService.of` from the runtime).
        self.queue_gauge: Any = None
        self._task: asyncio.Task[None] | None = None
        self._last_refresh = 0.0
        self._beats: dict[uuid.UUID, datetime] = {}
        self._present: dict[uuid.UUID, datetime] = {}

    async def _event(
        self,
        session: AsyncSession,
        tenant_id: uuid.UUID,
        kind: str,
        *,
        language: str,
        at: datetime,
        seconds: float | None = None,
        outcome: str | None = None,
        rating: int | None = None,
    ) -> None:
        for sink in self.events:
            await sink.on_live_event(
                session,
                tenant_id,
                kind,
                language=language,
                at=at,
                seconds=None if seconds is None else max(0, int(seconds)),
                outcome=outcome,
                rating=rating,
            )

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

    async def publish_queue(self, tenant_id: uuid.UUID) -> None:
        """Tell each waiting customer their position and estimated wait, and the consoles
        that the queue changed."""
        now = self.clock.now()
        async with self.db.session() as session:
            queue = await queries.queued(session, tenant_id)
            loads = await queries.agents(session, tenant_id, now)
            recent = await queries.recent_wait(session, tenant_id, now) if queue else 0.0
        online = sum(1 for a in loads if a.status == "online")
        if self.queue_gauge is not None:
            self.queue_gauge.labels(tenant=str(tenant_id)).set(len(queue))
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

    async def auto_assign(self, tenant_id: uuid.UUID) -> int:
        """Assign queued conversations (the agents' side does; here nothing)."""
        return 0

    async def release_queue(self, tenant_id: uuid.UUID) -> int:
        """Let the queue go when nobody can take a chat (the sweep does; here nothing)."""
        return 0
