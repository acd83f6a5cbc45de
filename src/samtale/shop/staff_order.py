"""The customer's order beside the chat in the console.

When the pre-chat form or the bot got an order number and an e-mail, the console shows the
agent that order as the shop's system has it now — number, status, items, parcels with their
carriers and tracking links — so the agent need not open the shop's back office. The look-up is
the bot's own (`find_order(number, e-mail)`: both must match, as in `shop/tracking.py`), with the same deadline;
a shop that does not answer gives "not available now", never an error page. Texts are in the
agent's language; nothing is stored."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from samtale.kernel.logs import get_logger
from samtale.shop import formatting, payloads
from samtale.shop.connector import ShopUnavailable
from samtale.shop.models import Order
from samtale.shop.service import ShopService
from samtale.shop.tracking import LOOKUP_DEADLINE
from samtale.shop.vocabulary import colour_name

log = get_logger(__name__)

MAX_CANDIDATES = 3


async def order_for_staff(
    shops: ShopService,
    tenant_id: uuid.UUID,
    candidates: list[tuple[str, str]],
    language: str,
) -> dict[str, Any]:
    """`{"order": {...}}` for the first (order number, e-mail) that matches, `{"order": None}`
    when none does (or nothing was given), `{"order": None, "unavailable": True}` when the
    shop's system did not answer."""
    shop = await shops.for_tenant(tenant_id)
    if shop.connector is None or not candidates:
        return {"order": None}
    for number, email in candidates[:MAX_CANDIDATES]:
        try:
            async with asyncio.timeout(LOOKUP_DEADLINE):
                order = await shop.connector.find_order(number, email)
        except (ShopUnavailable, TimeoutError):
            log.warning("shop_unavailable", action="staff_order", tenant_id=str(tenant_id))
            return {"order": None, "unavailable": True}
        if order is not None:
            return {"order": _order_view(order, language, shop.time_zone, shops)}
    return {"order": None}


def _order_view(order: Order, language: str, time_zone: str, shops: ShopService) -> dict[str, Any]:
    now = shops.clock.now()
    parcels = [
        payloads.tracking_card(s, language, time_zone, now=now, order_number=order.order_number)
        for s in order.shipments
    ]
    return {
        "order_number": order.order_number,
        "placed_at": order.placed_at.isoformat() if order.placed_at else None,
        "placed_text": formatting.day(order.placed_at.date(), language)
        if order.placed_at
        else None,
        "cancelled": order.cancelled,
        "items": [
            {
                "name": line.display_name(language),
                "quantity": line.quantity,
                "colour": colour_name(line.colour, language) if line.colour else None,
                "size": line.size,
            }
            for line in order.lines
        ],
        "shipments": [
            {
                "carrier_name": p["carrier_name"],
                "tracking_number": p["tracking_number"],
                "status_text": p["status_text"],
                "expected_delivery_text": p["expected_delivery_text"],
                "tracking_url": p["tracking_url"],
            }
            for p in parcels
        ],
        "status_url": order.status_url,
    }
