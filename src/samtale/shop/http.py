"""The HTTP connector: a shop's own system behind its REST API, configured per tenant.

`tenant.settings["connector"]` holds an `HttpConnectorConfig`::

    {"type": "http", "base_url": "https://shop.example/api",
     "headers": {"Authorization": "Bearer …"},
     "endpoints": {"order": {"path": "/orders/{order_number}", "root": "order"},
                   "shipment": {"path": "/shipments/{tracking_number}"},
                   "search": {"path": "/products", "query": {"q": "{query}", "lang": "{language}"},
                              "root": "items"},
                   "product": {"path": "/products/{sku}"}},
     "fields": {…see mapping.FieldMap…}}

Every call has a deadline (`deadline`, seconds, all attempts included) and each attempt a
timeout. Idempotent calls (GET, or endpoints marked `idempotent`) are retried on timeouts,
connection errors, 429 and 5xx, with exponential backoff and full jitter, within the deadline.
A 404 is an answer (not found). A circuit breaker opens after repeated failures, so a shop that
is down is not waited on for every customer. Every failure reaches the caller as
`ShopUnavailable` with a short reason (`timeout`, `connect`, `status`, `malformed`, `open`,
`not_configured`, `blocked`) — never a stack trace, never a hang. Only public addresses are
called unless the operator allows private ones (`shop.addresses`).

The e-mail of an order look-up is checked here (trimmed, case-insensitive, constant time)
against the e-mail the shop returns; an endpoint whose path or query names `{email}` lets the
shop check it instead.
"""

from __future__ import annotations

import asyncio
import hmac
import random
import time
from typing import Any, Literal
from urllib.parse import quote

import httpx
from pydantic import BaseModel, ConfigDict, Field, HttpUrl, ValidationError

from samtale.infra.outgoing import GuardedTransport
from samtale.kernel.clock import Clock
from samtale.kernel.logs import get_logger
from samtale.shop.addresses import BlockedAddress, PublicOnlyTransport
from samtale.shop.breaker import CircuitBreaker
from samtale.shop.connector import (
    ShopUnavailable,
    normalize_email,
    normalize_order_number,
    normalize_tracking_number,
)
from samtale.shop.filters import product_fits
from samtale.shop.mapping import FieldMap, get, map_order, map_product, map_shipment
from samtale.shop.models import (
    DeliveryOption,
    Order,
    PaymentMethod,
    Product,
    SearchFilters,
    Shipment,
)

log = get_logger(__name__)

_RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


class Endpoint(BaseModel):
    model_config = ConfigDict(extra="forbid")

    method: Literal["GET", "POST"] = "GET"
    path: str
    query: dict[str, str] = Field(default_factory=dict)
    body: dict[str, Any] | None = None  # JSON body template (POST)
    root: str | None = None  # where the answer's object or list is
    idempotent: bool | None = None  # default: GET is, POST is not

    @property
    def retryable(self) -> bool:
        return self.idempotent if self.idempotent is not None else self.method == "GET"

    def names(self, key: str) -> bool:
        marker = "{" + key + "}"
        return marker in self.path or any(marker in v for v in self.query.values())


class Endpoints(BaseModel):
    model_config = ConfigDict(extra="forbid")

    order: Endpoint | None = None
    shipment: Endpoint | None = None
    search: Endpoint | None = None
    product: Endpoint | None = None
    delivery: Endpoint | None = None
    payment: Endpoint | None = None


class HttpConnectorConfig(BaseModel):
    model_config = ConfigDict(extra="ignore")

    type: Literal["http"] = "http"
    base_url: HttpUrl
    headers: dict[str, str] = Field(default_factory=dict)
    timeout: float = Field(default=2.0, gt=0, le=30)  # one attempt
    deadline: float = Field(default=4.0, gt=0, le=60)  # one call, all attempts
    retries: int = Field(default=2, ge=0, le=5)
    backoff: float = Field(default=0.2, ge=0, le=5)  # seconds; doubles per attempt, jittered
    breaker_failures: int = Field(default=5, ge=1)
    breaker_reset_seconds: float = Field(default=30.0, gt=0)
    endpoints: Endpoints = Field(default_factory=Endpoints)
    fields: FieldMap = Field(default_factory=FieldMap)


def _fill(template: str, values: dict[str, str], *, in_path: bool) -> str:
    out = template
    for key, value in values.items():
        out = out.replace("{" + key + "}", quote(value, safe="") if in_path else value)
    return out


def _fill_json(template: Any, values: dict[str, str]) -> Any:
    if isinstance(template, str):
        return _fill(template, values, in_path=False)
    if isinstance(template, dict):
        return {k: _fill_json(v, values) for k, v in template.items()}
    if isinstance(template, list):
        return [_fill_json(v, values) for v in template]
    return template


def _transport(
    given: httpx.AsyncBaseTransport | None, private_addresses: bool
) -> httpx.AsyncBaseTransport:
    """The guarded outgoing transport; a transport given from outside (tests) is still held to
    public addresses unless private ones are allowed."""
    if given is None:
        return GuardedTransport(private_addresses=private_addresses)
    return given if private_addresses else PublicOnlyTransport(given)


