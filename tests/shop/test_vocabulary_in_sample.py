"""The shop's own words (its products and categories, the carriers) are never masked as a
person's name in the improvement sample, while the customer's name still is."""

from __future__ import annotations

from samtale.insights.sample import redacted
from samtale.insights.tenants import tenant_info
from samtale.model import Tenant
from samtale.shop.service import ShopService


async def test_product_names_stay_and_the_customers_name_goes(
    shops: ShopService, demo_tenant: Tenant
) -> None:
    # Before the catalogue is loaded: the carriers only.
    assert shops.vocabulary(demo_tenant.id).spans("sendt med PostNord")
    keep = await shops.vocabulary_ready(demo_tenant.id)
    info = tenant_info(demo_tenant)
    text = redacted(
        "Hej, jeg hedder Mette Larsen. Hvad koster Strikkjole Ronja, og har I Strikkjole Frida i M?",
        info,
        "da",
        keep,
    )
    assert "Strikkjole Ronja" in text and "Strikkjole Frida" in text
    assert "Mette" not in text and "Larsen" not in text
    # Without the shop's words the product's model name looks like a person's.
    assert "Ronja" not in redacted("Hvad koster Strikkjole Ronja?", info, "da")
