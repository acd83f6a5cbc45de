"""The shop's actions in the bot: `register_shop_actions(registry, runtime, services)`.

Registers `track_order`, `track_shipment`, `product_search`, `delivery_options` and
`payment_methods`, all sharing one `ShopService` (kept in `services["shop"]`, closed with the
runtime). When a runtime is built inside a running event loop, the demo catalogues start loading
in the background straight away; otherwise on their first search.
"""

from __future__ import annotations

from typing import Any

from samtale.bot.actions import ActionRegistry
from samtale.shop.checkout import Checkout
from samtale.shop.products import ProductSearch
from samtale.shop.service import ShopService
from samtale.shop.tracking import Tracking

WARM_UP_DELAY = 5.0  # seconds: let the bots load first


def shop_service(runtime: Any, services: dict[str, Any]) -> ShopService:
    settings = services.get("settings") or runtime.settings
    return ShopService(
        services.get("db") or runtime.db,
        services.get("clock") or runtime.clock,
        embeddings_dir=settings.data_dir / "models" / "embeddings",
        private_addresses=settings.shop_private_addresses,
    )


def register_shop_actions(
    registry: ActionRegistry, runtime: Any, services: dict[str, Any]
) -> ShopService:
    shops: ShopService = services.get("shop") or shop_service(runtime, services)
    services["shop"] = shops
    tracking = Tracking(shops, services.get("limiter") or runtime.limiter)
    checkout = Checkout(shops)
    registry.register("track_order", tracking.track_order)
    registry.register("track_shipment", tracking.track_shipment)
    registry.register("product_search", ProductSearch(shops))
    registry.register("delivery_options", checkout.delivery_options)
    registry.register("payment_methods", checkout.payment_methods)
    if hasattr(runtime, "on_close"):
        runtime.on_close(shops.close)
    shops.warm_up_later(WARM_UP_DELAY)
    return shops
