"""What a carrier's live tracking client is, and how it calls.

A client answers `track(number, language)` with the carrier's view of the parcel as a
`Shipment` on the normalized statuses (None when the carrier does not know the number), or
raises `CarrierUnavailable` (wrong key, rate limited, slow, malformed). It never decides what the
customer sees: `tracker.CarrierTracker` does, falling back to the link.

Every call goes through the guarded outgoing client (`infra.outgoing`) with a short deadline;
the key travels in a header or parameter and never in a log line or an exception message.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, Protocol
from zoneinfo import ZoneInfo

import httpx

from samtale.infra.outgoing import BlockedAddress, OutgoingClient, UnresolvedHost
from samtale.shop.models import Shipment


class CarrierUnavailable(Exception):
    """The carrier did not answer usably; `reason` is a short code (`auth`, `rate_limited`,
    `status`, `timeout`, `connect`, `blocked`, `malformed`)."""

    def __init__(self, carrier: str, reason: str) -> None:
        super().__init__(f"{carrier}: {reason}")
        self.carrier = carrier
        self.reason = reason


class LiveTracking(Protocol):
    code: str

    async def track(self, number: str, language: str) -> Shipment | None: ...

    async def aclose(self) -> None: ...


async def get_json(
    client: OutgoingClient,
    carrier: str,
    path: str,
    *,
    params: dict[str, str],
    headers: dict[str, str] | None = None,
    deadline: float,
    not_found: tuple[int, ...] = (404,),
) -> Any:
    """The JSON body of a GET; None for a `not_found` status; `CarrierUnavailable` otherwise."""
    try:
        response = await client.get(path, params=params, headers=headers, deadline=deadline)
    except BlockedAddress:
        raise CarrierUnavailable(carrier, "blocked") from None
    except httpx.TimeoutException:
        raise CarrierUnavailable(carrier, "timeout") from None
    except (httpx.TransportError, UnresolvedHost):
        raise CarrierUnavailable(carrier, "connect") from None
    if response.status_code in not_found:
        return None
    if response.status_code in (401, 403):
        raise CarrierUnavailable(carrier, "auth")
    if response.status_code == 429:
        raise CarrierUnavailable(carrier, "rate_limited")
    if response.status_code >= 300:
        raise CarrierUnavailable(carrier, "status")
    try:
        return response.json()
    except ValueError:
        raise CarrierUnavailable(carrier, "malformed") from None


def parse_time(value: Any, zone: str = "Europe/Copenhagen") -> datetime | None:
    """An ISO time; one without an offset is read in the carrier's local `zone`."""
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(zone))
    return moment.astimezone(UTC)


def parse_day(value: Any, zone: str = "Europe/Copenhagen") -> date | None:
    """The calendar day of an ISO time in the carrier's `zone` (an expected delivery at
    midnight +01:00 is that day, not the evening before in UTC)."""
    moment = parse_time(value, zone)
    return moment.astimezone(ZoneInfo(zone)).date() if moment else None
