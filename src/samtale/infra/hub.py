"""The real-time hub: publish an event on a channel, and every subscriber of that channel — on
this instance or, with Redis, on any instance — receives it.

Channels are named by what they carry: `conv:<conversation id>` for a conversation's messages,
typing and state; `tenant:<tenant id>` for what a shop's agents watch (queue, presence).
Events are JSON-able dicts. Delivery is at-most-once: a subscriber that was not connected misses
events and catches up from the database (message cursors), never from the hub.

With Redis, one pub/sub connection per instance carries every channel any local subscriber holds;
events are fanned out locally from it, so 200 open websockets need one Redis connection, not 200.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, Protocol

from samtale.kernel.logs import get_logger

log = get_logger(__name__)

Event = dict[str, Any]
QUEUE_SIZE = 1000


def conversation_channel(conversation_id: object) -> str:
    return f"conv:{conversation_id}"


def tenant_channel(tenant_id: object) -> str:
    return f"tenant:{tenant_id}"


class Subscription:
    """Events of the subscribed channels, in the order they were published."""

    def __init__(self, channels: tuple[str, ...]) -> None:
        self.channels = channels
        self.queue: asyncio.Queue[Event] = asyncio.Queue(QUEUE_SIZE)
        self.overflowed = False

    def deliver(self, event: Event) -> None:
        try:
            self.queue.put_nowait(event)
        except asyncio.QueueFull:
            # A subscriber this far behind must resynchronise from the database.
            self.overflowed = True

    async def get(self) -> Event:
        return await self.queue.get()

    def __aiter__(self) -> AsyncIterator[Event]:
        return self._iter()

    async def _iter(self) -> AsyncIterator[Event]:
        while True:
            yield await self.queue.get()


class Hub(Protocol):
    async def publish(self, channel: str, event: Event) -> None: ...

    def subscribe(self, *channels: str) -> Any:
        """An async context manager yielding a `Subscription`."""
        ...

    async def start(self) -> None: ...

    async def close(self) -> None: ...


class _LocalFanout:
    def __init__(self) -> None:
        self._subs: dict[str, set[Subscription]] = {}

    def add(self, sub: Subscription) -> list[str]:
        """Register; return the channels that had no local subscriber before."""
        new = []
        for ch in sub.channels:
            if ch not in self._subs:
                self._subs[ch] = set()
                new.append(ch)
            self._subs[ch].add(sub)
        return new

    def remove(self, sub: Subscription) -> list[str]:
        """Unregister; return the channels that have no local subscriber left."""
        gone = []
        for ch in sub.channels:
            subs = self._subs.get(ch)
            if subs is None:
                continue
            subs.discard(sub)
            if not subs:
                del self._subs[ch]
                gone.append(ch)
        return gone

    def dispatch(self, channel: str, event: Event) -> None:
        for sub in list(self._subs.get(channel, ())):
            sub.deliver(event)


class InProcessHub:
    """The embedded default: one process, no network."""

    def __init__(self) -> None:
        self._fanout = _LocalFanout()

    async def start(self) -> None:
        return None

    async def publish(self, channel: str, event: Event) -> None:
        # A JSON round trip gives subscribers the same copies Redis would.
        self._fanout.dispatch(channel, json.loads(json.dumps(event, default=str)))

    @asynccontextmanager
    async def subscribe(self, *channels: str) -> AsyncIterator[Subscription]:
        sub = Subscription(channels)
        self._fanout.add(sub)
        try:
            yield sub
        finally:
            self._fanout.remove(sub)

    async def close(self) -> None:
        return None


class RedisHub:
    """Redis pub/sub between instances."""

    def __init__(self, url: str, prefix: str = "samtale:") -> None:
        import redis.asyncio as aioredis

        self.redis = aioredis.from_url(url, decode_responses=True)
        self.prefix = prefix
        self._fanout = _LocalFanout()
        self._pubsub: Any = None
        self._reader: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()
        self._ready = asyncio.Event()

    async def start(self) -> None:
        if self._pubsub is None:
            self._pubsub = self.redis.pubsub(ignore_subscribe_messages=True)
            # A placeholder subscription keeps the connection in pub/sub mode from the start.
            await self._pubsub.subscribe(f"{self.prefix}__hub__")
            self._reader = asyncio.create_task(self._read(), name="redis-hub-reader")

    async def _read(self) -> None:
        plen = len(self.prefix)
        while True:
            try:
                msg = await self._pubsub.get_message(timeout=1.0)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("hub_read_failed")
                await asyncio.sleep(0.5)
                continue
            if msg is None or msg.get("type") != "message":
                continue
            try:
                event = json.loads(msg["data"])
            except ValueError:
                continue
            self._fanout.dispatch(msg["channel"][plen:], event)

    async def publish(self, channel: str, event: Event) -> None:
        await self.redis.publish(self.prefix + channel, json.dumps(event, default=str))

    @asynccontextmanager
    async def subscribe(self, *channels: str) -> AsyncIterator[Subscription]:
        await self.start()
        sub = Subscription(channels)
        async with self._lock:
            new = self._fanout.add(sub)
            if new:
                names = [self.prefix + c for c in new]
                await self._pubsub.subscribe(*names)
                await self._confirmed(names)
        try:
            yield sub
        finally:
            async with self._lock:
                gone = self._fanout.remove(sub)
                if gone and self._pubsub is not None:
                    with contextlib.suppress(Exception):
                        await self._pubsub.unsubscribe(*(self.prefix + c for c in gone))

    async def _confirmed(self, names: list[str]) -> None:
        """Wait until Redis has registered the subscription, so that an event published right
        after `subscribe()` returns is not missed (callers catch up from the database after
        subscribing and rely on this order)."""
        for _ in range(200):
            counts = dict(await self.redis.pubsub_numsub(*names))
            if all(counts.get(n, 0) > 0 for n in names):
                return
            await asyncio.sleep(0.005)
        log.warning("hub_subscribe_unconfirmed", channels=len(names))

    async def close(self) -> None:
        if self._reader:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._reader
        if self._pubsub is not None:
            with contextlib.suppress(Exception):
                await self._pubsub.aclose()
        await self.redis.aclose()
