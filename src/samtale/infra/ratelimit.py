"""Fixed-window rate limits, in memory for one instance or in Redis for all of them.

A limit is `limit` hits per `window` seconds for a key (`msg:<conversation>`, `conv-ip:<ip>`).
`hit()` counts one and says whether it is allowed and, if not, how many seconds to wait.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any, Protocol

import redis.exceptions as redis_errors

from samtale.kernel.clock import Clock, SystemClock
from samtale.kernel.logs import get_logger

log = get_logger(__name__)

_REDIS_DOWN = (redis_errors.ConnectionError, redis_errors.TimeoutError, ConnectionError, OSError)


@dataclass(frozen=True)
class Decision:
    allowed: bool
    retry_after: int  # seconds until the window resets (0 when allowed)
    remaining: int


class RateLimiter(Protocol):
    async def hit(self, key: str, limit: int, window: int = 60) -> Decision: ...

    async def peek(self, key: str, limit: int, window: int = 60) -> Decision: ...

    async def reset(self, key: str) -> None: ...

    async def block(self, key: str, seconds: int) -> None:
        """Refuse `key` for `seconds` from now (a backoff: not aligned to a window)."""
        ...

    async def blocked_for(self, key: str) -> int:
        """Seconds left of a `block` of `key` (0 when not blocked)."""
        ...


class MemoryRateLimiter:
    def __init__(self, clock: Clock | None = None) -> None:
        self.clock = clock or SystemClock()
        self._counts: dict[tuple[str, int], int] = {}
        self._blocks: dict[str, float] = {}

    def _window(self, window: int) -> tuple[int, int]:
        now = self.clock.now().timestamp()
        start = int(now // window)
        return start, max(1, math.ceil((start + 1) * window - now))

    async def hit(self, key: str, limit: int, window: int = 60) -> Decision:
        start, left = self._window(window)
        if len(self._counts) > 100_000:
            self._counts = {k: v for k, v in self._counts.items() if k[1] >= start}
        count = self._counts.get((key, start), 0) + 1
        self._counts[(key, start)] = count
        if count > limit:
            return Decision(False, left, 0)
        return Decision(True, 0, limit - count)

    async def peek(self, key: str, limit: int, window: int = 60) -> Decision:
        start, left = self._window(window)
        count = self._counts.get((key, start), 0)
        return Decision(count < limit, 0 if count < limit else left, max(0, limit - count))

    async def reset(self, key: str) -> None:
        self._counts = {k: v for k, v in self._counts.items() if k[0] != key}
        self._blocks.pop(key, None)

    async def block(self, key: str, seconds: int) -> None:
        now = self.clock.now().timestamp()
        if len(self._blocks) > 100_000:
            self._blocks = {k: v for k, v in self._blocks.items() if v > now}
        self._blocks[key] = max(self._blocks.get(key, 0.0), now + seconds)

    async def blocked_for(self, key: str) -> int:
        until = self._blocks.get(key)
        if until is None:
            return 0
        left = until - self.clock.now().timestamp()
        return max(1, math.ceil(left)) if left > 0 else 0


class RedisRateLimiter:
    """Counts in Redis so every instance shares the limit (INCR + EXPIRE per window)."""

    def __init__(self, redis: Any, clock: Clock | None = None, prefix: str = "samtale:rl:") -> None:
        self.redis = redis
        self.clock = clock or SystemClock()
        self.prefix = prefix

    def _key(self, key: str, window: int) -> tuple[str, int]:
        now = self.clock.now().timestamp()
        start = int(now // window)
        return f"{self.prefix}{key}:{window}:{start}", max(1, math.ceil((start + 1) * window - now))

    async def hit(self, key: str, limit: int, window: int = 60) -> Decision:
        rkey, left = self._key(key, window)
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.incr(rkey)
            pipe.expire(rkey, window + 1)
            count, _ = await pipe.execute()
        if int(count) > limit:
            return Decision(False, left, 0)
        return Decision(True, 0, limit - int(count))

    async def peek(self, key: str, limit: int, window: int = 60) -> Decision:
        rkey, left = self._key(key, window)
        count = int(await self.redis.get(rkey) or 0)
        return Decision(count < limit, 0 if count < limit else left, max(0, limit - count))

    async def reset(self, key: str) -> None:
        async for rkey in self.redis.scan_iter(match=f"{self.prefix}{key}:*"):
            await self.redis.delete(rkey)
        await self.redis.delete(f"{self.prefix}block:{key}")

    async def block(self, key: str, seconds: int) -> None:
        until = self.clock.now().timestamp() + seconds
        rkey = f"{self.prefix}block:{key}"
        current = float(await self.redis.get(rkey) or 0)
        if until > current:
            await self.redis.set(rkey, repr(until), ex=max(1, seconds + 1))

    async def blocked_for(self, key: str) -> int:
        until = float(await self.redis.get(f"{self.prefix}block:{key}") or 0)
        left = until - self.clock.now().timestamp()
        return max(1, math.ceil(left)) if left > 0 else 0


class FallbackRateLimiter:
    """Redis's shared counts while Redis answers; this instance's own counts while it does not.

    A limit must not turn an outage of Redis into an outage of every request: on a connection
    error the limiter answers from local memory (each instance then counts alone, so a client
    may get up to one limit per instance) and tries Redis again after `retry_seconds`.
    """

    def __init__(
        self, primary: RedisRateLimiter, local: MemoryRateLimiter, retry_seconds: float = 1.0
    ) -> None:
        self.primary = primary
        self.local = local
        self.retry_seconds = retry_seconds
        self._down_until = 0.0

    @property
    def degraded(self) -> bool:
        return time.monotonic() < self._down_until

    async def _call(self, name: str, *args: Any) -> Any:
        if not self.degraded:
            try:
                result = await getattr(self.primary, name)(*args)
            except _REDIS_DOWN as exc:
                if not self._down_until:
                    log.warning("rate_limiter_degraded", error=type(exc).__name__)
                self._down_until = time.monotonic() + self.retry_seconds
            else:
                if self._down_until:
                    log.info("rate_limiter_restored")
                    self._down_until = 0.0
                return result
        return await getattr(self.local, name)(*args)

    async def hit(self, key: str, limit: int, window: int = 60) -> Decision:
        decision: Decision = await self._call("hit", key, limit, window)
        return decision

    async def peek(self, key: str, limit: int, window: int = 60) -> Decision:
        decision: Decision = await self._call("peek", key, limit, window)
        return decision

    async def reset(self, key: str) -> None:
        await self._call("reset", key)

    async def block(self, key: str, seconds: int) -> None:
        await self.local.block(key, seconds)  # kept locally too: still refused if Redis goes
        await self._call("block", key, seconds)

    async def blocked_for(self, key: str) -> int:
        left: int = await self._call("blocked_for", key)
        return max(left, await self.local.blocked_for(key))
