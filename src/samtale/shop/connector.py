"""The connector protocol: what every shop backend answers.

Two implementations ship: the built-in demo shop (`shop.demo.connector.DemoConnector`, data in
Samtale's own database) and the HTTP connector (`shop.http.HttpConnector`, the shop's own system
behind a field mapping). The actions (`shop.actions`) know only this protocol.

Contract:
- `find_order` returns the order only when the order number exists *and* the e-mail matches
  (trimmed, case-insensitive); any miss is `None`, never a hint which of the two was wrong.
- `find_shipment` answers by tracking number alone; the caller shows only the shipment.
- Expected failures of the shop's system (slow, down, malformed answers, an open circuit) raise
  `ShopUnavailable`; nothing else escapes for them, and no call waits longer than its deadline.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from samtale.shop.models import (
    DeliveryOption,
    Order,
    PaymentMethod,
    Product,
    SearchFilters,
    Shipment,
)


class ShopUnavailable(Exception):
    """The shop's system did not answer usably (timeout, error status, malformed, circuit open).

    `reason` is a short code for logs and metrics (`timeout`, `status`, `malformed`, `open`,
    `connect`, `not_configured`); the message never holds what the customer typed."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason


@runtime_checkable
class ShopConnector(Protocol):
    async def find_order(self, order_number: str, email: str) -> Order | None: ...

    async def find_shipment(self, tracking_number: str) -> Shipment | None: ...

    async def search_products(
        self, query: str, language: str, filters: SearchFilters | None = None, limit: int = 10
    ) -> list[Product]: ...

    async def get_product(self, sku: str) -> Product | None: ...

    async def delivery_options(self, country: str) -> list[DeliveryOption]: ...

    async def payment_methods(self, country: str) -> list[PaymentMethod]: ...


def normalize_email(email: str) -> str:
    return email.strip().lower()


def normalize_order_number(value: str) -> str:
    """`#104 827 361` → `104827361`."""
    return "".join(value.split()).lstrip("#")


def normalize_tracking_number(value: str) -> str:
    return "".join(value.split()).upper()
