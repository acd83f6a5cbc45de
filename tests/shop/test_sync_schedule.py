"""The connected shops' scheduled sync with several processes (workers, instances): one process
at a time runs a round, and a round leaves out the shops synced lately, so a round starting just
after another one's syncs nobody twice."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from samtale.infra.database import Database
from samtale.infra.locks import exclusive
from samtale.kernel.clock import ManualClock
from samtale.model import ShopCatalogue, Tenant
from samtale.shop.service import SYNC_LOCK_KEY, ShopService
from tests.conftest import ON_POSTGRES_ONLY, new_tenant


async def _connected(db: Database, clock: ManualClock) -> Tenant:
    tenant = await new_tenant(db, clock)
    async with db.transaction() as session:
        row = await session.get(Tenant, tenant.id)
        assert row is not None
        row.settings = {**(row.settings or {}), "connector": {"type": "shopify"}}
    return tenant


@pytest.fixture
def synced(shops: ShopService) -> list[uuid.UUID]:
    """The shops a round syncs (the platform call itself is not what is tested here)."""
    calls: list[uuid.UUID] = []

    async def sync(tenant_id: uuid.UUID, *, full: bool | None = None) -> None:
        calls.append(tenant_id)

    shops.sync = sync  # type: ignore[assignment,method-assign]
    return calls


async def test_a_round_leaves_out_shops_synced_lately(
    db: Database, clock: ManualClock, shops: ShopService, synced: list[uuid.UUID]
) -> None:
    fresh, due = await _connected(db, clock), await _connected(db, clock)
    async with db.transaction() as session:
        session.add(
            ShopCatalogue(
                tenant_id=fresh.id,
                platform="shopify",
                products=0,
                last_updated_at=None,
                synced_at=clock.now() - timedelta(minutes=10),
                full_synced_at=clock.now() - timedelta(minutes=10),
            )
        )
    await shops.sync_all(skip_synced_within=3600)
    assert due.id in synced and fresh.id not in synced
    synced.clear()
    await shops.sync_all()  # without the skip: every connected shop
    assert {due.id, fresh.id} <= set(synced)


@ON_POSTGRES_ONLY
async def test_a_round_runs_in_one_process_at_a_time(
    db: Database, clock: ManualClock, shops: ShopService, synced: list[uuid.UUID]
) -> None:
    tenant = await _connected(db, clock)
    other = Database(db.url)  # another worker's connection
    try:
        async with exclusive(other, SYNC_LOCK_KEY) as got:
            assert got
            assert await shops.sync_all() == 0
            assert synced == []
    finally:
        await other.dispose()
    assert await shops.sync_all() >= 1 and tenant.id in synced
