"""Magento 2 / Adobe Commerce, through its REST API, with an integration's access token.

    GET {url}/rest/{store}/V1/…      Authorization: Bearer <integration access token>

**Order look-up.** `GET /V1/orders` with `searchCriteria`: one filter group on `increment_id`
(the number customers see; `entity_id` is the database id and never what they type) and a
second on `customer_email` — filter groups are ANDed, so Magento itself returns nothing for a
wrong e-mail. The e-mail is then compared here as well, in constant time. Shops whose numbers
are zero-padded ("000000123") are found from "123" too.

**Tracking.** `GET /V1/shipments` filtered on `order_id` = the order's `entity_id`; each
shipment's `tracks` carry `track_number`, `title` and `carrier_code`.

**Products.** `GET /V1/products` page by page (`searchCriteria[pageSize]`, `[currentPage]`,
sorted by `updated_at`, filtered `updated_at gt` for an incremental sync). Magento answers a
page past the end with the last page again, so paging stops at `total_count`.
"""

from __future__ import annotations

import math
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
from samtale.shop.connector import normalize_email, normalize_tracking_number
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
from samtale.shop.platforms.catalogue import money, plain
from samtale.shop.platforms.common import ShopCheck, clean_number, same_email, with_live_status


class MagentoConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: Literal["magento"] = "magento"
    url: HttpUrl
    token: SecretStr
    store: str = Field(default="default", pattern=r"^[a-z0-9_]{1,32}$")
    language: str = "da"
    timeout: float = Field(default=3.0, gt=0, le=30)
    deadline: float = Field(default=4.5, gt=0, le=60)
    sync_deadline: float = Field(default=60.0, gt=0, le=3600)
    retries: int = Field(default=2, ge=0, le=5)
    page_size: int = Field(default=100, ge=1, le=500)


def criteria(groups: list[list[tuple[str, str, str]]], **extra: str) -> dict[str, str]:
    """`searchCriteria` as query parameters: groups of (field, value, condition); filters in a
    group are ORed, groups ANDed."""
    params: dict[str, str] = {}
    for g, filters in enumerate(groups):
        for f, (field, value, condition) in enumerate(filters):
            prefix = f"searchCriteria[filter_groups][{g}][filters][{f}]"
            params[f"{prefix}[field]"] = field
            params[f"{prefix}[value]"] = value
            params[f"{prefix}[condition_type]"] = condition
    for key, value in extra.items():
        params[f"searchCriteria[{key}]"] = value
    return params


