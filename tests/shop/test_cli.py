"""`samtale shop demo-orders`: orders to try the bot with, the same in every demo database."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from samtale.cli.main import app
from samtale.model import Tenant
from samtale.shop.service import ShopService
from samtale.shop.vocabulary import CARRIERS


def test_demo_orders_json_lists_orders_the_first_in_transit() -> None:
    result = CliRunner().invoke(app, ["shop", "demo-orders", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert len(rows) >= 5
    for row in rows:
        assert set(row) == {"order_number", "email", "tracking_number", "carrier", "status",
                            "country"}  # fmt: skip
        assert row["carrier"] in CARRIERS.values()
    assert rows[0]["status"] == "in_transit"
    assert len({r["status"] for r in rows}) == len(rows)
    assert json.loads(CliRunner().invoke(app, ["shop", "demo-orders", "--json"]).output) == rows


def test_demo_orders_as_a_table() -> None:
    result = CliRunner().invoke(app, ["shop", "demo-orders"])
    assert result.exit_code == 0
    assert "tracking number" in result.output and "PostNord" in result.output


async def test_the_listed_orders_are_in_the_demo_shop(
    demo_tenant: Tenant, shops: ShopService
) -> None:
    rows = json.loads(CliRunner().invoke(app, ["shop", "demo-orders", "--json"]).output)
    shop = await shops.for_tenant(demo_tenant.id)
    assert shop.connector is not None and shop.kind == "demo"
    for row in rows:
        order = await shop.connector.find_order(row["order_number"], row["email"].upper())
        assert order is not None and order.country == row["country"]
        assert order.shipments[0].tracking_number == row["tracking_number"]
        assert order.shipments[0].status == row["status"]
        shipment = await shop.connector.find_shipment(row["tracking_number"])
        assert shipment is not None and shipment.status == row["status"]
