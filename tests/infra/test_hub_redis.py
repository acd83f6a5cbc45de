"""Two server instances on PostgreSQL + Redis: what happens on one reaches a websocket on the other."""

from __future__ import annotations

import asyncio
import json

from websockets.asyncio.client import connect

from samtale.infra.hub import RedisHub
from tests.conftest import (
    POSTGRES_URL,
    REDIS_URL,
    RUN_ID,
    new_tenant,
    requires_postgres,
    requires_redis,
    start_conversation,
)
from tests.web.test_realtime import auth, recv

pytestmark = requires_redis()


async def test_redis_hub_delivers_between_two_hubs() -> None:
    a = RedisHub(REDIS_URL or "", prefix=f"samtale-test-{RUN_ID}:")
    b = RedisHub(REDIS_URL or "", prefix=f"samtale-test-{RUN_ID}:")
    try:
        async with b.subscribe("conv:x", "tenant:y") as sub:
            await a.publish("conv:x", {"type": "message", "n": 1})
            await a.publish("other", {"type": "ignored"})
            await a.publish("tenant:y", {"type": "queue", "n": 2})
            async with asyncio.timeout(5):
                assert await sub.get() == {"type": "message", "n": 1}
                assert await sub.get() == {"type": "queue", "n": 2}
    finally:
        await a.close()
        await b.close()


@requires_postgres()
async def test_redis_two_instances_message_posted_on_one_arrives_on_the_other(
    make_runtime, serve, database_urls
) -> None:
    assert POSTGRES_URL
    url = database_urls["postgres"]
    one = await serve(await make_runtime(url, redis=True))
    two = await serve(await make_runtime(url, redis=True))
    tenant = await new_tenant(one.runtime.db)
    async with one.client() as http_one:
        conv = await start_conversation(http_one, tenant.widget_key)
        async with connect(f"{two.ws_url}/api/v1/conversations/{conv['conversation_id']}/ws") as ws:
            await auth(ws, conv["token"])
            r = await http_one.post(
                f"/api/v1/conversations/{conv['conversation_id']}/messages",
                json={"text": "hej fra en"},
                headers=conv["headers"],
            )
            assert r.status_code == 201
            got = [await recv(ws, "message") for _ in range(2)]
            assert [m["message"]["text"] for m in got] == ["hej fra en", "echo: hej fra en"]
            # and typing from the visitor on instance two reaches a subscriber on instance one
            from samtale.infra.hub import conversation_channel

            async with one.runtime.hub.subscribe(
                conversation_channel(conv["conversation_id"])
            ) as sub:
                await ws.send(json.dumps({"type": "typing", "typing": True}))
                async with asyncio.timeout(5):
                    assert (await sub.get())["author"] == "visitor"


@requires_postgres()
async def test_redis_rate_limit_is_shared_by_instances(make_runtime, serve, database_urls) -> None:
    from samtale.kernel.clock import ManualClock

    url = database_urls["postgres"]
    clock = ManualClock()  # both instances in the same minute window, whatever the wall clock does
    one = await make_runtime(url, redis=True, messages_per_minute=2, clock=clock)
    two = await make_runtime(url, redis=True, messages_per_minute=2, clock=clock)
    s1, s2 = await serve(one), await serve(two)
    tenant = await new_tenant(one.db)
    async with s1.client() as h1, s2.client() as h2:
        conv = await start_conversation(h1, tenant.widget_key)
        path = f"/api/v1/conversations/{conv['conversation_id']}/messages"
        codes = [
            (await h1.post(path, json={"text": "a"}, headers=conv["headers"])).status_code,
            (await h2.post(path, json={"text": "b"}, headers=conv["headers"])).status_code,
            (await h1.post(path, json={"text": "c"}, headers=conv["headers"])).status_code,
        ]
    assert codes == [201, 201, 429]
