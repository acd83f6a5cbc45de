"""What the platform connectors share beyond calling: the order number a customer may type,
the constant-time e-mail check, the shop check's result, and live carrier status laid over a
found order's shipments."""

from __future__ import annotations

import asyncio
import hmac
import re
from dataclasses import dataclass

from samtale.shop.carriers.tracker import CarrierTracker
from samtale.shop.connector import normalize_email
from samtale.shop.models import Order

_NUMBER = re.compile(r"[A-Za-z0-9-]{1,40}")


@dataclass
class ShopCheck:
    """What "Test connection" shows: the shop's name and how many products it sees."""

    name: str
    products: int
    currency: str | None = None


def clean_number(given: str) -> str | None:
    """An order number as a customer types it ("#SE-10023 ", "10 023"), or None when it
    cannot be one: only letters, digits and dashes ever reach a platform's search."""
    value = "".join(given.split()).lstrip("#")
    return value if _NUMBER.fullmatch(value) else None


def same_email(stored: str | None, given: str) -> bool:
    """Trimmed, case-folded, compared in constant time; no stored e-mail never matches."""
    mine = normalize_email(stored or "").encode()
    theirs = normalize_email(given).encode()
    return hmac.compare_digest(mine, theirs) and bool(mine)


async def with_live_status(order: Order, tracker: CarrierTracker | None, language: str) -> Order:
    if tracker is None or not order.shipments:
        return order
    shipments = await asyncio.gather(*(tracker.refresh(s, language) for s in order.shipments))
    return order.model_copy(update={"shipments": list(shipments)})
