"""The agent console's websocket: the shop's live events and the agent's conversations.

Protocol (JSON text frames), after the log-in cookie authenticates the socket (same origin only):
- the server sends `{"type": "ready", "agent_id", "conversations": [...]}`, then every event of
  the tenant's hub channel (`queue`, `assigned`, `released`, `presence`, `offline_message`,
  `rated`, `conversations_deleted`, `notes` — a conversation's internal notes changed) and of the
  conversations it watches — the agent's own live chats automatically, others on request — each
  with its `conversation_id`: `message`, `typing`, `read`, `state`, `queue`, `deleted`; and
  `{"type": "ping"}` when quiet;
- the client sends `{"type": "ping"}` (every 20 seconds: the presence heartbeat, answered with
  `pong`), `{"type": "presence", "status"}`, `{"type": "typing", "conversation_id", "typing"}`
  and `{"type": "read", "conversation_id", "cursor"}` for its own live chats, and
  `{"type": "watch" | "unwatch", "conversation_id"}`.

Events reach the socket through the hub (in-process or Redis), so an agent on one instance sees
what customers on another write. Missed events are caught up over HTTP (the console re-reads a
conversation after reconnecting); the hub is never the record.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
import uuid
from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, WebSocket, WebSocketDisconnect

from samtale.accounts.sessions import resolve_session
from samtale.app.container import Container
from samtale.conversations.repository import Conversations
from samtale.infra.hub import Subscription, conversation_channel, tenant_channel
from samtale.kernel.errors import DomainError
from samtale.kernel.logs import get_logger
from samtale.live.service import Agent
from samtale.web.errors import close_on_failure
from samtale.web.staff.session import SESSION_COOKIE

router = APIRouter()
log = get_logger(__name__)

MAX_FRAME = 4096
MAX_WATCHED = 60
CLOSE_UNAUTHORIZED = 4401
CLOSE_FORBIDDEN = 4403
CLOSE_IDLE = 4408


class AgentSocket:
    def __init__(self, ws: WebSocket, runtime: Container, agent: Agent) -> None:
        self.ws = ws
        self.runtime = runtime
        self.live = runtime.live
        self.agent = agent
        self.me = str(agent.user_id)
        self.events: asyncio.Queue[tuple[str, dict[str, Any]]] = asyncio.Queue(5000)
        self.watched: dict[str, tuple[contextlib.AsyncExitStack, asyncio.Task[None]]] = {}
        self.mine: set[str] = set()
        self.overflowed = False

    async def send(self, frame: dict[str, Any]) -> None:
        await self.ws.send_text(json.dumps(frame, default=str))

    async def watch(self, channel: str) -> None:
        if channel in self.watched:
            return
        if len(self.watched) >= MAX_WATCHED:
            oldest = next(
                c for c in self.watched if c.startswith("conv:") and c[5:] not in self.mine
            )
            await self.unwatch(oldest)
        stack = contextlib.AsyncExitStack()
        sub = await stack.enter_async_context(self.runtime.hub.subscribe(channel))
        task = asyncio.create_task(self._pump(channel, sub))
        self.watched[channel] = (stack, task)

    async def _pump(self, channel: str, sub: Subscription) -> None:
        while True:
            event = await sub.get()
            if event.get("type") == "resync":
                # The hub reconnected: the console reloads what it shows from the database.
                self.overflowed = True
            try:
                self.events.put_nowait((channel, event))
            except asyncio.QueueFull:
                self.overflowed = True

    async def unwatch(self, channel: str) -> None:
        entry = self.watched.pop(channel, None)
        if entry is None:
            return
        stack, task = entry
        task.cancel()
        with contextlib.suppress(BaseException):
            await task
        with contextlib.suppress(Exception):
            await stack.aclose()

    async def close_all(self) -> None:
        for channel in list(self.watched):
            await self.unwatch(channel)

    async def on_event(self, channel: str, event: dict[str, Any]) -> None:
        kind = event.get("type")
        if kind == "resync":
            return  # said once by `run` for every channel
        if channel.startswith("conv:"):
            cid = channel[5:]
            if kind in ("typing", "read") and event.get("agent_id") == self.me:
                return  # our own signals, echoed by the hub
            await self.send({**event, "conversation_id": cid})
            return
        if kind == "assigned" and event.get("agent_id") == self.me:
            cid = str(event.get("conversation_id"))
            self.mine.add(cid)
            await self.watch(conversation_channel(cid))
        elif kind == "released" and event.get("agent_id") == self.me:
            self.mine.discard(str(event.get("conversation_id")))
        await self.send(event)

    async def on_frame(self, raw: str) -> None:
        if len(raw) > MAX_FRAME:
            await self.error("frame_too_large", f"Frames are at most {MAX_FRAME} bytes.")
            return
        try:
            frame = json.loads(raw)
        except ValueError:
            frame = None
        if not isinstance(frame, dict):
            await self.error("unknown_frame", "Unknown or malformed frame.")
            return
        kind = frame.get("type")
        await self.live.heartbeat(self.agent)
        if kind == "ping":
            await self.send({"type": "pong"})
        elif kind == "pong":
            return
        elif kind == "presence":
            try:
                await self.live.set_presence(self.agent, str(frame.get("status")))
            except DomainError as exc:
                await self.error(exc.code, exc.message)
        elif kind in ("typing", "read"):
            cid = str(frame.get("conversation_id"))
            if cid not in self.mine:
                await self.error("not_your_conversation", "Not one of your live chats.")
                return
            if kind == "typing":
                await self.live.typing(self.agent, uuid.UUID(cid), bool(frame.get("typing")))
            elif isinstance(frame.get("cursor"), int) and frame["cursor"] >= 0:
                await self.live.read(self.agent, uuid.UUID(cid), frame["cursor"])
        elif kind in ("watch", "unwatch"):
            try:
                wanted = uuid.UUID(str(frame.get("conversation_id")))
            except ValueError:
                await self.error("bad_request", "Bad conversation id.")
                return
            if kind == "unwatch":
                if str(wanted) not in self.mine:
                    await self.unwatch(conversation_channel(wanted))
                return
            async with self.runtime.db.session() as session:
                found = await Conversations(session, self.agent.tenant_id).get(wanted)
            if found is None:
                await self.error("conversation_not_found", "No such conversation.")
                return
            await self.watch(conversation_channel(wanted))
        else:
            await self.error("unknown_frame", "Unknown or malformed frame.")

    async def error(self, code: str, message: str) -> None:
        await self.send({"type": "error", "error": {"code": code, "message": message}})

    async def run(self) -> None:
        heartbeat = self.runtime.settings.ws_heartbeat_seconds
        await self.watch(tenant_channel(self.agent.tenant_id))
        loads = await self.live.agents(self.agent.tenant_id)
        me = next((a for a in loads if a.user_id == self.agent.user_id), None)
        self.mine = {str(c) for c in (me.conversations if me else ())}
        for cid in self.mine:
            await self.watch(conversation_channel(cid))
        await self.live.heartbeat(self.agent, force=True)
        await self.send({"type": "ready", "agent_id": self.me, "conversations": sorted(self.mine)})
        recv = asyncio.create_task(self.ws.receive_text())
        event = asyncio.create_task(self.events.get())
        last_heard = time.monotonic()
        try:
            while True:
                done, _ = await asyncio.wait(
                    {recv, event}, timeout=heartbeat, return_when=asyncio.FIRST_COMPLETED
                )
                if recv in done:
                    try:
                        raw = recv.result()
                    except (WebSocketDisconnect, RuntimeError):
                        return
                    last_heard = time.monotonic()
                    await self.on_frame(raw)
                    recv = asyncio.create_task(self.ws.receive_text())
                if event in done:
                    if self.overflowed:
                        self.overflowed = False
                        await self.send({"type": "resync"})
                    channel, payload = event.result()
                    await self.on_event(channel, payload)
                    event = asyncio.create_task(self.events.get())
                if not done:
                    if time.monotonic() - last_heard > 3 * heartbeat:
                        await self.ws.close(CLOSE_IDLE)
                        return
                    await self.send({"type": "ping"})
        finally:
            for task in (recv, event):
                task.cancel()
                with contextlib.suppress(BaseException):
                    await task


def same_origin(ws: WebSocket) -> bool:
    """Browsers send the page's origin with a websocket; only our own pages may use the
    agent's cookie here."""
    origin = ws.headers.get("origin")
    if origin is None:
        return True  # not a browser
    return urlsplit(origin).netloc == ws.headers.get("host", "")


