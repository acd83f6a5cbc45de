"""Bring's (Posten's) tracking API, v2, with Mybring API credentials.

    GET {base}/tracking/api/v2/tracking.json?q=…&lang=…
    X-Mybring-API-Uid: the Mybring login · X-Mybring-API-Key: its API key
    X-Bring-Client-URL: the URL of the site calling (the shop's)

`consignmentSet[].packageSet[].eventSet[]` holds events newest first, each with a `status`
code, a `description`, `dateIso` (with offset), `city` and `countryCode`. A consignment with an
`error` (code 404, "not found") is not found.
"""

from __future__ import annotations

from typing import Any

from samtale.infra.outgoing import OutgoingClient
from samtale.shop.carriers.links import tracking_link
from samtale.shop.carriers.live import CarrierUnavailable, get_json, parse_day, parse_time
from samtale.shop.carriers.statuses import EVENT_CODES, normalize
from samtale.shop.models import Shipment, ShipmentEvent

BASE_URL = "https://api.bring.com"
PATH = "/tracking/api/v2/tracking.json"
_LANGS = {"da": "da", "sv": "sv", "nb": "no", "fi": "en", "en": "en"}


class BringTracking:
    code = "bring"

    def __init__(
        self,
        uid: str,
        api_key: str,
        client_url: str,
        *,
        base_url: str = BASE_URL,
        deadline: float = 2.0,
        private_addresses: bool = False,
        client: OutgoingClient | None = None,
    ) -> None:
        self._headers = {
            "X-Mybring-API-Uid": uid,
            "X-Mybring-API-Key": api_key,
            "X-Bring-Client-URL": client_url,
            "Accept": "application/json",
        }
        self.deadline = deadline
        self.client = client or OutgoingClient(
            base_url=base_url, deadline=deadline, private_addresses=private_addresses
        )

    async def track(self, number: str, language: str) -> Shipment | None:
        data = await get_json(
            self.client,
            self.code,
            PATH,
            params={"q": number, "lang": _LANGS.get(language, "en")},
            headers=self._headers,
            deadline=self.deadline,
        )
        if data is None:
            return None
        try:
            consignments = data["consignmentSet"]
            if not consignments or consignments[0].get("error"):
                return None
            packages = consignments[0].get("packageSet") or []
            if not packages:
                return None
            return _shipment(packages[0], number, language)
        except (KeyError, TypeError, ValueError, AttributeError):
            raise CarrierUnavailable(self.code, "malformed") from None

    async def aclose(self) -> None:
        await self.client.aclose()


def _shipment(package: dict[str, Any], number: str, language: str) -> Shipment:
    events: list[ShipmentEvent] = []
    newest = None
    for event in package.get("eventSet") or []:
        at = parse_time(event.get("dateIso"), "Europe/Oslo")
        if at is None:
            continue
        status = normalize("bring", event.get("status"))
        if newest is None or at > newest[0]:
            newest = (at, status)
        events.append(
            ShipmentEvent(
                at=at,
                code=EVENT_CODES[status] if status else "other",
                location=event.get("city") or None,
                description=event.get("description"),
            )
        )
    status = newest[1] if newest and newest[1] else ("in_transit" if events else "created")
    eta = parse_day(package.get("dateOfEstimatedDelivery"), "Europe/Oslo")
    return Shipment(
        tracking_number=number,
        carrier="bring",
        status=status,
        events=events,
        expected_delivery=eta,
        tracking_url=tracking_link("bring", number, language),
    )
