"""Live parcel status on top of what the shop knows, with a short cache, falling back to the
carrier's link — never to an error.

The platforms know which carrier took a parcel and its number, seldom where it is now. When the
shop (or the operator) gives a carrier's API credentials, `CarrierTracker.refresh` asks that
carrier and lays its status, events and expected day over the shop's shipment. Whatever goes
wrong there — no credentials, a wrong key, a rate limit, a carrier slower than `deadline`, a body
that does not parse, a bug — the customer gets the shop's own shipment with the carrier's public
tracking link, and a log line with the carrier and a reason code (never the number).

Answers are cached for `ttl_seconds` (customers ask twice in a minute; carriers rate-limit),
failures for `failure_seconds` (a carrier that is down is not waited on for every customer),
keyed by carrier, number and language (carriers word their events per language). The cache is
bounded; the oldest entries go first. Time comes from the injected clock.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable

from samtale.kernel.clock import Clock, SystemClock
from samtale.kernel.logs import get_logger
from samtale.shop.carriers.links import tracking_link
from samtale.shop.carriers.live import CarrierUnavailable, LiveTracking
from samtale.shop.carriers.numbers import clean, recognise
from samtale.shop.models import Shipment

log = get_logger(__name__)

_FAILED = object()


class CarrierTracker:
    def __init__(
        self,
        clients: Iterable[LiveTracking] = (),
        *,
        clock: Clock | None = None,
        deadline: float = 2.5,
        ttl_seconds: float = 300.0,
        failure_seconds: float = 60.0,
        max_entries: int = 5000,
    ) -> None:
        self.clients = {client.code: client for client in clients}
        self.clock = clock or SystemClock()
        self.deadline = deadline
        self.ttl_seconds = ttl_seconds
        self.failure_seconds = failure_seconds
        self.max_entries = max_entries
        self._cache: dict[tuple[str, str, str], tuple[float, object]] = {}

    def with_link(self, shipment: Shipment, language: str) -> Shipment:
        if shipment.tracking_url:
            return shipment
        link = tracking_link(shipment.carrier, shipment.tracking_number, language)
        return shipment.model_copy(update={"tracking_url": link}) if link else shipment

    async def refresh(self, shipment: Shipment, language: str) -> Shipment:
        """`shipment` with the carrier's live view when it answers in time; else as it is, with
        the carrier's link."""
        shipment = self.with_link(shipment, language)
        live = await self._live(shipment.carrier, shipment.tracking_number, language)
        if live is None:
            return shipment
        return shipment.model_copy(
            update={
                "status": live.status,
                "events": live.events or shipment.events,
                "expected_delivery": live.expected_delivery or shipment.expected_delivery,
            }
        )

    async def lookup(
        self, number: str, language: str, carrier: str | None = None
    ) -> Shipment | None:
        """A tracking number alone: the live answer of its carrier (from the number's format
        when not given), or None when no carrier we may ask knows it."""
        number = clean(number)
        for code in [carrier] if carrier else recognise(number):
            live = await self._live(code, number, language)
            if live is not None:
                return live
        return None

    async def _live(self, carrier: str, number: str, language: str) -> Shipment | None:
        client = self.clients.get(carrier)
        if client is None:
            return None
        key = (carrier, clean(number), language)
        now = self.clock.now().timestamp()
        cached = self._cache.get(key)
        if cached is not None and cached[0] > now:
            return None if cached[1] is _FAILED else cached[1]  # type: ignore[return-value]
        try:
            async with asyncio.timeout(self.deadline):
                answer: object = await client.track(key[1], language)
            ttl = self.ttl_seconds
        except CarrierUnavailable as exc:
            log.warning("carrier_unavailable", carrier=carrier, reason=exc.reason)
            answer, ttl = _FAILED, self.failure_seconds
        except TimeoutError:
            log.warning("carrier_unavailable", carrier=carrier, reason="timeout")
            answer, ttl = _FAILED, self.failure_seconds
        except Exception:
            log.exception("carrier_failed", carrier=carrier)
            answer, ttl = _FAILED, self.failure_seconds
        self._remember(key, now + ttl, answer)
        return answer if isinstance(answer, Shipment) else None

    def _remember(self, key: tuple[str, str, str], expires: float, answer: object) -> None:
        self._cache.pop(key, None)
        self._cache[key] = (expires, answer)
        while len(self._cache) > self.max_entries:
            self._cache.pop(next(iter(self._cache)))

    async def aclose(self) -> None:
        for client in self.clients.values():
            await client.aclose()
