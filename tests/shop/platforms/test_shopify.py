"""The Shopify connector against the GraphQL stand-in over real HTTP: order look-up by name
with or without prefix and `#`, the e-mail in any case and spacing, only the fields the bot
shows, both kinds of credentials with renewal, cost-based throttling, GraphQL errors in a 200,
timeouts, malformed bodies, and a catalogue sync by cursor and by `updated_at`."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from samtale.kernel.clock import ManualClock
from samtale.shop.connector import ShopConnector, ShopUnavailable
from samtale.shop.platforms import shopify as shopify_module
from samtale.shop.platforms.shopify import ShopifyConfig, ShopifyConnector
from tests.shop.standins.serving import serving
from tests.shop.standins.shopify import (
    ShopifySwitches,
    sample_orders,
    sample_products,
    shopify_app,
)

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
EMAIL = "  anna.holm@EXAMPLE.com "


@pytest.fixture
async def store() -> AsyncIterator[tuple[str, ShopifySwitches]]:
    state = ShopifySwitches(orders=sample_orders(), products=sample_products(60))
    async with serving(shopify_app(state)) as url:
        yield url, state


@pytest.fixture
async def connect(
    store: tuple[str, ShopifySwitches],
) -> AsyncIterator[Callable[..., ShopifyConnector]]:
    made: list[ShopifyConnector] = []
    url, state = store

    def make(
        clock: ManualClock | None = None, private: bool = True, **config: Any
    ) -> ShopifyConnector:
        settings: dict[str, Any] = {"url": url}
        if "client_id" not in config:
            settings["token"] = state.token
        settings.update(config)
        connector = ShopifyConnector(
            ShopifyConfig.model_validate(settings),
            clock=clock or ManualClock(T0),
            private_addresses=private,  # the stand-in listens on loopback
        )
        made.append(connector)
        return connector

    yield make
    for connector in made:
        await connector.aclose()


async def test_order_by_name_with_or_without_the_hash(
    connect: Callable[..., ShopifyConnector],
) -> None:
    connector = connect()
    assert isinstance(connector, ShopConnector)
    for typed in ("1001", "#1001", " # 10 01 "):
        order = await connector.find_order(typed, EMAIL)
        assert order is not None, typed
        assert order.order_number == "#1001"
    assert order.placed_at == datetime(2026, 1, 3, 10, 15, tzinfo=UTC)
    assert [(line.name, line.quantity) for line in order.lines] == [
        ("Strikkjole Ingrid", 1),
        ("Uldsokker", 2),
    ]
    (shipment,) = order.shipments  # the voided label is not a parcel
    assert shipment.carrier == "postnord" and shipment.tracking_number == "RB123456785DK"
    assert shipment.status == "in_transit"
    assert shipment.expected_delivery == date(2026, 1, 7)  # midnight in Copenhagen
    assert shipment.tracking_url == "https://tracking.postnord.com/dk/?id=RB123456785DK"
    assert order.status_url and order.status_url.startswith("https://nordhjem.example/")
    assert not order.cancelled


async def test_the_stores_own_prefix_is_optional(
    store: tuple[str, ShopifySwitches], connect: Callable[..., ShopifyConnector]
) -> None:
    _, state = store
    for order in state.orders:
        order["name"] = order["name"].replace("#", "DK")
    connector = connect(order_prefix="DK")
    for typed in ("1001", "DK1001", "dk 1001", "#1001"):
        order = await connector.find_order(typed, "anna.holm@example.com")
        assert order is not None and order.order_number == "DK1001", typed


async def test_any_miss_is_the_same_miss(
    store: tuple[str, ShopifySwitches], connect: Callable[..., ShopifyConnector]
) -> None:
    _, state = store
    connector = connect()
    assert await connector.find_order("1001", "someone.else@example.com") is None
    assert await connector.find_order("9999", EMAIL) is None
    assert await connector.find_order("1001", "") is None
    queries = len(state.queries)
    # Nothing the customer types widens the search: this never reaches Shopify.
    assert await connector.find_order("1001 OR name:1002", "bo@example.se") is None
    assert await connector.find_order("1001' OR '1'='1", EMAIL) is None
    assert len(state.queries) == queries


async def test_only_the_fields_the_bot_shows_are_asked_for(
    store: tuple[str, ShopifySwitches], connect: Callable[..., ShopifyConnector]
) -> None:
    _, state = store
    await connect().find_order("1001", EMAIL)
    (query,) = state.queries
    for personal in ("shippingAddress", "billingAddress", "phone", "address1", "totalPriceSet"):
        assert personal not in query
    for shown in (
        "displayFulfillmentStatus",
        "displayFinancialStatus",
        "cancelledAt",
        "estimatedDeliveryAt",
        "deliveredAt",
        "trackingInfo",
        "statusPageUrl",
    ):
        assert shown in query  # fmt: skip


async def test_a_field_shopify_does_not_have_fails_as_on_shopify(
    connect: Callable[..., ShopifyConnector], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        shopify_module,
        "ORDER_QUERY",
        shopify_module.ORDER_QUERY.replace("cancelledAt", "canceledAt"),
    )
    with pytest.raises(ShopUnavailable) as caught:
        await connect().find_order("1001", EMAIL)
    assert caught.value.reason == "graphql"


async def test_graphql_errors_in_a_200_are_failures(
    store: tuple[str, ShopifySwitches], connect: Callable[..., ShopifyConnector]
) -> None:
    _, state = store
    state.graphql_error_next = 1
    with pytest.raises(ShopUnavailable, match="graphql"):
        await connect().find_order("1001", EMAIL)


async def test_wrong_credentials_and_versions(
    store: tuple[str, ShopifySwitches], connect: Callable[..., ShopifyConnector]
) -> None:
    with pytest.raises(ShopUnavailable) as caught:
        await connect(token="shpat_wrong").find_order("1001", EMAIL)
    assert caught.value.reason == "auth" and "shpat_wrong" not in str(caught.value)
    with pytest.raises(ShopUnavailable, match="status"):
        await connect(api_version="2023-01").find_order("1001", EMAIL)
    with pytest.raises(ShopUnavailable, match="auth"):
        await connect(client_id="standin-client-id", client_secret="nope").check()
    with pytest.raises(ValueError):
        ShopifyConfig.model_validate({"url": "https://x.myshopify.com"})
    with pytest.raises(ValueError):
        ShopifyConfig.model_validate({"url": "https://x.myshopify.com", "token": "t",
                                      "api_version": "latest"})  # fmt: skip


async def test_client_credentials_are_exchanged_and_renewed_before_they_expire(
    store: tuple[str, ShopifySwitches], connect: Callable[..., ShopifyConnector]
) -> None:
    _, state = store
    state.token_ttl = 3600
    clock = ManualClock(T0)
    connector = connect(clock, client_id=state.client_id, client_secret=state.client_secret)
    assert await connector.find_order("1001", EMAIL) is not None
    assert await connector.find_order("1002", "bo@example.se") is not None
    assert state.token_requests == 1  # one token, reused
    clock.advance(timedelta(seconds=3600 - 299))  # inside the renewal margin
    assert await connector.find_order("1001", EMAIL) is not None
    assert state.token_requests == 2
    state.revoke_all()  # Shopify forgets a token we thought alive: one renewal, then on
    assert await connector.find_order("1001", EMAIL) is not None
    assert state.token_requests == 3


async def test_throttling_is_waited_out_within_the_deadline(
    store: tuple[str, ShopifySwitches], connect: Callable[..., ShopifyConnector]
) -> None:
    _, state = store
    state.bucket, state.restore_rate = 1000.0, 3000.0
    connector = connect()
    assert await connector.find_order("1001", EMAIL) is not None
    state.available = 100.0  # other apps drained the bucket: 627 needed, 100 left
    assert await connector.find_order("1001", EMAIL) is not None
    assert state.throttled == 1  # it was throttled, waited for the refill, and asked again
    assert connector.throttle["maximumAvailable"] == 1000.0


async def test_throttling_beyond_the_deadline_gives_up_at_once(
    store: tuple[str, ShopifySwitches], connect: Callable[..., ShopifyConnector]
) -> None:
    _, state = store
    state.bucket, state.restore_rate = 1000.0, 1.0
    connector = connect()
    assert await connector.find_order("1001", EMAIL) is not None
    state.available = 100.0  # 527 points short at 1 a second: far past the deadline
    start = time.monotonic()
    with pytest.raises(ShopUnavailable, match="throttled"):
        await connector.find_order("1001", EMAIL)
    assert time.monotonic() - start < 1.0


async def test_slow_failing_and_malformed_answers(
    store: tuple[str, ShopifySwitches], connect: Callable[..., ShopifyConnector]
) -> None:
    _, state = store
    state.fail_next = 1  # a 503 is retried
    assert await connect().find_order("1001", EMAIL) is not None
    state.delay = 2.0
    start = time.monotonic()
    with pytest.raises(ShopUnavailable, match="timeout"):
        await connect(deadline=0.5, timeout=0.3).find_order("1001", EMAIL)
    assert time.monotonic() - start < 1.5
    state.delay = 0.0
    state.malformed = True
    with pytest.raises(ShopUnavailable, match="malformed"):
        await connect().find_order("1001", EMAIL)


async def test_a_store_on_a_private_address_is_refused_by_default(
    store: tuple[str, ShopifySwitches], connect: Callable[..., ShopifyConnector]
) -> None:
    _, state = store
    with pytest.raises(ShopUnavailable, match="blocked"):
        await connect(private=False).find_order("1001", EMAIL)
    assert state.hits == 0


async def test_check_shows_the_shops_name_and_product_count(
    connect: Callable[..., ShopifyConnector],
) -> None:
    check = await connect().check()
    assert (check.name, check.products, check.currency) == ("Nordhjem", 60, "DKK")


async def test_catalogue_sync_by_cursor_with_translations(
    store: tuple[str, ShopifySwitches], connect: Callable[..., ShopifyConnector]
) -> None:
    _, state = store
    connector = connect()
    products = [p async for p in connector.sync_products()]
    assert len(products) == 60 and len({p.sku for p in products}) == 60
    assert len([q for q in state.queries if "products(" in q]) == 3  # pages of 25
    first = products[0]
    assert first.sku == "strikkjole-1"
    assert first.names == {"da": "Strikkjole 1", "sv": "Stickad klänning 1", "nb": "Strikkekjole 1"}
    assert first.descriptions["da"] == "Strikkjole nr. 1 & mere"
    assert first.descriptions["sv"] == "Stickad klänning nr 1"
    assert first.prices == {"DKK": 299}
    assert first.url == "https://nordhjem.example/products/strikkjole-1"
    assert first.images[0].url == "https://cdn.example/strikkjole-1.jpg"
    assert set(first.colours) == {"black", "navy"} and first.sizes == ["S", "M"]
    assert first.stock(colour="navy", size="S") == 0 and first.stock(colour="black") == 8
    assert connector.last_updated_at == datetime(2025, 6, 1, 0, 59, tzinfo=UTC)


async def test_incremental_sync_by_updated_at(connect: Callable[..., ShopifyConnector]) -> None:
    since = datetime(2025, 6, 1, 0, 49, tzinfo=UTC)  # product 50's change
    products = [p async for p in connect().sync_products(since=since)]
    assert [p.sku for p in products][:2] == ["bordlampe-51", "horskjorte-52"]
    assert len(products) == 10


async def test_a_page_costing_more_than_shopify_allows_fails(
    connect: Callable[..., ShopifyConnector],
) -> None:
    with pytest.raises(ShopUnavailable, match="graphql"):
        [p async for p in connect(page_size=100, variants_per_product=100).sync_products()]


async def test_live_search_and_a_product_by_handle(
    connect: Callable[..., ShopifyConnector],
) -> None:
    connector = connect()
    found = await connector.search_products("uldfrakke", "da", limit=3)
    assert [p.sku for p in found] == ["uldfrakke-2", "uldfrakke-6", "uldfrakke-10"]
    product = await connector.get_product("bordlampe-3")
    assert product is not None and product.names["nb"] == "Bordlampe 3"
    assert await connector.get_product("no-such-thing") is None
