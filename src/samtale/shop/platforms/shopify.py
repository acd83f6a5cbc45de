"""Shopify, through the Admin GraphQL API.

    POST {store}/admin/api/{version}/graphql.json      X-Shopify-Access-Token: …

**Version.** Pinned (`SHOPIFY_API_VERSION`) and configurable per shop: Shopify supports each
version for a year, and a query that works today keeps working until the shop's admin moves on.

**Credentials.** Either a ready Admin API access token, or a Dev Dashboard app's client id and
secret: then a token comes from `POST {store}/admin/oauth/access_token` with
`grant_type=client_credentials` and is renewed `RENEW_BEFORE` seconds before its `expires_in`
runs out (and once at once, should Shopify answer 401 to a token we thought alive).

**Order look-up.** `orders(first: 5, query: "name:…")`. The customer may type the store's name
for the order with or without its prefix and `#` ("1001", "#1001", "DK1001"); only letters,
digits and dashes reach the search string, so a customer cannot widen the query. The name must
then match exactly, and the e-mail is compared here, after trimming and case-folding, in
constant time; any miss is the same `None`. The query asks only for what the bot shows (status,
line items' titles and quantities, fulfillments' status, days and tracking) and the e-mail it
compares — never an address or a phone number.

**Products.** `products` with their variants (price, availability, stock, options),
`onlineStoreUrl`, `featuredImage` and translations into the shop's published languages, paged
with cursors in `updated_at` order; `sync_products(since=…)` gives only what changed since the
last sync.

**Throttling.** Shopify meters GraphQL by query cost in a leaky bucket and answers a query
that costs more than what is left with a `THROTTLED` error. The connector reads
`extensions.cost.throttleStatus` from every answer, waits for the bucket to refill
(`(requested − available) / restoreRate` seconds) when that fits in the deadline, and otherwise
gives up as `throttled`. A catalogue sync paces itself the same way before each page.

**Errors.** GraphQL `errors` in a 200 answer (a field the version does not have, an access
scope missing, an internal error) are failures (`graphql`), never an empty answer.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any, Literal

import httpx
from pydantic import BaseModel, ConfigDict, Field, HttpUrl, SecretStr, model_validator

from samtale.infra.outgoing import Deadline
from samtale.kernel.clock import Clock, SystemClock
from samtale.kernel.logs import get_logger
from samtale.shop.carriers.links import tracking_link
from samtale.shop.carriers.live import parse_day, parse_time
from samtale.shop.carriers.names import carrier_code
from samtale.shop.carriers.statuses import normalize
from samtale.shop.carriers.tracker import CarrierTracker
from samtale.shop.connector import ShopUnavailable, normalize_email, normalize_tracking_number
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
from samtale.shop.platforms.catalogue import colour_code, language_of, money, option_kind, plain
from samtale.shop.platforms.common import ShopCheck

log = get_logger(__name__)

SHOPIFY_API_VERSION = "2026-01"
RENEW_BEFORE = 300.0  # seconds before a client-credentials token expires


class ShopifyConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: Literal["shopify"] = "shopify"
    url: HttpUrl  # https://example.myshopify.com
    api_version: str = Field(default=SHOPIFY_API_VERSION, pattern=r"^\d{4}-(01|04|07|10)$")
    token: SecretStr | None = None
    client_id: str | None = None
    client_secret: SecretStr | None = None
    order_prefix: str = Field(default="#", max_length=20)
    order_suffix: str = Field(default="", max_length=20)
    timeout: float = Field(default=3.0, gt=0, le=30)
    deadline: float = Field(default=4.5, gt=0, le=60)  # one look-up
    sync_deadline: float = Field(default=60.0, gt=0, le=3600)  # one page of a sync
    retries: int = Field(default=2, ge=0, le=5)
    # 25 products × 10 variants keeps a page's query cost under Shopify's 1,000 per query.
    page_size: int = Field(default=25, ge=1, le=250)
    variants_per_product: int = Field(default=10, ge=1, le=250)
    inventory: bool = True  # ask for stock counts (needs `read_inventory`)

    @model_validator(mode="after")
    def _credentials(self) -> ShopifyConfig:
        if self.token is None and not (self.client_id and self.client_secret):
            raise ValueError("give an access token, or a client id and client secret")
        return self


ORDER_QUERY = """
query OrderByName($query: String!) {
  orders(first: 5, query: $query) {
    nodes {
      name
      email
      createdAt
      cancelledAt
      displayFinancialStatus
      displayFulfillmentStatus
      statusPageUrl
      lineItems(first: 50) { nodes { title quantity } }
      fulfillments(first: 10) {
        displayStatus
        estimatedDeliveryAt
        deliveredAt
        trackingInfo(first: 5) { company number url }
      }
    }
  }
}
"""

CHECK_QUERY = """
query Check {
  shop { name currencyCode }
  shopLocales(published: true) { locale primary }
  productsCount { count }
}
"""

_PRODUCT_FIELDS = """
      handle
      title
      description
      productType
      tags
      updatedAt
      onlineStoreUrl
      featuredImage { url }
      options { name }
      variants(first: %(variants)d) {
        nodes { sku price availableForSale %(inventory)s selectedOptions { name value } }
      }
      %(translations)s
