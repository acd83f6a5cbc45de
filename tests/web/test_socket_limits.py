"""What an instance spends on visitor websockets, and what it does when it holds all it may.

Through a real uvicorn on loopback with the product's own uvicorn settings: an idle socket
costs the server one task; a burst of events arrives complete and in order; frames are not
compressed even when the client offers it; past `ws_max_visitor_sockets` a new socket is refused
with 4429 (the widget then follows the chat over HTTP) and a freed place is given again.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from samtale.infra.hub import QUEUE_SIZE, conversation_channel
from tests.conftest import new_tenant, start_conversation
from tests.web.test_realtime import auth, recv


@pytest.fixture
async def small(make_runtime, serve, database_url: str):
    rt = await make_runtime(database_url, ws_max_visitor_sockets=3, ws_heartbeat_seconds=0.3)
    server = await serve(rt)
    tenant = await new_tenant(rt.db, rt.clock)
    async with server.client() as http:
        yield server, tenant, http


async def sockets_held_drop_to(server: Any, count: int, seconds: float = 2.5) -> bool:
    """Whether the server's count of held visitor sockets falls to `count` within `seconds`
    (a socket closed by either side is let go a moment later)."""
    for _ in range(int(seconds / 0.05)):
        if getattr(server.app.state, "visitor_sockets", 0) <= count:
            return True
        await asyncio.sleep(0.05)
    return getattr(server.app.state, "visitor_sockets", 0) <= count


def socket_url(server: Any, conv: dict[str, Any]) -> str:
    return f"{server.ws_url}/api/v1/conversations/{conv['conversation_id']}/ws"


SOCKET_CODE = ("/samtale/web/visitor/realtime.py", "/samtale/infra/hub.py")


def app_tasks() -> int:
    """Tasks with the visitor socket's or the hub's code somewhere in their chain of awaits
    (other background work of the server comes and goes without touching either)."""

    def runs_app(task: asyncio.Task[Any]) -> bool:
        coro: Any = task.get_coro()
        while coro is not None:
            code = getattr(coro, "cr_code", None) or getattr(coro, "ag_code", None)
            if code is not None and code.co_filename.endswith(SOCKET_CODE):
                return True
            coro = getattr(coro, "cr_await", None)
        return False

    return sum(1 for task in asyncio.all_tasks() if runs_app(task))


async def test_an_idle_socket_costs_the_server_one_task(small) -> None:
    server, tenant, http = small
    convs = [await start_conversation(http, tenant.widget_key) for _ in range(3)]
    await asyncio.sleep(0.2)
    before = app_tasks()
    sockets = []
    try:
        for conv in convs:
            ws = await connect(socket_url(server, conv))
            sockets.append(ws)
            await auth(ws, conv["token"])
        await asyncio.sleep(0.1)
        # The connection's own task runs the handler, which waits for the client's next frame
        # (the heartbeat as its timeout); the hub's events need no task until they come.
        assert app_tasks() - before == len(sockets)
        # An event passes through a short-lived task, gone once it is sent.
        await server.runtime.hub.publish(
            conversation_channel(convs[0]["conversation_id"]),
            {"type": "typing", "author": "agent", "typing": True},
        )
        assert (await recv(sockets[0], "typing"))["typing"] is True
        await asyncio.sleep(0.05)
        assert app_tasks() - before == len(sockets)
    finally:
        for ws in sockets:
            await ws.close()


async def test_a_burst_of_events_arrives_complete_and_in_order(small) -> None:
    server, tenant, http = small
    conv = await start_conversation(http, tenant.widget_key)
    async with connect(socket_url(server, conv)) as ws:
        await auth(ws, conv["token"])
        channel = conversation_channel(conv["conversation_id"])
        for i in range(50):
            await server.runtime.hub.publish(channel, {"type": "typing", "author": "agent", "n": i})
        seen = [(await recv(ws, "typing"))["n"] for _ in range(50)]
        assert seen == list(range(50))


async def test_events_arriving_while_the_sender_waits_are_sent_too(small) -> None:
    """While queued, sending ends with a presence write that waits on the database; what the
    hub delivers meanwhile must not be dropped with the sender's buffer."""
    from sqlalchemy import update

    from samtale.model import Conversation

    server, tenant, http = small
    rt = server.runtime
    conv = await start_conversation(http, tenant.widget_key)
    cid = conv["conversation_id"]
    async with rt.db.transaction() as session:
        await session.execute(
            update(Conversation).where(Conversation.id == uuid.UUID(cid)).values(state="queued")
        )
    writing = asyncio.Event()
    real_present = rt.live.visitor_present

    async def slow_present(*args: Any) -> None:
        writing.set()
        await asyncio.sleep(0.2)
        await real_present(*args)

    rt.live.visitor_present = slow_present
    try:
        async with connect(socket_url(server, conv)) as ws:
            await auth(ws, conv["token"])
            await asyncio.wait_for(writing.wait(), 5)  # the socket's first presence write
            await asyncio.sleep(0.4)  # … done: the socket is live
            channel = conversation_channel(cid)
            writing.clear()
            await rt.hub.publish(channel, {"type": "typing", "author": "agent", "n": 0})
            await asyncio.wait_for(writing.wait(), 5)  # the sender, after sending, is writing
            for i in range(1, 4):
                await rt.hub.publish(channel, {"type": "typing", "author": "agent", "n": i})
            seen = [(await recv(ws, "typing"))["n"] for _ in range(4)]
            assert seen == [0, 1, 2, 3]
    finally:
        rt.live.visitor_present = real_present


