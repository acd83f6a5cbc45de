"""Storing the demo shop for a tenant, once per version of the generated data.

`ensure_demo_shop` is idempotent: a `ShopDemoSeed` row records the seed and the data version a
tenant holds. The same seed and version do nothing; a new version (the generator changed)
replaces the tenant's demo rows in the same transaction. Products are written in bulk, so
seeding takes well under a second on SQLite.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import delete, insert
from sqlalchemy.ext.asyncio import AsyncSession

from samtale.demo.shop.catalogue import DEMO_SEED, generate_catalogue
from samtale.demo.shop.orders import generate_orders
from samtale.kernel.clock import Clock
from samtale.model import ShopDemoSeed, ShopOrder, ShopProduct, ShopShipment

# Bump when the generator's output changes, so existing demo databases are re-seeded.
DEMO_DATA_VERSION = "1"


async def has_demo_shop(session: AsyncSession, tenant_id: uuid.UUID) -> bool:
    return await session.get(ShopDemoSeed, tenant_id) is not None


async def ensure_demo_shop(
    session: AsyncSession, tenant_id: uuid.UUID, clock: Clock, seed: int = DEMO_SEED
) -> bool:
    """Store the demo catalogue and orders for `tenant_id`; False when already there."""
    marker = await session.get(ShopDemoSeed, tenant_id)
    if marker is not None and marker.seed == seed and marker.version == DEMO_DATA_VERSION:
        return False
    if marker is not None:
        await session.execute(delete(ShopProduct).where(ShopProduct.tenant_id == tenant_id))
        await session.execute(delete(ShopShipment).where(ShopShipment.tenant_id == tenant_id))
        await session.execute(delete(ShopOrder).where(ShopOrder.tenant_id == tenant_id))
        await session.delete(marker)
        await session.flush()
    products = generate_catalogue(seed)
    orders = generate_orders(seed, products=products)
    await session.execute(
        insert(ShopProduct),
        [
            {
                "id": uuid.uuid4(),
                "tenant_id": tenant_id,
                "sku": p.sku,
                "data": p.model_dump(mode="json"),
            }
            for p in products
        ],
    )
    order_rows: list[dict[str, Any]] = []
    shipment_rows: list[dict[str, Any]] = []
    for demo in orders:
        order_id = uuid.uuid4()
        data = demo.order.model_dump(mode="json", exclude={"shipments"})
        order_rows.append(
            {
                "id": order_id,
                "tenant_id": tenant_id,
                "order_number": demo.order.order_number,
                "email": demo.email,
                "placed_at": demo.order.placed_at,
                "data": data,
            }
        )
        shipment_rows.extend(
            {
                "id": uuid.uuid4(),
                "tenant_id": tenant_id,
                "order_id": order_id,
                "tracking_number": s.tracking_number,
                "data": s.model_dump(mode="json"),
            }
            for s in demo.shipments
        )
    await session.execute(insert(ShopOrder), order_rows)
    await session.execute(insert(ShopShipment), shipment_rows)
    session.add(
        ShopDemoSeed(
            tenant_id=tenant_id,
            seed=seed,
            version=DEMO_DATA_VERSION,
            products=len(products),
            orders=len(orders),
            created_at=clock.now(),
        )
    )
    await session.flush()
    return True
