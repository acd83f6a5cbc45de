"""The normalized statuses: every source's codes land on the one list, labels exist in all five
languages, and the day of the event is said relative to now."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from samtale.shop.carriers.statuses import (
    _MAPS,
    EVENT_CODES,
    LABELS,
    STATUSES,
    normalize,
    status_text,
)

NOW = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)


def test_the_list_is_the_eight_statuses_with_five_languages_each() -> None:
    assert STATUSES == (
        "created",
        "handed_to_carrier",
        "in_transit",
        "out_for_delivery",
        "at_pickup_point",
        "delivered",
        "delayed",
        "returned",
    )
    for status in STATUSES:
        assert set(LABELS[status]) == {"da", "sv", "nb", "fi", "en"}
        assert all(LABELS[status].values())
        assert status in EVENT_CODES


def test_every_mapping_lands_on_the_list() -> None:
    for table in _MAPS.values():
        assert {v for v in table.values() if v is not None} <= set(STATUSES)


@pytest.mark.parametrize(
    ("source", "code", "status"),
    [
        ("shopify", "IN_TRANSIT", "in_transit"),
        ("shopify", "READY_FOR_PICKUP", "at_pickup_point"),
        ("shopify", "ATTEMPTED_DELIVERY", "delayed"),
        ("shopify", "PICKED_UP", "delivered"),
        ("shopify", "LABEL_VOIDED", None),
        ("woocommerce", "completed", "handed_to_carrier"),
        ("woocommerce", "on-hold", None),
        ("magento", "complete", "handed_to_carrier"),
        ("postnord", "EN_ROUTE", "in_transit"),
        ("postnord", "AVAILABLE_FOR_DELIVERY", "at_pickup_point"),
        ("postnord", "delivery impossible", "delayed"),
        ("bring", "TRANSPORT_TO_RECIPIENT", "out_for_delivery"),
        ("bring", "DELIVERED_SENDER", "returned"),
        ("dhl", "pre-transit", "created"),
        ("dhl", "failure", "delayed"),
        ("dhl", "something new", None),
        ("dhl", None, None),
    ],
)
def test_normalize(source: str, code: str | None, status: str | None) -> None:
    assert normalize(source, code) == status


def test_the_day_is_relative_to_the_event() -> None:
    tz = "Europe/Copenhagen"
    today = datetime(2026, 1, 5, 7, 30, tzinfo=UTC)
    yesterday = datetime(2026, 1, 4, 15, 0, tzinfo=UTC)
    week_old = datetime(2025, 12, 29, 8, 0, tzinfo=UTC)
    assert status_text("out_for_delivery", "da", at=today, now=NOW, time_zone=tz) == (
        "ude til levering i dag"
    )
    assert status_text("out_for_delivery", "sv", at=yesterday, now=NOW, time_zone=tz) == (
        "ute för leverans i går"
    )
    old = status_text("out_for_delivery", "en", at=week_old, now=NOW, time_zone=tz)
    assert "today" not in old and "29" in old and "December" in old
    assert "i dag" not in status_text("out_for_delivery", "nb", at=week_old, now=NOW, time_zone=tz)
    assert status_text("delivered", "fi", at=None, now=NOW, time_zone=tz) == "toimitettu"


def test_local_midnight_decides_the_day() -> None:
    # 23:30 UTC on the 4th is 00:30 on the 5th in Copenhagen: "today" there.
    late = datetime(2026, 1, 4, 23, 30, tzinfo=UTC)
    text = status_text("delivered", "da", at=late, now=NOW, time_zone="Europe/Copenhagen")
    assert text == "leveret i dag"
