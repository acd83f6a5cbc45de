"""Carriers: the normalized statuses, key-less tracking links, recognising a carrier from a
tracking number, and live status from the carriers' APIs with a fallback to the link."""

from samtale.shop.carriers.bring import BringTracking
from samtale.shop.carriers.dhl import DhlTracking
from samtale.shop.carriers.links import tracking_link
from samtale.shop.carriers.live import CarrierUnavailable, LiveTracking
from samtale.shop.carriers.names import carrier_code, display_name
from samtale.shop.carriers.numbers import carrier_for, recognise
from samtale.shop.carriers.postnord import PostNordTracking
from samtale.shop.carriers.statuses import STATUSES, normalize, status_text
from samtale.shop.carriers.tracker import CarrierTracker

__all__ = [
    "STATUSES",
    "BringTracking",
    "CarrierTracker",
    "CarrierUnavailable",
    "DhlTracking",
    "LiveTracking",
    "PostNordTracking",
    "carrier_code",
    "carrier_for",
    "display_name",
    "normalize",
    "recognise",
    "status_text",
    "tracking_link",
]