class HttpConnector:
    def __init__(
        self,
        config: HttpConnectorConfig,
        *,
        clock: Clock | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        rng: random.Random | None = None,
        private_addresses: bool = False,
    ) -> None:
        self.config = config
        self.fields = config.fields
        self.breaker = CircuitBreaker(
            config.breaker_failures, config.breaker_reset_seconds, clock=clock
        )
        self.rng = rng or random.Random()
        self.client = httpx.AsyncClient(
            base_url=str(config.base_url).rstrip("/"),
            headers={"accept": "application/json", **config.headers},
            timeout=httpx.Timeout(config.timeout),
            transport=_transport(transport, private_addresses),
            follow_redirects=False,
        )

    async def aclose(self) -> None:
        await self.client.aclose()

    # -- the call --------------------------------------------------------------------------

    async def _call(self, name: str, values: dict[str, str]) -> Any:
        """The JSON at the endpoint's root; None for 404; `ShopUnavailable` otherwise."""
        endpoint: Endpoint | None = getattr(self.config.endpoints, name)
        if endpoint is None:
            raise ShopUnavailable("not_configured", name)
        if not self.breaker.allow():
            raise ShopUnavailable("open", name)
        deadline = time.monotonic() + self.config.deadline
        attempts = 1 + (self.config.retries if endpoint.retryable else 0)
        reason = "timeout"
        for attempt in range(attempts):
            left = deadline - time.monotonic()
            if left <= 0:
                break
            try:
                async with asyncio.timeout(left):
                    response = await self.client.request(
                        endpoint.method,
                        _fill(endpoint.path, values, in_path=True),
                        params={
                            k: _fill(v, values, in_path=False) for k, v in endpoint.query.items()
                        },
                        json=_fill_json(endpoint.body, values) if endpoint.body else None,
                        timeout=min(self.config.timeout, left),
                    )
            except (TimeoutError, httpx.TimeoutException):
                reason = "timeout"
            except BlockedAddress:
                reason = "blocked"
                break
            except httpx.TransportError:
                reason = "connect"
            else:
                if response.status_code == 404:
                    self.breaker.success()
                    return None
                if response.status_code < 300:
                    try:
                        data = response.json()
                    except ValueError:
                        self.breaker.failure()
                        raise ShopUnavailable("malformed", f"{name}: not JSON") from None
                    self.breaker.success()
                    return get(data, endpoint.root) if endpoint.root else data
                reason = "status"
                if response.status_code not in _RETRY_STATUSES:
                    break
            if attempt + 1 < attempts:
                # Exponential backoff with full jitter, never past the deadline.
                pause = self.rng.uniform(0, self.config.backoff * 2**attempt)
                pause = min(pause, max(0.0, deadline - time.monotonic() - 0.01))
                await asyncio.sleep(pause)
        self.breaker.failure()
        log.warning("shop_http_failed", endpoint=name, reason=reason, breaker=self.breaker.state)
        raise ShopUnavailable(reason, name)

    def _validate(self, model: type[Any], data: dict[str, Any], name: str) -> Any:
        try:
            return model.model_validate(data)
        except ValidationError:
            self.breaker.failure()
            raise ShopUnavailable("malformed", name) from None

    # -- the protocol ----------------------------------------------------------------------

    async def find_order(self, order_number: str, email: str) -> Order | None:
        number = normalize_order_number(order_number)
        given = normalize_email(email)
        endpoint = self.config.endpoints.order
        raw = await self._call("order", {"order_number": number, "email": given})
        if raw is None:
            return None
        if not isinstance(raw, dict):
            raise ShopUnavailable("malformed", "order")
        order: Order = self._validate(Order, map_order(raw, self.fields), "order")
        if order.email is not None:
            if not hmac.compare_digest(normalize_email(order.email).encode(), given.encode()):
                return None
        elif endpoint is None or not endpoint.names("email"):
            log.warning("shop_order_without_email")  # cannot check: never show it
            return None
        return order

    async def find_shipment(self, tracking_number: str) -> Shipment | None:
        number = normalize_tracking_number(tracking_number)
        raw = await self._call("shipment", {"tracking_number": number})
        if raw is None:
            return None
        if not isinstance(raw, dict):
            raise ShopUnavailable("malformed", "shipment")
        shipment: Shipment = self._validate(Shipment, map_shipment(raw, self.fields), "shipment")
        return shipment

    async def search_products(
        self, query: str, language: str, filters: SearchFilters | None = None, limit: int = 10
    ) -> list[Product]:
        raw = await self._call("search", {"query": query, "language": language})
        if raw is None:
            return []
        if not isinstance(raw, list):
            raise ShopUnavailable("malformed", "search")
        products = [self._validate(Product, map_product(p, self.fields), "search") for p in raw]
        if filters is not None and not filters.is_empty():
            fitting = [p for p in products if product_fits(p, filters)]
            products = fitting or products
        return products[:limit]

    async def get_product(self, sku: str) -> Product | None:
        raw = await self._call("product", {"sku": sku})
        if raw is None:
            return None
        if not isinstance(raw, dict):
            raise ShopUnavailable("malformed", "product")
        product: Product = self._validate(Product, map_product(raw, self.fields), "product")
        return product

    async def delivery_options(self, country: str) -> list[DeliveryOption]:
        raw = await self._call("delivery", {"country": country})
        if raw is None:
            return []
        if not isinstance(raw, list):
            raise ShopUnavailable("malformed", "delivery")
        return [self._validate(DeliveryOption, item, "delivery") for item in raw]

    async def payment_methods(self, country: str) -> list[PaymentMethod]:
        raw = await self._call("payment", {"country": country})
        if raw is None:
            return []
        if not isinstance(raw, list):
            raise ShopUnavailable("malformed", "payment")
        return [self._validate(PaymentMethod, item, "payment") for item in raw]
