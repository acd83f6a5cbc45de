"""The websocket through a real uvicorn on loopback: live delivery, catch-up, typing, heartbeats."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from tests.conftest import new_tenant, start_conversation


async def recv(ws: Any, kind: str | None = None, timeout: float = 5) -> dict[str, Any]:
    """The next frame (of `kind`, skipping pings)."""
    async with asyncio.timeout(timeout):
        while True:
            frame = json.loads(await ws.recv())
            if frame["type"] == "ping":
                continue
            if kind is None or frame["type"] == kind:
                return frame


async def auth(ws: Any, token: str, after: int = 0) -> dict[str, Any]:
    await ws.send(json.dumps({"type": "auth", "token": token, "after": after}))
    return await recv(ws, "ready")


@pytest.fixture
async def live(make_runtime, serve, database_url: str):
    rt = await make_runtime(database_url)
    server = await serve(rt)
    tenant = await new_tenant(rt.db, rt.clock)
    async with server.client() as http:
        yield server, tenant, http


async def test_messages_arrive_live_and_in_order(live) -> None:
    server, tenant, http = live
    conv = await start_conversation(http, tenant.widget_key)
    async with connect(f"{server.ws_url}/api/v1/conversations/{conv['conversation_id']}/ws") as ws:
        ready = await auth(ws, conv["token"])
        assert ready["cursor"] == 0 and ready["state"] == "bot"
        r = await http.post(
            f"/api/v1/conversations/{conv['conversation_id']}/messages",
            json={"text": "hej"},
            headers=conv["headers"],
        )
        assert r.status_code == 201
        first, second = await recv(ws, "message"), await recv(ws, "message")
        assert (
            first["message"]["author"],
            first["message"]["text"],
            first["message"]["cursor"],
        ) == ("visitor", "hej", 1)
        assert (
            second["message"]["author"],
            second["message"]["text"],
            second["message"]["cursor"],
        ) == ("bot", "echo: hej", 2)


async def test_reconnect_with_cursor_catches_up(live) -> None:
    server, tenant, http = live
    conv = await start_conversation(http, tenant.widget_key)
    url = f"/api/v1/conversations/{conv['conversation_id']}/messages"
    for text in ("en", "to", "tre"):
        await http.post(url, json={"text": text}, headers=conv["headers"])
    # Token in the query this time; the client had seen up to cursor 2.
    async with connect(
        f"{server.ws_url}/api/v1/conversations/{conv['conversation_id']}/ws?token={conv['token']}&after=2"
    ) as ws:
        ready = await recv(ws, "ready")
        assert ready["cursor"] == 6
        got = [(await recv(ws, "message"))["message"]["cursor"] for _ in range(4)]
        assert got == [3, 4, 5, 6]
        await http.post(url, json={"text": "fire"}, headers=conv["headers"])
        assert (await recv(ws, "message"))["message"]["cursor"] == 7


async def test_agent_messages_and_typing_reach_the_visitor(live) -> None:
    server, tenant, http = live
    conv = await start_conversation(http, tenant.widget_key)
    rt = server.runtime
    async with connect(f"{server.ws_url}/api/v1/conversations/{conv['conversation_id']}/ws") as ws:
        await auth(ws, conv["token"])
        import uuid

        from samtale.conversations.events import typing_event
        from samtale.infra.hub import conversation_channel

        cid = uuid.UUID(conv["conversation_id"])
        await rt.hub.publish(conversation_channel(cid), typing_event("agent", True, "Sofie"))
        typing = await recv(ws, "typing")
        assert typing == {"type": "typing", "author": "agent", "typing": True, "name": "Sofie"}
        await rt.conversations.add_message(
            tenant.id, cid, "agent", "Hej, jeg hedder Sofie", agent_name="Sofie"
        )
        msg = await recv(ws, "message")
        assert msg["message"]["author"] == "agent" and msg["message"]["agent_name"] == "Sofie"
        # The visitor's own typing is published for agents but not echoed back to the visitor.
        async with rt.hub.subscribe(conversation_channel(cid)) as sub:
            await ws.send(json.dumps({"type": "typing", "typing": True}))
            async with asyncio.timeout(5):
                assert await sub.get() == {"type": "typing", "author": "visitor", "typing": True}
        await ws.send(json.dumps({"type": "ping"}))
        assert (await recv(ws))["type"] == "pong"
        await ws.send("not json")
        assert (await recv(ws))["error"]["code"] == "unknown_frame"


async def test_bad_tokens_are_refused(live) -> None:
    server, tenant, http = live
    conv = await start_conversation(http, tenant.widget_key)
    for token in ("wrong", ""):
        async with connect(
            f"{server.ws_url}/api/v1/conversations/{conv['conversation_id']}/ws"
        ) as ws:
            await ws.send(json.dumps({"type": "auth", "token": token}))
            frame = await recv(ws)
            assert frame["type"] == "error" and frame["error"]["code"] in (
                "conversation_not_found",
                "auth_required",
            )
            with pytest.raises(ConnectionClosed) as closed:
                await recv(ws)
            assert closed.value.rcvd is not None and closed.value.rcvd.code in (4404, 4400)
    async with connect(f"{server.ws_url}/api/v1/conversations/not-a-uuid/ws?token=x") as ws:
        assert (await recv(ws))["error"]["code"] == "bad_request"


async def test_heartbeat_and_idle_close(make_runtime, serve, database_url: str) -> None:
    rt = await make_runtime(database_url, ws_heartbeat_seconds=0.2)
    server = await serve(rt)
    tenant = await new_tenant(rt.db, rt.clock)
    async with server.client() as http:
        conv = await start_conversation(http, tenant.widget_key)
    async with connect(f"{server.ws_url}/api/v1/conversations/{conv['conversation_id']}/ws") as ws:
        await auth(ws, conv["token"])
        async with asyncio.timeout(5):
            assert json.loads(await ws.recv())["type"] == "ping"
        # A client that never answers is closed after three heartbeats.
        with pytest.raises(ConnectionClosed) as closed:
            async with asyncio.timeout(5):
                while True:
                    await ws.recv()
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 4408


async def test_open_websockets_are_counted(live) -> None:
    server, tenant, http = live
    conv = await start_conversation(http, tenant.widget_key)
    gauge = server.runtime.metrics.websockets
    async with connect(f"{server.ws_url}/api/v1/conversations/{conv['conversation_id']}/ws") as ws:
        await auth(ws, conv["token"])
        assert gauge._value.get() == 1
    for _ in range(100):
        if gauge._value.get() == 0:
            break
        await asyncio.sleep(0.02)
    assert gauge._value.get() == 0


async def test_ready_carries_a_state_change_made_while_the_socket_subscribed(live) -> None:
    """A state change committed and published after the socket authenticated but before it
    subscribed is neither in the hub for it nor in a stale read: `ready` must carry it."""
    import uuid
    from contextlib import asynccontextmanager

    from sqlalchemy import update

    from samtale.conversations.events import state_event
    from samtale.infra.hub import conversation_channel
    from samtale.model import Conversation

    server, tenant, http = live
    conv = await start_conversation(http, tenant.widget_key)
    rt = server.runtime
    cid = uuid.UUID(conv["conversation_id"])
    real_subscribe = rt.hub.subscribe

    @asynccontextmanager
    async def subscribe_late(*channels: str, **kw):  # type: ignore[no-untyped-def]
        # Another request queues the conversation just before this socket subscribes.
        async with rt.db.transaction() as session:
            await session.execute(
                update(Conversation).where(Conversation.id == cid).values(state="queued")
            )
        await rt.hub.publish(conversation_channel(cid), state_event("queued"))
        async with real_subscribe(*channels, **kw) as sub:
            yield sub

    rt.hub.subscribe = subscribe_late
    try:
        async with connect(f"{server.ws_url}/api/v1/conversations/{cid}/ws") as ws:
            ready = await auth(ws, conv["token"])
    finally:
        rt.hub.subscribe = real_subscribe
    assert ready["state"] == "queued"
