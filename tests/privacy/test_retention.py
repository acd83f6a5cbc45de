"""Retention: bot-only conversations go 90 days after their last message and not a second
earlier; conversations with an agent stay until deletion is requested, or N days when the shop
sets it; the purge works in bounded batches and writes one audit entry per batch."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from samtale.app.container import Container
from samtale.infra.hub import conversation_channel
from samtale.kernel.clock import ManualClock
from samtale.model import Tenant
from samtale.model.tenant import DEFAULT_AGENT_RETENTION_DAYS, DEFAULT_BOT_RETENTION_DAYS
from samtale.privacy import audit
from samtale.privacy.retention import check_retention
from tests.conftest import new_tenant
from tests.privacy.conftest import audit_of, chat, exists, involve_person

DAY = timedelta(days=1)
SECOND = timedelta(seconds=1)


async def purge(rt: Container, tenant: Tenant, **kwargs):  # type: ignore[no-untyped-def]
    report = await rt.privacy.runner.run_once(rt.clock.now(), tenant_id=tenant.id, **kwargs)
    assert report is not None
    return report


async def test_defaults_are_90_days_for_the_bot_and_kept_with_an_agent(
    rt: Container, tenant: Tenant
) -> None:
    assert DEFAULT_BOT_RETENTION_DAYS == 90 and DEFAULT_AGENT_RETENTION_DAYS is None
    assert (tenant.retention_bot_days, tenant.retention_agent_days) == (90, None)


async def test_bot_only_conversations_go_90_days_after_the_last_message_not_earlier(
    rt: Container, api: httpx.AsyncClient, tenant: Tenant, clock: ManualClock
) -> None:
    old = await chat(api, tenant, "hvor er min pakke")
    clock.advance(days=10)
    # Activity ten days later moves the deadline: retention counts from the last message.
    active = await chat(api, tenant, "hej")
    clock.advance(days=5)
    await api.post(
        f"/api/v1/conversations/{active['conversation_id']}/messages",
        json={"text": "er I der?"},
        headers=active["headers"],
    )
    last_of_old = clock.now() - timedelta(days=15)
    last_of_active = clock.now()

    clock.set(last_of_old + 90 * DAY - SECOND)
    report = await purge(rt, tenant)
    assert report.conversations == 0
    assert await exists(rt.db, old["id"])

    clock.set(last_of_old + 90 * DAY)
    report = await purge(rt, tenant)
    assert report.conversations == 1 and report.tenants[0].bot_only == 1
    assert report.messages == 2  # the visitor's message and the reply
    assert not await exists(rt.db, old["id"])
    assert await exists(rt.db, active["id"])

    clock.set(last_of_active + 90 * DAY - SECOND)
    assert (await purge(rt, tenant)).conversations == 0
    clock.set(last_of_active + 90 * DAY + SECOND)
    assert (await purge(rt, tenant)).conversations == 1
    assert not await exists(rt.db, active["id"])


async def test_conversations_with_an_agent_are_kept_until_requested(
    rt: Container, api: httpx.AsyncClient, tenant: Tenant, clock: ManualClock
) -> None:
    with_agent = await chat(api, tenant, "jeg vil tale med en person")
    await involve_person(rt.db, with_agent["id"])
    bot_only = await chat(api, tenant, "hej")
    clock.advance(days=3650)
    report = await purge(rt, tenant)
    assert report.tenants[0].bot_only == 1 and report.tenants[0].with_agent == 0
    assert await exists(rt.db, with_agent["id"])
    assert not await exists(rt.db, bot_only["id"])
    receipts = await rt.privacy.delete_conversation(
        tenant.id, with_agent["id"], actor="cli", reason=audit.REASON_REQUEST
    )
    assert receipts is not None and not await exists(rt.db, with_agent["id"])


async def test_conversations_with_an_agent_go_after_n_days_when_the_shop_sets_it(
    rt: Container, api: httpx.AsyncClient, tenant: Tenant, clock: ManualClock
) -> None:
    await rt.privacy.retention.set_retention(tenant.id, 90, 30, actor="cli")
    conv = await chat(api, tenant, "jeg vil tale med en person")
    await involve_person(rt.db, conv["id"])
    clock.advance(days=30, seconds=-1)
    assert (await purge(rt, tenant)).conversations == 0
    clock.advance(seconds=1)
    report = await purge(rt, tenant)
    assert report.tenants[0].with_agent == 1 and report.tenants[0].bot_only == 0
    assert not await exists(rt.db, conv["id"])


async def test_shorter_bot_retention_applies(
    rt: Container, api: httpx.AsyncClient, tenant: Tenant, clock: ManualClock
) -> None:
    await rt.privacy.retention.set_retention(tenant.id, 7, None, actor="cli")
    conv = await chat(api, tenant, "hej")
    clock.advance(days=7)
    assert (await purge(rt, tenant)).conversations == 1
    assert not await exists(rt.db, conv["id"])


async def test_purge_works_in_bounded_batches_with_one_audit_entry_each(
    make_runtime, database_url: str, clock: ManualClock
) -> None:
    rt = await make_runtime(database_url, clock=clock, purge_batch_size=3)
    tenant = await new_tenant(rt.db, clock)
    from httpx import ASGITransport, AsyncClient

    from samtale.web.app import create_app

    async with AsyncClient(
        transport=ASGITransport(app=create_app(rt, manage_runtime=False)), base_url="http://t"
    ) as api:
        convs = [await chat(api, tenant, "hej", "tak") for _ in range(8)]
    clock.advance(days=91)

    dry = await purge(rt, tenant, dry_run=True)
    assert dry.dry_run and dry.conversations == 8 and dry.messages == 32 and dry.batches == 0
    assert all([await exists(rt.db, c["id"]) for c in convs])
    assert await audit_of(rt.db, tenant.id) == []

    report = await purge(rt, tenant)
    assert report.conversations == 8 and report.batches == 3 and report.messages == 32
    assert report.longest_batch_seconds > 0
    entries = [e for e in await audit_of(rt.db, tenant.id) if e.action == audit.RETENTION_PURGE]
    assert sorted(e.details["conversations"] for e in entries) == [2, 3, 3]
    for e in entries:
        assert e.actor == "system:retention" and e.subject_hash is None
        assert e.details["reason"] == "retention" and e.details["kind"] == "bot_only"
        assert e.details["days"] == 90
        assert e.details["messages"] == 4 * e.details["conversations"]
    assert sum(e.details["messages"] for e in entries) == 32


async def test_the_purge_touches_only_the_tenant_asked_for(
    rt: Container, api: httpx.AsyncClient, clock: ManualClock
) -> None:
    a = await new_tenant(rt.db, clock)
    b = await new_tenant(rt.db, clock)
    conv_a, conv_b = await chat(api, a, "hej"), await chat(api, b, "hej")
    clock.advance(days=100)
    assert (await purge(rt, a)).conversations == 1
    assert not await exists(rt.db, conv_a["id"]) and await exists(rt.db, conv_b["id"])


async def test_live_clients_hear_of_the_deletion(
    rt: Container, api: httpx.AsyncClient, tenant: Tenant, clock: ManualClock
) -> None:
    conv = await chat(api, tenant, "hej")
    clock.advance(days=91)
    async with rt.hub.subscribe(conversation_channel(conv["id"])) as sub:
        await purge(rt, tenant)
        event = await sub.get()
    assert event == {"type": "deleted", "reason": "retention"}


async def test_retention_changes_are_checked_and_audited(rt: Container, tenant: Tenant) -> None:
    with pytest.raises(ValueError):
        check_retention(0, None)
    with pytest.raises(ValueError):
        check_retention(90, 0)
    with pytest.raises(ValueError):
        await rt.privacy.retention.set_retention(tenant.id, 100_000, None, actor="cli")
    policy = await rt.privacy.retention.set_retention(tenant.id, 30, 365, actor="cli")
    assert (policy.bot_days, policy.agent_days) == (30, 365)
    await rt.privacy.retention.set_retention(tenant.id, 30, 365, actor="cli")  # no change
    await rt.privacy.retention.set_retention(tenant.id, 30, None, actor="cli")
    entries = [e for e in await audit_of(rt.db, tenant.id) if e.action == audit.RETENTION_CHANGED]
    assert [e.details for e in entries] == [
        {"bot_days_before": 90, "bot_days": 30, "agent_days_before": None, "agent_days": 365},
        {"bot_days_before": 30, "bot_days": 30, "agent_days_before": 365, "agent_days": None},
    ]
    async with rt.db.session() as session:
        row = await session.get(Tenant, tenant.id)
    assert row is not None and (row.retention_bot_days, row.retention_agent_days) == (30, None)
