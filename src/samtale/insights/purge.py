"""Expiry of insights: statistics older than the shop's statistics period (25 months by
default) and sample items past their expiry (90 days by default).

It runs as a step of the retention purge (`privacy.scheduler.PurgeRunner`), under the same lock,
in bounded batches of short transactions. Conversations have nothing to do with it: events are
not tied to them, and sample items of a deleted conversation are gone already (cascade).
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, delete, select

from samtale.infra.database import Database
from samtale.insights.events import MONTH, month_of, statistics_cutoff
from samtale.insights.settings import insight_settings, tenant_zone
from samtale.kernel.clock import Clock
from samtale.kernel.logs import get_logger
from samtale.model import InsightDaily, InsightEvent, InsightHourly, SampleItem, Tenant

log = get_logger(__name__)

BATCH = 5000


@dataclass
class InsightPurge:
    events: int = 0
    rollup_rows: int = 0
    samples: int = 0


class InsightsPurge:
    def __init__(self, db: Database, clock: Clock, batch_size: int = BATCH) -> None:
        self.db = db
        self.clock = clock
        self.batch_size = batch_size

    async def __call__(
        self, now: datetime | None = None, tenant_id: uuid.UUID | None = None
    ) -> InsightPurge:
        return await self.purge(now, tenant_id)

    async def purge(
        self, now: datetime | None = None, tenant_id: uuid.UUID | None = None
    ) -> InsightPurge:
        now = now or self.clock.now()
        report = InsightPurge()
        async with self.db.session() as session:
            query = select(Tenant)
            if tenant_id is not None:
                query = query.where(Tenant.id == tenant_id)
            tenants = list((await session.scalars(query)).all())
        for tenant in tenants:
            months = insight_settings(tenant).statistics_months
            hour, day = statistics_cutoff(now, months, tenant_zone(tenant))
            report.events += await self._batches(
                InsightEvent,
                InsightEvent.id,
                select(InsightEvent.id)
                .where(InsightEvent.tenant_id == tenant.id, InsightEvent.hour < hour)
                .limit(self.batch_size),
            )
            async with self.db.transaction() as session:
                # Days before the cutoff; a month's row once the whole month is before it.
                for stmt in (
                    delete(InsightDaily).where(
                        InsightDaily.tenant_id == tenant.id,
                        InsightDaily.day < day,
                        InsightDaily.kind.not_like(f"{MONTH}%"),
                    ),
                    delete(InsightDaily).where(
                        InsightDaily.tenant_id == tenant.id,
                        InsightDaily.day < month_of(day),
                        InsightDaily.kind.like(f"{MONTH}%"),
                    ),
                    delete(InsightHourly).where(
                        InsightHourly.tenant_id == tenant.id, InsightHourly.day < day
                    ),
                ):
                    result = await session.execute(stmt)
                    report.rollup_rows += int(result.rowcount or 0)  # type: ignore[attr-defined]
        expired = select(SampleItem.id).where(SampleItem.expires_at <= now)
        if tenant_id is not None:
            expired = expired.where(SampleItem.tenant_id == tenant_id)
        report.samples = await self._batches(
            SampleItem, SampleItem.id, expired.limit(self.batch_size)
        )
        if report.events or report.samples or report.rollup_rows:
            log.info(
                "insights_purge",
                events=report.events,
                rollup_rows=report.rollup_rows,
                samples=report.samples,
            )
        return report

    async def _batches(self, table: Any, column: Any, chosen: Select[Any]) -> int:
        """Delete the rows `chosen` picks, a batch per transaction, until none is left."""
        total = 0
        while True:
            async with self.db.transaction() as session:
                ids = list((await session.scalars(chosen)).all())
                if ids:
                    await session.execute(delete(table).where(column.in_(ids)))
            total += len(ids)
            if len(ids) < self.batch_size:
                return total
            await asyncio.sleep(0)
