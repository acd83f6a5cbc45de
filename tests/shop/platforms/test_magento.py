"""The Magento connector against the REST stand-in over real HTTP: increment ids (not entity
ids), the e-mail filter group ANDed with the number's, shipments' tracks, paging that stops at
total_count although Magento repeats its last page, wrong tokens, and failures."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from samtale.kernel.clock import ManualClock
from samtale.shop.connector import ShopConnector, ShopUnavailable
from samtale.shop.platforms.magento import MagentoConfig, MagentoConnector, criteria
from tests.shop.standins.magento import (
    TOKEN,
    MagentoSwitches,
    magento_app,
    sample_orders,
    sample_products,
)
from tests.shop.standins.serving import serving

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
EMAIL = " mikko.virtanen@EXAMPLE.FI"


@pytest.fixture
async def store() -> AsyncIterator[tuple[str, MagentoSwitches]]:
    orders, shipments = sample_orders()
    state = MagentoSwitches(orders=orders, shipments=shipments, products=sample_products(250))
    async with serving(magento_app(state)) as url:
        yield url, state


@pytest.fixture
async def connect(
    store: tuple[str, MagentoSwitches],
) -> AsyncIterator[Callable[..., MagentoConnector]]:
    made: list[MagentoConnector] = []

    def make(private: bool = True, **config: Any) -> MagentoConnector:
        settings = {"url": store[0], "token": TOKEN, "language": "fi", **config}
        connector = MagentoConnector(
            MagentoConfig.model_validate(settings),
            clock=ManualClock(T0),
            private_addresses=private,
        )
        made.append(connector)
        return connector

    yield make
    for connector in made:
        await connector.aclose()


def test_search_criteria_groups() -> None:
    params = criteria(
        [
            [("increment_id", "1", "eq"), ("increment_id", "2", "eq")],
            [("customer_email", "a@b", "eq")],
        ],
        pageSize="5",
    )
    assert params["searchCriteria[filter_groups][0][filters][1][value]"] == "2"
    assert params["searchCriteria[filter_groups][1][filters][0][field]"] == "customer_email"
    assert params["searchCriteria[pageSize]"] == "5"


async def test_order_by_increment_id(
    store: tuple[str, MagentoSwitches], connect: Callable[..., MagentoConnector]
) -> None:
    connector = connect()
    assert isinstance(connector, ShopConnector)
    for typed in ("000000123", "123", "#123"):
        order = await connector.find_order(typed, EMAIL)
        assert order is not None and order.order_number == "000000123", typed
    assert order.placed_at == datetime(2026, 1, 3, 10, 15, tzinfo=UTC)
    assert [(line.name, line.quantity) for line in order.lines] == [("Pellavapaita", 1)]
    (shipment,) = order.shipments
    assert (shipment.carrier, shipment.tracking_number, shipment.status) == (
        "posti",
        "JJFI12345678901234567",
        "handed_to_carrier",
    )
    assert (
        shipment.tracking_url == "https://www.posti.fi/fi/seuranta#/lahetys/JJFI12345678901234567"
    )
    # entity_id 123 is another order (increment 000000200): "123" found 000000123, never it.
    assert await connector.find_order("200", EMAIL) is None
    assert await connector.find_order("123", "other@example.fi") is None


async def test_wrong_token_unknown_criteria_and_failures(
    store: tuple[str, MagentoSwitches], connect: Callable[..., MagentoConnector]
) -> None:
    _, state = store
    with pytest.raises(ShopUnavailable) as caught:
        await connect(token="wrong").find_order("123", EMAIL)
    assert caught.value.reason == "auth"
    with pytest.raises(ShopUnavailable, match="status"):
        await connect(store="other").check()
    state.fail_next = 1
    assert await connect().find_order("123", EMAIL) is not None
    state.malformed = True
    with pytest.raises(ShopUnavailable, match="malformed"):
        await connect().find_order("123", EMAIL)
    state.malformed, state.delay = False, 2.0
    start = time.monotonic()
    with pytest.raises(ShopUnavailable, match="timeout"):
        await connect(deadline=0.5, timeout=0.3).find_order("123", EMAIL)
    assert time.monotonic() - start < 1.5
    state.delay = 0.0
    with pytest.raises(ShopUnavailable, match="blocked"):
        await connect(private=False).find_order("123", EMAIL)


async def test_the_stand_in_refuses_unknown_criteria(store: tuple[str, MagentoSwitches]) -> None:
    import httpx

    async with httpx.AsyncClient() as client:
        response = await client.get(
            f"{store[0]}/rest/default/V1/orders",
            params={"searchCriteria[filterGroups][0][filters][0][field]": "x"},
            headers={"authorization": f"Bearer {TOKEN}"},
        )
    assert response.status_code == 400


async def test_check_and_catalogue_paging(
    store: tuple[str, MagentoSwitches], connect: Callable[..., MagentoConnector]
) -> None:
    _, state = store
    connector = connect()
    check = await connector.check()
    assert (check.name, check.products, check.currency) == ("Pellava Oy", 250, "EUR")
    state.paths.clear()
    products = [p async for p in connector.sync_products()]
    assert len(products) == 250 and len({p.sku for p in products}) == 250  # no repeated page
    assert state.paths.count("/rest/default/V1/products") == 3
    first, second = products[0], products[1]
    assert first.names == {"fi": "Pellavapaita 1"} and first.descriptions == {"fi": "Kevyt pellava"}
    assert first.url == "https://pellava.example/pellavapaita-1.html"
    assert first.images[0].url == "https://pellava.example/media/catalog/product/p/l/lin-1.jpg"
    assert first.stock() == 0 and second.stock() == 3
    assert str(second.prices["EUR"]) == "50.9"
    since = datetime(2025, 6, 1, 4, 0, tzinfo=UTC)
    changed = [p async for p in connector.sync_products(since=since)]
    assert [p.sku for p in changed] == [f"LIN-{i}" for i in range(242, 251)]


async def test_live_search_and_by_sku(connect: Callable[..., MagentoConnector]) -> None:
    connector = connect()
    found = await connector.search_products("pellavapaita 24", "fi", limit=3)
    assert [p.sku for p in found] == ["LIN-24", "LIN-240", "LIN-241"]
    assert (await connector.get_product("LIN-9")) is not None
    assert await connector.get_product("nope") is None
