"""A shop connected to Shopify, WooCommerce or Magento, end to end through the visitor API with
the real bot, against each platform's stand-in on loopback: the Danish, Swedish and Norwegian
"where is my parcel" conversations lead from the order number (as the platform writes it) and
the e-mail to the carrier's name, the normalized status, the tracking number and the carrier's
link; a wrong e-mail gets nothing about the order; a cancelled order says so; a synced
catalogue answers "har I …?". (Slow: the demo bot, trained once and kept in `.cache/`.)"""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from samtale.app.container import Container
from samtale.bot.store import ensure_builtin_content
from samtale.demo.content_dir import DEMO_CONTENT_DIR
from samtale.model import Tenant
from samtale.web.app import create_app
from tests.conftest import new_tenant, start_conversation
from tests.shop.standins import magento, shopify, woocommerce
from tests.shop.standins.carriers import POSTNORD_KEY, CarrierSwitches, postnord_app
from tests.shop.standins.serving import serving

pytestmark = pytest.mark.slow

WHERE = {"da": "hvor er min pakke?", "sv": "var är mitt paket?", "nb": "hvor er pakken min?"}
MISS = {
    "da": "Vi kunne ikke finde en ordre",
    "sv": "Vi hittade ingen order",
    "nb": "Vi fant ingen ordre",
}


@dataclass
class Case:
    platform: str
    values: dict[str, Any]
    order_number: str  # as the customer types it
    email: str
    shown_number: str  # as the platform names the order
    carrier_name: str
    tracking_number: str
    status: str
    link: str  # the start of the carrier's link
    cancelled: tuple[str, str] | None = None  # (number, e-mail) of a cancelled order


@contextlib.asynccontextmanager
async def standin(platform: str) -> AsyncIterator[Case]:
    if platform == "shopify":
        s_state = shopify.ShopifySwitches(
            orders=[*shopify.sample_orders(), _cancelled_shopify()],
            products=shopify.sample_products(40),
        )
        async with serving(shopify.shopify_app(s_state)) as url:
            yield Case(
                "shopify", {"url": url, "token": s_state.token}, "1001", "anna.holm@example.com",
                "#1001", "PostNord", "RB123456785DK", "in_transit", "https://", ("1003",
                "eva@example.dk"),
            )  # fmt: skip
    elif platform == "woocommerce":
        w_state = woocommerce.WooSwitches(
            orders=woocommerce.sample_orders(), products=woocommerce.sample_products(30)
        )
        async with serving(woocommerce.woocommerce_app(w_state)) as url:
            yield Case(
                "woocommerce", {"url": url, "key": woocommerce.KEY, "secret": woocommerce.SECRET},
                "SE-10023", "karin.berg@example.se", "SE-10023", "PostNord", "RB123456785SE",
                "handed_to_carrier", "https://", ("601", "lisa@example.se"),
            )  # fmt: skip
    else:
        orders, shipments = magento.sample_orders()
        m_state = magento.MagentoSwitches(
            orders=orders, shipments=shipments, products=magento.sample_products(20)
        )
        async with serving(magento.magento_app(m_state)) as url:
            yield Case(
                "magento", {"url": url, "token": magento.TOKEN}, "000000123",
                "mikko.virtanen@example.fi", "000000123", "Posti", "JJFI12345678901234567",
                "handed_to_carrier", "https://",
            )  # fmt: skip


def _cancelled_shopify() -> dict[str, Any]:
    order = dict(shopify.sample_orders()[1])
    return {**order, "name": "#1003", "email": "eva@example.dk",
            "cancelledAt": "2026-01-04T09:00:00Z", "fulfillments": []}  # fmt: skip


@pytest.fixture
async def bot(make_bot_runtime: Any, database_url: str) -> AsyncIterator[Container]:
    runtime: Container = await make_bot_runtime(database_url)
    shop = runtime.shop
    saved = (shop.private_addresses, dict(shop.carrier_urls))
    shop.private_addresses = True  # the stand-ins listen on loopback
    try:
        yield runtime
    finally:
        shop.private_addresses, shop.carrier_urls = saved[0], saved[1]


async def _shop_tenant(runtime: Container) -> Tenant:
    tenant = await new_tenant(runtime.db, runtime.clock)
    async with runtime.db.transaction() as session:
        await ensure_builtin_content(session, tenant.id, runtime.clock, DEMO_CONTENT_DIR)
    return tenant


