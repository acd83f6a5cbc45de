"""`samtale shop connect | check | sync` against the platforms' stand-ins: connecting tests the
credentials first and stores them sealed (shown back masked, never in full), sets how the bot
recognises the platform's order numbers, and replaces the demo shop; `check` prints the shop's
name and product count and fails with exit 1; `sync` imports the catalogue."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from samtale.cli.main import app
from samtale.infra.database import Database
from samtale.model import ShopProduct, Tenant
from tests.shop.standins import magento, shopify, woocommerce
from tests.shop.standins.serving import serving_in_thread

runner = CliRunner()


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database_url: str) -> Path:
    monkeypatch.setenv("SAMTALE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("SAMTALE_DATABASE_URL", database_url)
    monkeypatch.setenv("SAMTALE_SECRET_KEY", "cli-test-secret-key")
    monkeypatch.setenv("SAMTALE_SHOP_PRIVATE_ADDRESSES", "true")  # stand-ins on loopback
    monkeypatch.setenv("SAMTALE_SHOP_SYNC_INTERVAL_SECONDS", "0")
    return tmp_path


@pytest.fixture
def shopify_url() -> Iterator[tuple[str, shopify.ShopifySwitches]]:
    state = shopify.ShopifySwitches(
        orders=shopify.sample_orders(), products=shopify.sample_products(40)
    )
    with serving_in_thread(shopify.shopify_app(state)) as url:
        yield url, state


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    yield
    from samtale.kernel.logs import configure_logging

    configure_logging("info")


def _tenant(env: Path) -> str:
    slug = f"cli-{env.name[-8:].lower().replace('_', '-')}"
    r = runner.invoke(app, ["tenant", "create", "--name", "Nordhjem", "--slug", slug])
    assert r.exit_code == 0, r.output
    return slug


def _settings(database_url: str, slug: str) -> tuple[dict[str, Any], int]:
    async def read() -> tuple[dict[str, Any], int]:
        from sqlalchemy import func, select

        db = Database(database_url)
        try:
            async with db.session() as session:
                tenant = await session.scalar(select(Tenant).where(Tenant.slug == slug))
                assert tenant is not None
                count = await session.scalar(
                    select(func.count())
                    .select_from(ShopProduct)
                    .where(ShopProduct.tenant_id == tenant.id)
                )
                return dict(tenant.settings or {}), int(count or 0)
        finally:
            await db.dispose()

    return asyncio.run(read())


def test_connect_check_and_sync_shopify(
    env: Path, database_url: str, shopify_url: tuple[str, shopify.ShopifySwitches]
) -> None:
    url, state = shopify_url
    slug = _tenant(env)

    r = runner.invoke(app, ["shop", "check", slug])
    assert r.exit_code == 1 and "not connected" in r.output

    r = runner.invoke(
        app, ["shop", "connect", slug, "shopify", "--url", url, "--token", "shpat_wrong_0000000000"]
    )
    assert r.exit_code == 1 and "auth" in r.output, r.output
    assert "connector" not in _settings(database_url, slug)[0]

    r = runner.invoke(
        app, ["shop", "connect", slug, "shopify", "--url", url, "--token", state.token]
    )
    assert r.exit_code == 0, r.output
    assert "Products: 40" in r.output and "Shop: " in r.output
    assert state.token not in r.output and "…cdef" in r.output

    settings, _ = _settings(database_url, slug)
    connector = settings["connector"]
    assert connector["type"] == "shopify" and "token" not in connector
    assert state.token not in json.dumps(settings)
    assert settings["order_number_patterns"]

    r = runner.invoke(app, ["shop", "check", slug])
    assert r.exit_code == 0 and "Products: 40" in r.output, r.output
    assert state.token not in r.output

    r = runner.invoke(app, ["shop", "sync", slug])
    assert r.exit_code == 0 and "40 products" in r.output, r.output
    assert _settings(database_url, slug)[1] == 40
    r = runner.invoke(app, ["shop", "sync", slug, "--changes"])
    assert r.exit_code == 0 and "Incremental" in r.output and "0 received" in r.output, r.output

    state.revoke_all()
    state.token = "shpat_rotated_1111111111"
    r = runner.invoke(app, ["shop", "check", slug])
    assert r.exit_code == 1 and "auth" in r.output


def test_connect_woocommerce_and_magento(env: Path, database_url: str) -> None:
    slug = _tenant(env)
    w_state = woocommerce.WooSwitches(
        orders=woocommerce.sample_orders(), products=woocommerce.sample_products(30)
    )
    with serving_in_thread(woocommerce.woocommerce_app(w_state)) as url:
        r = runner.invoke(app, ["shop", "connect", slug, "woocommerce", "--url", url,
                                "--key", woocommerce.KEY, "--secret", woocommerce.SECRET])  # fmt: skip
        assert r.exit_code == 0 and "Products: 30" in r.output, r.output
        assert woocommerce.SECRET not in r.output
        r = runner.invoke(app, ["shop", "sync", slug])
        assert r.exit_code == 0 and "30 products" in r.output, r.output
        r = runner.invoke(app, ["shop", "connect", slug, "woocommerce", "--url", url, "--key",
                                woocommerce.KEY, "--secret", "cs_wrong_000000000"])  # fmt: skip
        assert r.exit_code == 1
    orders, shipments = magento.sample_orders()
    m_state = magento.MagentoSwitches(
        orders=orders, shipments=shipments, products=magento.sample_products(12)
    )
    with serving_in_thread(magento.magento_app(m_state)) as url:
        r = runner.invoke(
            app, ["shop", "connect", slug, "magento", "--url", url, "--token", magento.TOKEN]
        )
        assert r.exit_code == 0 and "Products: 12" in r.output, r.output
        r = runner.invoke(app, ["shop", "sync", slug])
        assert r.exit_code == 0 and "removed" in r.output, r.output
    settings, count = _settings(database_url, slug)
    assert settings["connector"]["type"] == "magento" and count == 12  # the full sync replaced
    assert magento.TOKEN not in json.dumps(settings)


def test_connect_asks_for_the_credentials_of_its_platform(env: Path) -> None:
    slug = _tenant(env)
    r = runner.invoke(app, ["shop", "connect", slug, "shopify", "--url", "https://x.example"])
    assert r.exit_code == 1 and "--token" in r.output
    r = runner.invoke(app, ["shop", "connect", "no-such-shop", "magento", "--url",
                            "https://x.example", "--token", "t"])  # fmt: skip
    assert r.exit_code == 1 and "no tenant" in r.output
