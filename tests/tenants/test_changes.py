"""A shop's change reaches every instance's caches through one announcement."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from samtale.app.container import Container
from samtale.model import Tenant
from tests.conftest import new_tenant, requires_redis


async def _cached(rt: Container, tenant_id: uuid.UUID) -> bool:
    return tenant_id in rt.insights.tenants._items


async def _eventually(check: Any, seconds: float = 5.0) -> bool:
    deadline = asyncio.get_running_loop().time() + seconds
    while asyncio.get_running_loop().time() < deadline:
        if await check():
            return True
        await asyncio.sleep(0.02)
    return bool(await check())


@requires_redis()
async def test_a_change_on_one_instance_reaches_the_other(
    make_runtime: Any, database_url: str
) -> None:
    a: Container = await make_runtime(database_url, redis=True)
    b: Container = await make_runtime(database_url, redis=True)
    shop = await new_tenant(a.db)
    for rt in (a, b):
        async with rt.db.session() as session:
            assert await rt.insights.tenants.get(session, shop.id) is not None
    assert await _cached(b, shop.id)
    await a.changes.announce(shop.id, "settings")
    assert not await _cached(a, shop.id)  # this instance at once
    assert await _eventually(lambda: _not(_cached(b, shop.id)))  # the other one soon


async def _not(check: Any) -> bool:
    return not await check


async def test_announced_after_commit_only(runtime: Container) -> None:
    shop = await new_tenant(runtime.db)
    heard: list[tuple[uuid.UUID | None, str | None]] = []
    runtime.changes.listen(lambda tenant_id, kind: heard.append((tenant_id, kind)))

    # A rolled-back change is never announced.
    try:
        async with runtime.db.transaction() as session:
            row = await session.get(Tenant, shop.id)
            assert row is not None
            row.settings = {"insights": {"sample_share": 0.5}}
            runtime.changes.after_commit(session, shop.id, "settings")
            raise RuntimeError("changed my mind")
    except RuntimeError:
        pass
    await asyncio.sleep(0.05)
    assert heard == []

    async with runtime.db.transaction() as session:
        row = await session.get(Tenant, shop.id)
        assert row is not None
        row.settings = {"insights": {"sample_share": 0.5}}
        runtime.changes.after_commit(session, shop.id, "settings")
        await session.flush()
        assert heard == []  # not while the transaction is open
    assert await _eventually(_async(lambda: heard == [(shop.id, "settings")]))
    # The settings are read again: the cache holds the new share.
    async with runtime.db.session() as session:
        info = await runtime.insights.tenants.get(session, shop.id)
    assert info is not None and info.settings.sample_share == 0.5


def _async(fn: Any) -> Any:
    async def check() -> bool:
        return bool(fn())

    return check


async def test_a_lost_announcement_forgets_every_shop(runtime: Container) -> None:
    """When the hub says events may have been missed, every listener hears 'every shop'."""
    heard: list[tuple[uuid.UUID | None, str | None]] = []
    runtime.changes.listen(lambda tenant_id, kind: heard.append((tenant_id, kind)))
    await runtime.changes._receive({"type": "resync"})
    assert heard == [(None, None)]
    # An unknown kind or a malformed shop is ignored.
    await runtime.changes._receive({"tenant": "not-a-uuid", "kind": "settings"})
    await runtime.changes._receive({"tenant": str(uuid.uuid4()), "kind": "weather"})
    assert heard == [(None, None)]
