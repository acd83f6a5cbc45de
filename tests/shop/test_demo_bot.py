"""The demo, end to end through the visitor API with the real bot: "hvor er min pakke" leads
through the flow to the right tracking card for a listed demo order, a wrong e-mail gets the
neutral miss, and a product question gets fitting product cards. (Slow: trains the demo bot
once; the model is kept in the pytest cache between runs.)"""

from __future__ import annotations

import re
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


def _products(replies: list[dict[str, Any]]) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for reply in replies:
        payload = reply.get("payload") or {}
        if payload.get("type") == "products":
            items += payload["items"]
    return items


async def _conversation_in(client: httpx.AsyncClient, language: str) -> tuple[str, dict[str, str]]:
    r = await client.post("/api/v1/widget/demo/conversations", json={"language": language})
    assert r.status_code == 201, r.text
    body = r.json()
    return body["conversation_id"], {"authorization": f"Bearer {body['token']}"}


FOLLOW_UPS = {
    "da": ("har I uldsweatre?", "hvad koster den?", "har I den i str. M?", "kr."),
    "sv": ("har ni ylletröjor?", "vad kostar den?", "finns den i M?", "kr"),
    "nb": ("har dere ullgensere?", "hva koster den?", "har dere den i M?", "kr"),
    "fi": ("onko teillä villapaitoja?", "paljonko se maksaa?", "onko sitä koossa M?", "€"),
    "en": ("do you have wool jumpers?", "what does it cost?", "do you have it in M?", ""),
}


@pytest.mark.parametrize("language", list(FOLLOW_UPS))
async def test_follow_ups_are_about_the_product_shown_last(
    demo_api: httpx.AsyncClient, language: str
) -> None:
    """ "hvad koster den?" and "har I den i str. M?" after product cards answer about the first
    product shown, from its own data, in the customer's language."""
    ask, price, size, currency = FOLLOW_UPS[language]
    conv = await _conversation_in(demo_api, language)
    shown = _products(await _say(demo_api, conv, ask))
    assert shown, ask
    first = BY_SKU[shown[0]["sku"]]
    assert first.keywords == BY_SKU["NH-10035"].keywords  # a knitted sweater

    replies = await _say(demo_api, conv, price)
    (card,) = _products(replies)
    assert card["sku"] == first.sku
    text = replies[-1]["text"].replace("\xa0", " ")
    assert first.name(language) in text and currency in text

    replies = await _say(demo_api, conv, size)
    (card,) = _products(replies)
    assert card["sku"] == first.sku
    stock = first.stock(size="M")
    text = replies[-1]["text"]
    assert first.name(language) in text
    if stock > 0:  # in stock: how many; sold out: says so
        assert str(stock) in text


async def test_what_the_front_page_shows_the_bot_knows(demo_api: httpx.AsyncClient) -> None:
    page = await demo_api.get("/")
    assert page.status_code == 200
    skus = re.findall(r'data-sku="([^"]+)"', page.text)
    assert len(skus) == 6
    for sku in skus:
        product = BY_SKU[sku]
        assert product.names["da"] in page.text
        conv = await _conversation(demo_api)
        found = _products(await _say(demo_api, conv, f"har I {product.names['da']}?"))
        assert found and found[0]["sku"] == sku, (product.names["da"], found)
