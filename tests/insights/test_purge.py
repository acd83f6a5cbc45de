"""Expiry: statistics older than the shop's period (25 months by default) and sample items past
their expiry go with the retention purge's round; a deleted conversation takes its sample items
with it at once; statistics stay whatever happens to conversations."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from samtale.app.container import Container
from samtale.conversations.repository import Conversations
from samtale.insights.events import Event, months_before, record
from samtale.kernel.clock import ManualClock
from samtale.model import Conversation, InsightDaily, InsightEvent, SampleItem, Tenant
from tests.conftest import new_tenant

CPH = ZoneInfo("Europe/Copenhagen")


async def count(rt: Container, table: Any, tenant_id: uuid.UUID) -> int:
    async with rt.db.session() as session:
        return int(
            await session.scalar(
                select(func.count()).select_from(table).where(table.tenant_id == tenant_id)
            )
            or 0
        )


def sample(
    tenant_id: uuid.UUID, conversation_id: uuid.UUID, clock: ManualClock, days: int
) -> SampleItem:
    now = clock.now()
    return SampleItem(
        id=uuid.uuid4(),
        tenant_id=tenant_id,
        conversation_id=conversation_id,
        language="da",
        text="hvornår kommer [NAME]s pakke",
        intent=None,
        confidence=0.0,
        band="low",
        outcome="fallback",
        status="new",
        label=None,
        created_at=now,
        expires_at=now + timedelta(days=days),
        reviewed_at=None,
    )


def test_months_before_clamps_the_day() -> None:
    from datetime import UTC, datetime

    assert months_before(datetime(2026, 3, 31, 12, tzinfo=UTC), 25) == datetime(
        2024, 2, 29, 12, tzinfo=UTC
    )
    assert months_before(datetime(2026, 1, 15, tzinfo=UTC), 1) == datetime(2025, 12, 15, tzinfo=UTC)


async def test_old_statistics_and_expired_samples_go_with_the_purge(
    make_runtime: Any, database_url: str
) -> None:
    clock = ManualClock()
    rt: Container = await make_runtime(database_url, clock=clock)
    keeps = await new_tenant(rt.db, clock)
    short = await new_tenant(rt.db, clock)
    async with rt.db.transaction() as session:
        row = await session.get(Tenant, short.id)
        assert row is not None
        row.settings = {"retention": {"statistics_months": 1, "sample_days": 5}}
    now = clock.now()
    for tenant in (keeps, short):
        async with rt.db.transaction() as session:
            for months in (26, 24, 2, 0):
                when = months_before(now, months) + timedelta(hours=1)
                await record(session, tenant.id, CPH, when, [Event("conversation", "da")] * 2)
    # Sample items: one of a conversation deleted by the customer, one expired, one current.
    async with rt.db.transaction() as session:
        convs = []
        for tenant in (keeps, keeps):
            convs.append(
                await Conversations(session, tenant.id).create(
                    id=uuid.uuid4(), token=uuid.uuid4().hex * 2, language="da", now=now
                )
            )
        session.add(sample(keeps.id, convs[0].id, clock, 90))
        session.add(sample(keeps.id, convs[1].id, clock, 10))
        session.add(sample(keeps.id, convs[1].id, clock, 200))
    assert await count(rt, SampleItem, keeps.id) == 3
    async with rt.db.transaction() as session:
        await session.delete(await session.get(Conversation, convs[0].id))
    assert await count(rt, SampleItem, keeps.id) == 2  # the cascade
    assert await count(rt, InsightEvent, keeps.id) == 8  # statistics stay

    clock.advance(days=30)
    report = await rt.privacy.runner.run_once(clock.now())
    assert report is not None
    # 25 months: the 26-month-old events are gone, the 24-month-old ones stay.
    assert await count(rt, InsightEvent, keeps.id) == 6
    # One month: only the events of the last month stay.
    assert await count(rt, InsightEvent, short.id) == 2
    async with rt.db.session() as session:
        days = (
            await session.scalars(
                select(InsightDaily.day).where(InsightDaily.tenant_id == keeps.id).distinct()
            )
        ).all()
    assert len(days) == 3
    assert await count(rt, SampleItem, keeps.id) == 1  # the expired one is gone
