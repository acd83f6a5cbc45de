"""Two server instances on PostgreSQL + Redis: the customer on one, the agent on the other, the
chat both ways; twenty agents claiming one conversation at once through both instances."""

from __future__ import annotations

import asyncio
import json

from sqlalchemy import select
from websockets.asyncio.client import connect

from samtale.model import Handoff
from tests.conftest import POSTGRES_URL, requires_postgres, requires_redis, start_conversation
from tests.live.conftest import ANSWERS
from tests.live.test_sockets import AgentHttp, agent_ws, shop_with_live, staff_login
from tests.web.test_realtime import auth, recv

pytestmark = [requires_redis(), requires_postgres()]


async def test_redis_customer_on_one_instance_agent_on_the_other(
    make_runtime, serve, database_urls
) -> None:
    assert POSTGRES_URL
    url = database_urls["postgres"]
    one = await serve(await make_runtime(url, redis=True))
    two = await serve(await make_runtime(url, redis=True))
    shop = await shop_with_live(one.runtime)
    _user, token, csrf = await staff_login(one.runtime, shop)
    agent = AgentHttp(two.url, token, csrf)
    async with one.client() as http, agent_ws(two.url, token) as aws:
        await recv(aws, "ready")
        await aws.send(json.dumps({"type": "presence", "status": "online"}))
        await recv(aws, "presence")
        conv = await start_conversation(http, shop.widget_key, language="da")
        cid = conv["conversation_id"]
        async with connect(f"{one.ws_url}/api/v1/conversations/{cid}/ws") as vws:
            await auth(vws, conv["token"])
            r = await http.post(
                f"/api/v1/conversations/{cid}/handoff",
                json={"answers": ANSWERS},
                headers=conv["headers"],
            )
            assert r.status_code == 201
            assert (await recv(vws, "state"))["state"] == "queued"
            assert (await recv(aws, "queue"))["count"] == 1  # through Redis
            queue = (await agent.get("/queue")).json()["queue"]
            assert [q["conversation_id"] for q in queue] == [cid]
            assert (
                await agent.post(f"/handoffs/{queue[0]['handoff_id']}/claim")
            ).status_code == 200
            assert (await recv(vws, "state"))["state"] == "live"

            # Customer (instance one) → agent (instance two).
            await http.post(
                f"/api/v1/conversations/{cid}/messages",
                json={"text": "Hej fra kunden"},
                headers=conv["headers"],
            )
            got = await recv(aws, "message")
            while (
                got["message"]["author"] != "visitor" or got["message"]["text"] != "Hej fra kunden"
            ):
                got = await recv(aws, "message")
            assert got["conversation_id"] == cid
            # Agent (instance two) → customer (instance one).
            assert (
                await agent.post(f"/conversations/{cid}/messages", {"text": "Hej fra Sofie"})
            ).status_code == 201
            reply = await recv(vws, "message")
            while reply["message"]["author"] != "agent":
                reply = await recv(vws, "message")
            assert reply["message"]["text"] == "Hej fra Sofie"
            # Typing, both ways, across the instances.
            await vws.send(json.dumps({"type": "typing", "typing": True}))
            assert (await recv(aws, "typing"))["author"] == "visitor"
            await aws.send(json.dumps({"type": "typing", "conversation_id": cid, "typing": True}))
            assert (await recv(vws, "typing"))["author"] == "agent"
    await agent.http.aclose()


async def test_redis_twenty_agents_claim_one_conversation_through_two_instances(
    make_runtime, serve, database_urls
) -> None:
    url = database_urls["postgres"]
    one = await serve(await make_runtime(url, redis=True))
    two = await serve(await make_runtime(url, redis=True))
    shop = await shop_with_live(one.runtime)
    agents = []
    for i in range(20):
        _uid, token, csrf = await staff_login(one.runtime, shop, name=f"Agent{i}")
        agents.append(AgentHttp((one if i % 2 else two).url, token, csrf))
    await agents[0].post("/presence", {"status": "online"})
    async with one.client() as http:
        conv = await start_conversation(http, shop.widget_key, language="da")
        r = await http.post(
            f"/api/v1/conversations/{conv['conversation_id']}/handoff",
            json={"answers": ANSWERS},
            headers=conv["headers"],
        )
        handoff_id = r.json()["handoff_id"]
    results = await asyncio.gather(*(a.post(f"/handoffs/{handoff_id}/claim") for a in agents))
    codes = sorted(r.status_code for r in results)
    assert codes == [200] + [409] * 19
    assert {r.json()["error"]["code"] for r in results if r.status_code == 409} == {
        "already_claimed"
    }
    async with one.runtime.db.session() as s:
        rows = (await s.scalars(select(Handoff).where(Handoff.tenant_id == shop.id))).all()
    assert len(rows) == 1 and rows[0].status == "live" and rows[0].agent_id is not None
    messages = await one.runtime.conversations.messages(shop.id, rows[0].conversation_id)
    assert sum(1 for m in messages if (m.payload or {}).get("event") == "joined") == 1
    for a in agents:
        await a.http.aclose()
