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
from collections.abc import AsyncIterator, Callable
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
    """Events of the subscribed channels, in the order they were published.

    Read them with `get()` / `async for`, or give a `listener`: a plain function called with
    each event as it arrives (it must not block; it may schedule work). A listener costs an idle
    subscriber nothing beyond this object, which matters when an instance holds ten thousand
    visitor sockets; the queue is made only when something reads it.
    """

    __slots__ = ("_queue", "channels", "listener", "overflowed")

    def __init__(
        self, channels: tuple[str, ...], listener: Callable[[Event], None] | None = None
    ) -> None:
        self.channels = channels
        self.listener = listener
        self.overflowed = False
        self._queue: asyncio.Queue[Event] | None = None

    @property
    def queue(self) -> asyncio.Queue[Event]:
        if self._queue is None:
            self._queue = asyncio.Queue(QUEUE_SIZE)
        return self._queue

    def deliver(self, event: Event) -> None:
        if self.listener is not None:
            try:
                self.listener(event)
            except Exception:  # one subscriber's fault must not stop the others' delivery
                log.exception("hub_listener_failed")
            return
        try:
            self.queue.put_nowait(event)
        except asyncio.QueueFull:
            # A subscriber this far behind must resynchronise from the database.
            self.overflowed = True

    def resync(self) -> None:
        """Events may have been missed (the hub reconnected, a publish failed): mark the
        subscriber to catch up from the database, and wake it with a `resync` event."""
        self.overflowed = True
        if self.listener is not None:
            self.deliver({"type": "resync"})
            return
        with contextlib.suppress(asyncio.QueueFull):
            self.queue.put_nowait({"type": "resync"})

    async def get(self) -> Event:
        return await self.queue.get()

    def __aiter__(self) -> AsyncIterator[Event]:
        return self._iter()

    async def _iter(self) -> AsyncIterator[Event]:
        while True:
            yield await self.queue.get()


class Hub(Protocol):
    async def publish(self, channel: str, event: Event) -> None: ...

    def subscribe(self, *channels: str, listener: Callable[[Event], None] | None = None) -> Any:
        """An async context manager yielding a `Subscription` (with `listener`, events are
        handed to it instead of queued)."""
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

    def resync(self, channel: str | None = None) -> int:
        """Mark the subscribers of `channel` (of every channel: None) to resynchronise."""
        subs = (
            {s for group in self._subs.values() for s in group}
            if channel is None
            else set(self._subs.get(channel, ()))
        )
        for sub in subs:
            sub.resync()
        return len(subs)


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
    async def subscribe(
        self, *channels: str, listener: Callable[[Event], None] | None = None
    ) -> AsyncIterator[Subscription]:
        sub = Subscription(channels, listener)
        self._fanout.add(sub)
        try:
            yield sub
        finally:
            self._fanout.remove(sub)

    async def close(self) -> None:
        return None


