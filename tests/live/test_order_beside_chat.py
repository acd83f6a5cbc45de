"""The customer's order beside the chat: when the pre-chat form (or the bot) got an order number
and an e-mail that match in the shop's system, the console shows that order — number, status,
items, parcels with their carriers' names and tracking links — in the agent's language; a wrong
e-mail shows nothing, and a shop that does not answer says so without an error."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import select

from samtale.app.container import Container
from samtale.demo.shop.store import ensure_demo_shop
from samtale.model import ShopOrder, ShopShipment, Tenant
from samtale.shop.connector import ShopUnavailable
from tests.live.conftest import ANSWERS, queued_customer


async def _demo_order(rt: Container, shop: Tenant) -> ShopOrder:
    async with rt.db.transaction() as s:
        await ensure_demo_shop(s, shop.id, rt.clock)
    rt.shop.forget(shop.id)
    async with rt.db.session() as s:
        # An order with a parcel, for a full view.
        row = await s.scalar(
            select(ShopOrder)
            .join(ShopShipment, ShopShipment.order_id == ShopOrder.id)
            .where(ShopOrder.tenant_id == shop.id)
            .limit(1)
        )
    assert row is not None
    return row


async def test_the_order_the_form_named_is_shown_beside_the_chat(
    rt: Container, api: httpx.AsyncClient, shop: Tenant, login: Any
) -> None:
    order = await _demo_order(rt, shop)
    sofie = await login(shop, name="Sofie")
    await sofie.post("/presence", {"status": "online"})
    conv = await queued_customer(
        api, shop, answers={**ANSWERS, "order": order.order_number, "email": order.email}
    )
    r = await sofie.client.get(
        f"/api/v1/agent/conversations/{conv['conversation_id']}/order",
        headers={"accept-language": "da"},
    )
    assert r.status_code == 200, r.text
    shown = r.json()["order"]
    assert shown["order_number"] == order.order_number
    assert shown["items"] and all(i["name"] and i["quantity"] >= 1 for i in shown["items"])
    # Colours in the agent's language (the shop's codes are English words).
    assert not {i["colour"] for i in shown["items"]} & {"black", "white", "grey", "blue", "red"}
    parcel = shown["shipments"][0]
    assert parcel["carrier_name"] in {"PostNord", "GLS", "DAO", "Bring", "Posti", "Budbee", "DHL"}
    assert parcel["status_text"] and parcel["tracking_number"]

    # The wrong e-mail (or none): nothing is shown, as for the bot's own look-up.
    other = await queued_customer(
        api, shop, answers={**ANSWERS, "order": order.order_number, "email": "x@y.dk"}
    )
    r = await sofie.get(f"/conversations/{other['conversation_id']}/order")
    assert r.json() == {"order": None}


async def test_a_shop_that_does_not_answer_is_said_so(
    rt: Container, api: httpx.AsyncClient, shop: Tenant, login: Any, monkeypatch: Any
) -> None:
    order = await _demo_order(rt, shop)
    sofie = await login(shop, name="Sofie")
    await sofie.post("/presence", {"status": "online"})
    conv = await queued_customer(
        api, shop, answers={**ANSWERS, "order": order.order_number, "email": order.email}
    )
    connector = (await rt.shop.for_tenant(shop.id)).connector
    assert connector is not None

    async def down(*_a: Any) -> None:
        raise ShopUnavailable("timeout")

    monkeypatch.setattr(connector, "find_order", down)
    r = await sofie.get(f"/conversations/{conv['conversation_id']}/order")
    assert r.status_code == 200 and r.json() == {"order": None, "unavailable": True}
