"""The platform connectors against their stand-ins on loopback: order look-up latency (the
connector's `find_order`, HTTP and parsing included; not yet the whole bot turn) and catalogue
sync rate, for Shopify (GraphQL executed by graphql-core), WooCommerce and Magento.

The peer measured in the same run is a bare HTTP GET to the same stand-in server (the floor any
connector pays on this machine). Shopify's stand-in runs with a bucket large enough not to
throttle (a Shopify Plus-like 20,000 points restoring 10,000/s): the figure is the connector's
own rate, not Shopify's metering.

    .venv/bin/python -m bench.platforms [--lookups 300] [--products 2000]
"""

from __future__ import annotations

import argparse
import asyncio
import time
from typing import Any

import httpx

from bench.common import machine, percentile, table


async def _lookups(connector: Any, number: str, email: str, n: int) -> list[float]:
    times = []
    for _ in range(n):
        start = time.perf_counter()
        order = await connector.find_order(number, email)
        times.append((time.perf_counter() - start) * 1000)
        assert order is not None
    return times


async def _sync(connector: Any) -> tuple[int, float]:
    start = time.perf_counter()
    count = 0
    async for _ in connector.sync_products():
        count += 1
    return count, time.perf_counter() - start


async def _floor(url: str, n: int) -> list[float]:
    times = []
    async with httpx.AsyncClient() as client:
        for _ in range(n):
            start = time.perf_counter()
            await client.get(url)
            times.append((time.perf_counter() - start) * 1000)
    return times


async def run(lookups: int, products: int) -> None:
    from tests.shop.standins import magento, shopify, woocommerce
    from tests.shop.standins.serving import serving

    from samtale.shop.platforms import (
        MagentoConfig,
        MagentoConnector,
        ShopifyConfig,
        ShopifyConnector,
        WooCommerceConfig,
        WooCommerceConnector,
    )

    rows = []
    s_state = shopify.ShopifySwitches(
        orders=shopify.sample_orders(),
        products=shopify.sample_products(products),
        bucket=20000.0,
        restore_rate=10000.0,
    )
    async with serving(shopify.shopify_app(s_state)) as url:
        c = ShopifyConnector(
            ShopifyConfig(url=url, token=s_state.token),  # type: ignore[arg-type]
            private_addresses=True,
        )
        t = await _lookups(c, "#1001", "anna.holm@example.com", lookups)
        count, seconds = await _sync(c)
        floor = await _floor(f"{url}/admin/oauth/access_token", lookups)
        rows.append(
            (
                "shopify",
                percentile(t, 0.5),
                percentile(t, 0.99),
                percentile(floor, 0.5),
                count,
                count / seconds,
            )
        )
        await c.aclose()
    w_state = woocommerce.WooSwitches(
        orders=woocommerce.sample_orders(), products=woocommerce.sample_products(products)
    )
    async with serving(woocommerce.woocommerce_app(w_state)) as url:
        w = WooCommerceConnector(
            WooCommerceConfig(url=url, key=woocommerce.KEY, secret=woocommerce.SECRET),  # type: ignore[arg-type]
            private_addresses=True,
        )
        t = await _lookups(w, "SE-10023", "karin.berg@example.se", lookups)
        count, seconds = await _sync(w)
        floor = await _floor(f"{url}/wp-json/", lookups)
        rows.append(
            (
                "woocommerce",
                percentile(t, 0.5),
                percentile(t, 0.99),
                percentile(floor, 0.5),
                count,
                count / seconds,
            )
        )
        await w.aclose()
    orders, shipments = magento.sample_orders()
    m_state = magento.MagentoSwitches(
        orders=orders, shipments=shipments, products=magento.sample_products(products)
    )
    async with serving(magento.magento_app(m_state)) as url:
        m = MagentoConnector(
            MagentoConfig(url=url, token=magento.TOKEN),  # type: ignore[arg-type]
            private_addresses=True,
        )
        t = await _lookups(m, "123", "mikko.virtanen@example.fi", lookups)
        count, seconds = await _sync(m)
        floor = await _floor(f"{url}/rest/default/V1/store/storeGroups", lookups)
        rows.append(
            (
                "magento",
                percentile(t, 0.5),
                percentile(t, 0.99),
                percentile(floor, 0.5),
                count,
                count / seconds,
            )
        )
        await m.aclose()
    print(machine())
    print(f"{lookups} look-ups per platform, {products} products per catalogue\n")
    print(
        table(
            [
                "platform",
                "lookup p50 ms",
                "lookup p99 ms",
                "bare GET p50 ms",
                "synced",
                "products/s",
            ],
            [
                (r[0], f"{r[1]:.1f}", f"{r[2]:.1f}", f"{r[3]:.1f}", r[4], f"{r[5]:.0f}")
                for r in rows
            ],
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lookups", type=int, default=300)
    parser.add_argument("--products", type=int, default=2000)
    args = parser.parse_args()
    asyncio.run(run(args.lookups, args.products))


if __name__ == "__main__":
    main()