async def test_a_socket_far_behind_is_told_to_resync(small) -> None:
    server, tenant, http = small
    conv = await start_conversation(http, tenant.widget_key)
    async with connect(socket_url(server, conv), max_queue=None) as ws:
        await auth(ws, conv["token"])
        channel = conversation_channel(conv["conversation_id"])
        hub = server.runtime.hub
        # More events than a socket may have waiting, published without yielding to the sender.
        for i in range(QUEUE_SIZE + 10):
            hub._fanout.dispatch(channel, {"type": "typing", "author": "agent", "n": i})
        frames: list[dict[str, Any]] = []
        async with asyncio.timeout(10):
            while not any(f["type"] == "resync" for f in frames):
                frames.append(await recv(ws))
        typing = [f["n"] for f in frames if f["type"] == "typing"]
        assert typing == list(range(len(typing)))  # what came before the gap came in order
        assert len(typing) < QUEUE_SIZE + 10


async def test_frames_are_not_compressed_even_when_the_client_offers_it(small) -> None:
    server, tenant, http = small
    conv = await start_conversation(http, tenant.widget_key)
    async with connect(socket_url(server, conv), compression="deflate") as ws:
        assert ws.response is not None
        assert "sec-websocket-extensions" not in ws.response.headers
        await auth(ws, conv["token"])


async def test_past_the_maximum_a_socket_is_refused_and_a_freed_place_is_given_again(
    small,
) -> None:
    server, tenant, http = small
    convs = [await start_conversation(http, tenant.widget_key) for _ in range(4)]
    held = []
    try:
        for conv in convs[:3]:
            ws = await connect(socket_url(server, conv))
            held.append(ws)
            await auth(ws, conv["token"])
        async with connect(socket_url(server, convs[3])) as extra:
            frame = json.loads(await asyncio.wait_for(extra.recv(), 5))
            assert frame["type"] == "error" and frame["error"]["code"] == "too_many_sockets"
            with pytest.raises(ConnectionClosed):
                await asyncio.wait_for(extra.recv(), 5)
            assert extra.close_code == 4429
        # The three held sockets still work: a message reaches the first.
        r = await http.post(
            f"/api/v1/conversations/{convs[0]['conversation_id']}/messages",
            json={"text": "hej"},
            headers=convs[0]["headers"],
        )
        assert r.status_code == 201
        assert (await recv(held[0], "message"))["message"]["text"] == "hej"
        # One leaves; the fourth customer now gets a live socket.
        await held.pop().close()
        assert await sockets_held_drop_to(server, 2)
        async with connect(socket_url(server, convs[3])) as ws:
            ready = await auth(ws, convs[3]["token"])
            assert ready["type"] == "ready"
    finally:
        for ws in held:
            await ws.close()


async def test_a_silent_client_is_closed_and_its_place_freed(small) -> None:
    server, tenant, http = small
    conv = await start_conversation(http, tenant.widget_key)
    async with connect(socket_url(server, conv)) as ws:
        await auth(ws, conv["token"])
        with pytest.raises(ConnectionClosed):
            async with asyncio.timeout(5):
                while True:
                    await ws.recv()  # pings, never answered
        assert ws.close_code == 4408
    assert await sockets_held_drop_to(server, 0)
