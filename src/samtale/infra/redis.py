"""The one way to open Redis: short timeouts, a health check on idle connections and a quick
retry on a broken one, so that after Redis restarts the pooled connections it closed are
replaced without a stray error reaching a request."""

from __future__ import annotations

from typing import Any

HEALTH_CHECK_SECONDS = 5
CONNECT_TIMEOUT_SECONDS = 1.0
SOCKET_TIMEOUT_SECONDS = 3.0


def redis_client(url: str) -> Any:
    import redis.asyncio as aioredis
    from redis.asyncio.retry import Retry
    from redis.backoff import ExponentialBackoff
    from redis.exceptions import ConnectionError, TimeoutError

    return aioredis.from_url(
        url,
        decode_responses=True,
        health_check_interval=HEALTH_CHECK_SECONDS,
        socket_connect_timeout=CONNECT_TIMEOUT_SECONDS,
        socket_timeout=SOCKET_TIMEOUT_SECONDS,
        socket_keepalive=True,
        # A connection Redis closed (a restart) fails once, then a new one is opened.
        retry=Retry(ExponentialBackoff(cap=0.2, base=0.02), 2),
        retry_on_error=[ConnectionError, TimeoutError, ConnectionResetError],
    )


def is_connection_error(exc: BaseException) -> bool:
    """Redis is unreachable (refused, reset, timed out), as opposed to a bad command."""
    from redis.exceptions import ConnectionError, TimeoutError

    return isinstance(exc, ConnectionError | TimeoutError | OSError)
