"""DHL's Shipment Tracking - Unified API, with a `DHL-API-Key`.

    GET {base}/track/shipments?trackingNumber=…&language=…
    DHL-API-Key: the key

`shipments[]` carry `status` (the latest event: `timestamp`, `statusCode` — pre-transit,
transit, delivered, failure, unknown — `status`, `description`, `location.address
.addressLocality`), `estimatedTimeOfDelivery` and `events[]` of the same shape. Not found is a
404 problem document.
"""

from __future__ import annotations

from typing import Any

from samtale.infra.outgoing import OutgoingClient
from samtale.shop.carriers.links import tracking_link
from samtale.shop.carriers.live import CarrierUnavailable, get_json, parse_day, parse_time
from samtale.shop.carriers.statuses import EVENT_CODES, normalize
from samtale.shop.models import Shipment, ShipmentEvent

BASE_URL = "https://api-eu.dhl.com"
PATH = "/track/shipments"


class DhlTracking:
    code = "dhl"

    def __init__(
        self,
        api_key: str,
        *,
        base_url: str = BASE_URL,
        deadline: float = 2.0,
        private_addresses: bool = False,
        client: OutgoingClient | None = None,
    ) -> None:
        self._headers = {"DHL-API-Key": api_key, "Accept": "application/json"}
        self.deadline = deadline
        self.client = client or OutgoingClient(
            base_url=base_url, deadline=deadline, private_addresses=private_addresses
        )

    async def track(self, number: str, language: str) -> Shipment | None:
        data = await get_json(
            self.client,
            self.code,
            PATH,
            params={"trackingNumber": number, "language": language if language != "nb" else "no"},
            headers=self._headers,
            deadline=self.deadline,
        )
        if data is None:
            return None
        try:
            shipments = data["shipments"]
            if not shipments:
                return None
            return _shipment(shipments[0], number, language)
        except (KeyError, TypeError, ValueError, AttributeError):
            raise CarrierUnavailable(self.code, "malformed") from None

    async def aclose(self) -> None:
        await self.client.aclose()


def _event(raw: dict[str, Any]) -> ShipmentEvent | None:
    at = parse_time(raw.get("timestamp"))
    if at is None:
        return None
    status = normalize("dhl", raw.get("statusCode"))
    address = (raw.get("location") or {}).get("address") or {}
    return ShipmentEvent(
        at=at,
        code=EVENT_CODES[status] if status else "other",
        location=address.get("addressLocality"),
        description=raw.get("description") or raw.get("status"),
    )


def _shipment(raw: dict[str, Any], number: str, language: str) -> Shipment:
    events = [e for e in (_event(ev) for ev in raw.get("events") or []) if e is not None]
    latest = raw.get("status") or {}
    status = normalize("dhl", latest.get("statusCode"))
    if status is None:
        status = "in_transit" if events else "created"
    eta = parse_day(raw.get("estimatedTimeOfDelivery"))
    return Shipment(
        tracking_number=number,
        carrier="dhl",
        status=status,
        events=events,
        expected_delivery=eta,
        tracking_url=tracking_link("dhl", number, language),
    )
