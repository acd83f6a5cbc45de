"""The built-in demo shop as a `ShopConnector`: orders and shipments from the tenant's rows,
products from the tenant's catalogue index, delivery and payment from `demo.policies`.

Timelines are stored as generated (around `orders.DEMO_NOW`) and moved forward by whole days
when read (`orders.demo_shift`), so the demo always looks current.
"""

from __future__ import annotations

import asyncio
import hmac
import uuid
from collections.abc import Awaitable, Callable
from datetime import timedelta

from sqlalchemy import select

from samtale.demo.shop.orders import demo_shift
from samtale.demo.shop.policies import DELIVERY, PAYMENT
from samtale.infra.database import Database
from samtale.kernel.clock import Clock
from samtale.model import ShopOrder, ShopShipment
from samtale.shop.connector import (
    normalize_email,
    normalize_order_number,
    normalize_tracking_number,
)
from samtale.shop.models import (
    DeliveryOption,
    Order,
    PaymentMethod,
    Product,
    SearchFilters,
    Shipment,
)
from samtale.shop.search import ProductIndex


def shifted(shipment: Shipment, by: timedelta) -> Shipment:
    if not by:
        return shipment
    return shipment.model_copy(
        update={
            "events": [e.model_copy(update={"at": e.at + by}) for e in shipment.events],
            "expected_delivery": shipment.expected_delivery + by
            if shipment.expected_delivery
            else None,
            "collect_by": shipment.collect_by + by if shipment.collect_by else None,
        }
    )


class DemoConnector:
    def __init__(
        self,
        db: Database,
        tenant_id: uuid.UUID,
        clock: Clock,
        index: Callable[[], Awaitable[ProductIndex]],
    ) -> None:
        self.db = db
        self.tenant_id = tenant_id
        self.clock = clock
        self._index = index

    async def find_order(self, order_number: str, email: str) -> Order | None:
        number = normalize_order_number(order_number)
        given = normalize_email(email).encode()
        # One round trip: the order with its shipments (a row per shipment, or one without).
        async with self.db.session() as session:
            rows = (
                await session.execute(
                    select(ShopOrder.email, ShopOrder.data, ShopShipment.data)
                    .outerjoin(ShopShipment, ShopShipment.order_id == ShopOrder.id)
                    .where(ShopOrder.tenant_id == self.tenant_id, ShopOrder.order_number == number)
                    .order_by(ShopShipment.tracking_number)
                )
            ).all()
        # Compare even when there is no order, so a miss costs the same either way.
        stored = rows[0][0].encode() if rows else b"\x00" * len(given)
        if not hmac.compare_digest(stored, given) or not rows:
            return None
        shipments = [shipment for _email, _order, shipment in rows if shipment is not None]
        by = demo_shift(self.clock.now())
        order = Order.model_validate(rows[0][1])
        return order.model_copy(
            update={
                "placed_at": order.placed_at + by if order.placed_at else None,
                "shipments": [shifted(Shipment.model_validate(s), by) for s in shipments],
            }
        )

    async def find_shipment(self, tracking_number: str) -> Shipment | None:
        number = normalize_tracking_number(tracking_number)
        async with self.db.session() as session:
            data = await session.scalar(
                select(ShopShipment.data).where(
                    ShopShipment.tenant_id == self.tenant_id,
                    ShopShipment.tracking_number == number,
                )
            )
        if data is None:
            return None
        return shifted(Shipment.model_validate(data), demo_shift(self.clock.now()))

    async def search_products(
        self, query: str, language: str, filters: SearchFilters | None = None, limit: int = 10
    ) -> list[Product]:
        index = await self._index()
        # In a worker thread: the query's embedding takes tens of milliseconds of CPU.
        hits = await asyncio.to_thread(index.search, query, language, filters, limit=limit)
        return [hit.product for hit in hits]

    async def get_product(self, sku: str) -> Product | None:
        index = await self._index()
        return index.get(sku)

    async def delivery_options(self, country: str) -> list[DeliveryOption]:
        return list(DELIVERY.get(country.upper(), []))

    async def payment_methods(self, country: str) -> list[PaymentMethod]:
        return list(PAYMENT.get(country.upper(), []))
