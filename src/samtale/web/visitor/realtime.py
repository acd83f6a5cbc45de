"""The visitor's websocket: every new message, typing and state change of one conversation.

Protocol (JSON text frames):
- authenticate with `?token=` in the URL or, better (URLs end up in proxy logs), with a first
  frame `{"type": "auth", "token": "...", "after": <cursor>}`;
- the server answers `{"type": "ready", "cursor": <last cursor>, "state": ...}`, then sends every
  message after `after` that the client missed, then live events: `message`, `typing`, `read`,
  `state`, `queue`; `{"type": "resync"}` when the live feed had a gap (the client reads the
  state and what it missed over HTTP); and `{"type": "ping"}` every heartbeat interval;
- the client may send `{"type": "typing", "typing": true}`, `{"type": "read", "cursor": n}` and
  `{"type": "ping"}` (answered with `pong`); a client silent for three heartbeats is closed.

Catch-up never relies on the hub: the socket subscribes first, then reads the conversation's
state and what it missed from the database, and skips hub events it has already sent (by
cursor). A gap in cursors (an event that travelled faster through another instance) is filled
from the database as well.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
import uuid
from typing import Any

from fastapi import APIRouter, WebSocket, WebSocketDisconnect

from samtale.app.container import Container
from samtale.conversations.events import message_dict
from samtale.conversations.repository import authenticate
from samtale.infra.hub import Subscription, conversation_channel
from samtale.kernel.logs import get_logger
from samtale.model import Conversation
from samtale.web.errors import close_on_failure

router = APIRouter()
log = get_logger(__name__)

MAX_FRAME = 4096
CLOSE_NOT_FOUND = 4404
CLOSE_BAD_REQUEST = 4400
CLOSE_IDLE = 4408


class _Closed(Exception):
    pass


class VisitorSocket:
    def __init__(self, ws: WebSocket, runtime: Container, conv: Conversation, after: int) -> None:
        self.ws = ws
        self.runtime = runtime
        self.conv = conv
        self.last_sent = after
        self.last_typing = 0.0
        self.state = str(conv.state)

    async def send(self, frame: dict[str, Any]) -> None:
        await self.ws.send_text(json.dumps(frame, default=str))

    async def catch_up(self) -> None:
        while True:
            messages = await self.runtime.conversations.messages(
                self.conv.tenant_id, self.conv.id, self.last_sent, 200
            )
            names = await self.runtime.conversations.agent_names(self.conv.tenant_id, messages)
            for msg in messages:
                await self.send(
                    {
                        "type": "message",
                        "message": message_dict(
                            msg, names.get(msg.agent_id) if msg.agent_id else None
                        ),
                    }
                )
                self.last_sent = msg.seq
            if len(messages) < 200:
                return

    async def present(self) -> None:
        """While queued, the open socket keeps the customer's place in the queue."""
        if self.state != "queued":
            return
        try:
            await self.runtime.live.visitor_present(self.conv.tenant_id, self.conv.id)
        except Exception as exc:  # a lost presence write is no reason to drop the socket
            log.warning("visitor_presence_failed", error=type(exc).__name__)

    async def on_event(self, event: dict[str, Any]) -> None:
        kind = event.get("type")
        if kind == "state" and isinstance(event.get("state"), str):
            self.state = event["state"]
            await self.present()
        if kind == "message":
            cursor = int(event["message"]["cursor"])
            if cursor <= self.last_sent:
                return
            if cursor > self.last_sent + 1:
                await self.catch_up()
                return
            self.last_sent = cursor
            await self.send(event)
        elif kind in ("typing", "read") and event.get("author") == "visitor":
            return  # the visitor's own signals, echoed by the hub
        elif kind == "resync":
            # The hub reconnected: `run` has caught up the messages from the database; the
            # client reads the rest (the state, the queue position) itself.
            await self.send({"type": "resync"})
        elif kind == "deleted":
            await self.send(event)
            raise _Closed
        else:
            await self.send(event)

    async def on_frame(self, raw: str) -> None:
        if len(raw) > MAX_FRAME:
            await self.send(
                {
                    "type": "error",
                    "error": {
                        "code": "frame_too_large",
                        "message": f"Frames are at most {MAX_FRAME} bytes.",
                    },
                }
            )
            return
        try:
            frame = json.loads(raw)
            kind = frame.get("type") if isinstance(frame, dict) else None
        except ValueError:
            kind = None
        channel = conversation_channel(self.conv.id)
        if kind == "ping":
            await self.send({"type": "pong"})
        elif kind == "pong":
            return
        elif kind == "typing":
            now = time.monotonic()
            if now - self.last_typing >= 0.5 or not frame.get("typing"):
                self.last_typing = now
                await self.runtime.hub.publish(
                    channel,
                    {"type": "typing", "author": "visitor", "typing": bool(frame.get("typing"))},
                )
        elif kind == "read":
            cursor = frame.get("cursor")
            if isinstance(cursor, int) and cursor >= 0:
                await self.runtime.hub.publish(
                    channel, {"type": "read", "author": "visitor", "cursor": cursor}
                )
        else:
            await self.send(
                {
                    "type": "error",
                    "error": {"code": "unknown_frame", "message": "Unknown or malformed frame."},
                }
            )

    async def run(self, sub: Subscription) -> None:
        heartbeat = self.runtime.settings.ws_heartbeat_seconds
        await self.send(
            {
                "type": "ready",
                "cursor": self.conv.last_seq,
                "state": self.conv.state,
                "language": self.conv.language,
            }
        )
        await self.catch_up()
        await self.present()
        recv = asyncio.create_task(self.ws.receive_text())
        event = asyncio.create_task(sub.get())
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
                    if sub.overflowed:
                        sub.overflowed = False
                        await self.catch_up()
                    await self.on_event(event.result())
                    event = asyncio.create_task(sub.get())
                await self.present()  # written at most every few seconds
                if not done:
                    if time.monotonic() - last_heard > 3 * heartbeat:
                        await self.ws.close(CLOSE_IDLE)
                        return
                    await self.send({"type": "ping"})
        except _Closed:
            await self.ws.close(1000)
        finally:
            for task in (recv, event):
                task.cancel()
                with contextlib.suppress(BaseException):
                    await task


