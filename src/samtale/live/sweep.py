"""The sweep, run by every instance every few seconds: requeue the chats of agents whose
console is gone longer than the grace period, close chats whose customer is silent longer than
the idle timeout, let waiting customers go who have been away longer than the shop's grace
period, or whom nobody can take any more (told so, and offered the offline form), assign queued
conversations where the shop wants that, refresh waiting customers' positions. Every change is a conditional update, so instances never do a thing twice."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update

from samtale.conversations.events import state_event
from samtale.conversations.state import Transitions, transition
from samtale.infra.hub import conversation_channel
from samtale.kernel.clock import as_utc
from samtale.live import queries
from samtale.live.agents import AgentSide
from samtale.live.base import (
    QUEUE_REFRESH_SECONDS,
    SWEEP_SECONDS,
    SweepReport,
    log,
)
from samtale.live.hours import zone_of
from samtale.live.settings import live_settings
from samtale.live.texts import reply_estimate, text, when
from samtale.model import (
    AgentPresence,
    Handoff,
    Tenant,
)


class Sweeper(AgentSide):
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
        for tenant_id in queued_tenants:
            away = await self._drop_absent(tenant_id, now)
            released = await self.release_queue(tenant_id)
            report.left_away += away
            report.released += released
            if away and not released:
                report.tenants.add(tenant_id)
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

    async def release_queue(self, tenant_id: uuid.UUID) -> int:
        """When nobody can take a chat any more (the last agent went offline or away, or their
        console is gone longer than the grace period, or the opening hours ended), every waiting customer is told so at
        once in their language and offered the offline form: they leave the queue, and the bot
        answers again. Returns how many were let go."""
        async with self.db.session() as session:
            tenant = await self._tenant(session, tenant_id)
            queue = await queries.queued(session, tenant_id)
            if not queue:
                return 0
            avail = await self.availability(tenant, session)
            loads = await queries.agents(session, tenant_id, self.clock.now())
            reply_within = (
                await queries.typical_offline_reply(session, tenant_id, self.clock.now())
                if avail.reason == "no_agents"
                else None
            )
        if avail.available:
            return 0
        # An agent who chose "online" and whose console went quiet may be back within the
        # shop's grace period (a reload, a network blip): the queue waits that long for them.
        grace = timedelta(seconds=live_settings(tenant).grace_seconds)
        now = self.clock.now()
        if avail.open_now and any(
            a.chosen == "online" and a.last_seen_at and now - as_utc(a.last_seen_at) <= grace
            for a in loads
        ):
            return 0
        payload = {
            "type": "offline_form",
            "event": "released",
            "reason": avail.reason,
            "next_open": avail.next_open.isoformat() if avail.next_open else None,
            "reply_within_seconds": int(reply_within.total_seconds()) if reply_within else None,
        }
        zone = zone_of(tenant.time_zone)
        count = 0
        for h in queue:
            if avail.reason == "closed" and avail.next_open:
                line = text(
                    "queue_closed", h.language, when=when(avail.next_open, zone, h.language)
                )
            else:
                # Within opening hours: an honest estimate of the answer by e-mail, from how
                # long the team has taken lately (nothing when there is no history).
                estimate = reply_estimate(reply_within, h.language)
                line = " ".join(filter(None, [text("queue_nobody", h.language), estimate]))
            if await self._dequeue(tenant_id, h, "nobody", line, payload):
                count += 1
        if count:
            await self.publish_queue(tenant_id)
            log.info("queue_released", tenant_id=str(tenant_id), count=count, reason=avail.reason)
        return count

    async def _drop_absent(self, tenant_id: uuid.UUID, now: datetime) -> int:
        """Queued customers with no connection and no poll for the shop's grace period leave
        the queue (and are no longer counted as waiting)."""
        async with self.db.session() as session:
            tenant = await self._tenant(session, tenant_id)
            queue = await queries.queued(session, tenant_id)
        cutoff = now - timedelta(seconds=live_settings(tenant).customer_grace_seconds)
        count = 0
        for h in queue:
            seen = max(as_utc(t) for t in (h.visitor_seen_at, h.last_visitor_at, h.queued_at) if t)
            if seen >= cutoff:
                continue
            payload = {"type": "handoff", "event": "away"}
            if await self._dequeue(tenant_id, h, "away", text("queue_away", h.language), payload):
                count += 1
        if count:
            log.info("queue_absent_left", tenant_id=str(tenant_id), count=count)
        return count

    async def _dequeue(
        self, tenant_id: uuid.UUID, h: Handoff, outcome: str, line: str, payload: dict[str, Any]
    ) -> bool:
        """Take one waiting customer out of the queue with a system line (once, of racing
        instances)."""
        now = self.clock.now()
        async with self.db.transaction() as session:
            left = await session.execute(
                update(Handoff)
                .where(Handoff.id == h.id, Handoff.status == "queued")
                .values(status="left", closed_at=now, outcome=outcome)
                .execution_options(synchronize_session=False)
            )
            if left.rowcount != 1:  # type: ignore[attr-defined]
                return False
            await self._event(
                session,
                tenant_id,
                "left",
                language=h.language,
                at=now,
                seconds=(now - as_utc(h.queued_at)).total_seconds(),
            )
            await transition(session, tenant_id, h.conversation_id, Transitions.LEAVE_QUEUE)
        with contextlib.suppress(LookupError):  # deleted meanwhile
            await self.conversations.add_message(
                tenant_id, h.conversation_id, "system", line, payload=payload
            )
        await self.hub.publish(conversation_channel(h.conversation_id), state_event("bot"))
        return True

    async def _requeue(self, tenant: Tenant, h: Handoff) -> bool:
        async with self.db.transaction() as session:
            moved = await session.execute(
                update(Handoff)
                .where(Handoff.id == h.id, Handoff.status == "live", Handoff.agent_id == h.agent_id)
                .values(
                    status="queued",
                    agent_id=None,
                    priority=1,
                    requeues=Handoff.requeues + 1,
                    # The customer's grace in the queue starts now.
                    visitor_seen_at=self.clock.now(),
                )
                .execution_options(synchronize_session=False)
            )
            if moved.rowcount != 1:  # type: ignore[attr-defined]
                return False
            await transition(session, tenant.id, h.conversation_id, Transitions.REQUEUE)
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
