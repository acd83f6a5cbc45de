"""The built-in shop: a shop whose catalogue and orders live in Samtale's own tables
(`shop_products`, `shop_orders`, `shop_shipments`), as the demo shop's do.

`load_products` reads a tenant's catalogue. The connector over those rows is given to
`ShopService` by the composition root as a `BuiltinConnectorFactory`, so that what is particular
to one built-in shop (the demo shop's moving timeline and its delivery and payment policies)
stays with that shop's package.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from samtale.infra.database import Database
from samtale.kernel.clock import Clock
from samtale.model import ShopProduct
from samtale.shop.connector import ShopConnector
from samtale.shop.models import Product
from samtale.shop.search import ProductIndex


class BuiltinConnectorFactory(Protocol):
    def __call__(
        self,
        db: Database,
        tenant_id: uuid.UUID,
        clock: Clock,
        index: Callable[[], Awaitable[ProductIndex]],
    ) -> ShopConnector: ...


async def load_products(session: AsyncSession, tenant_id: uuid.UUID) -> list[Product]:
    rows = await session.scalars(
        select(ShopProduct.data).where(ShopProduct.tenant_id == tenant_id).order_by(ShopProduct.sku)
    )
    return [Product.model_validate(data) for data in rows]
