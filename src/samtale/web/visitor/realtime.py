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

An instance holds one of these per customer with the chat open, nearly all of them idle, so an
idle socket is kept small: one task (the one reading the client's frames, with the heartbeat as
its timeout), the hub handing events to a listener rather than a queue, and a short-lived task
only while events are being sent; the conversation is kept as the few fields the socket needs,
not as a database object. Frames are not compressed (see `cli.server.uvicorn_config`). Past
`ws_max_visitor_sockets` on an instance, a new socket is refused with 4429 and the widget
follows the conversation over HTTP instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
import uuid
from collections import deque
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, WebSocket, WebSocketDisconnect

from samtale.app.container import Container
from samtale.conversations.events import message_dict
from samtale.conversations.repository import authenticate
from samtale.infra.hub import QUEUE_SIZE, conversation_channel
from samtale.kernel.logs import get_logger
from samtale.model import Conversation
from samtale.web.errors import close_on_failure

router = APIRouter()
log = get_logger(__name__)

MAX_FRAME = 4096
CLOSE_NOT_FOUND = 4404
CLOSE_BAD_REQUEST = 4400
CLOSE_IDLE = 4408
CLOSE_FULL = 4429


class _Closed(Exception):
    pass


@dataclass(slots=True)
class _Watched:
    """What a socket keeps of its conversation."""

    id: uuid.UUID
    tenant_id: uuid.UUID
    state: str
    language: str
    last_seq: int


class VisitorSocket:
    __slots__ = (
        "_closed",
        "_live",
        "_pending",
        "_sender",
        "conv",
        "last_sent",
        "last_typing",
        "overflowed",
        "runtime",
        "state",
        "ws",
    )

    def __init__(self, ws: WebSocket, runtime: Container, conv: _Watched, after: int) -> None:
        self.ws = ws
        self.runtime = runtime
        self.conv = conv
        self.last_sent = after
        self.last_typing = 0.0
        self.state = conv.state
        self.overflowed = False
        self._pending: deque[dict[str, Any]] | None = None
        self._sender: asyncio.Task[None] | None = None
        self._closed = False
        self._live = False  # events wait until `ready` and the catch-up are sent

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

    # -- events from the hub: queued here, sent in order by one short-lived task ---------------

    def listen(self, event: dict[str, Any]) -> None:
        """The hub's listener: runs in the hub's dispatch, so it only queues."""
        if self._closed:
            return
        if event.get("type") == "resync":
            self.overflowed = True
        if self._pending is None:
            self._pending = deque()
        if len(self._pending) >= QUEUE_SIZE:
            # This far behind, the socket catches up from the database instead.
            self._pending.clear()
            self.overflowed = True
            event = {"type": "resync"}
        self._pending.append(event)
        if self._sender is None and self._live:
            self._sender = asyncio.create_task(self._send_pending())

    async def _send_pending(self) -> None:
        try:
            # Events that arrive while this task awaits are appended to `_pending` and sent by
            # it too: it ends only when none is left after its last await.
            while self._pending and not self._closed:
                while self._pending and not self._closed:
                    event = self._pending.popleft()
                    if self.overflowed:
                        self.overflowed = False
                        await self.catch_up()
                    await self.on_event(event)
                await self.present()  # written at most every few seconds
        except _Closed:
            self._closed = True
            with contextlib.suppress(Exception):
                await self.ws.close(1000)
        except (WebSocketDisconnect, RuntimeError, OSError):
            self._closed = True  # the client went away mid-send: the reading task ends too
        except Exception as exc:
            # Catching up from the database failed: the socket ends the way any failure does
            # (1013 when the database is away); the widget reconnects and catches up.
            self._closed = True
            await close_on_failure(self.ws, exc)
        finally:
            self._sender = None
            if not self._pending or self._closed:
                self._pending = None  # nothing left, or the socket is ending: keep no buffer

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
            # The hub reconnected: the messages were caught up from the database just before;
            # the client reads the rest (the state, the queue position) itself.
            await self.send({"type": "resync"})
        elif kind == "deleted":
            await self.send(event)
            raise _Closed
        else:
            await self.send(event)

    # -- frames from the client ----------------------------------------------------------------

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

    async def run(self) -> None:
        """Send `ready` and what the client missed, then read its frames until it leaves; the
        hub's events arrive meanwhile through `listen`."""
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
        self._live = True
        if self._pending:
            self._sender = asyncio.create_task(self._send_pending())
        last_heard = time.monotonic()
        try:
            while not self._closed:
                try:
                    async with asyncio.timeout(heartbeat):
                        raw = await self.ws.receive_text()
                except TimeoutError:
                    if self._closed:
                        return
                    if time.monotonic() - last_heard > 3 * heartbeat:
                        self._closed = True
                        await self.ws.close(CLOSE_IDLE)
                        return
                    await self.send({"type": "ping"})
                    await self.present()
                    continue
                except (WebSocketDisconnect, RuntimeError):
                    return
                last_heard = time.monotonic()
                await self.on_frame(raw)
                await self.present()  # written at most every few seconds
        finally:
            self._closed = True
            sender = self._sender
            if sender is not None and sender is not asyncio.current_task():
                sender.cancel()
                with contextlib.suppress(BaseException):
                    await sender