class RedisHub:
    """Redis pub/sub between instances.

    A subscription is confirmed by this connection's own acknowledgement of the SUBSCRIBE (not
    by counting subscribers across instances). When the pub/sub connection breaks, redis-py
    opens a new one and subscribes again; once Redis acknowledges that, every local subscriber
    gets a `resync` (they catch up from the database by cursor), since events published during
    the gap are gone. A publish that fails is logged, and the channel's local subscribers are
    marked to resync too: the data is in the database, only the live nudge was lost.
    """

    def __init__(self, url: str, prefix: str = "samtale:") -> None:
        from samtale.infra.redis import redis_client

        self.redis = redis_client(url)
        self.prefix = prefix
        self._fanout = _LocalFanout()
        self._pubsub: Any = None
        self._reader: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()
        self._start_lock = asyncio.Lock()
        self._acks: dict[str, asyncio.Event] = {}
        self._broken = False
        self.reconnects = 0

    async def start(self) -> None:
        if self._reader is not None:
            return
        async with self._start_lock:
            if self._reader is not None:
                return
            self._pubsub = self.redis.pubsub()
            try:
                # A placeholder subscription keeps the connection in pub/sub mode from the start.
                await self._subscribe([f"{self.prefix}__hub__"])
            except BaseException:
                with contextlib.suppress(Exception):
                    await self._pubsub.aclose()
                self._pubsub = None
                raise
            self._reader = asyncio.create_task(self._read(), name="redis-hub-reader")

    async def _subscribe(self, names: list[str]) -> None:
        waits = {n: self._acks.setdefault(n, asyncio.Event()) for n in names}
        for event in waits.values():
            event.clear()
        await self._pubsub.subscribe(*names)
        if self._reader is None:
            # Not reading yet (start): read the acknowledgements here.
            async with asyncio.timeout(5):
                while not all(e.is_set() for e in waits.values()):
                    msg = await self._pubsub.get_message(timeout=1.0)
                    if msg is not None:
                        self._handle(msg)
        else:
            await self._confirmed(waits)

    async def _confirmed(self, waits: dict[str, asyncio.Event]) -> None:
        """Wait for this connection's acknowledgement of the SUBSCRIBE, so that an event
        published right after `subscribe()` returns is not missed (callers catch up from the
        database after subscribing and rely on this order)."""
        try:
            async with asyncio.timeout(5):
                for event in waits.values():
                    await event.wait()
        except TimeoutError:
            from redis.exceptions import TimeoutError as RedisTimeout

            raise RedisTimeout("no subscribe acknowledgement from Redis") from None

    def _handle(self, msg: dict[str, Any]) -> None:
        kind = msg.get("type")
        if kind == "message":
            try:
                event = json.loads(msg["data"])
            except ValueError:
                return
            self._fanout.dispatch(msg["channel"][len(self.prefix) :], event)
        elif kind == "subscribe":
            name = msg.get("channel")
            if isinstance(name, str) and name in self._acks:
                self._acks[name].set()
            if self._broken:
                # The connection is back and subscribed again: what was published during the
                # gap is lost to the hub, so every subscriber catches up from the database.
                self._broken = False
                self.reconnects += 1
                count = self._fanout.resync()
                log.info("hub_reconnected", subscribers=count)

    async def _read(self) -> None:
        while True:
            try:
                msg = await self._pubsub.get_message(timeout=1.0)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                if not self._broken:
                    log.warning("hub_connection_lost", error=type(exc).__name__)
                self._broken = True
                for event in self._acks.values():
                    event.clear()
                await asyncio.sleep(0.2)
                continue
            if msg is not None:
                self._handle(msg)

    async def publish(self, channel: str, event: Event) -> None:
        try:
            await self.redis.publish(self.prefix + channel, json.dumps(event, default=str))
        except Exception as exc:
            from samtale.infra.redis import is_connection_error

            if not is_connection_error(exc):
                raise
            log.warning("hub_publish_failed", error=type(exc).__name__)
            self._fanout.resync(channel)

    @asynccontextmanager
    async def subscribe(
        self, *channels: str, listener: Callable[[Event], None] | None = None
    ) -> AsyncIterator[Subscription]:
        await self.start()
        sub = Subscription(channels, listener)
        async with self._lock:
            new = self._fanout.add(sub)
            if new:
                try:
                    await self._subscribe([self.prefix + c for c in new])
                except BaseException:
                    self._fanout.remove(sub)
                    raise
        try:
            yield sub
        finally:
            async with self._lock:
                gone = self._fanout.remove(sub)
                if gone and self._pubsub is not None:
                    for c in gone:
                        self._acks.pop(self.prefix + c, None)
                    with contextlib.suppress(Exception):
                        await self._pubsub.unsubscribe(*(self.prefix + c for c in gone))

    async def close(self) -> None:
        if self._reader:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._reader
        if self._pubsub is not None:
            with contextlib.suppress(Exception):
                await self._pubsub.aclose()
        await self.redis.aclose()
