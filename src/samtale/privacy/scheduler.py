"""The retention purge inside the server: every `purge_interval_seconds`, one instance at a time.

With several instances (or worker processes) on PostgreSQL, each one's scheduler wakes up and
tries the purge's advisory lock (`infra/locks.py`); the one that gets it purges, the others skip
the round. The lock goes with its connection, so an instance that dies mid-purge frees it. On
SQLite (one box, one server process) no lock is needed.

Tests do not start the loop: they call `PurgeRunner.run_once(now)` with their clock's time.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from samtale.infra.database import Database
from samtale.infra.locks import exclusive
from samtale.kernel.clock import Clock
from samtale.kernel.logs import get_logger
from samtale.privacy.retention import PurgeReport, Retention

log = get_logger(__name__)

# The advisory lock's key: any constant shared by every instance ("samtale purge" in ASCII).
PURGE_LOCK_KEY = 0x73616D7461_6C65


def purge_lock(db: Database) -> contextlib.AbstractAsyncContextManager[bool]:
    """Yields True when this process may purge now (it holds the lock until the block ends)."""
    return exclusive(db, PURGE_LOCK_KEY)


class PurgeRunner:
    """One purge round under the lock."""

    def __init__(self, retention: Retention) -> None:
        self.retention = retention
        # Other features' expiry (the insights' old statistics and sample items): called with
        # `(now, tenant_id)` after the conversations, in the same round and under the same lock.
        self.steps: list[Callable[[datetime, uuid.UUID | None], Awaitable[Any]]] = []

    async def run_once(
        self,
        now: datetime | None = None,
        *,
        tenant_id: uuid.UUID | None = None,
        dry_run: bool = False,
    ) -> PurgeReport | None:
        """Purge, or return None when another instance holds the lock."""
        async with purge_lock(self.retention.db) as got:
            if not got:
                log.info("retention_purge_skipped", reason="another instance is purging")
                return None
            report = await self.retention.purge(now=now, tenant_id=tenant_id, dry_run=dry_run)
            if not dry_run:
                for step in self.steps:
                    try:
                        await step(report.now, tenant_id)
                    except Exception:
                        log.exception("purge_step_failed")
            return report


class PurgeScheduler:
    """Runs `PurgeRunner.run_once` every `interval` seconds in a background task."""

    def __init__(
        self, runner: PurgeRunner, clock: Clock, interval: float, first_delay: float = 60.0
    ) -> None:
        self.runner = runner
        self.clock = clock
        self.interval = interval
        self.first_delay = min(first_delay, interval)
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self._task is None and self.interval > 0:
            self._task = asyncio.create_task(self._loop(), name="retention-purge")

    async def tick(self) -> PurgeReport | None:
        """One round now, at the clock's time."""
        try:
            return await self.runner.run_once(self.clock.now())
        except Exception:
            log.exception("retention_purge_failed")
            return None

    async def _loop(self) -> None:
        await asyncio.sleep(self.first_delay)
        while True:
            await self.tick()
            await asyncio.sleep(self.interval)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
            self._task = None