class MagentoConnector:
    platform = "magento"

    def __init__(
        self,
        config: MagentoConfig,
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
            "magento",
            base_url=f"{str(config.url).rstrip('/')}/rest/{config.store}",
            headers={"authorization": f"Bearer {config.token.get_secret_value()}"},
            timeout=config.timeout,
            retries=config.retries,
            clock=clock,
            private_addresses=private_addresses,
            transport=transport,
        )
        self._store: dict[str, Any] | None = None
        self.last_updated_at: datetime | None = None

    async def aclose(self) -> None:
        await self.calls.aclose()

    async def _get(self, path: str, deadline: Deadline, name: str, params: dict[str, str]) -> Any:
        response = await self.calls.send("GET", path, deadline=deadline, name=name, params=params)
        return self.calls.json(response, name)

    # -- orders ----------------------------------------------------------------------------

    async def find_order(self, order_number: str, email: str) -> Order | None:
        number = clean_number(order_number)
        given = normalize_email(email)
        if number is None or not given:
            return None
        numbers = [number] + ([number.zfill(9)] if number.isdigit() and len(number) < 9 else [])
        deadline = Deadline(self.config.deadline)
        body = await self._get(
            "/V1/orders",
            deadline,
            "order",
            criteria(
                [[("increment_id", n, "eq") for n in numbers], [("customer_email", given, "eq")]]
            ),
        )
        try:
            match = None
            for item in body["items"]:
                if same_email(item.get("customer_email"), email):
                    match = item
            if match is None:
                return None
            shipments = await self._get(
                "/V1/shipments",
                deadline,
                "shipments",
                criteria([[("order_id", str(int(match["entity_id"])), "eq")]]),
            )
            order = self._order(match, shipments["items"])
        except (KeyError, TypeError, ValueError, AttributeError):
            raise malformed("order") from None
        return await with_live_status(order, self.tracker, self.language)

    def _order(self, raw: dict[str, Any], shipments: list[dict[str, Any]]) -> Order:
        state = str(raw.get("state") or raw.get("status") or "")
        cancelled = state in {"canceled", "closed"}
        shipped = normalize("magento", state) if not shipments else "handed_to_carrier"
        found: list[Shipment] = []
        if shipped is not None and not cancelled:
            for shipment in shipments:
                for track in shipment.get("tracks") or []:
                    number = normalize_tracking_number(str(track.get("track_number") or ""))
                    if not number:
                        continue
                    carrier = carrier_code(track.get("title")) or carrier_code(
                        track.get("carrier_code")
                    )
                    carrier = carrier or str(track.get("title") or "").lower()
                    when = parse_time(_utc(track.get("created_at") or shipment.get("created_at")))
                    found.append(
                        Shipment(
                            tracking_number=number,
                            carrier=carrier,
                            status=shipped,
                            events=[ShipmentEvent(at=when, code="handed_to_carrier")]
                            if when
                            else [],
                            tracking_url=tracking_link(carrier, number, self.language),
                        )
                    )
        return Order(
            order_number=str(raw["increment_id"]),
            email=raw.get("customer_email"),
            placed_at=parse_time(_utc(raw.get("created_at"))),
            currency=raw.get("order_currency_code"),
            total=money(raw.get("grand_total")),
            lines=[
                OrderLine(sku=i.get("sku"), name=str(i["name"]), quantity=int(i["qty_ordered"]))
                for i in raw.get("items") or []
                if not i.get("parent_item_id")  # a configurable's child repeats its parent
            ],
            shipments=found,
            cancelled=cancelled,
        )

    async def find_shipment(self, tracking_number: str) -> Shipment | None:
        if self.tracker is None:
            return None
        return await self.tracker.lookup(tracking_number, self.language)

    # -- the shop --------------------------------------------------------------------------

    async def _store_config(self, deadline: Deadline) -> dict[str, Any]:
        if self._store is None:
            configs = await self._get("/V1/store/storeConfigs", deadline, "store", {})
            try:
                self._store = next(c for c in configs if c["code"] == self.config.store)
            except (StopIteration, KeyError, TypeError):
                raise malformed("store") from None
        return self._store

    async def check(self) -> ShopCheck:
        deadline = Deadline(self.config.deadline)
        store = await self._store_config(deadline)
        groups = await self._get("/V1/store/storeGroups", deadline, "check", {})
        count = await self._get("/V1/products", deadline, "check", criteria([], pageSize="1"))
        try:
            group = next(g for g in groups if g["id"] == store["store_group_id"])
            return ShopCheck(
                name=str(group["name"]),
                products=int(count["total_count"]),
                currency=store.get("base_currency_code"),
            )
        except (StopIteration, KeyError, TypeError, ValueError):
            raise malformed("check") from None

    # -- products --------------------------------------------------------------------------

    async def sync_products(self, since: datetime | None = None) -> AsyncIterator[Product]:
        store = await self._store_config(Deadline(self.config.deadline))
        groups = [[("status", "1", "eq")]]
        if since is not None:
            moment = since.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
            groups.append([("updated_at", moment, "gt")])
        page, pages = 1, 1
        while page <= pages:
            params = criteria(groups, pageSize=str(self.config.page_size), currentPage=str(page))
            params["searchCriteria[sortOrders][0][field]"] = "updated_at"
            params["searchCriteria[sortOrders][0][direction]"] = "ASC"
            body = await self._get(
                "/V1/products", Deadline(self.config.sync_deadline), "products", params
            )
            try:
                pages = math.ceil(int(body["total_count"]) / self.config.page_size)
                for raw in body["items"]:
                    product = self._product(raw, store)
                    if product is not None:
                        yield product
            except (KeyError, TypeError, ValueError, AttributeError):
                raise malformed("products") from None
            page += 1

    def _product(self, raw: dict[str, Any], store: dict[str, Any]) -> Product | None:
        name = str(raw.get("name") or "").strip()
        if not name or raw.get("visibility") == 1:  # not visible individually
            return None
        attributes = {
            a["attribute_code"]: a.get("value") for a in raw.get("custom_attributes") or []
        }
        base = str(store.get("secure_base_url") or store.get("base_url") or "").rstrip("/")
        media = str(store.get("secure_base_media_url") or f"{base}/media/").rstrip("/")
        url_key = attributes.get("url_key")
        stock_item = (raw.get("extension_attributes") or {}).get("stock_item") or {}
        in_stock = bool(stock_item.get("is_in_stock", True))
        qty = stock_item.get("qty")
        stock = (max(0, int(qty)) if isinstance(qty, int | float) else 1) if in_stock else 0
        description = plain(attributes.get("short_description")) or plain(
            attributes.get("description")
        )
        price = money(raw.get("price"))
        currency = str(store.get("base_currency_code") or "EUR")
        updated = parse_time(_utc(raw.get("updated_at")))
        if updated is not None and (self.last_updated_at is None or updated > self.last_updated_at):
            self.last_updated_at = updated
        lang = self.language
        return Product(
            sku=str(raw["sku"]),
            names={lang: name},
            descriptions={lang: description} if description else {},
            prices={currency: price} if price is not None else {},
            variants=[Variant(sku=str(raw["sku"]), stock=stock)],
            images=[
                Image(url=f"{media}/catalog/product{e['file']}")
                for e in raw.get("media_gallery_entries") or []
                if e.get("file")
            ],
            url=f"{base}/{url_key}.html" if url_key and base else None,
        )

    async def search_products(
        self, query: str, language: str, filters: SearchFilters | None = None, limit: int = 10
    ) -> list[Product]:
        deadline = Deadline(self.config.deadline)
        store = await self._store_config(deadline)
        words = query.strip()[:100]
        if not words:
            return []
        body = await self._get(
            "/V1/products",
            deadline,
            "search",
            criteria(
                [[("name", f"%{words}%", "like")], [("status", "1", "eq")]],
                pageSize=str(max(1, min(limit, 100))),
                currentPage="1",
            ),
        )
        try:
            found = [self._product(raw, store) for raw in body["items"]]
        except (KeyError, TypeError, ValueError):
            raise malformed("search") from None
        products = [p for p in found if p is not None]
        if filters is not None and not filters.is_empty():
            products = [p for p in products if product_fits(p, filters)] or products
        return products[:limit]

    async def get_product(self, sku: str) -> Product | None:
        deadline = Deadline(self.config.deadline)
        store = await self._store_config(deadline)
        body = await self._get(
            "/V1/products",
            deadline,
            "product",
            criteria([[("sku", sku, "eq")]], pageSize="1", currentPage="1"),
        )
        try:
            items = body["items"]
            return self._product(items[0], store) if items else None
        except (KeyError, TypeError, ValueError, IndexError):
            raise malformed("product") from None

    async def delivery_options(self, country: str) -> list[DeliveryOption]:
        return []

    async def payment_methods(self, country: str) -> list[PaymentMethod]:
        return []


def _utc(value: Any) -> Any:
    """Magento's times ("2026-01-03 10:15:00") are UTC without saying so."""
    if isinstance(value, str) and value and "+" not in value and not value.endswith("Z"):
        return value.replace(" ", "T") + "+00:00"
    return value