async def _close_with_error(ws: WebSocket, code: str, message: str, close_code: int) -> None:
    with contextlib.suppress(Exception):
        await ws.send_text(
            json.dumps({"type": "error", "error": {"code": code, "message": message}})
        )
        await ws.close(close_code)


@router.websocket("/conversations/{conversation_id}/ws")
async def conversation_socket(ws: WebSocket, conversation_id: str) -> None:
    await ws.accept()
    runtime: Container = ws.app.state.runtime
    state = ws.app.state
    held = getattr(state, "visitor_sockets", 0)
    if held >= runtime.settings.ws_max_visitor_sockets:
        log.warning("visitor_sockets_full", sockets=held)
        await _close_with_error(
            ws,
            "too_many_sockets",
            "This server holds all the live connections it may; follow the chat over HTTP.",
            CLOSE_FULL,
        )
        return
    state.visitor_sockets = held + 1
    try:
        await _conversation_socket(ws, conversation_id)
    except WebSocketDisconnect:
        pass
    except Exception as exc:
        await close_on_failure(ws, exc)
    finally:
        state.visitor_sockets -= 1


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
    async with runtime.db.reader() as session:
        conv = await authenticate(session, cid, token)
    if conv is None:
        await _close_with_error(
            ws, "conversation_not_found", "No such conversation.", CLOSE_NOT_FOUND
        )
        return
    conv = None  # not kept for the socket's life: `_serve` reads what it needs afresh
    runtime.metrics.websockets.inc()
    try:
        await _serve(ws, runtime, cid, after)
    finally:
        runtime.metrics.websockets.dec()


async def _serve(ws: WebSocket, runtime: Container, cid: uuid.UUID, after: int) -> None:
    socket: VisitorSocket | None = None

    def listen(event: dict[str, Any]) -> None:
        if socket is not None:
            socket.listen(event)
        else:  # between subscribing and the fresh read: caught up from the database below
            early.append(event)

    early: list[dict[str, Any]] = []
    async with runtime.hub.subscribe(conversation_channel(cid), listener=listen):
        # Read again once subscribed: a state change between the first read and the
        # subscription would otherwise be in neither the `ready` frame nor the hub.
        async with runtime.db.reader() as session:
            fresh = await session.get(Conversation, cid)
            watched = (
                None
                if fresh is None
                else _Watched(
                    fresh.id, fresh.tenant_id, str(fresh.state), fresh.language, fresh.last_seq
                )
            )
        if watched is None:
            await _close_with_error(
                ws, "conversation_not_found", "No such conversation.", CLOSE_NOT_FOUND
            )
            return
        socket = VisitorSocket(ws, runtime, watched, after)
        for event in early:
            socket.listen(event)
        await socket.run()