"""

_NUMBER = re.compile(r"[A-Za-z0-9-]{1,40}")


class ShopifyConnector:
    platform = "shopify"

    def __init__(
        self,
        config: ShopifyConfig,
        *,
        clock: Clock | None = None,
        tracker: CarrierTracker | None = None,
        private_addresses: bool = False,
        transport: httpx.AsyncBaseTransport | None = None,
        time_zone: str = "Europe/Copenhagen",
        language: str = "da",
    ) -> None:
        self.config = config
        self.language = language  # the shop's language, for carriers' event texts
        self.clock = clock or SystemClock()
        self.tracker = tracker
        self.time_zone = time_zone
        self.calls = PlatformCalls(
            "shopify",
            base_url=str(config.url),
            headers={"content-type": "application/json"},
            timeout=config.timeout,
            retries=config.retries,
            clock=clock,
            private_addresses=private_addresses,
            transport=transport,
        )
        self._token: str | None = config.token.get_secret_value() if config.token else None
        self._token_expires: float | None = None
        self._token_lock = asyncio.Lock()
        self._currency: str | None = None
        self._locales: tuple[str, list[str]] | None = None  # (primary, others)
        self.throttle: dict[str, float] = {}  # the last throttleStatus seen
        self.last_cost = 0.0  # the last query's requested cost
        self.last_updated_at: datetime | None = None  # newest product seen by a sync

    async def aclose(self) -> None:
        await self.calls.aclose()

    # -- credentials -----------------------------------------------------------------------

    def _clientcredentials(self) -> bool:
        return self.config.token is None

    async def _access_token(self, deadline: Deadline, *, renew: bool = False) -> str:
        if not self._clientcredentials():
            assert self._token is not None
            return self._token
        async with self._token_lock:
            now = self.clock.now().timestamp()
            fresh = self._token_expires is None or now < self._token_expires - RENEW_BEFORE
            if self._token is not None and fresh and not renew:
                return self._token
            assert self.config.client_id and self.config.client_secret
            response = await self.calls.send(
                "POST",
                "/admin/oauth/access_token",
                deadline=deadline,
                name="access_token",
                retry=True,
                data={
                    "grant_type": "client_credentials",
                    "client_id": self.config.client_id,
                    "client_secret": self.config.client_secret.get_secret_value(),
                },
                headers={"content-type": "application/x-www-form-urlencoded"},
            )
            if response.status_code in (400, 401, 403):
                self._token = None
                raise ShopUnavailable("auth", "access_token")
            body = self.calls.json(response, "access_token")
            token = body.get("access_token") if isinstance(body, dict) else None
            if not isinstance(token, str) or not token:
                raise malformed("access_token")
            expires_in = body.get("expires_in")
            self._token = token
            self._token_expires = (
                now + float(expires_in) if isinstance(expires_in, int | float) else None
            )
            return token

    # -- GraphQL ---------------------------------------------------------------------------

    async def graphql(
        self, query: str, variables: dict[str, Any] | None, *, deadline: Deadline, name: str
    ) -> dict[str, Any]:
        """The `data` of a query; throttling waited out within the deadline; GraphQL errors
        and anything malformed raise `ShopUnavailable`."""
        path = f"/admin/api/{self.config.api_version}/graphql.json"
        renewed = False
        while True:
            token = await self._access_token(deadline)
            response = await self.calls.send(
                "POST",
                path,
                deadline=deadline,
                name=name,
                json={"query": query, "variables": variables or {}},
                headers={"X-Shopify-Access-Token": token},
            )
            if response.status_code == 401 and self._clientcredentials() and not renewed:
                renewed = True
                await self._access_token(deadline, renew=True)
                continue
            body = self.calls.json(response, name)
            if not isinstance(body, dict):
                raise malformed(name)
            cost = (body.get("extensions") or {}).get("cost") or {}
            status = cost.get("throttleStatus") if isinstance(cost, dict) else None
            if isinstance(status, dict):
                self.throttle = {k: float(v) for k, v in status.items() if _number(v)}
            if isinstance(cost, dict) and _number(cost.get("requestedQueryCost")):
                self.last_cost = float(cost["requestedQueryCost"])
            errors = body.get("errors")
            if errors:
                if _throttled(errors):
                    await self._wait_for_bucket(
                        float(cost.get("requestedQueryCost") or 0), deadline, name
                    )
                    continue
                code = _error_code(errors)
                log.warning("shopify_graphql_error", call=name, code=code)
                raise ShopUnavailable("graphql", f"{name}: {code}")
            data = body.get("data")
            if not isinstance(data, dict):
                raise malformed(name)
            return data

    async def _wait_for_bucket(self, needed: float, deadline: Deadline, name: str) -> None:
        available = self.throttle.get("currentlyAvailable", 0.0)
        rate = self.throttle.get("restoreRate", 0.0)
        if rate <= 0:
            raise ShopUnavailable("throttled", name)
        wait = max(0.05, (needed - available) / rate)
        if wait > deadline.left() - 0.05:
            log.warning("shopify_throttled", call=name, wait=round(wait, 2))
            raise ShopUnavailable("throttled", name)
        await asyncio.sleep(wait)

    async def _pace(self, needed: float, deadline: Deadline, name: str) -> None:
        """Before a query of known cost: wait until the bucket holds it (sync pages)."""
        if self.throttle.get("currentlyAvailable", needed) < needed:
            await self._wait_for_bucket(needed, deadline, name)

    # -- orders ----------------------------------------------------------------------------

    def order_name(self, given: str) -> str | None:
        """The store's name for the order the customer typed ("1001", "#1001", "DK 1001"),
        or None when it cannot be one."""
        value = "".join(given.split()).lstrip("#")
        prefix = self.config.order_prefix.lstrip("#")
        if prefix and value.lower().startswith(prefix.lower()):
            value = value[len(prefix) :]
        suffix = self.config.order_suffix
        if suffix and value.lower().endswith(suffix.lower()):
            value = value[: -len(suffix)]
        if not _NUMBER.fullmatch(value):
            return None
        return f"{self.config.order_prefix}{value}{suffix}"

    async def find_order(self, order_number: str, email: str) -> Order | None:
        name = self.order_name(order_number)
        if name is None:
            return None
        given = normalize_email(email).encode()
        deadline = Deadline(self.config.deadline)
        data = await self.graphql(
            ORDER_QUERY, {"query": f"name:{json.dumps(name)}"}, deadline=deadline, name="order"
        )
        try:
            nodes = data["orders"]["nodes"]
            found = None
            for node in nodes:
                same_name = str(node["name"]).lower() == name.lower()
                mail = normalize_email(node.get("email") or "").encode()
                # Compared for every candidate, whatever the name: no early exit.
                if hmac.compare_digest(mail, given) and same_name and mail:
                    found = node
            if found is None:
                return None
            order = self._order(found)
        except (KeyError, TypeError, ValueError, AttributeError):
            raise malformed("order") from None
        if self.tracker is not None and order.shipments:
            refreshed = await asyncio.gather(
                *(self.tracker.refresh(s, self.language) for s in order.shipments)
            )
            order = order.model_copy(update={"shipments": list(refreshed)})
        return order

    def _order(self, node: dict[str, Any]) -> Order:
        lines = [
            OrderLine(name=str(item["title"]), quantity=int(item["quantity"]))
            for item in node["lineItems"]["nodes"]
        ]
        shipments: list[Shipment] = []
        for fulfillment in node.get("fulfillments") or []:
            status = normalize("shopify", fulfillment.get("displayStatus"))
            if status is None:
                continue
            delivered = parse_time(fulfillment.get("deliveredAt"))
            expected = parse_day(fulfillment.get("estimatedDeliveryAt"), self.time_zone)
            events = [ShipmentEvent(at=delivered, code="delivered")] if delivered else []
            for info in fulfillment.get("trackingInfo") or [{}]:
                company = info.get("company")
                shipments.append(
                    Shipment(
                        tracking_number=normalize_tracking_number(info.get("number") or ""),
                        carrier=carrier_code(company) or (company or ""),
                        status=status,
                        events=events,
                        expected_delivery=expected,
                        tracking_url=info.get("url")
                        or tracking_link(
                            carrier_code(company) or "", info.get("number") or "", self.language
                        ),
                    )
                )
        return Order(
            order_number=str(node["name"]),
            email=node.get("email"),
            placed_at=parse_time(node.get("createdAt")),
            lines=lines,
            shipments=shipments,
            cancelled=node.get("cancelledAt") is not None,
            status_url=node.get("statusPageUrl"),
        )

    async def find_shipment(self, tracking_number: str) -> Shipment | None:
        """Shopify cannot search orders by tracking number: the carrier's own answer, when
        live tracking is set up."""
        if self.tracker is None:
            return None
        return await self.tracker.lookup(tracking_number, self.language)

    # -- the shop --------------------------------------------------------------------------

    async def check(self) -> ShopCheck:
        """Credentials and access: the shop's name and product count (`ShopUnavailable`)."""
        data = await self.graphql(
            CHECK_QUERY, None, deadline=Deadline(self.config.deadline), name="check"
        )
        try:
            self._remember_shop(data)
            return ShopCheck(
                name=str(data["shop"]["name"]),
                products=int(data["productsCount"]["count"]),
                currency=self._currency,
            )
        except (KeyError, TypeError, ValueError):
            raise malformed("check") from None

    def _remember_shop(self, data: dict[str, Any]) -> None:
        self._currency = str(data["shop"]["currencyCode"])
        primary, others = "en", []
        for locale in data.get("shopLocales") or []:
            language = language_of(str(locale["locale"]))
            if language is None:
                continue
            if locale.get("primary"):
                primary = language
            else:
                others.append(str(locale["locale"]))
        self._locales = (primary, others)

    async def _shop(self, deadline: Deadline) -> tuple[str, str, list[str]]:
        if self._currency is None or self._locales is None:
            self._remember_shop(
                await self.graphql(CHECK_QUERY, None, deadline=deadline, name="check")
            )
        assert self._currency is not None and self._locales is not None
        return self._currency, self._locales[0], self._locales[1]

    # -- products --------------------------------------------------------------------------

    def _products_query(self, locales: list[str]) -> str:
        translations = "\n      ".join(
            f"t{i}: translations(locale: {json.dumps(loc)}) {{ key value }}"
            for i, loc in enumerate(locales)
        )
        fields = _PRODUCT_FIELDS % {
            "inventory": "inventoryQuantity" if self.config.inventory else "",
            "translations": translations,
            "variants": self.config.variants_per_product,
        }
        return (
            "query Products($first: Int!, $after: String, $query: String) {\n"
            "  products(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {\n"
            "    pageInfo { hasNextPage endCursor }\n"
            "    nodes {" + fields + "    }\n  }\n}\n"
        )

    async def sync_products(self, since: datetime | None = None) -> AsyncIterator[Product]:
        """Every product (or those updated after `since`), page by page, oldest change first.
        `last_updated_at` holds the newest change seen, for the next incremental sync."""
        deadline = Deadline(self.config.sync_deadline)
        currency, primary, locales = await self._shop(deadline)
        query = self._products_query(locales)
        search = None
        if since is not None:
            search = f"updated_at:>'{since.astimezone(UTC).strftime('%Y-%m-%dT%H:%M:%SZ')}'"
        after: str | None = None
        page_cost = 0.0
        while True:
            deadline = Deadline(self.config.sync_deadline)
            await self._pace(page_cost, deadline, "products")
            variables = {"first": self.config.page_size, "after": after, "query": search}
            data = await self.graphql(query, variables, deadline=deadline, name="products")
            page_cost = self.last_cost
            try:
                connection = data["products"]
                for node in connection["nodes"]:
                    product = self._product(node, currency, primary, locales)
                    if product is not None:
                        yield product
                info = connection["pageInfo"]
                if not info["hasNextPage"]:
                    return
                after = str(info["endCursor"])
            except (KeyError, TypeError, ValueError):
                raise malformed("products") from None

    def _product(
        self, node: dict[str, Any], currency: str, primary: str, locales: list[str]
    ) -> Product | None:
        title = str(node.get("title") or "").strip()
        if not title:
            return None
        handle = str(node["handle"])
        names = {primary: title}
        descriptions = {primary: plain(node.get("description"))}
        category = str(node.get("productType") or "")
        categories = {primary: category} if category else {}
        for i, locale in enumerate(locales):
            language = language_of(locale)
            if language is None:
                continue
            for item in node.get(f"t{i}") or []:
                value = item.get("value")
                if not value:
                    continue
                if item.get("key") == "title":
                    names[language] = str(value)
                elif item.get("key") == "body_html":
                    descriptions[language] = plain(str(value))
                elif item.get("key") == "product_type":
                    categories[language] = str(value)
        variants: list[Variant] = []
        prices = []
        for i, raw in enumerate(node["variants"]["nodes"]):
            options = {o["name"]: o["value"] for o in raw.get("selectedOptions") or []}
            colour = next((v for k, v in options.items() if option_kind(k) == "colour"), None)
            size = next((v for k, v in options.items() if option_kind(k) == "size"), None)
            quantity = raw.get("inventoryQuantity")
            available = bool(raw.get("availableForSale"))
            stock = max(0, int(quantity)) if isinstance(quantity, int) else int(available)
            variants.append(
                Variant(
                    sku=str(raw.get("sku") or f"{handle}-{i + 1}"),
                    colour=colour_code(colour),
                    size=size,
                    stock=stock if available else 0,
                )
            )
            price = money(raw.get("price"))
            if price is not None:
                prices.append(price)
        image = (node.get("featuredImage") or {}).get("url")
        updated = parse_time(node.get("updatedAt"))
        if updated is not None and (self.last_updated_at is None or updated > self.last_updated_at):
            self.last_updated_at = updated
        return Product(
            sku=handle,
            names=names,
            descriptions={k: v for k, v in descriptions.items() if v},
            category=category,
            category_names=categories,
            prices={currency: min(prices)} if prices else {},
            variants=variants,
            images=[Image(url=str(image))] if image else [],
            url=node.get("onlineStoreUrl"),
            keywords=" ".join(str(t) for t in node.get("tags") or []),
        )

    async def search_products(
        self, query: str, language: str, filters: SearchFilters | None = None, limit: int = 10
    ) -> list[Product]:
        """A live search by title (the synced catalogue's index is the better search; this
        answers when none is synced yet)."""
        words = [w for w in re.findall(r"[^\W_]+", query) if len(w) > 1][:5]
        if not words:
            return []
        deadline = Deadline(self.config.deadline)
        currency, primary, locales = await self._shop(deadline)
        search = " OR ".join(f"title:*{w}*" for w in words)
        variables = {"first": max(limit, 1), "after": None, "query": search}
        data = await self.graphql(
            self._products_query(locales), variables, deadline=deadline, name="search"
        )
        try:
            found = [
                self._product(n, currency, primary, locales) for n in data["products"]["nodes"]
            ]
        except (KeyError, TypeError, ValueError):
            raise malformed("search") from None
        products = [p for p in found if p is not None]
        if filters is not None and not filters.is_empty():
            products = [p for p in products if product_fits(p, filters)] or products
        return products[:limit]

    async def get_product(self, sku: str) -> Product | None:
        if not _NUMBER.fullmatch(sku):
            return None
        deadline = Deadline(self.config.deadline)
        currency, primary, locales = await self._shop(deadline)
        variables = {"first": 1, "after": None, "query": f"handle:{json.dumps(sku)}"}
        data = await self.graphql(
            self._products_query(locales), variables, deadline=deadline, name="product"
        )
        try:
            for node in data["products"]["nodes"]:
                if node.get("handle") == sku:
                    return self._product(node, currency, primary, locales)
        except (KeyError, TypeError, ValueError):
            raise malformed("product") from None
        return None

    async def delivery_options(self, country: str) -> list[DeliveryOption]:
        return []  # the shop's own delivery texts (bot content) answer these

    async def payment_methods(self, country: str) -> list[PaymentMethod]:
        return []


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _throttled(errors: Any) -> bool:
    return isinstance(errors, list) and any(
        isinstance(e, dict) and (e.get("extensions") or {}).get("code") == "THROTTLED"
        for e in errors
    )


def _error_code(errors: Any) -> str:
    if isinstance(errors, list) and errors and isinstance(errors[0], dict):
        return str((errors[0].get("extensions") or {}).get("code") or "error")[:40]
    return "error"
