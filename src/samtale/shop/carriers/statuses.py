"""One list of where a parcel is, in five languages, and every platform's and carrier's words
for it mapped onto that list.

The list is `models.ShipmentStatus` (the demo shop and the HTTP connector already speak it):

    created            registered: the label exists, the carrier has not seen the parcel
    handed_to_carrier  handed in
    in_transit         in transit
    out_for_delivery   out for delivery
    at_pickup_point    ready for pickup
    delivered          delivered
    delayed            delayed or failed (an attempt, a deviation, a refusal)
    returned           on its way back or back with the sender

Each source has its own vocabulary: Shopify's `FulfillmentDisplayStatus`, WooCommerce's order
statuses, Magento's order states, PostNord's, Bring's and DHL's status codes. `normalize(source,
code)` reads them all (case and separators do not matter) and answers None for a code that
says nothing about where the parcel is (a voided label, a cancelled fulfillment).

A status is only true when it happened: "out for delivery" from a week ago is not "today".
`status_text` says the status with the day of the event relative to now ("i dag", "i går", or
the date), in the shop's time zone.
"""

from __future__ import annotations

from datetime import datetime
from typing import cast

from samtale.shop.formatting import day, local
from samtale.shop.models import SHIPMENT_STATUSES, L, ShipmentStatus
from samtale.shop.texts import pick_text

STATUSES: tuple[ShipmentStatus, ...] = cast(tuple[ShipmentStatus, ...], SHIPMENT_STATUSES)

LABELS: dict[str, dict[str, str]] = {
    "created": L("registreret hos fragtfirmaet", "registrerat hos fraktbolaget",
                 "registrert hos transportøren", "rekisteröity kuljetusyhtiölle",
                 "registered with the carrier"),
    "handed_to_carrier": L("afleveret til fragtfirmaet", "inlämnat till fraktbolaget",
                           "levert til transportøren", "luovutettu kuljetusyhtiölle",
                           "handed to the carrier"),
    "in_transit": L("på vej", "på väg", "på vei", "matkalla", "in transit"),
    "out_for_delivery": L("ude til levering", "ute för leverans", "ute for levering",
                          "jakelussa", "out for delivery"),
    "at_pickup_point": L("klar til afhentning", "redo att hämtas", "klar til henting",
                         "valmis noudettavaksi", "ready for pickup"),
    "delivered": L("leveret", "levererat", "levert", "toimitettu", "delivered"),
    "delayed": L("forsinket eller ikke leveret", "försenat eller inte levererat",
                 "forsinket eller ikke levert", "viivästynyt tai toimitus epäonnistui",
                 "delayed or not delivered"),
    "returned": L("sendt retur til afsenderen", "returnerat till avsändaren",
                  "returnert til avsenderen", "palautettu lähettäjälle",
                  "returned to the sender"),
}  # fmt: skip

_TODAY = L("i dag", "i dag", "i dag", "tänään", "today")
_YESTERDAY = L("i går", "i går", "i går", "eilen", "yesterday")
_ON = L("{day}", "{day}", "{day}", "{day}", "on {day}")


def label(status: str, language: str) -> str:
    return pick_text(LABELS.get(status, LABELS["in_transit"]), language)


def status_text(
    status: str, language: str, *, at: datetime | None, now: datetime, time_zone: str
) -> str:
    """The status with the day it happened, relative to `now`: "ude til levering i dag",
    "ute för leverans i går", "out for delivery on Monday 29 December"."""
    text = label(status, language)
    if at is None:
        return text
    then, today = local(at, time_zone).date(), local(now, time_zone).date()
    delta = (today - then).days
    if delta == 0:
        when = pick_text(_TODAY, language)
    elif delta == 1:
        when = pick_text(_YESTERDAY, language)
    else:
        when = pick_text(_ON, language).format(day=day(then, language))
    return f"{text} {when}"


def _key(code: str) -> str:
    return code.strip().upper().replace("-", "_").replace(" ", "_")


