"""The demo, end to end through the visitor API with the real bot: "hvor er min pakke" leads
through the flow to the right tracking card for a listed demo order, a wrong e-mail gets the
neutral miss, and a product question gets fitting product cards. (Slow: trains the demo bot
once; the model is kept in the pytest cache between runs.)"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from samtale.app.container import Container
from samtale.cli.shop import demo_orders
from samtale.demo.shop.catalogue import generate_catalogue
from samtale.web.app import create_app

pytestmark = pytest.mark.slow
BY_SKU = {p.sku: p for p in generate_catalogue()}


@pytest.fixture
async def demo_api(make_bot_runtime: Any, database_url: str) -> AsyncIterator[httpx.AsyncClient]:
    runtime: Container = await make_bot_runtime(database_url)
    app = create_app(runtime, manage_runtime=False)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver", timeout=60
    ) as client:
        yield client


async def _conversation(client: httpx.AsyncClient) -> tuple[str, dict[str, str]]:
    r = await client.post("/api/v1/widget/demo/conversations", json={"language": "da"})
    assert r.status_code == 201, r.text
    body = r.json()
    return body["conversation_id"], {"authorization": f"Bearer {body['token']}"}


async def _say(
    client: httpx.AsyncClient, conv: tuple[str, dict[str, str]], text: str
) -> list[dict[str, Any]]:
    r = await client.post(
        f"/api/v1/conversations/{conv[0]}/messages", json={"text": text}, headers=conv[1]
    )
    assert r.status_code == 201, r.text
    replies: list[dict[str, Any]] = r.json()["replies"]
    return replies


async def test_where_is_my_parcel_in_the_demo(demo_api: httpx.AsyncClient) -> None:
    order = demo_orders()[0]
    conv = await _conversation(demo_api)
    await _say(demo_api, conv, "hvor er min pakke")
    await _say(demo_api, conv, order["order_number"])
    replies = await _say(demo_api, conv, order["email"])
    cards = [r["payload"] for r in replies if (r.get("payload") or {}).get("type") == "tracking"]
    assert len(cards) == 1, replies
    card = cards[0]
    assert card["tracking_number"] == order["tracking_number"]
    assert card["carrier_name"] == order["carrier"] and card["status"] == order["status"]
    assert card["order_number"] == order["order_number"] and card["language"] == "da"

    conv = await _conversation(demo_api)
    await _say(demo_api, conv, "hvor er min pakke")
    await _say(demo_api, conv, order["order_number"])
    (miss,) = await _say(demo_api, conv, "en.helt.anden@example.com")
    assert miss["text"].startswith("Vi kunne ikke finde en ordre")
    assert (miss.get("payload") or {}).get("type") is None


async def test_a_product_question_in_the_demo(demo_api: httpx.AsyncClient) -> None:
    conv = await _conversation(demo_api)
    replies = await _say(demo_api, conv, "har I den sorte strikkjole i medium?")
    payload = replies[-1]["payload"]
    assert payload["type"] == "products" and 1 <= len(payload["items"]) <= 3
    for item in payload["items"]:
        assert BY_SKU[item["sku"]].names["da"].startswith("Strikkjole")
        assert item["colour"] == "black"
