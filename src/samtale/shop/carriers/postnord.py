"""PostNord's track and trace API (`findByIdentifier`, v5), with the shop's or operator's
`apikey`.

    GET {base}/rest/shipment/v5/trackandtrace/findByIdentifier.json?apikey=…&id=…&locale=da

The answer's `TrackingInformationResponse.shipments[]` carry a `status`, an
`estimatedTimeOfArrival`, and `items[].events[]` with `eventTime` (local time, no offset),
`status`, `eventDescription` (in the requested locale) and a `location.displayName`. An empty
`shipments` list is "not found".
"""

from __future__ import annotations

from typing import Any

from samtale.infra.outgoing import OutgoingClient
from samtale.shop.carriers.links import tracking_link
from samtale.shop.carriers.live import CarrierUnavailable, get_json, parse_day, parse_time
from samtale.shop.carriers.statuses import EVENT_CODES, normalize
from samtale.shop.models import Shipment, ShipmentEvent

BASE_URL = "https://api2.postnord.com"
PATH = "/rest/shipment/v5/trackandtrace/findByIdentifier.json"
_LOCALES = {"da": "da", "sv": "sv", "nb": "no", "fi": "fi", "en": "en"}


class PostNordTracking:
    code = "postnord"

    def __init__(
        self,
        api_key: str,
        *,
        base_url: str = BASE_URL,
        deadline: float = 2.0,
        private_addresses: bool = False,
        client: OutgoingClient | None = None,
    ) -> None:
        self._key = api_key
        self.deadline = deadline
        self.client = client or OutgoingClient(
            base_url=base_url, deadline=deadline, private_addresses=private_addresses
        )

    async def track(self, number: str, language: str) -> Shipment | None:
        params = {"apikey": self._key, "id": number, "locale": _LOCALES.get(language, "en")}
        data = await get_json(self.client, self.code, PATH, params=params, deadline=self.deadline)
        if data is None:
            return None
        try:
            shipments = data["TrackingInformationResponse"]["shipments"]
            if not shipments:
                return None
            return _shipment(shipments[0], number, language)
        except (KeyError, TypeError, ValueError, IndexError):
            raise CarrierUnavailable(self.code, "malformed") from None

    async def aclose(self) -> None:
        await self.client.aclose()


def _shipment(raw: dict[str, Any], number: str, language: str) -> Shipment:
    events: list[ShipmentEvent] = []
    for item in raw.get("items") or []:
        for event in item.get("events") or []:
            at = parse_time(event.get("eventTime"))
            if at is None:
                continue
            status = normalize("postnord", event.get("status"))
            location = (event.get("location") or {}).get("displayName")
            events.append(
                ShipmentEvent(
                    at=at,
                    code=EVENT_CODES[status] if status else "other",
                    location=location,
                    description=event.get("eventDescription"),
                )
            )
    status = normalize("postnord", raw.get("status"))
    if status is None:
        status = "in_transit" if events else "created"
    eta = parse_day(raw.get("estimatedTimeOfArrival"))
    return Shipment(
        tracking_number=number,
        carrier="postnord",
        status=status,
        events=events,
        expected_delivery=eta,
        tracking_url=tracking_link("postnord", number, language),
    )