S = ShipmentStatus
_MAPS: dict[str, dict[str, ShipmentStatus | None]] = {
    # Shopify Admin GraphQL `FulfillmentDisplayStatus` (and `FulfillmentEventStatus`).
    "shopify": {
        "LABEL_PURCHASED": "created", "LABEL_PRINTED": "created", "SUBMITTED": "created",
        "CONFIRMED": "created", "LABEL_VOIDED": None, "CANCELED": None,
        "FULFILLED": "handed_to_carrier", "MARKED_AS_FULFILLED": "handed_to_carrier",
        "CARRIER_PICKED_UP": "handed_to_carrier", "IN_TRANSIT": "in_transit",
        "OUT_FOR_DELIVERY": "out_for_delivery", "READY_FOR_PICKUP": "at_pickup_point",
        "ATTEMPTED_DELIVERY": "delayed", "DELAYED": "delayed", "FAILURE": "delayed",
        "NOT_DELIVERED": "delayed", "DELIVERED": "delivered", "PICKED_UP": "delivered",
    },
    # WooCommerce order statuses: a shipment exists once the order is completed.
    "woocommerce": {
        "COMPLETED": "handed_to_carrier", "PROCESSING": None, "ON_HOLD": None, "PENDING": None,
        "CANCELLED": None, "REFUNDED": None, "FAILED": None, "CHECKOUT_DRAFT": None,
    },
    # Magento order states and statuses.
    "magento": {
        "COMPLETE": "handed_to_carrier", "PROCESSING": "handed_to_carrier", "NEW": None,
        "PENDING": None, "PENDING_PAYMENT": None, "HOLDED": None, "CANCELED": None,
        "CLOSED": None, "PAYMENT_REVIEW": None,
    },
    # PostNord track and trace: shipment, item and event `status`.
    "postnord": {
        "CREATED": "created", "INFORMED": "created", "EN_ROUTE": "in_transit",
        "AVAILABLE_FOR_DELIVERY": "at_pickup_point",
        "AVAILABLE_FOR_DELIVERY_PAR_LOC": "at_pickup_point",
        "DELAYED": "delayed", "EXPECTED_DELAY": "delayed", "DELIVERY_IMPOSSIBLE": "delayed",
        "DELIVERY_REFUSED": "delayed", "STOPPED": "delayed", "DELIVERED": "delivered",
        "RETURNED": "returned", "OTHER": None, "SPLIT": None,
    },
    # Bring / Posten tracking API v2 event `status`.
    "bring": {
        "PRE_NOTIFIED": "created", "HANDED_IN": "handed_to_carrier", "IN_TRANSIT": "in_transit",
        "TERMINAL": "in_transit", "INTERNATIONAL": "in_transit", "CUSTOMS": "in_transit",
        "TRANSPORT_TO_RECIPIENT": "out_for_delivery", "READY_FOR_PICKUP": "at_pickup_point",
        "NOTIFICATION_SENT": "at_pickup_point", "ATTEMPTED_DELIVERY": "delayed",
        "DEVIATION": "delayed", "DELIVERED": "delivered", "COLLECTED": "delivered",
        "RETURN": "returned", "DELIVERED_SENDER": "returned",
    },
    # DHL Shipment Tracking - Unified `statusCode`.
    "dhl": {
        "PRE_TRANSIT": "created", "TRANSIT": "in_transit", "DELIVERED": "delivered",
        "FAILURE": "delayed", "UNKNOWN": None,
    },
}  # fmt: skip
SOURCES = tuple(_MAPS)


def normalize(source: str, code: str | None) -> ShipmentStatus | None:
    """`source`'s `code` on the one list; None when unknown or when it says nothing."""
    if not code:
        return None
    return _MAPS[source].get(_key(code))


# The event code (`ShipmentEvent.code`) a status's event carries, so the card words it and a
# tracking-number-only look-up hides the location of events at the recipient's door.
EVENT_CODES: dict[str, str] = {
    "created": "created",
    "handed_to_carrier": "handed_to_carrier",
    "in_transit": "other",
    "out_for_delivery": "out_for_delivery",
    "at_pickup_point": "at_pickup_point",
    "delivered": "delivered",
    "delayed": "delayed",
    "returned": "returned",
}
