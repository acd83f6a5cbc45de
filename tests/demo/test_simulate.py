"""`samtale demo --simulate-traffic`: made-up customers chat with the demo bot through the real
HTTP API in several languages, and the dashboard's figures and the review inbox fill up — with
nothing personal in them."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from sqlalchemy import select

from samtale.demo.content_dir import DEMO_CONTENT_DIR
from samtale.demo.simulate import TrafficSimulator, material, typo
from samtale.insights.stats import Stats
from samtale.model import SampleItem, Tenant
from samtale.tenants.service import tenant_by_widget_key

HELD_OUT = Path(__file__).resolve().parents[1] / "bot" / "data" / "demo_heldout.jsonl"


def test_material_comes_from_the_content_and_the_held_out_questions() -> None:
    import random

    from samtale.bot.content import load_content

    content = load_content(DEMO_CONTENT_DIR)
    m = material(content, [("104827361", "a@example.com")])
    assert set(m.questions) == {"da", "sv", "nb", "fi", "en"}
    assert m.track["da"] and m.person["fi"] and m.orders
    assert "hej med jer derinde" not in m.questions["da"]
    held_out = material(content, [], HELD_OUT)
    assert "hej med jer derinde" in held_out.questions["da"]
    rng = random.Random(1)
    assert {typo("hvornår kommer min pakke", rng) for _ in range(40)} != {
        "hvornår kommer min pakke"
    }


async def test_simulated_customers_fill_the_dashboard(
    make_bot_runtime: Any, database_url: str, serve: Any
) -> None:
    rt = await make_bot_runtime(database_url)
    server = await serve(rt)
    async with rt.db.transaction() as session:
        tenant = await tenant_by_widget_key(session, "demo")
        assert tenant is not None
        row = await session.get(Tenant, tenant.id)
        assert row is not None
        row.allowed_origins = [*row.allowed_origins, server.url]
    async with rt.db.session() as session:
        today = rt.clock.now().date()
        before = await Stats(session, tenant.id).figures(today, today)
    sim = TrafficSimulator(
        rt.db, rt.live, server.url, burst=16, pace=0.0, every=(600, 600), seed=7, speed=200
    )
    sim.start()
    try:
        for _ in range(600):
            if sim.done >= 16:
                break
            await asyncio.sleep(0.1)
    finally:
        await sim.stop()
    assert sim.done >= 14
    async with rt.db.session() as session:
        after = await Stats(session, tenant.id).figures(today, today)
        samples = (
            await session.scalars(select(SampleItem.text).where(SampleItem.tenant_id == tenant.id))
        ).all()
    grown = after.totals.conversations - before.totals.conversations
    assert grown >= 14
    assert after.totals.messages - before.totals.messages >= grown
    assert len({x.language for x in after.languages}) >= 3
    assert after.intents and samples
    # Order numbers and e-mail addresses typed in the tracking flow are not in the sample.
    assert not any("@" in text or "10482" in text for text in samples)