@router.websocket("/api/v1/agent/ws")
async def agent_socket(ws: WebSocket) -> None:
    await ws.accept()
    try:
        await _agent_socket(ws)
    except WebSocketDisconnect:
        pass
    except Exception as exc:
        await close_on_failure(ws, exc)


async def _agent_socket(ws: WebSocket) -> None:
    runtime: Container = ws.app.state.runtime
    if not same_origin(ws):
        await _refuse(ws, "forbidden", "Not from this site.", CLOSE_FORBIDDEN)
        return
    token = ws.cookies.get(SESSION_COOKIE, "")
    async with runtime.db.transaction() as session:
        staff = await resolve_session(session, token, runtime.clock) if token else None
    if staff is None:
        await _refuse(ws, "unauthorized", "Log in first.", CLOSE_UNAUTHORIZED)
        return
    if staff.tenant_id is None or not staff.has_role("agent", "admin"):
        await _refuse(ws, "forbidden", "The console is for a shop's agents.", CLOSE_FORBIDDEN)
        return
    agent = Agent(staff.user_id, staff.tenant_id, staff.display_name or staff.email, staff.role)
    socket = AgentSocket(ws, runtime, agent)
    runtime.metrics.websockets.inc()
    try:
        await socket.run()
    except WebSocketDisconnect:
        pass
    except Exception as exc:
        await close_on_failure(ws, exc)
    finally:
        runtime.metrics.websockets.dec()
        await socket.close_all()


async def _refuse(ws: WebSocket, code: str, message: str, close_code: int) -> None:
    with contextlib.suppress(Exception):
        await ws.send_text(
            json.dumps({"type": "error", "error": {"code": code, "message": message}})
        )
        await ws.close(close_code)
