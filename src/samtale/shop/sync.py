"""Syncing a connected platform's catalogue into Samtale's own tables.

`sync_catalogue` pages through the platform's products (`sync_products(since=…)`) and upserts
them into `shop_products` by SKU in batches: one read of the tenant's SKUs first, then per
batch one bulk insert of the new products and one bulk update of the known ones. A full sync
(the first, and then at most every `SAMTALE_SHOP_FULL_SYNC_SECONDS`) also deletes the products
the shop no longer has; an incremental one asks only for what changed since the newest change
seen last time (`ShopCatalogue.last_updated_at`). The `ShopCatalogue` row changes with every
sync, which tells the product index to rebuild.

`SyncScheduler` runs it for every connected tenant every `SAMTALE_SHOP_SYNC_INTERVAL_SECONDS`
inside the server; a failing shop is logged and tried again next round.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, insert, select, update

from samtale.infra.database import Database
from samtale.kernel.clock import Clock
from samtale.kernel.logs import get_logger
from samtale.model import ShopCatalogue, ShopProduct
from samtale.shop.models import Product

log = get_logger(__name__)

BATCH = 500
MAX_SKU = 64


@dataclass
class SyncResult:
    platform: str
    full: bool
    received: int  # products the platform gave
    added: int
    updated: int
    removed: int
    skipped: int  # SKUs too long to store
    total: int  # products stored after the sync
    seconds: float

    @property
    def rate(self) -> float:
        return self.received / self.seconds if self.seconds > 0 else 0.0


async def sync_catalogue(
    db: Database,
    clock: Clock,
    tenant_id: uuid.UUID,
    platform: Any,
    *,
    full: bool | None = None,
    full_every: float = 24 * 3600.0,
) -> SyncResult:
    """Sync `platform`'s catalogue into the tenant's products (see the module's text)."""
    started = time.perf_counter()
    now = clock.now()
    async with db.session() as session:
        state = await session.get(ShopCatalogue, tenant_id)
        known: dict[str, uuid.UUID] = {
            str(sku): id_
            for sku, id_ in (
                await session.execute(
                    select(ShopProduct.sku, ShopProduct.id).where(
                        ShopProduct.tenant_id == tenant_id
                    )
                )
            ).all()
        }
    if full is None:
        full = (
            state is None
            or state.platform != platform.platform
            or state.full_synced_at is None
            or now - state.full_synced_at >= timedelta(seconds=full_every)
        )
    since = None if full or state is None else state.last_updated_at
    platform.last_updated_at = since
    seen: set[str] = set()
    received = added = updated = skipped = 0
    batch: list[Product] = []

    async def flush() -> None:
        nonlocal added, updated
        if not batch:
            return
        new = [p for p in batch if p.sku not in known]
        old = [p for p in batch if p.sku in known]
        async with db.transaction() as session:
            if new:
                ids = {p.sku: uuid.uuid4() for p in new}
                rows = [
                    {"id": ids[p.sku], "tenant_id": tenant_id, "sku": p.sku,
                     "data": p.model_dump(mode="json")}
                    for p in new
                ]  # fmt: skip
                await session.execute(insert(ShopProduct), rows)
                known.update(ids)
            if old:
                await session.execute(
                    update(ShopProduct),
                    [{"id": known[p.sku], "data": p.model_dump(mode="json")} for p in old],
                )
        added += len(new)
        updated += len(old)
        batch.clear()

    products: AsyncIterator[Product] = platform.sync_products(since=since)
    async for product in products:
        received += 1
        if len(product.sku) > MAX_SKU or product.sku in seen:
            skipped += product.sku not in seen
            continue
        seen.add(product.sku)
        batch.append(product)
        if len(batch) >= BATCH:
            await flush()
    await flush()
    removed = 0
    async with db.transaction() as session:
        if full:
            gone = [id_ for sku, id_ in known.items() if sku not in seen]
            for i in range(0, len(gone), BATCH):
                await session.execute(
                    delete(ShopProduct).where(ShopProduct.id.in_(gone[i : i + BATCH]))
                )
            removed = len(gone)
        total = int(
            await session.scalar(
                select(func.count())
                .select_from(ShopProduct)
                .where(ShopProduct.tenant_id == tenant_id)
            )
            or 0
        )
        newest: datetime | None = platform.last_updated_at or (
            state.last_updated_at if state else None
        )
        if state is None:
            session.add(
                ShopCatalogue(
                    tenant_id=tenant_id,
                    platform=platform.platform,
                    products=total,
                    last_updated_at=newest,
                    synced_at=now,
                    full_synced_at=now if full else None,
                )
            )
        else:
            row = await session.get(ShopCatalogue, tenant_id)
            assert row is not None
            row.platform = platform.platform
            row.products = total
            row.last_updated_at = newest
            row.synced_at = now
            if full:
                row.full_synced_at = now
    result = SyncResult(
        platform=platform.platform,
        full=full,
        received=received,
        added=added,
        updated=updated,
        removed=removed,
        skipped=skipped,
        total=total,
        seconds=time.perf_counter() - started,
    )
    log.info(
        "shop_catalogue_synced",
        tenant_id=str(tenant_id),
        platform=result.platform,
        full=full,
        received=received,
        added=added,
        updated=updated,
        removed=removed,
        skipped=skipped,
        seconds=round(result.seconds, 3),
    )
    return result


class SyncScheduler:
    """Every `interval` seconds, `run()` (the shop service's sync of every connected shop)."""

    def __init__(self, run: Callable[[], Awaitable[Any]], interval: float, first: float = 60.0):
        self.run = run
        self.interval = interval
        self.first = first
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self.interval > 0 and self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._loop(), name="shop-sync")

    async def _loop(self) -> None:
        await asyncio.sleep(self.first)
        while True:
            try:
                await self.run()
            except Exception:
                log.exception("shop_sync_round_failed")
            await asyncio.sleep(self.interval)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
            self._task = None
