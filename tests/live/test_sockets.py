"""The live chat over websockets through a real uvicorn: the customer's socket hears its queue
position, the state changes and the agent typing and reading; the agent's socket hears the
shop's queue, its new chats, the customer's messages and typing — and refuses foreign pages and
strangers."""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

import httpx
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from samtale.accounts.sessions import create_session
from samtale.app.container import Container
from samtale.model import Tenant
from samtale.tenants.service import UserCreate, create_user
from samtale.web.staff.session import SESSION_COOKIE
from tests.conftest import new_tenant, start_conversation
from tests.live.conftest import ANSWERS, LIVE_SETTINGS
from tests.web.test_realtime import auth, recv


async def shop_with_live(rt: Container) -> Tenant:
    tenant = await new_tenant(rt.db, rt.clock)
    async with rt.db.transaction() as s:
        row = await s.get(Tenant, tenant.id)
        assert row is not None
        row.settings = {"live": {**LIVE_SETTINGS, "opening_hours": None}}
    return tenant


async def staff_login(
    rt: Container, tenant: Tenant, name: str = "Sofie"
) -> tuple[uuid.UUID, str, str]:
    """A logged-in agent: (user id, session cookie value, CSRF token)."""
    async with rt.db.transaction() as s:
        user = await create_user(
            s,
            tenant,
            UserCreate(
                email=f"{name.lower()}-{uuid.uuid4().hex[:6]}@shop.example",
                password="correct horse battery",
                role="agent",
                display_name=name,
                languages=["da"],
            ),
            rt.clock,
        )
        token, row = await create_session(s, user, rt.clock)
    return user.id, token, row.csrf_token


class AgentHttp:
    def __init__(self, url: str, token: str, csrf: str) -> None:
        self.http = httpx.AsyncClient(base_url=url, timeout=20, cookies={SESSION_COOKIE: token})
        self.csrf = csrf

    async def post(self, path: str, body: Any = None) -> httpx.Response:
        return await self.http.post(
            "/api/v1/agent" + path, json=body, headers={"x-csrf-token": self.csrf}
        )

    async def get(self, path: str) -> httpx.Response:
        return await self.http.get("/api/v1/agent" + path)


def agent_ws(url: str, token: str, **kwargs: Any) -> Any:
    ws_url = url.replace("http://", "ws://") + "/api/v1/agent/ws"
    return connect(ws_url, additional_headers={"cookie": f"{SESSION_COOKIE}={token}"}, **kwargs)