async def _close_with_error(ws: WebSocket, code: str, message: str, close_code: int) -> None:
    with contextlib.suppress(Exception):
        await ws.send_text(
            json.dumps({"type": "error", "error": {"code": code, "message": message}})
        )
        await ws.close(close_code)


@router.websocket("/conversations/{conversation_id}/ws")
async def conversation_socket(ws: WebSocket, conversation_id: str) -> None:
    await ws.accept()
    try:
        await _conversation_socket(ws, conversation_id)
    except WebSocketDisconnect:
        pass
    except Exception as exc:
        await close_on_failure(ws, exc)


async def _conversation_socket(ws: WebSocket, conversation_id: str) -> None:
    runtime: Container = ws.app.state.runtime
    token = ws.query_params.get("token")
    after_raw: Any = ws.query_params.get("after", "0")
    if not token:
        try:
            first = json.loads(await asyncio.wait_for(ws.receive_text(), timeout=10))
        except (TimeoutError, ValueError, WebSocketDisconnect, RuntimeError):
            await _close_with_error(
                ws, "auth_required", 'Send {"type": "auth", "token": ...} first.', CLOSE_BAD_REQUEST
            )
            return
        if (
            not isinstance(first, dict)
            or first.get("type") != "auth"
            or not isinstance(first.get("token"), str)
        ):
            await _close_with_error(
                ws, "auth_required", 'Send {"type": "auth", "token": ...} first.', CLOSE_BAD_REQUEST
            )
            return
        token = first["token"]
        after_raw = first.get("after", after_raw)
    try:
        after = max(0, int(after_raw))
        cid = uuid.UUID(conversation_id)
    except (TypeError, ValueError):
        await _close_with_error(
            ws, "bad_request", "Bad conversation id or cursor.", CLOSE_BAD_REQUEST
        )
        return
    async with runtime.db.session() as session:
        conv = await authenticate(session, cid, token)
    if conv is None:
        await _close_with_error(
            ws, "conversation_not_found", "No such conversation.", CLOSE_NOT_FOUND
        )
        return
    runtime.metrics.websockets.inc()
    try:
        await _serve(ws, runtime, cid, conv, after)
    finally:
        runtime.metrics.websockets.dec()


async def _serve(
    ws: WebSocket, runtime: Container, cid: uuid.UUID, conv: Conversation, after: int
) -> None:
    async with runtime.hub.subscribe(conversation_channel(conv.id)) as sub:
        # Read again once subscribed: a state change between the first read and the
        # subscription would otherwise be in neither the `ready` frame nor the hub.
        async with runtime.db.session() as session:
            fresh = await session.get(Conversation, cid)
        if fresh is None:
            await _close_with_error(
                ws, "conversation_not_found", "No such conversation.", CLOSE_NOT_FOUND
            )
            return
        await VisitorSocket(ws, runtime, fresh, after).run(sub)