async def _say(client: httpx.AsyncClient, conv: dict[str, Any], text: str) -> list[dict[str, Any]]:
    r = await client.post(
        f"/api/v1/conversations/{conv['conversation_id']}/messages",
        json={"text": text},
        headers=conv["headers"],
    )
    assert r.status_code == 201, r.text
    replies: list[dict[str, Any]] = r.json()["replies"]
    return replies


def _own_address() -> tuple[str, int]:
    """A client address of this test's own: the order look-up counts misses per address across
    the instance (and, on Redis, across the run), and other tests' misses are not this test's."""
    return (
        f"10.{secrets.randbelow(256)}.{secrets.randbelow(256)}.{secrets.randbelow(254) + 1}",
        40000,
    )


def _cards(replies: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [r["payload"] for r in replies if (r.get("payload") or {}).get("type") == "tracking"]


@pytest.mark.parametrize("platform", ["shopify", "woocommerce", "magento"])
async def test_tracking_conversations_against_each_platform(bot: Container, platform: str) -> None:
    async with contextlib.AsyncExitStack() as stack:
        case = await stack.enter_async_context(standin(platform))
        pn = await stack.enter_async_context(serving(postnord_app(CarrierSwitches())))
        bot.shop.carrier_urls["postnord"] = pn
        tenant = await _shop_tenant(bot)
        found = await bot.shop.connect(tenant.id, platform, case.values)
        assert found is not None and found.products > 0
        await bot.shop.set_carriers(tenant.id, {"postnord_api_key": POSTNORD_KEY})
        await bot.responders.refresh(tenant.id)
        app = create_app(bot, manage_runtime=False)
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app, client=_own_address()),
            base_url="http://testserver",
            timeout=60,
        ) as client:
            for language in ("da", "sv", "nb"):
                conv = await start_conversation(client, tenant.widget_key, language=language)
                await _say(client, conv, WHERE[language])
                await _say(client, conv, case.order_number)
                replies = await _say(client, conv, f"  {case.email.upper()} ")
                cards = _cards(replies)
                assert len(cards) == 1, (language, replies)
                card = cards[0]
                assert card["carrier_name"] == case.carrier_name
                assert card["tracking_number"] == case.tracking_number
                assert card["order_number"] == case.shown_number
                assert card["tracking_url"] and card["tracking_url"].startswith(case.link)
                assert card["language"] == language
                text = " ".join(r["text"] for r in replies)
                assert case.carrier_name in text and case.tracking_number in text
                assert card["tracking_url"] in text
                if platform == "shopify":
                    # PostNord's live answer: its own latest event, in the shop's language.
                    assert card["status"] == "in_transit"
                    assert card["events"][0]["text"] == "Forsendelsen er ude til levering"
                else:
                    assert card["status"] == case.status

                conv = await start_conversation(client, tenant.widget_key, language=language)
                await _say(client, conv, WHERE[language])
                await _say(client, conv, case.order_number)
                (miss,) = await _say(client, conv, "en.helt.anden@example.com")
                assert miss["text"].startswith(MISS[language]), miss
                assert (miss.get("payload") or {}).get("type") is None
                assert case.tracking_number not in miss["text"]

            if case.cancelled:
                conv = await start_conversation(client, tenant.widget_key, language="da")
                await _say(client, conv, WHERE["da"])
                await _say(client, conv, case.cancelled[0])
                replies = await _say(client, conv, case.cancelled[1])
                assert "annulleret" in replies[-1]["text"], replies
                assert not _cards(replies)


async def test_a_synced_catalogue_answers_product_questions(bot: Container) -> None:
    async with standin("shopify") as case:
        tenant = await _shop_tenant(bot)
        await bot.shop.connect(tenant.id, "shopify", case.values)
        result = await bot.shop.sync(tenant.id)
        assert result.full and result.total == 40
        await bot.responders.refresh(tenant.id)
        app = create_app(bot, manage_runtime=False)
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app, client=_own_address()),
            base_url="http://testserver",
            timeout=60,
        ) as client:
            conv = await start_conversation(client, tenant.widget_key, language="da")
            replies = await _say(client, conv, "har I en bordlampe?")
            payload = replies[-1]["payload"]
            assert payload["type"] == "products", replies
            assert payload["items"] and all(
                item["name"].startswith("Bordlampe") for item in payload["items"]
            )
            assert payload["items"][0]["url"].startswith("https://nordhjem.example/products/")
