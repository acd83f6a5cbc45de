"""A shop on a connected platform as the bot sees it: orders and shipments asked of the
platform (with live carrier status), products found in the synced catalogue's index.

The platform's own product search is a poor one (Shopify's title search, WooCommerce's `search`),
so once a catalogue is synced (`shop.sync`), "har I …?" is answered from the same product index
the demo shop uses, by words and meaning, in the customer's language. Until the first sync, the
platform's live search answers.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from samtale.shop.connect import AnyPlatform
from samtale.shop.models import (
    DeliveryOption,
    Order,
    PaymentMethod,
    Product,
    SearchFilters,
    Shipment,
)
from samtale.shop.search import ProductIndex


class ConnectedShop:
    def __init__(self, platform: AnyPlatform, index: Callable[[], Awaitable[ProductIndex]]) -> None:
        self.platform = platform
        self._index = index

    @property
    def kind(self) -> str:
        return self.platform.platform

    async def find_order(self, order_number: str, email: str) -> Order | None:
        return await self.platform.find_order(order_number, email)

    async def find_shipment(self, tracking_number: str) -> Shipment | None:
        return await self.platform.find_shipment(tracking_number)

    async def search_products(
        self, query: str, language: str, filters: SearchFilters | None = None, limit: int = 10
    ) -> list[Product]:
        index = await self._index()
        if not index.products:
            return await self.platform.search_products(query, language, filters, limit)
        hits = await asyncio.to_thread(index.search, query, language, filters, limit=limit)
        return [hit.product for hit in hits]

    async def get_product(self, sku: str) -> Product | None:
        index = await self._index()
        if not index.products:
            return await self.platform.get_product(sku)
        return index.get(sku)

    async def delivery_options(self, country: str) -> list[DeliveryOption]:
        return await self.platform.delivery_options(country)

    async def payment_methods(self, country: str) -> list[PaymentMethod]:
        return await self.platform.payment_methods(country)

    async def aclose(self) -> None:
        await self.platform.aclose()
        if self.platform.tracker is not None:
            await self.platform.tracker.aclose()