async def test_customer_and_agent_sockets_carry_the_live_chat(
    make_runtime, serve, database_url: str
) -> None:
    rt = await make_runtime(database_url)
    server = await serve(rt)
    shop = await shop_with_live(rt)
    user_id, token, csrf = await staff_login(rt, shop)
    agent = AgentHttp(server.url, token, csrf)
    async with server.client() as http, agent_ws(server.url, token) as aws:
        ready = await recv(aws, "ready")
        assert ready == {"type": "ready", "agent_id": str(user_id), "conversations": []}
        await aws.send(json.dumps({"type": "presence", "status": "online"}))
        assert (await recv(aws, "presence"))["status"] == "online"
        await aws.send(json.dumps({"type": "ping"}))
        await recv(aws, "pong")

        conv = await start_conversation(http, shop.widget_key, language="da")
        cid = conv["conversation_id"]
        async with connect(f"{server.ws_url}/api/v1/conversations/{cid}/ws") as vws:
            await auth(vws, conv["token"])
            r = await http.post(
                f"/api/v1/conversations/{cid}/handoff",
                json={"answers": ANSWERS},
                headers=conv["headers"],
            )
            assert r.status_code == 201
            assert (await recv(vws, "state"))["state"] == "queued"
            position = await recv(vws, "queue")
            assert (position["position"], position["wait_seconds"]) == (1, 120)
            # The consoles hear that the queue changed (no customer data in the event).
            queue_event = await recv(aws, "queue")
            assert queue_event["count"] == 1 and set(queue_event) == {"type", "count", "languages"}

            handoff_id = r.json()["handoff_id"]
            assert (await agent.post(f"/handoffs/{handoff_id}/claim")).status_code == 200
            assigned = await recv(aws, "assigned")
            assert assigned["agent_id"] == str(user_id) and assigned["conversation_id"] == cid
            joined = await recv(vws, "message")
            assert joined["message"]["author"] == "system"
            assert joined["message"]["agent_name"] == "Sofie"
            state = await recv(vws, "state")
            assert state == {"type": "state", "state": "live", "agent_name": "Sofie"}

            # Agent typing reaches the customer (with the agent's name), not the agent's own socket.
            await aws.send(json.dumps({"type": "typing", "conversation_id": cid, "typing": True}))
            typing = await recv(vws, "typing")
            assert (typing["author"], typing["typing"], typing["name"]) == ("agent", True, "Sofie")
            # Customer typing and messages reach the agent.
            await vws.send(json.dumps({"type": "typing", "typing": True}))
            got = await recv(aws, "typing")
            assert (got["conversation_id"], got["author"], got["typing"]) == (cid, "visitor", True)
            r = await http.post(
                f"/api/v1/conversations/{cid}/messages",
                json={"text": "Hej Sofie"},
                headers=conv["headers"],
            )
            message = await recv(aws, "message")
            while message["message"]["author"] != "visitor":
                message = await recv(aws, "message")
            assert message["conversation_id"] == cid and message["message"]["text"] == "Hej Sofie"
            # Read marks both ways.
            await aws.send(
                json.dumps(
                    {"type": "read", "conversation_id": cid, "cursor": message["message"]["cursor"]}
                )
            )
            read = await recv(vws, "read")
            assert (read["author"], read["cursor"]) == ("agent", message["message"]["cursor"])
            r = await agent.post(
                f"/conversations/{cid}/messages", {"text": "Hej! Hvad kan jeg gøre?"}
            )
            reply = await recv(vws, "message")
            while reply["message"]["author"] != "agent":
                reply = await recv(vws, "message")
            assert reply["message"]["agent_name"] == "Sofie"
            await vws.send(json.dumps({"type": "read", "cursor": reply["message"]["cursor"]}))
            read = await recv(aws, "read")
            assert (read["author"], read["conversation_id"]) == ("visitor", cid)
            # Someone else's conversation is not the agent's to type in.
            await aws.send(
                json.dumps({"type": "typing", "conversation_id": str(uuid.uuid4()), "typing": True})
            )
            assert (await recv(aws, "error"))["error"]["code"] == "not_your_conversation"

            assert (
                await agent.post(f"/conversations/{cid}/close", {"outcome": "resolved"})
            ).status_code == 204
            assert (await recv(vws, "state"))["state"] == "closed"
            released = await recv(aws, "released")
            assert released["reason"] == "resolved"
    await agent.http.aclose()


async def test_the_agent_socket_refuses_strangers_and_foreign_pages(
    make_runtime, serve, database_url: str
) -> None:
    rt = await make_runtime(database_url)
    server = await serve(rt)
    shop = await shop_with_live(rt)
    _user, token, _csrf = await staff_login(rt, shop)
    for kwargs, code in (
        ({"origin": "http://evil.example"}, 4403),
        ({}, None),
    ):
        async with agent_ws(server.url, token, **kwargs) as ws:
            if code is None:
                assert (await recv(ws))["type"] == "ready"
                continue
            frame = await recv(ws)
            assert frame["type"] == "error"
            try:
                await asyncio.wait_for(ws.recv(), 5)
            except ConnectionClosed as exc:
                assert exc.rcvd is not None and exc.rcvd.code == code
    async with connect(server.ws_url + "/api/v1/agent/ws") as ws:
        assert (await recv(ws))["error"]["code"] == "unauthorized"
