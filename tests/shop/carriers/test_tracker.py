"""Live status from PostNord, Bring and DHL stand-ins over real HTTP, the cache, and the fallback
to the link whenever a carrier is wrong-keyed, rate-limited, slow or malformed."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta

import pytest

from samtale.kernel.clock import ManualClock
from samtale.shop.carriers.bring import BringTracking
from samtale.shop.carriers.dhl import DhlTracking
from samtale.shop.carriers.live import CarrierUnavailable
from samtale.shop.carriers.postnord import PostNordTracking
from samtale.shop.carriers.tracker import CarrierTracker
from samtale.shop.models import Shipment
from tests.shop.standins.carriers import (
    BRING_KEY,
    BRING_NUMBER,
    BRING_UID,
    DHL_KEY,
    DHL_NUMBER,
    POSTNORD_KEY,
    POSTNORD_NUMBER,
    CarrierSwitches,
    bring_app,
    dhl_app,
    postnord_app,
)
from tests.shop.standins.serving import serving

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


@pytest.fixture
async def postnord() -> AsyncIterator[tuple[str, CarrierSwitches]]:
    switches = CarrierSwitches()
    async with serving(postnord_app(switches)) as url:
        yield url, switches


@pytest.fixture
async def bring() -> AsyncIterator[tuple[str, CarrierSwitches]]:
    switches = CarrierSwitches()
    async with serving(bring_app(switches)) as url:
        yield url, switches


@pytest.fixture
async def dhl() -> AsyncIterator[tuple[str, CarrierSwitches]]:
    switches = CarrierSwitches()
    async with serving(dhl_app(switches)) as url:
        yield url, switches


def _shop_shipment(carrier: str, number: str) -> Shipment:
    return Shipment(tracking_number=number, carrier=carrier, status="handed_to_carrier")


async def test_postnord_live_status(postnord: tuple[str, CarrierSwitches]) -> None:
    url, _ = postnord
    client = PostNordTracking(POSTNORD_KEY, base_url=url, private_addresses=True)
    shipment = await client.track(POSTNORD_NUMBER, "da")
    assert shipment is not None
    assert shipment.status == "in_transit" and shipment.carrier == "postnord"
    assert shipment.expected_delivery == date(2026, 1, 6)
    latest = shipment.timeline()[0]
    assert latest.description == "Forsendelsen er ude til levering"  # in the asked language
    assert latest.at == datetime(2026, 1, 5, 5, 40, tzinfo=UTC)  # local time read as CET
    assert latest.location == "Brøndby"
    assert shipment.tracking_url == f"https://tracking.postnord.com/dk/?id={POSTNORD_NUMBER}"
    assert await client.track("RB000000000DK", "da") is None
    wrong = PostNordTracking("nope", base_url=url, private_addresses=True)
    with pytest.raises(CarrierUnavailable) as caught:
        await wrong.track(POSTNORD_NUMBER, "da")
    assert caught.value.reason == "auth" and "nope" not in str(caught.value)
    await client.aclose()
    await wrong.aclose()


async def test_bring_live_status(bring: tuple[str, CarrierSwitches]) -> None:
    url, _ = bring
    client = BringTracking(
        BRING_UID, BRING_KEY, "https://shop.example", base_url=url, private_addresses=True
    )
    shipment = await client.track(BRING_NUMBER, "nb")
    assert shipment is not None
    assert shipment.status == "at_pickup_point"  # the newest event's status
    assert shipment.timeline()[0].code == "at_pickup_point"
    assert shipment.timeline()[0].description == "Sendingen er klar til henting"
    assert shipment.expected_delivery == date(2026, 1, 6)
    assert await client.track("370700000000000000", "nb") is None
    wrong = BringTracking(BRING_UID, "bad", "https://shop.example", base_url=url,
                          private_addresses=True)  # fmt: skip
    with pytest.raises(CarrierUnavailable, match="auth"):
        await wrong.track(BRING_NUMBER, "nb")
    await client.aclose()
    await wrong.aclose()


async def test_dhl_live_status(dhl: tuple[str, CarrierSwitches]) -> None:
    url, _ = dhl
    client = DhlTracking(DHL_KEY, base_url=url, private_addresses=True)
    shipment = await client.track(DHL_NUMBER, "sv")
    assert shipment is not None
    assert shipment.status == "delivered"
    assert [e.code for e in shipment.timeline()] == ["delivered", "other"]
    assert shipment.timeline()[0].location == "Hamburg"
    assert await client.track("340400000000000000", "sv") is None  # a 404 problem document
    wrong = DhlTracking("bad", base_url=url, private_addresses=True)
    with pytest.raises(CarrierUnavailable, match="auth"):
        await wrong.track(DHL_NUMBER, "sv")
    await client.aclose()
    await wrong.aclose()


async def test_the_tracker_lays_live_status_over_the_shops_and_caches_it(
    postnord: tuple[str, CarrierSwitches],
) -> None:
    url, switches = postnord
    clock = ManualClock(T0)
    tracker = CarrierTracker(
        [PostNordTracking(POSTNORD_KEY, base_url=url, private_addresses=True)],
        clock=clock,
        ttl_seconds=60,
    )
    shop = _shop_shipment("postnord", POSTNORD_NUMBER)
    first = await tracker.refresh(shop, "da")
    assert first.status == "in_transit" and len(first.events) == 2
    assert first.tracking_url and POSTNORD_NUMBER in first.tracking_url
    await tracker.refresh(shop, "da")
    assert switches.hits == 1  # cached
    clock.advance(timedelta(seconds=61))
    await tracker.refresh(shop, "da")
    assert switches.hits == 2  # expired
    await tracker.refresh(shop, "en")
    assert switches.hits == 3  # another language is another answer
    await tracker.aclose()


@pytest.mark.parametrize("failure", ["slow", "rate_limited", "malformed", "wrong_key"])
async def test_a_failing_carrier_falls_back_to_the_link(
    postnord: tuple[str, CarrierSwitches], failure: str
) -> None:
    url, switches = postnord
    switches.delay = 2.0 if failure == "slow" else 0.0
    switches.rate_limited = failure == "rate_limited"
    switches.malformed = failure == "malformed"
    key = "wrong" if failure == "wrong_key" else POSTNORD_KEY
    clock = ManualClock(T0)
    tracker = CarrierTracker(
        [PostNordTracking(key, base_url=url, private_addresses=True, deadline=5)],
        clock=clock,
        deadline=0.3,
        failure_seconds=30,
    )
    shop = _shop_shipment("postnord", POSTNORD_NUMBER)
    start = time.monotonic()
    shown = await tracker.refresh(shop, "sv")
    assert time.monotonic() - start < 1.5
    assert shown.status == "handed_to_carrier"  # the shop's own view
    assert shown.tracking_url == f"https://tracking.postnord.com/se/?id={POSTNORD_NUMBER}"
    hits = switches.hits
    again = await tracker.refresh(shop, "sv")  # the failure is remembered briefly
    assert again == shown and switches.hits == hits
    await tracker.aclose()


async def test_a_carrier_without_credentials_gets_the_link() -> None:
    tracker = CarrierTracker([], clock=ManualClock(T0))
    shown = await tracker.refresh(_shop_shipment("gls", "12345678901"), "da")
    assert shown.tracking_url == "https://gls-group.com/DK/da/find-pakke?match=12345678901"
    unknown = await tracker.refresh(_shop_shipment("pigeon", "1"), "da")
    assert unknown.tracking_url is None


async def test_a_bare_number_is_tracked_by_the_carrier_its_format_names(
    bring: tuple[str, CarrierSwitches], dhl: tuple[str, CarrierSwitches]
) -> None:
    tracker = CarrierTracker(
        [
            BringTracking(BRING_UID, BRING_KEY, "https://shop.example", base_url=bring[0],
                          private_addresses=True),
            DhlTracking(DHL_KEY, base_url=dhl[0], private_addresses=True),
        ],
        clock=ManualClock(T0),
    )  # fmt: skip
    found = await tracker.lookup(" 3707 0123 4567 8901 25 ", "nb")
    assert found is not None and found.carrier == "bring"
    assert (await tracker.lookup(DHL_NUMBER, "da")) is not None
    assert await tracker.lookup("RB123456785DK", "da") is None  # PostNord: no credentials
    assert dhl[1].hits == 1 and bring[1].hits == 1
    await tracker.aclose()


async def test_carriers_on_private_addresses_are_refused_by_default(
    dhl: tuple[str, CarrierSwitches],
) -> None:
    client = DhlTracking(DHL_KEY, base_url=dhl[0])
    with pytest.raises(CarrierUnavailable, match="blocked"):
        await client.track(DHL_NUMBER, "da")
    await client.aclose()
    assert dhl[1].hits == 0
