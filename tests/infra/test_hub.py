"""The in-process hub of a single instance (the Redis hub is in test_hub_redis.py)."""

from __future__ import annotations

import asyncio

from samtale.infra.hub import InProcessHub


async def test_in_process_hub_fans_out_to_every_subscriber() -> None:
    hub = InProcessHub()
    async with hub.subscribe("c") as s1, hub.subscribe("c") as s2:
        await hub.publish("c", {"type": "x"})
        async with asyncio.timeout(5):
            assert await s1.get() == await s2.get() == {"type": "x"}
    await hub.publish("c", {"type": "nobody listens"})


async def test_in_process_hub_delivers_only_the_channels_subscribed() -> None:
    hub = InProcessHub()
    async with hub.subscribe("conv:a", "tenant:t") as sub:
        await hub.publish("conv:b", {"type": "elsewhere"})
        await hub.publish("tenant:t", {"type": "queue"})
        async with asyncio.timeout(5):
            assert await sub.get() == {"type": "queue"}
