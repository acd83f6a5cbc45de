""" "Connect your shop" on the admin's connector page: pick a platform, give the address and
keys, "Test connection" shows the shop's name and product count without storing anything, a
save stores the keys sealed and shows them back only masked, an empty secret keeps the stored
one, carrier keys are set there too, and a shop that refuses the keys stores nothing."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import pytest

from samtale.model import Tenant
from tests.admin.conftest import AdminEnv, csrf_of
from tests.shop.standins.serving import serving
from tests.shop.standins.shopify import ShopifySwitches, sample_orders, sample_products, shopify_app


async def tenant(env: AdminEnv) -> Tenant:
    async with env.runtime.db.session() as s:
        row = await s.get(Tenant, env.shop.id)
        assert row is not None
        return row


@pytest.fixture
async def store() -> AsyncIterator[tuple[str, ShopifySwitches]]:
    state = ShopifySwitches(orders=sample_orders(), products=sample_products(12))
    async with serving(shopify_app(state)) as url:
        yield url, state


async def test_connect_your_shop(admin_env: AdminEnv, store: tuple[str, ShopifySwitches]) -> None:
    url, state = store
    shops = admin_env.runtime.shop
    shops.private_addresses = True  # the stand-in listens on loopback
    client = await admin_env.login("admin")
    en = {"accept-language": "en"}
    page = await client.get("/admin/settings/connector", headers=en)
    assert page.status_code == 200 and "Connect your shop" in page.text
    assert "read_orders" in page.text and "PostNord API key" in page.text
    da = await client.get("/admin/settings/connector", headers={"accept-language": "da"})
    assert "Forbind din butik" in da.text

    form = {"csrf": csrf_of(client), "type": "shopify", "shop_url": url,
            "shopify_token": "shpat_wrong_000000000000"}  # fmt: skip
    r = await client.post("/admin/settings/connector", data={**form, "test": "1"}, headers=en)
    assert r.status_code == 200 and "The shop refused the keys" in r.text
    r = await client.post("/admin/settings/connector", data=form, headers=en)
    assert r.status_code == 200 and "The shop refused the keys" in r.text
    assert "connector" not in (await tenant(admin_env)).settings

    form["shopify_token"] = state.token
    r = await client.post("/admin/settings/connector", data={**form, "test": "1"}, headers=en)
    assert r.status_code == 200 and "answers and has 12 products" in r.text
    assert state.token not in r.text
    assert "connector" not in (await tenant(admin_env)).settings

    r = await client.post(
        "/admin/settings/connector", data={**form, "postnord_api_key": "pn-secret-key-0001"}
    )
    assert r.status_code == 303, r.text
    settings = (await tenant(admin_env)).settings
    assert settings["connector"]["type"] == "shopify" and settings["order_number_patterns"]
    assert state.token not in json.dumps(settings) and "pn-secret-key-0001" not in json.dumps(
        settings
    )
    page = await client.get("/admin/settings/connector", headers=en)
    assert state.token not in page.text and "pn-secret-key-0001" not in page.text
    assert "Stored: shpat_…cdef" in page.text and "Stored: pn-secret…0001" not in page.text
    assert "…0001" in page.text
    shop = await shops.for_tenant(admin_env.shop.id)
    assert shop.kind == "shopify"
    entry = (await client.get("/api/v1/admin/audit")).json()["entries"][0]
    assert entry["details"] == {"section": "connector"}

    # Saving again with the secret left empty keeps it; "Test connection" still works.
    r = await client.post(
        "/admin/settings/connector",
        data={"csrf": csrf_of(client), "type": "shopify", "shop_url": url, "test": "1"},
        headers=en,
    )
    assert "answers and has 12 products" in r.text
    r = await client.post(
        "/admin/settings/connector",
        data={"csrf": csrf_of(client), "type": "shopify", "shop_url": "not a url"},
        headers=en,
    )
    assert r.status_code == 422 and 'id="f-shop_url-error"' in r.text
