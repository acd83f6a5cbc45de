"""How the platform connectors call a shop: one guarded client, deadlines, retries, a breaker.

Every platform connector (Shopify, WooCommerce, Magento) talks to its shop through
`PlatformCalls.send`, the same discipline as the HTTP connector's:

- the guarded outgoing client (`infra.outgoing`): public addresses only unless the operator
  allows private ones, resolved once, no redirects;
- a `Deadline` for the whole operation (all attempts, all pages of one look-up, a token
  renewal) and a timeout per attempt;
- retries of idempotent calls on timeouts, connection errors, 429 (after `Retry-After` when it
  fits in the deadline) and 5xx, with exponential backoff and full jitter;
- a circuit breaker, so a shop that is down is not waited on for every customer;
- every expected failure as `ShopUnavailable` with a short reason: `timeout`, `connect`,
  `blocked`, `status`, `auth` (401/403: wrong or revoked credentials), `malformed`, `open`,
  `throttled`, `graphql`.

Credentials travel in headers set by the connector and never appear in a reason, a log line
or an exception message.
"""

from __future__ import annotations

import asyncio
import random
from typing import Any

import httpx

from samtale.infra.outgoing import (
    BlockedAddress,
    Deadline,
    OutgoingClient,
    UnresolvedHost,
)
from samtale.kernel.clock import Clock
from samtale.kernel.logs import get_logger
from samtale.shop.breaker import CircuitBreaker
from samtale.shop.connector import ShopUnavailable

log = get_logger(__name__)

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


class PlatformCalls:
    def __init__(
        self,
        platform: str,
        *,
        base_url: str,
        headers: dict[str, str] | None = None,
        timeout: float = 3.0,
        retries: int = 2,
        backoff: float = 0.2,
        breaker_failures: int = 5,
        breaker_reset_seconds: float = 30.0,
        clock: Clock | None = None,
        private_addresses: bool = False,
        transport: httpx.AsyncBaseTransport | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.platform = platform
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.rng = rng or random.Random()
        self.breaker = CircuitBreaker(breaker_failures, breaker_reset_seconds, clock=clock)
        self.client = OutgoingClient(
            base_url=base_url.rstrip("/"),
            headers={"accept": "application/json", **(headers or {})},
            timeout=timeout,
            private_addresses=private_addresses,
            transport=transport,
        )

    async def aclose(self) -> None:
        await self.client.aclose()

    async def send(
        self,
        method: str,
        path: str,
        *,
        deadline: Deadline,
        name: str,
        retry: bool = True,
        **kwargs: Any,
    ) -> httpx.Response:
        """The response (any status below 500 other than 429, which are retried); the caller
        reads it, usually with `ok` or `json`. `ShopUnavailable` when no usable answer came
        within the deadline."""
        if not self.breaker.allow():
            raise ShopUnavailable("open", name)
        attempts = 1 + (self.retries if retry else 0)
        reason = "timeout"
        for attempt in range(attempts):
            left = deadline.left()
            if left <= 0:
                break
            pause: float | None = None
            try:
                response = await self.client.request(
                    method, path, deadline=left, timeout=min(self.timeout, left), **kwargs
                )
            except BlockedAddress:
                reason = "blocked"
                break
            except httpx.TimeoutException:
                reason = "timeout"
            except (httpx.TransportError, UnresolvedHost):
                reason = "connect"
            else:
                if response.status_code not in RETRY_STATUSES:
                    self.breaker.success()
                    return response
                reason = "throttled" if response.status_code == 429 else "status"
                pause = _retry_after(response)
            if attempt + 1 < attempts:
                if pause is None:
                    pause = self.rng.uniform(0, self.backoff * 2**attempt)
                if pause > deadline.left() - 0.01:
                    break
                await asyncio.sleep(pause)
        self.breaker.failure()
        log.warning(
            "shop_platform_failed",
            platform=self.platform,
            call=name,
            reason=reason,
            breaker=self.breaker.state,
        )
        raise ShopUnavailable(reason, name)

    def ok(self, response: httpx.Response, name: str) -> None:
        """Raise for a status that is not an answer: 401/403 `auth`, other errors `status`."""
        if response.status_code in (401, 403):
            log.warning("shop_platform_auth", platform=self.platform, call=name)
            raise ShopUnavailable("auth", name)
        if response.status_code >= 300:
            raise ShopUnavailable("status", f"{name}: {response.status_code}")

    def json(self, response: httpx.Response, name: str) -> Any:
        self.ok(response, name)
        try:
            return response.json()
        except ValueError:
            self.breaker.failure()
            raise ShopUnavailable("malformed", f"{name}: not JSON") from None


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


def malformed(name: str) -> ShopUnavailable:
    return ShopUnavailable("malformed", name)
