"""The platform connectors against their stand-ins on loopback, for Shopify (GraphQL executed by
graphql-core), WooCommerce and Magento:

- the connector alone: order look-up latency (`find_order`, HTTP and parsing included) and the
  catalogue's read rate (`sync_products`);
- the whole product: a shop connected through `ShopService.connect`, its catalogue synced into
  the database (`samtale shop sync`'s path: paging, mapping, bulk upserts; products/s), and the
  order look-up through the whole bot turn (the visitor API in process with the real bot: the
  e-mail that completes "hvor er min pakke?" → order number → e-mail, until the tracking card
  is back), p50 and p99.

The peer measured in the same run is a bare HTTP GET to the same stand-in server (the floor any
connector pays on this machine). Shopify's stand-in runs with a bucket large enough not to
throttle (a Shopify Plus-like 20,000 points restoring 10,000/s): the figure is the connector's
own rate, not Shopify's metering.

    .venv/bin/python -m bench.platforms [--lookups 300] [--products 2000] [--turns 200]

The bot's trained model comes from `--data-dir` (default: the tests' `.cache/test-bot`, else
`~/.cache/samtale-bench/shop/bot`, trained there on the first run).
"""

from __future__ import annotations

import argparse
import asyncio
import time
from pathlib import Path
from typing import Any

import httpx

from bench.common import REPO, machine, percentile, table


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


def _cases(products: int) -> list[tuple[str, Any, dict[str, Any], str, str]]:
    """(platform, stand-in app, connect values without the URL, order number, e-mail)."""
    from tests.shop.standins import magento, shopify, woocommerce

    s_state = shopify.ShopifySwitches(
        orders=shopify.sample_orders(),
        products=shopify.sample_products(products),
        bucket=20000.0,
        restore_rate=10000.0,
    )
    w_state = woocommerce.WooSwitches(
        orders=woocommerce.sample_orders(), products=woocommerce.sample_products(products)
    )
    orders, shipments = magento.sample_orders()
    m_state = magento.MagentoSwitches(
        orders=orders, shipments=shipments, products=magento.sample_products(products)
    )
    return [
        ("shopify", shopify.shopify_app(s_state), {"token": s_state.token}, "1001",
         "anna.holm@example.com"),
        ("woocommerce", woocommerce.woocommerce_app(w_state),
         {"key": woocommerce.KEY, "secret": woocommerce.SECRET}, "SE-10023",
         "karin.berg@example.se"),
        ("magento", magento.magento_app(m_state), {"token": magento.TOKEN}, "000000123",
         "mikko.virtanen@example.fi"),
    ]  # fmt: skip


async def whole(turns: int, products: int, data_dir: Path) -> list[list[Any]]:
    """Connected through the service, synced into the database, asked through the bot."""
    import contextlib
    import tempfile

    from tests.shop.standins.serving import serving

    from samtale.app.container import Container
    from samtale.bot.store import ensure_builtin_content
    from samtale.demo.content_dir import DEMO_CONTENT_DIR
    from samtale.demo.tenant import ensure_demo
    from samtale.kernel.config import Settings
    from samtale.tenants.service import TenantCreate, create_tenant
    from samtale.web.app import create_app

    rows: list[list[Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(
            database_url=f"sqlite+aiosqlite:///{tmp}/bench.db",
            data_dir=data_dir,
            secret_key="bench-secret-key-bench-secret-key",
            messages_per_minute=1_000_000,
            conversations_per_minute_per_ip=1_000_000,
            shop_private_addresses=True,  # the stand-ins listen on loopback
            log_level="warning",
        )
        runtime = Container.build(settings)
        await runtime.start(migrate=True)
        async with runtime.db.transaction() as session:
            await ensure_demo(session, runtime.clock, Path(tmp), [])
        started = time.perf_counter()
        await runtime.responders.wait_ready()  # type: ignore[attr-defined]
        print(f"bot ready in {time.perf_counter() - started:.0f} s (trained once, then cached)")
        app = create_app(runtime, manage_runtime=False)
        async with contextlib.AsyncExitStack() as stack:
            client = await stack.enter_async_context(
                httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://b")
            )
            for platform, standin, values, number, email in _cases(products):
                url = await stack.enter_async_context(serving(standin))
                async with runtime.db.transaction() as session:
                    tenant = await create_tenant(
                        session,
                        TenantCreate(name=platform, slug=f"bench-{platform}",
                                     widget_key=f"bench-{platform}",
                                     allowed_origins=["https://shop.example"]),
                        runtime.clock,
                    )  # fmt: skip
                    await ensure_builtin_content(
                        session, tenant.id, runtime.clock, DEMO_CONTENT_DIR
                    )
                await runtime.shop.connect(tenant.id, platform, {"url": url, **values})
                synced = await runtime.shop.sync(tenant.id, full=True)
                await runtime.responders.refresh(tenant.id)  # type: ignore[attr-defined]
                headers = {"origin": "https://shop.example"}
                times = []
                for i in range(turns + 5):
                    r = await client.post(
                        f"/api/v1/widget/{tenant.widget_key}/conversations",
                        json={"language": "da"},
                        headers=headers,
                    )
                    body = r.json()
                    path = f"/api/v1/conversations/{body['conversation_id']}/messages"
                    auth = {"authorization": f"Bearer {body['token']}"}
                    for text in ("hvor er min pakke?", number):
                        await client.post(path, json={"text": text}, headers=auth)
                    start = time.perf_counter()
                    r = await client.post(path, json={"text": email}, headers=auth)
                    elapsed = (time.perf_counter() - start) * 1000
                    replies = r.json()["replies"]
                    assert any((m.get("payload") or {}).get("type") == "tracking"
                               for m in replies), replies  # fmt: skip
                    if i >= 5:  # warm-up turns not counted
                        times.append(elapsed)
                rows.append(
                    [platform, len(times), f"{percentile(times, 0.5):.1f}",
                     f"{percentile(times, 0.99):.1f}", synced.received,
                     f"{synced.rate:.0f}"]
                )  # fmt: skip
        await runtime.close()
    return rows


def _data_dir(given: Path | None) -> Path:
    if given is not None:
        return given
    tests = REPO / ".cache" / "test-bot"
    if (tests / "models").exists():
        return tests
    path = Path.home() / ".cache" / "samtale-bench" / "shop" / "bot"
    path.mkdir(parents=True, exist_ok=True)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lookups", type=int, default=300)
    parser.add_argument("--products", type=int, default=2000)
    parser.add_argument("--turns", type=int, default=200, help="0: skip the bot turns")
    parser.add_argument("--data-dir", type=Path, default=None)
    args = parser.parse_args()
    asyncio.run(run(args.lookups, args.products))
    if args.turns > 0:
        rows = asyncio.run(whole(args.turns, args.products, _data_dir(args.data_dir)))
        print(
            f"\nThe whole product on SQLite: connected through the service, {args.products} "
            "products synced into the database, the order look-up through the whole bot turn "
            "(targets: p99 ≤ 50 ms, ≥ 500 products/s on Shopify's stand-in)\n"
        )
        print(
            table(
                [
                    "platform",
                    "turns",
                    "bot turn p50 ms",
                    "bot turn p99 ms",
                    "synced",
                    "synced products/s (into the database)",
                ],
                rows,
            )
        )


if __name__ == "__main__":
    main()
