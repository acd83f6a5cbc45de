"""The sweep, run by every instance every few seconds: requeue the chats of agents whose
console is gone longer than the grace period, close chats whose customer is silent longer than
the idle timeout, assign queued conversations where the shop wants that, refresh waiting
customers' positions. Every change is a conditional update, so instances never do a thing twice."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from datetime import timedelta

from sqlalchemy import select, update

from samtale.conversations.events import state_event
from samtale.conversations.state import Transitions, transition
from samtale.infra.hub import conversation_channel
from samtale.live import queries
from samtale.live.agents import AgentSide
from samtale.live.base import (
    QUEUE_REFRESH_SECONDS,
    SWEEP_SECONDS,
    SweepReport,
    log,
)
from samtale.live.settings import live_settings
from samtale.live.texts import text
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
