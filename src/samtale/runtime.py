"""Everything one server instance runs on, built once from the settings: the database, the hub,
the rate limiter, the clock and id source, the responders (the bot) and the services on top.

The web app, the `samtale` command and the tests all build a `Runtime`; tests pass their own
clock, ids or responders.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from samtale.clock import Clock, IdSource, RandomIds, SystemClock
from samtale.config import Settings
from samtale.conversations.responder import ResponderRegistry, StaticRegistry
from samtale.conversations.service import ConversationService, TurnHook
from samtale.live.hub import Hub, InProcessHub, RedisHub
from samtale.metrics import Metrics
from samtale.privacy.pii.redactor import warm_up as warm_up_pii
from samtale.privacy.scheduler import PurgeScheduler
from samtale.privacy.service import PrivacyService
from samtale.ratelimit import MemoryRateLimiter, RateLimiter, RedisRateLimiter
from samtale.store.engine import Database
from samtale.store.migrate import upgrade


@dataclass
class Runtime:
    settings: Settings
    db: Database
    hub: Hub
    limiter: RateLimiter
    clock: Clock
    ids: IdSource
    metrics: Metrics
    responders: ResponderRegistry
    conversations: ConversationService
    redis: Any = None
    # Privacy: the identifier index (a turn hook), deletion, retention, transcripts, audit.
    privacy: PrivacyService = field(init=False)
    # Background tasks and resources that `close()` ends, in reverse order.
    _closers: list[Callable[[], Any]] = field(default_factory=list)

    @classmethod
    def build(
        cls,
        settings: Settings,
        *,
        clock: Clock | None = None,
        ids: IdSource | None = None,
        responders: ResponderRegistry | Callable[[Runtime], ResponderRegistry] | None = None,
        hooks: list[TurnHook] | None = None,
        db: Database | None = None,
    ) -> Runtime:
        clock = clock or SystemClock()
        ids = ids or RandomIds()
        db = db or Database(settings.effective_database_url)
        redis = None
        hub: Hub
        limiter: RateLimiter
        if settings.redis_url:
            import redis.asyncio as aioredis

            redis = aioredis.from_url(settings.redis_url, decode_responses=True)
            hub = RedisHub(settings.redis_url, prefix=settings.redis_prefix)
            limiter = RedisRateLimiter(redis, clock, prefix=f"{settings.redis_prefix}rl:")
        else:
            hub = InProcessHub()
            limiter = MemoryRateLimiter(clock)
        registry: ResponderRegistry = StaticRegistry()
        privacy = PrivacyService(
            db, hub, clock, ids, settings.effective_secret_key, batch_size=settings.purge_batch_size
        )
        hooks = [privacy.index, *(hooks or [])]
        rt = cls(
            settings=settings,
            db=db,
            hub=hub,
            limiter=limiter,
            clock=clock,
            ids=ids,
            metrics=Metrics(),
            responders=registry,
            conversations=ConversationService(db, hub, registry, clock, ids, hooks),
            redis=redis,
        )
        rt.privacy = privacy
        if callable(responders) and not hasattr(responders, "for_tenant"):
            registry = responders(rt)
        elif responders is not None:
            registry = responders  # type: ignore[assignment]
        rt.responders = registry
        rt.conversations.responders = registry
        return rt

    async def start(self, migrate: bool = False, background: bool = False) -> None:
        """Start the hub and the responders; with `background` (a server, not a test), also
        the background jobs: the retention purge every `purge_interval_seconds`."""
        if migrate:
            await upgrade(self.db)
        await self.hub.start()
        await asyncio.to_thread(warm_up_pii)
        await self.responders.start()
        if background:
            self.start_background()

    def start_background(self) -> None:
        if self.settings.purge_interval_seconds > 0:
            scheduler = PurgeScheduler(
                self.privacy.runner, self.clock, self.settings.purge_interval_seconds
            )
            scheduler.start()
            self.on_close(scheduler.stop)

    async def ready(self) -> dict[str, bool]:
        return {"database": await self.db.ping(), "bot": self.responders.is_ready()}

    def on_close(self, fn: Callable[[], Any]) -> None:
        self._closers.append(fn)

    async def close(self) -> None:
        for fn in reversed(self._closers):
            with contextlib.suppress(Exception):
                result = fn()
                if hasattr(result, "__await__"):
                    await result
        await self.responders.close()
        await self.hub.close()
        if self.redis is not None:
            await self.redis.aclose()
        await self.db.dispose()
