"""One path by which every instance learns that a shop changed.

A turn must not read a shop's settings, published bot, catalogue or pages from the database
each time: each service keeps them in memory. What it keeps must then be dropped when the shop
changes, on every instance and in every worker process, not only in the one that served the
admin's request. So a change is *announced* once, `await changes.announce(tenant_id, kind)`,
on the hub's `tenant-changes` channel; every instance (this one included) receives it and calls
each listener that the composition root registered: the insight settings, the privacy reading's
formats, the bot registry (for `content`), the shop's catalogue and connector, the index of the
shop's pages.

Kinds: `settings` (the shop's settings, languages, formats), `content` (a new bot version was
published), `catalogue` (products synchronised), `connector` (the shop platform or carrier
settings), `pages` (its pages crawled or excluded), `deleted` (the shop is gone).

The hub delivers at most once. When it says events may have been lost (`resync`: Redis came back)
every listener is called for every shop (`tenant_id` None), and the services still re-read what
they keep after a while of their own, so a lost announcement delays a change, never loses it.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import uuid
from collections.abc import Awaitable, Callable
from typing import Literal

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession

from samtale.infra.hub import Hub
from samtale.kernel.logs import get_logger

log = get_logger(__name__)

CHANNEL = "tenant-changes"
Kind = Literal["settings", "content", "catalogue", "connector", "pages", "deleted"]
KINDS: tuple[str, ...] = ("settings", "content", "catalogue", "connector", "pages", "deleted")
# Called with the shop (None: every shop) and the kind of change (None: any, after a resync).
Listener = Callable[[uuid.UUID | None, str | None], Awaitable[None] | None]


class TenantChanges:
    def __init__(self, hub: Hub) -> None:
        self.hub = hub
        self.listeners: list[Listener] = []
        # This instance's own announcements come back through the hub: they are applied once.
        self.origin = uuid.uuid4().hex
        self._task: asyncio.Task[None] | None = None
        self._ready = asyncio.Event()
        self._pending: set[asyncio.Task[None]] = set()

    def listen(self, listener: Listener) -> None:
        self.listeners.append(listener)

    async def announce(self, tenant_id: uuid.UUID, kind: Kind) -> None:
        """Tell every instance (this one too) that the shop changed. Returns once this
        instance's listeners have run, so the caller's next read sees the change."""
        if kind not in KINDS:
            raise ValueError(f"unknown change {kind!r}")
        await self._apply(tenant_id, kind)
        await self.hub.publish(
            CHANNEL, {"tenant": str(tenant_id), "kind": kind, "origin": self.origin}
        )

    def after_commit(self, session: AsyncSession, tenant_id: uuid.UUID, kind: Kind) -> None:
        """Announce once the caller's transaction has committed: announced earlier, another
        instance could read the row before the change is in it."""

        def announce(_session: object) -> None:
            task = asyncio.get_running_loop().create_task(self.announce(tenant_id, kind))
            self._pending.add(task)
            task.add_done_callback(self._pending.discard)

        event.listen(session.sync_session, "after_commit", announce, once=True)

    async def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._listen())
            # Announcements made from now on are received.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._ready.wait(), 10)

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
            self._task = None

    async def _listen(self) -> None:
        while True:
            try:
                async with self.hub.subscribe(CHANNEL) as sub:
                    self._ready.set()
                    async for event in sub:
                        await self._receive(event)
            except asyncio.CancelledError:
                raise
            except Exception:
                # The hub is away (Redis down): forget everything once it is back.
                log.warning("tenant_changes_unavailable", exc_info=True)
                self._ready.set()
                await asyncio.sleep(1.0)
                await self._apply(None, None)

    async def _receive(self, event: dict[str, object]) -> None:
        if event.get("type") == "resync":
            await self._apply(None, None)
            return
        if event.get("origin") == self.origin:
            return
        try:
            tenant_id = uuid.UUID(str(event.get("tenant")))
        except ValueError:
            return
        kind = str(event.get("kind") or "")
        if kind in KINDS:
            await self._apply(tenant_id, kind)

    async def _apply(self, tenant_id: uuid.UUID | None, kind: str | None) -> None:
        for listener in self.listeners:
            try:
                result = listener(tenant_id, kind)
                if inspect.isawaitable(result):
                    await result
            except Exception:
                log.exception("tenant_change_listener_failed", kind=kind)
