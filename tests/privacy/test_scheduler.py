"""The purge inside the server: one runner at a time (a PostgreSQL advisory lock), driven by the
injected clock, off unless a server (or a test) starts it."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import httpx
import pytest

from samtale.app.container import Container
from samtale.kernel.clock import ManualClock
from samtale.privacy.scheduler import PurgeScheduler, purge_lock
from samtale.web.app import create_app
from tests.conftest import POSTGRES_URL, new_tenant
from tests.privacy.conftest import chat, exists


async def _conversations(rt: Container, n: int) -> tuple[Any, list[Any]]:
    tenant = await new_tenant(rt.db, rt.clock)
    transport = httpx.ASGITransport(app=create_app(rt, manage_runtime=False))
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as api:
        convs = [await chat(api, tenant, "hej") for _ in range(n)]
    return tenant, convs


@pytest.mark.skipif(not POSTGRES_URL, reason="SAMTALE_TEST_POSTGRES_URL is not set")
async def test_two_runners_on_postgres_one_does_the_work(
    make_runtime, database_urls: dict[str, str], clock: ManualClock
) -> None:
    url = database_urls["postgres"]
    first = await make_runtime(url, clock=clock, purge_batch_size=2)
    second = await make_runtime(url, clock=clock, purge_batch_size=2)
    tenant, convs = await _conversations(first, 5)
    clock.advance(days=91)

    started, release = asyncio.Event(), asyncio.Event()
    original = first.privacy.retention.purge

    async def slow_purge(**kwargs: Any) -> Any:
        started.set()
        await release.wait()
        return await original(**kwargs)

    first.privacy.retention.purge = slow_purge  # type: ignore[method-assign]
    task = asyncio.create_task(first.privacy.runner.run_once(clock.now(), tenant_id=tenant.id))
    await asyncio.wait_for(started.wait(), 5)
    # The first holds the lock: the second skips its round and deletes nothing.
    assert await second.privacy.runner.run_once(clock.now(), tenant_id=tenant.id) is None
    assert all([await exists(second.db, c["id"]) for c in convs])
    release.set()
    report = await asyncio.wait_for(task, 10)
    assert report is not None and report.conversations == 5 and report.batches == 3
    # The lock is free again.
    again = await second.privacy.runner.run_once(clock.now(), tenant_id=tenant.id)
    assert again is not None and again.conversations == 0


@pytest.mark.skipif(not POSTGRES_URL, reason="SAMTALE_TEST_POSTGRES_URL is not set")
async def test_the_advisory_lock_is_held_per_connection(
    make_runtime, database_urls: dict[str, str]
) -> None:
    a = await make_runtime(database_urls["postgres"])
    b = await make_runtime(database_urls["postgres"])
    async with purge_lock(a.db) as got_a:
        assert got_a
        async with purge_lock(b.db) as got_b:
            assert not got_b
    async with purge_lock(b.db) as got_b:
        assert got_b


async def test_runners_started_together_delete_each_conversation_once(
    make_runtime, database_url: str, clock: ManualClock
) -> None:
    runtimes = [await make_runtime(database_url, clock=clock, purge_batch_size=3) for _ in range(2)]
    tenant, convs = await _conversations(runtimes[0], 7)
    clock.advance(days=91)
    reports = await asyncio.gather(
        *(rt.privacy.runner.run_once(clock.now(), tenant_id=tenant.id) for rt in runtimes)
    )
    assert sum(r.conversations for r in reports if r is not None) == 7
    assert not any([await exists(runtimes[0].db, c["id"]) for c in convs])


async def test_the_scheduler_runs_on_its_interval_with_the_injected_clock(
    rt: Container, clock: ManualClock
) -> None:
    _tenant, convs = await _conversations(rt, 1)
    scheduler = PurgeScheduler(rt.privacy.runner, clock, interval=0.02, first_delay=0)
    scheduler.start()
    try:
        await asyncio.sleep(0.1)
        assert await exists(rt.db, convs[0]["id"])  # the clock has not moved: nothing is due
        clock.advance(timedelta(days=90))
        for _ in range(250):
            if not await exists(rt.db, convs[0]["id"]):
                break
            await asyncio.sleep(0.02)
        assert not await exists(rt.db, convs[0]["id"])
    finally:
        await scheduler.stop()


async def test_tick_reports_and_survives_errors(rt: Container, clock: ManualClock) -> None:
    scheduler = PurgeScheduler(rt.privacy.runner, clock, interval=3600)
    assert (await scheduler.tick()) is not None

    async def broken(**kwargs: Any) -> Any:
        raise RuntimeError("database gone")

    rt.privacy.retention.purge = broken  # type: ignore[method-assign]
    assert await scheduler.tick() is None


async def test_the_scheduler_is_off_unless_a_server_starts_it(
    make_runtime, database_url: str
) -> None:
    def purges() -> int:
        return sum(t.get_name() == "retention-purge" and not t.done() for t in asyncio.all_tasks())

    await make_runtime(database_url)
    assert purges() == 0  # tests' containers start no background jobs
    off = await make_runtime(database_url, purge_interval_seconds=0)
    off.start_background()
    assert purges() == 0
    on = await make_runtime(database_url)
    on.start_background()
    assert purges() == 1
    await on.close()  # the purge stops with its container
    await asyncio.sleep(0)
    assert purges() == 0
