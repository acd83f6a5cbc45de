"""The WooCommerce connector against the REST stand-in over real HTTP: order numbers that are not
ids, billing e-mail in any case and spacing, tracking from the extension's API or its order
meta, wrong keys, unknown parameters, paging by X-WP-TotalPages, and failures."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from samtale.infra.outgoing import Deadline
from samtale.kernel.clock import ManualClock
from samtale.shop.connector import ShopConnector, ShopUnavailable
from samtale.shop.platforms.woocommerce import WooCommerceConfig, WooCommerceConnector
from tests.shop.standins.serving import serving
from tests.shop.standins.woocommerce import (
    KEY,
    SECRET,
    WooSwitches,
    sample_orders,
    sample_products,
    woocommerce_app,
)

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


@pytest.fixture
async def store() -> AsyncIterator[tuple[str, WooSwitches]]:
    state = WooSwitches(orders=sample_orders(), products=sample_products(230))
    async with serving(woocommerce_app(state)) as url:
        yield url, state


@pytest.fixture
async def connect(
    store: tuple[str, WooSwitches],
) -> AsyncIterator[Callable[..., WooCommerceConnector]]:
    made: list[WooCommerceConnector] = []

    def make(private: bool = True, **config: Any) -> WooCommerceConnector:
        settings = {"url": store[0], "key": KEY, "secret": SECRET, "language": "sv", **config}
        connector = WooCommerceConnector(
            WooCommerceConfig.model_validate(settings),
            clock=ManualClock(T0),
            private_addresses=private,
        )
        made.append(connector)
        return connector

    yield make
    for connector in made:
        await connector.aclose()


async def test_an_order_number_that_is_not_its_id(
    connect: Callable[..., WooCommerceConnector],
) -> None:
    connector = connect()
    assert isinstance(connector, ShopConnector)
    for typed in ("SE-10023", "se-10023", "#SE-10023 "):
        order = await connector.find_order(typed, "  karin.berg@EXAMPLE.se ")
        assert order is not None and order.order_number == "SE-10023", typed
    assert order.placed_at == datetime(2026, 1, 3, 10, 15, tzinfo=UTC)
    (shipment,) = order.shipments
    assert (shipment.carrier, shipment.tracking_number, shipment.status) == (
        "postnord", "RB123456785SE", "handed_to_carrier",
    )  # fmt: skip
    assert shipment.tracking_url == "https://tracking.postnord.com/se/?id=RB123456785SE"
    # A shipping day without a time is the shop's local midnight.
    assert shipment.events[0].at == datetime(2026, 1, 3, 23, 0, tzinfo=UTC)
    # The id of that order is not its number; and order id 10023 is "SE-10500", not "10023".
    assert await connector.find_order("523", "karin.berg@example.se") is None
    assert await connector.find_order("10023", "someone@example.se") is None


async def test_a_plain_numbered_shop_finds_by_id(
    store: tuple[str, WooSwitches], connect: Callable[..., WooCommerceConnector]
) -> None:
    _, state = store
    state.orders = [o for o in state.orders if o["id"] == 600]
    state.orders[0]["number"] = "600"
    order = await connect().find_order("600", "PER@example.no")
    assert order is not None and order.shipments[0].carrier == "bring"


async def test_tracking_falls_back_to_the_order_meta(
    store: tuple[str, WooSwitches], connect: Callable[..., WooCommerceConnector]
) -> None:
    _, state = store
    state.tracking_api = False
    order = await connect().find_order("600", "per@example.no")
    assert order is not None
    (shipment,) = order.shipments
    assert shipment.carrier == "bring" and shipment.tracking_number == "370701234567890125"
    assert shipment.events[0].at == datetime(2026, 1, 5, tzinfo=UTC)  # unix time in the meta


async def test_misses_and_cancelled_orders(connect: Callable[..., WooCommerceConnector]) -> None:
    connector = connect()
    assert await connector.find_order("SE-10023", "karin@example.se") is None
    assert await connector.find_order("SE-99999", "karin.berg@example.se") is None
    assert await connector.find_order("SE-10023 OR 1=1", "karin.berg@example.se") is None
    cancelled = await connector.find_order("601", "lisa@example.se")
    assert cancelled is not None and cancelled.cancelled and cancelled.shipments == []


async def test_wrong_keys_unknown_parameters_and_failures(
    store: tuple[str, WooSwitches], connect: Callable[..., WooCommerceConnector]
) -> None:
    _, state = store
    with pytest.raises(ShopUnavailable) as caught:
        await connect(secret="cs_wrong").find_order("SE-10023", "karin.berg@example.se")
    assert caught.value.reason == "auth" and "cs_wrong" not in str(caught.value)
    # The stand-in refuses a parameter it does not know, as it refuses a per_page over 100.
    connector = connect()
    misspelt = await connector._get("/wp-json/wc/v3/orders", Deadline(2), "x", {"serach": "1"})
    assert misspelt.status_code == 400 and misspelt.json()["code"] == "rest_invalid_param"
    with pytest.raises(ShopUnavailable, match="status"):
        connector.calls.json(misspelt, "x")
    state.fail_next = 1
    assert await connect().find_order("SE-10023", "karin.berg@example.se") is not None
    state.malformed = True
    with pytest.raises(ShopUnavailable, match="malformed"):
        await connect().find_order("SE-10023", "karin.berg@example.se")
    state.malformed, state.delay = False, 2.0
    start = time.monotonic()
    with pytest.raises(ShopUnavailable, match="timeout"):
        await connect(deadline=0.5, timeout=0.3).find_order("SE-10023", "karin.berg@example.se")
    assert time.monotonic() - start < 1.5
    state.delay = 0.0
    with pytest.raises(ShopUnavailable, match="blocked"):
        await connect(private=False).find_order("SE-10023", "karin.berg@example.se")


async def test_check_and_catalogue_paging(
    store: tuple[str, WooSwitches], connect: Callable[..., WooCommerceConnector]
) -> None:
    _, state = store
    connector = connect()
    check = await connector.check()
    assert (check.name, check.products, check.currency) == ("Fjeldhus", 230, "SEK")
    state.paths.clear()
    products = [p async for p in connector.sync_products()]
    assert len(products) == 230
    assert state.paths.count("/wp-json/wc/v3/products") == 3  # X-WP-TotalPages
    first = products[0]
    assert first.sku == "UK-1" and first.names == {"sv": "Ullkappa 1"}
    assert first.descriptions == {"sv": "Varm kappa i ull"}
    assert first.prices == {"SEK": 1299} and first.category == "Kappor"
    assert first.url == "https://fjeldhus.example/produkt/ullkappa-1/"
    assert set(first.colours) == {"black", "grey"} and first.sizes == ["S", "M", "L"]
    assert first.stock(colour="black", size="M") == 7
    assert products[4].stock() == 0  # out of stock
    assert connector.last_updated_at == datetime(2025, 6, 1, 3, 49, tzinfo=UTC)
    since = datetime(2025, 6, 1, 3, 39, tzinfo=UTC)
    changed = [p async for p in connector.sync_products(since=since)]
    assert [p.sku for p in changed] == [f"UK-{i}" for i in range(221, 231)]


async def test_live_search_and_by_sku(connect: Callable[..., WooCommerceConnector]) -> None:
    connector = connect()
    found = await connector.search_products("ullkappa 22", "sv", limit=3)
    assert [p.sku for p in found] == ["UK-22", "UK-220", "UK-221"]
    product = await connector.get_product("UK-7")
    assert product is not None and product.names["sv"] == "Ullkappa 7"
    assert await connector.get_product("nope") is None
