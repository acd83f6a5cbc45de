"""The demo shop's data: a pure function of its seed, realistic, stored idempotently per tenant,
and deleted with its tenant."""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from samtale.demo.shop.catalogue import generate_catalogue
from samtale.demo.shop.orders import DEMO_NOW, demo_shift, generate_orders
from samtale.demo.shop.store import ensure_demo_shop
from samtale.infra.database import Database
from samtale.kernel.clock import ManualClock
from samtale.model import ShopDemoSeed, ShopOrder, ShopProduct, ShopShipment, Tenant
from samtale.shop.builtin import load_products
from samtale.shop.vocabulary import COLOURS, LANGUAGES
from samtale.tenants.formats import DEMO_ORDER_NUMBER_PATTERN, DEMO_TRACKING_PATTERNS
from tests.conftest import new_tenant


def test_the_catalogue_is_a_pure_function_of_the_seed() -> None:
    first, second = generate_catalogue(), generate_catalogue()
    assert [p.model_dump() for p in first] == [p.model_dump() for p in second]
    assert [p.model_dump() for p in generate_catalogue(seed=7)] != [p.model_dump() for p in first]


def test_the_catalogue_is_a_nordic_fashion_and_home_shop() -> None:
    products = generate_catalogue()
    assert len(products) >= 500
    assert len({p.sku for p in products}) == len(products)
    categories = Counter(p.category for p in products)
    assert {"dresses", "knitwear", "outerwear", "shoes", "bedroom", "kitchen", "living"} <= set(
        categories
    )
    for p in products:
        assert set(p.names) == set(LANGUAGES) and all(p.names.values())
        assert set(p.descriptions) == set(LANGUAGES)
        assert set(p.materials) == set(LANGUAGES) and set(p.care) == set(LANGUAGES)
        assert set(p.prices) == {"DKK", "SEK", "NOK", "EUR"}
        assert all(price > 0 for price in p.prices.values())
        assert p.variants and all(v.colour in COLOURS for v in p.variants)
        assert p.images and p.url
    assert sum(v.stock == 0 for p in products for v in p.variants) > 0  # some sold out


def test_a_large_catalogue_has_the_size_asked_for() -> None:
    products = generate_catalogue(size=2000)
    assert len(products) == 2000
    assert len({p.sku for p in products}) == 2000
    assert len({p.names["en"] for p in products}) == 2000


def test_orders_are_a_pure_function_of_the_seed_and_realistic() -> None:
    orders = generate_orders()
    again = generate_orders()
    assert [o.order.model_dump() for o in orders] == [o.order.model_dump() for o in again]
    assert len(orders) >= 200
    numbers = [o.order.order_number for o in orders]
    assert len(set(numbers)) == len(numbers)
    assert all(re.fullmatch(DEMO_ORDER_NUMBER_PATTERN, n) for n in numbers)
    shipments = [s for o in orders for s in o.shipments]
    assert {s.carrier for s in shipments} == set(DEMO_TRACKING_PATTERNS)
    for s in shipments:
        pattern = DEMO_TRACKING_PATTERNS[s.carrier].replace(r"\b", "")
        assert re.fullmatch(pattern, s.tracking_number), s.tracking_number
        assert s.events and all(e.at <= DEMO_NOW for e in s.events)
        assert [e.at for e in s.events] == sorted(e.at for e in s.events)
    statuses = Counter(s.status for s in shipments)
    for status in ("created", "handed_to_carrier", "in_transit", "at_pickup_point",
                   "out_for_delivery", "delivered", "returned", "delayed"):  # fmt: skip
        assert statuses[status] >= 3, status
    assert any(not o.shipments for o in orders)  # some not sent yet
    assert {o.order.country for o in orders} == {"DK", "SE", "NO", "FI"}
    # Pickup parcels have a pickup point; parcels waiting there a last day to collect them.
    waiting = [s for s in shipments if s.status == "at_pickup_point"]
    assert all(s.pickup_point and s.collect_by for s in waiting)
    assert all(s.collect_by and s.collect_by > DEMO_NOW.date() for s in waiting)


def test_timelines_move_by_whole_days_and_never_into_the_future() -> None:
    assert demo_shift(DEMO_NOW + timedelta(hours=23)) == timedelta(0)
    assert demo_shift(DEMO_NOW - timedelta(minutes=1)) == timedelta(days=-1)
    later = datetime(2026, 3, 18, 4, 59, tzinfo=UTC)
    shift = demo_shift(later)
    assert shift.seconds == 0 and DEMO_NOW + shift <= later < DEMO_NOW + shift + timedelta(days=1)


async def test_seeding_is_idempotent_and_every_database_holds_the_same_data(
    db: Database,
) -> None:
    clock = ManualClock()
    one = await new_tenant(db, clock)
    two = await new_tenant(db, clock)
    async with db.transaction() as session:
        assert await ensure_demo_shop(session, one.id, clock) is True
    async with db.transaction() as session:
        assert await ensure_demo_shop(session, one.id, clock) is False
        assert await ensure_demo_shop(session, two.id, clock) is True

    async def rows(tenant: Tenant) -> tuple[list[str], list[tuple[str, str]], list[str]]:
        async with db.session() as session:
            products = (
                await session.scalars(
                    select(ShopProduct.sku).where(ShopProduct.tenant_id == tenant.id)
                )
            ).all()
            orders = (
                await session.execute(
                    select(ShopOrder.order_number, ShopOrder.email).where(
                        ShopOrder.tenant_id == tenant.id
                    )
                )
            ).all()
            shipments = (
                await session.scalars(
                    select(ShopShipment.tracking_number).where(ShopShipment.tenant_id == tenant.id)
                )
            ).all()
        return sorted(products), sorted((o[0], o[1]) for o in orders), sorted(shipments)

    first, second = await rows(one), await rows(two)
    assert first == second
    generated = generate_orders()
    assert first[1] == sorted((o.order.order_number, o.email) for o in generated)
    assert len(first[0]) == len(generate_catalogue())
    async with db.session() as session:
        products = await load_products(session, one.id)
    assert [p.model_dump() for p in products] == [
        p.model_dump() for p in sorted(generate_catalogue(), key=lambda p: p.sku)
    ]


async def test_deleting_the_tenant_deletes_its_shop(db: Database) -> None:
    clock = ManualClock()
    tenant = await new_tenant(db, clock)
    async with db.transaction() as session:
        await ensure_demo_shop(session, tenant.id, clock)
    async with db.transaction() as session:
        await session.delete(await session.get(Tenant, tenant.id))
    async with db.session() as session:
        for table in (ShopProduct, ShopOrder, ShopShipment, ShopDemoSeed):
            left = await session.scalar(
                select(func.count()).select_from(table).where(table.tenant_id == tenant.id)
            )
            assert left == 0, table.__tablename__
