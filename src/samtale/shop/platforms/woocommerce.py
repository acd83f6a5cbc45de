"""WooCommerce, through its REST API v3 and the Shipment Tracking extension.

    {url}/wp-json/wc/v3/…      HTTP Basic: consumer key and consumer secret (over HTTPS)

**Order look-up.** A shop's order *numbers* may differ from its order *ids* (a sequential
order numbers plugin shows "SE-10023" for id 523), and customers know the number. So the order
is found by `GET /orders?search=<number>` and an exact match on `number`; when the number is all
digits and the search found nothing, `GET /orders/<id>` is tried, and kept only if that order's
`number` is the same (id 523 is not order "523" when its number is "SE-10023"). The e-mail is
`billing.email`, compared here in constant time after trimming and case-folding.

**Tracking.** `GET /wp-json/wc-shipment-tracking/v3/orders/<id>/shipment-trackings`; when the
extension's API is not there (404) the same items are read from the order's meta
`_wc_shipment_tracking_items`. A completed order's parcels are "handed to the carrier" until a
carrier's live status says more; cancelled, refunded and failed orders have none.

**Products.** `GET /products?status=publish&per_page=100&page=N` (`modified_after=` for an
incremental sync), as many pages as `X-WP-TotalPages` says: permalink, price, stock status and
quantity, categories, images and attributes (colours and sizes).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any, Literal

import httpx
from pydantic import BaseModel, ConfigDict, Field, HttpUrl, SecretStr

from samtale.infra.outgoing import Deadline
from samtale.kernel.clock import Clock
from samtale.shop.carriers.links import tracking_link
from samtale.shop.carriers.live import parse_time
from samtale.shop.carriers.names import carrier_code
from samtale.shop.carriers.statuses import normalize
from samtale.shop.carriers.tracker import CarrierTracker
from samtale.shop.connector import ShopUnavailable, normalize_tracking_number
from samtale.shop.filters import product_fits
from samtale.shop.models import (
    DeliveryOption,
    Image,
    Order,
    OrderLine,
    PaymentMethod,
    Product,
    SearchFilters,
    Shipment,
    ShipmentEvent,
    Variant,
)
from samtale.shop.platforms.calls import PlatformCalls, malformed
from samtale.shop.platforms.catalogue import colour_code, money, option_kind, plain
from samtale.shop.platforms.common import ShopCheck, clean_number, same_email, with_live_status

API = "/wp-json/wc/v3"
TRACKING_API = "/wp-json/wc-shipment-tracking/v3"
TRACKING_META = "_wc_shipment_tracking_items"


class WooCommerceConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: Literal["woocommerce"] = "woocommerce"
    url: HttpUrl
    key: SecretStr  # ck_…
    secret: SecretStr  # cs_…
    language: str = "da"  # the language the shop's texts are in
    timeout: float = Field(default=3.0, gt=0, le=30)
    deadline: float = Field(default=4.5, gt=0, le=60)
    sync_deadline: float = Field(default=60.0, gt=0, le=3600)
    retries: int = Field(default=2, ge=0, le=5)
    page_size: int = Field(default=100, ge=1, le=100)


class WooCommerceConnector:
    platform = "woocommerce"

    def __init__(
        self,
        config: WooCommerceConfig,
        *,
        clock: Clock | None = None,
        tracker: CarrierTracker | None = None,
        private_addresses: bool = False,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.config = config
        self.tracker = tracker
        self.language = config.language
        self.calls = PlatformCalls(
            "woocommerce",
            base_url=str(config.url),
            timeout=config.timeout,
            retries=config.retries,
            clock=clock,
            private_addresses=private_addresses,
            transport=transport,
        )
        self._auth = httpx.BasicAuth(
            config.key.get_secret_value(), config.secret.get_secret_value()
        )
        self._currency: str | None = None
        self.last_updated_at: datetime | None = None

    async def aclose(self) -> None:
        await self.calls.aclose()

    async def _get(
        self, path: str, deadline: Deadline, name: str, params: dict[str, Any] | None = None
    ) -> httpx.Response:
        return await self.calls.send(
            "GET", path, deadline=deadline, name=name, params=params or {}, auth=self._auth
        )

    # -- orders ----------------------------------------------------------------------------

    async def find_order(self, order_number: str, email: str) -> Order | None:
        number = clean_number(order_number)
        if number is None or not email.strip():
            return None
        deadline = Deadline(self.config.deadline)
        response = await self._get(
            f"{API}/orders", deadline, "order", {"search": number, "per_page": 20}
        )
        found = self.calls.json(response, "order")
        if not isinstance(found, list):
            raise malformed("order")
        candidates = [o for o in found if isinstance(o, dict) and _number(o) == number.lower()]
        if not candidates and number.isdigit():
            response = await self._get(f"{API}/orders/{number}", deadline, "order")
            if response.status_code != 404:
                by_id = self.calls.json(response, "order")
                if isinstance(by_id, dict) and _number(by_id) == number.lower():
                    candidates = [by_id]
        match = None
        for candidate in candidates:  # every candidate is compared: no early exit
            billing = candidate.get("billing") if isinstance(candidate, dict) else None
            stored = billing.get("email") if isinstance(billing, dict) else None
            if same_email(stored, email):
                match = candidate
        if match is None:
            return None
        try:
            items = await self._tracking_items(match, deadline)
            order = self._order(match, items)
        except (KeyError, TypeError, ValueError, AttributeError):
            raise malformed("order") from None
        return await with_live_status(order, self.tracker, self.language)

    async def _tracking_items(
        self, order: dict[str, Any], deadline: Deadline
    ) -> list[dict[str, Any]]:
        path = f"{TRACKING_API}/orders/{int(order['id'])}/shipment-trackings"
        response = await self._get(path, deadline, "tracking")
        if response.status_code == 404:  # the extension's API is not there: its order meta
            for meta in order.get("meta_data") or []:
                if meta.get("key") == TRACKING_META and isinstance(meta.get("value"), list):
                    return [_from_meta(item) for item in meta["value"]]
            return []
        items = self.calls.json(response, "tracking")
        if not isinstance(items, list):
            raise malformed("tracking")
        return items

    def _order(self, raw: dict[str, Any], items: list[dict[str, Any]]) -> Order:
        status = str(raw.get("status") or "")
        cancelled = status in {"cancelled", "refunded", "failed"}
        shipped = normalize("woocommerce", status) or ("handed_to_carrier" if items else None)
        shipments: list[Shipment] = []
        if shipped is not None and not cancelled:
            for item in items:
                number = normalize_tracking_number(str(item.get("tracking_number") or ""))
                if not number:
                    continue
                provider = item.get("tracking_provider") or item.get("custom_tracking_provider")
                carrier = carrier_code(provider) or str(provider or "").lower()
                when = _shipped_at(item.get("date_shipped"))
                shipments.append(
                    Shipment(
                        tracking_number=number,
                        carrier=carrier,
                        status=shipped,
                        events=[ShipmentEvent(at=when, code="handed_to_carrier")] if when else [],
                        tracking_url=item.get("tracking_link")
                        or tracking_link(carrier, number, self.language),
                    )
                )
        return Order(
            order_number=str(raw["number"]),
            email=(raw.get("billing") or {}).get("email"),
            placed_at=parse_time(_gmt(raw.get("date_created_gmt"))),
            currency=raw.get("currency"),
            total=money(raw.get("total")),
            lines=[
                OrderLine(
                    sku=li.get("sku") or None, name=str(li["name"]), quantity=int(li["quantity"])
                )
                for li in raw.get("line_items") or []
            ],
            shipments=shipments,
            cancelled=cancelled,
        )

    async def find_shipment(self, tracking_number: str) -> Shipment | None:
        if self.tracker is None:
            return None
        return await self.tracker.lookup(tracking_number, self.language)

    # -- the shop --------------------------------------------------------------------------

    async def _shop_currency(self, deadline: Deadline) -> str:
        if self._currency is None:
            response = await self._get(f"{API}/data/currencies/current", deadline, "currency")
            body = self.calls.json(response, "currency")
            if not isinstance(body, dict) or not isinstance(body.get("code"), str):
                raise malformed("currency")
            self._currency = body["code"]
        return self._currency

    async def check(self) -> ShopCheck:
        deadline = Deadline(self.config.deadline)
        index = self.calls.json(await self._get("/wp-json/", deadline, "check"), "check")
        response = await self._get(f"{API}/products", deadline, "check", {"per_page": 1})
        self.calls.json(response, "check")
        try:
            return ShopCheck(
                name=str(index["name"]),
                products=int(response.headers["x-wp-total"]),
                currency=await self._shop_currency(deadline),
            )
        except (KeyError, TypeError, ValueError):
            raise malformed("check") from None

    # -- products --------------------------------------------------------------------------

    async def sync_products(self, since: datetime | None = None) -> AsyncIterator[Product]:
        currency = await self._shop_currency(Deadline(self.config.deadline))
        params: dict[str, Any] = {
            "status": "publish",
            "per_page": self.config.page_size,
            "orderby": "modified",
            "order": "asc",
        }
        if since is not None:
            params["modified_after"] = since.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")
            params["dates_are_gmt"] = "true"
        page, pages = 1, 1
        while page <= pages:
            deadline = Deadline(self.config.sync_deadline)
            response = await self._get(
                f"{API}/products", deadline, "products", {**params, "page": page}
            )
            batch = self.calls.json(response, "products")
            try:
                pages = int(response.headers.get("x-wp-totalpages", "1"))
                for raw in batch:
                    product = self._product(raw, currency)
                    if product is not None:
                        yield product
            except (KeyError, TypeError, ValueError, AttributeError):
                raise malformed("products") from None
            page += 1

    def _product(self, raw: dict[str, Any], currency: str) -> Product | None:
        name = str(raw.get("name") or "").strip()
        if not name:
            return None
        lang = self.language
        sku = str(raw.get("sku") or raw.get("slug") or raw["id"])
        colours: list[str] = []
        sizes: list[str] = []
        for attribute in raw.get("attributes") or []:
            kind = option_kind(str(attribute.get("name") or ""))
            if kind == "colour":
                colours = [str(o) for o in attribute.get("options") or []]
            elif kind == "size":
                sizes = [str(o) for o in attribute.get("options") or []]
        in_stock = raw.get("stock_status") == "instock"
        quantity = raw.get("stock_quantity")
        stock = max(0, int(quantity)) if isinstance(quantity, int) else 1
        stock = stock if in_stock else 0
        # Variations are not read one by one (a call per product): every colour × size
        # combination of the product's attributes, with the product's stock.
        colour_options: list[str | None] = [*colours] or [None]
        size_options: list[str | None] = [*sizes] or [None]
        combinations = [(c, s) for c in colour_options for s in size_options]
        variants = [
            Variant(sku=f"{sku}-{i + 1}", colour=colour_code(c), size=s, stock=stock)
            for i, (c, s) in enumerate(combinations)
        ]
        price = money(raw.get("price"))
        categories = [str(c.get("name")) for c in raw.get("categories") or [] if c.get("name")]
        updated = parse_time(_gmt(raw.get("date_modified_gmt")))
        if updated is not None and (self.last_updated_at is None or updated > self.last_updated_at):
            self.last_updated_at = updated
        description = plain(raw.get("short_description")) or plain(raw.get("description"))
        return Product(
            sku=sku,
            names={lang: name},
            descriptions={lang: description} if description else {},
            category=categories[0] if categories else "",
            category_names={lang: categories[0]} if categories else {},
            prices={currency: price} if price is not None else {},
            variants=variants,
            images=[Image(url=str(i["src"])) for i in raw.get("images") or [] if i.get("src")],
            url=raw.get("permalink"),
            keywords=" ".join(categories[1:] + [str(t.get("name")) for t in raw.get("tags") or []]),
        )

    async def search_products(
        self, query: str, language: str, filters: SearchFilters | None = None, limit: int = 10
    ) -> list[Product]:
        deadline = Deadline(self.config.deadline)
        currency = await self._shop_currency(deadline)
        response = await self._get(
            f"{API}/products",
            deadline,
            "search",
            {"search": query[:100], "status": "publish", "per_page": max(1, min(limit, 100))},
        )
        found = self.calls.json(response, "search")
        if not isinstance(found, list):
            raise malformed("search")
        products = [p for p in (self._product(r, currency) for r in found) if p is not None]
        if filters is not None and not filters.is_empty():
            products = [p for p in products if product_fits(p, filters)] or products
        return products[:limit]

    async def get_product(self, sku: str) -> Product | None:
        deadline = Deadline(self.config.deadline)
        currency = await self._shop_currency(deadline)
        response = await self._get(f"{API}/products", deadline, "product", {"sku": sku})
        found = self.calls.json(response, "product")
        if not isinstance(found, list):
            raise malformed("product")
        for raw in found:
            if isinstance(raw, dict) and raw.get("sku") == sku:
                return self._product(raw, currency)
        return None

    async def delivery_options(self, country: str) -> list[DeliveryOption]:
        return []

    async def payment_methods(self, country: str) -> list[PaymentMethod]:
        return []


def _number(order: dict[str, Any]) -> str:
    return str(order.get("number", "")).strip().lstrip("#").lower()


def _gmt(value: Any) -> Any:
    """WooCommerce's `*_gmt` times carry no offset, but are UTC."""
    return f"{value}+00:00" if isinstance(value, str) and value and "+" not in value else value


def _shipped_at(value: Any) -> datetime | None:
    if isinstance(value, int | float) or (isinstance(value, str) and value.isdigit()):
        return datetime.fromtimestamp(int(value), UTC)
    return parse_time(value)


def _from_meta(item: dict[str, Any]) -> dict[str, Any]:
    """An item of the `_wc_shipment_tracking_items` meta in the shape of the extension's API."""
    return {
        "tracking_provider": item.get("tracking_provider") or item.get("custom_tracking_provider"),
        "tracking_link": item.get("custom_tracking_link") or None,
        "tracking_number": item.get("tracking_number"),
        "date_shipped": item.get("date_shipped"),
    }


__all__ = ["ShopUnavailable", "WooCommerceConfig", "WooCommerceConnector"]
