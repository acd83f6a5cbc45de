"""The HTTP connector against two fake shop systems over real HTTP on loopback: the field
mapping of two differently shaped APIs, timeouts, retries, the circuit breaker, malformed
answers — and what the customer sees when the shop's system is slow or down."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import update

from samtale.bot.actions import ActionContext
from samtale.infra.database import Database
from samtale.infra.ratelimit import MemoryRateLimiter
from samtale.kernel.clock import ManualClock
from samtale.model import Tenant
from samtale.shop.breaker import CircuitBreaker
from samtale.shop.connector import ShopConnector, ShopUnavailable
from samtale.shop.http import HttpConnector, HttpConnectorConfig
from samtale.shop.products import ProductSearch
from samtale.shop.service import ShopService
from samtale.shop.tracking import Tracking
from tests.conftest import new_tenant
from tests.shop.fake_shops import (
    FJORD_CONFIG,
    KAAMOS_CONFIG,
    Switches,
    fjord_app,
    free_port,
    kaamos_app,
    serving,
)


@pytest.fixture
async def fjord() -> AsyncIterator[tuple[str, Switches]]:
    switches = Switches()
    async with serving(fjord_app(switches)) as url:
        yield url, switches


@pytest.fixture
async def kaamos() -> AsyncIterator[tuple[str, Switches]]:
    switches = Switches()
    async with serving(kaamos_app(switches)) as url:
        yield url, switches


@pytest.fixture
async def connect(clock: ManualClock) -> AsyncIterator[Callable[..., HttpConnector]]:
    made: list[HttpConnector] = []

    def make(config: dict[str, Any], url: str, **overrides: Any) -> HttpConnector:
        parsed = HttpConnectorConfig.model_validate({**config, "base_url": url, **overrides})
        # The test shops listen on loopback, which only an operator's setting allows.
        connector = HttpConnector(parsed, clock=clock, private_addresses=True)
        made.append(connector)
        return connector

    yield make
    for connector in made:
        await connector.aclose()


async def test_fjord_orders_map_to_the_model(
    fjord: tuple[str, Switches], connect: Callable[..., HttpConnector]
) -> None:
    url, _ = fjord
    connector = connect(FJORD_CONFIG, url)
    assert isinstance(connector, ShopConnector)
    order = await connector.find_order("104 827 361", "  anna.holm@EXAMPLE.com ")
    assert order is not None
    assert order.order_number == "104827361" and order.country == "DK"
    assert order.placed_at == datetime(2026, 1, 3, 10, 15, tzinfo=UTC)
    assert order.total == Decimal("638.00")
    (line,) = order.lines
    assert line.names["da"] == "Strikkjole Ingrid" and line.size == "M" and line.colour == "black"
    (shipment,) = order.shipments
    assert shipment.carrier == "postnord" and shipment.status == "in_transit"
    assert shipment.tracking_number == "RB123456785DK"
    assert shipment.pickup_point is not None
    assert shipment.pickup_point.postcode == "2200" and shipment.pickup_point.city == "København N"
    assert [e.code for e in shipment.events] == ["handed_to_carrier", "at_terminal", "other"]
    assert shipment.events[2].description == "Sorteret"  # the carrier's own words
    assert str(shipment.expected_delivery) == "2026-01-07"
    # The e-mail must match; an unknown order is simply not found.
    assert await connector.find_order("104827361", "anna@example.com") is None
    assert await connector.find_order("109999999", "anna.holm@example.com") is None
    shipment_only = await connector.find_shipment("rb123456785dk")
    assert shipment_only is not None and shipment_only.status == "in_transit"
    assert await connector.find_shipment("RB000000000DK") is None


async def test_fjord_products_map_to_the_model(
    fjord: tuple[str, Switches], connect: Callable[..., HttpConnector]
) -> None:
    url, switches = fjord
    connector = connect(FJORD_CONFIG, url)
    (product,) = await connector.search_products("strikkjole", "da")
    assert product.sku == "F-100" and product.name("da") == "Strikkjole Ingrid"
    assert product.prices == {"DKK": Decimal("599.00"), "SEK": Decimal("899"),
                              "EUR": Decimal("79.95")}  # fmt: skip
    assert product.stock(colour="black", size="M") == 3
    assert product.sizes_in_stock("black") == ["M"]
    assert product.image() == "https://img.fjord.example/f-100-black.jpg"
    assert product.materials["en"] == "100% merino wool"
    assert await connector.search_products("sofa", "da") == []
    same = await connector.get_product("F-100")
    assert same is not None and same.sku == "F-100"
    assert await connector.get_product("nope") is None
    assert "/api/v1/catalog/search" in switches.paths


async def test_kaamos_checks_the_email_itself_and_spells_things_its_own_way(
    kaamos: tuple[str, Switches], connect: Callable[..., HttpConnector]
) -> None:
    url, _ = kaamos
    connector = connect(KAAMOS_CONFIG, url)
    order = await connector.find_order("100555777", "Liisa.Virtanen@example.fi ")
    assert order is not None and order.email is None
    (shipment,) = order.shipments
    assert shipment.carrier == "posti" and shipment.status == "in_transit"
    # Times without a zone are Helsinki time.
    assert shipment.events[1].at == datetime(2026, 1, 5, 6, 5, tzinfo=UTC)
    assert [e.code for e in shipment.events] == ["handed_to_carrier", "at_terminal"]
    assert await connector.find_order("100555777", "someone@example.fi") is None
    (product,) = await connector.search_products("villasukat", "fi")
    assert product.prices == {"EUR": Decimal("12.95"), "SEK": Decimal("149")}
    assert product.name("fi") == "Villasukat Aino" and product.name("da") == "Wool socks Aino"
    assert product.sizes == ["39-41"]


async def test_a_slow_shop_times_out_within_the_deadline_after_retries(
    fjord: tuple[str, Switches], connect: Callable[..., HttpConnector]
) -> None:
    url, switches = fjord
    switches.delay = 5.0
    connector = connect(FJORD_CONFIG, url, timeout=0.2, deadline=1.0, retries=2)
    started = time.monotonic()
    with pytest.raises(ShopUnavailable) as info:
        await connector.find_shipment("RB123456785DK")
    elapsed = time.monotonic() - started
    assert info.value.reason == "timeout"
    assert elapsed < 1.5
    assert switches.hits == 3  # the first attempt and two retries


async def test_a_failing_shop_is_retried_with_backoff(
    fjord: tuple[str, Switches], connect: Callable[..., HttpConnector]
) -> None:
    url, switches = fjord
    switches.fail_next = 2
    connector = connect(FJORD_CONFIG, url)
    shipment = await connector.find_shipment("RB123456785DK")
    assert shipment is not None and switches.hits == 3
    # A client error is not retried.
    switches.hits, switches.fail_next, switches.fail_status = 0, 5, 400
    with pytest.raises(ShopUnavailable) as info:
        await connector.find_shipment("RB123456785DK")
    assert info.value.reason == "status" and switches.hits == 1


async def test_calls_that_are_not_idempotent_are_not_retried(
    kaamos: tuple[str, Switches], connect: Callable[..., HttpConnector]
) -> None:
    url, switches = kaamos
    switches.fail_next = 1
    connector = connect(KAAMOS_CONFIG, url)
    with pytest.raises(ShopUnavailable):
        await connector.search_products("villasukat", "fi")  # a POST
    assert switches.hits == 1
    switches.hits, switches.fail_next = 0, 1
    assert await connector.find_shipment("JJFI12345678901234567") is not None  # a GET
    assert switches.hits == 2


async def test_the_circuit_opens_and_closes_again(
    fjord: tuple[str, Switches], connect: Callable[..., HttpConnector], clock: ManualClock
) -> None:
    url, switches = fjord
    connector = connect(FJORD_CONFIG, url, retries=0, breaker_failures=3)
    switches.fail_next = 100
    for _ in range(3):
        with pytest.raises(ShopUnavailable):
            await connector.find_shipment("RB123456785DK")
    hits = switches.hits
    with pytest.raises(ShopUnavailable) as info:
        await connector.find_shipment("RB123456785DK")
    assert info.value.reason == "open" and switches.hits == hits  # not even asked
    switches.fail_next = 0
    clock.advance(seconds=31)  # half-open: one trial call
    assert await connector.find_shipment("RB123456785DK") is not None
    assert connector.breaker.state == "closed"


def test_a_failed_trial_opens_the_circuit_again() -> None:
    clock = ManualClock()
    breaker = CircuitBreaker(2, 10, clock)
    breaker.failure()
    assert breaker.allow()
    breaker.failure()
    assert breaker.state == "open" and not breaker.allow()
    clock.advance(seconds=10)
    assert breaker.allow() and not breaker.allow()  # one trial at a time
    breaker.failure()
    assert breaker.state == "open"


async def test_malformed_answers_are_unavailable(
    fjord: tuple[str, Switches], connect: Callable[..., HttpConnector]
) -> None:
    url, switches = fjord
    connector = connect(FJORD_CONFIG, url)
    switches.malformed = True
    with pytest.raises(ShopUnavailable) as info:
        await connector.find_order("104827361", "anna.holm@example.com")
    assert info.value.reason == "malformed"
    switches.malformed = False
    # Valid JSON of the wrong shape fails the models' validation.
    broken = {**FJORD_CONFIG["fields"], "shipment": {"tracking_number": "missing.path"}}
    wrong = connect(FJORD_CONFIG, url, fields=broken)
    with pytest.raises(ShopUnavailable) as info:
        await wrong.find_shipment("RB123456785DK")
    assert info.value.reason == "malformed"


async def test_a_shop_that_is_down_cannot_be_connected(
    connect: Callable[..., HttpConnector],
) -> None:
    connector = connect(FJORD_CONFIG, f"http://127.0.0.1:{free_port()}", retries=1)
    with pytest.raises(ShopUnavailable) as info:
        await connector.find_shipment("RB123456785DK")
    assert info.value.reason == "connect"
    with pytest.raises(ShopUnavailable) as info:
        await connector.delivery_options("DK")
    assert info.value.reason == "not_configured"


@pytest.mark.parametrize(
    "host",
    ["127.0.0.1", "localhost", "10.1.2.3", "192.168.0.10", "169.254.169.254", "[::1]",
     "[::ffff:127.0.0.1]", "100.64.0.1"],
)  # fmt: skip
async def test_by_default_only_public_addresses_are_called(
    fjord: tuple[str, Switches], clock: ManualClock, host: str
) -> None:
    url, switches = fjord
    assert "//127.0.0.1:" in url
    parsed = HttpConnectorConfig.model_validate(
        {**FJORD_CONFIG, "base_url": url.replace("127.0.0.1", host), "retries": 2}
    )
    connector = HttpConnector(parsed, clock=clock)
    try:
        with pytest.raises(ShopUnavailable) as info:
            await connector.find_shipment("RB123456785DK")
    finally:
        await connector.aclose()
    assert info.value.reason == "blocked"
    assert switches.hits == 0  # nothing reached the shop, and nothing was retried


async def test_the_address_check_knows_public_from_private() -> None:
    from samtale.shop.addresses import non_public_address

    assert await non_public_address("93.184.215.14") is None
    assert await non_public_address("2a00:1450:4001:80b::200e") is None
    assert await non_public_address("127.0.0.2") == "127.0.0.2"
    assert await non_public_address("fd00::1") == "fd00::1"
    assert await non_public_address("localhost") in ("127.0.0.1", "::1")
    assert await non_public_address("no-such-host.invalid") is None  # fails as "connect" later


# -- through the actions, with the connector configured on the tenant ---------------------------


async def _http_tenant(db: Database, clock: ManualClock, config: dict[str, Any]) -> Tenant:
    tenant = await new_tenant(db, clock)
    async with db.transaction() as session:
        await session.execute(
            update(Tenant).where(Tenant.id == tenant.id).values(settings={"connector": config})
        )
    return tenant


async def test_the_bot_tracks_through_the_shops_api(
    db: Database,
    clock: ManualClock,
    fjord: tuple[str, Switches],
    make_ctx: Callable[..., ActionContext],
) -> None:
    url, _ = fjord
    tenant = await _http_tenant(db, clock, {**FJORD_CONFIG, "base_url": url})
    shops = ShopService(db, clock, semantic=False, private_addresses=True)
    tracking = Tracking(shops, MemoryRateLimiter(clock))
    try:
        result = await tracking.track_order(
            make_ctx(tenant, order_number="104827361", email="anna.holm@example.com")
        )
        assert result.outcome == "answered"
        card = result.replies[-1].payload
        assert card is not None and card["carrier_name"] == "PostNord"
        assert card["tracking_url"] == "https://tracking.example/RB123456785DK"
        products = await ProductSearch(shops)(make_ctx(tenant, text="sort strikkjole i M"))
        (reply,) = products.replies
        assert reply.payload is not None
        (item,) = reply.payload["items"]
        assert item["sku"] == "F-100" and item["price"]["text"] == "599\xa0kr."
        assert item["sizes"] == ["M"] and item["colour"] == "black"
    finally:
        await shops.close()


@pytest.mark.parametrize("trouble", ["slow", "failing", "malformed", "down"])
async def test_when_the_shop_is_in_trouble_the_customer_is_told_politely(
    db: Database,
    clock: ManualClock,
    fjord: tuple[str, Switches],
    make_ctx: Callable[..., ActionContext],
    trouble: str,
) -> None:
    url, switches = fjord
    if trouble == "slow":
        switches.delay = 5.0
    elif trouble == "failing":
        switches.fail_next = 100
    elif trouble == "malformed":
        switches.malformed = True
    else:
        url = f"http://127.0.0.1:{free_port()}"
    tenant = await _http_tenant(db, clock, {**FJORD_CONFIG, "base_url": url})
    shops = ShopService(db, clock, semantic=False, private_addresses=True)
    tracking = Tracking(shops, MemoryRateLimiter(clock))
    try:
        started = time.monotonic()
        result = await tracking.track_order(
            make_ctx(tenant, language="sv", order_number="104827361",
                     email="anna.holm@example.com")
        )  # fmt: skip
        assert time.monotonic() - started < 2.5
        assert result.outcome == "unavailable" and result.offer_person
        (reply,) = result.replies
        assert reply.text.startswith("Vårt system svarar tyvärr inte")
        assert "Traceback" not in reply.text and "Error" not in reply.text
        products = await ProductSearch(shops)(make_ctx(tenant, text="strikkjole", language="fi"))
        assert products.outcome == "unavailable"
        assert products.replies[0].text.startswith("Järjestelmämme ei valitettavasti vastaa")
    finally:
        await shops.close()
