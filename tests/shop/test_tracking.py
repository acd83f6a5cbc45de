"""Tracking: by order number and e-mail, or by tracking number alone; the neutral miss; rate
limits on failed look-ups; the tracking card and its dates in the shop's time zone."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from structlog.testing import capture_logs

from samtale.bot.actions import ActionContext
from samtale.demo.shop.connector import DemoConnector
from samtale.demo.shop.orders import DemoOrder, generate_orders
from samtale.demo.shop.store import ensure_demo_shop
from samtale.infra.database import Database
from samtale.infra.ratelimit import MemoryRateLimiter
from samtale.kernel.clock import ManualClock
from samtale.model import Tenant
from samtale.shop.models import PERSONAL_EVENT_CODES
from samtale.shop.service import ShopService
from samtale.shop.tracking import (
    BACKOFF_BASE_SECONDS,
    CONVERSATION_FAILURES,
    FREE_FAILURES,
    NUMBER_FAILURES,
    Tracking,
)
from tests.conftest import new_tenant

ORDERS = generate_orders()
CtxFactory = Callable[..., ActionContext]


def _order(status: str, method: str | None = None, country: str | None = None) -> DemoOrder:
    return next(
        o
        for o in ORDERS
        if o.status == status
        and len(o.shipments) == 1
        and (method is None or o.shipments[0].delivery_method == method)
        and (country is None or o.order.country == country)
    )


@pytest.fixture
def tracking(shops: ShopService, limiter: MemoryRateLimiter) -> Tracking:
    return Tracking(shops, limiter)


async def test_order_number_and_email_find_the_order(
    tracking: Tracking, demo_tenant: Tenant, make_ctx: CtxFactory
) -> None:
    demo = _order("in_transit", "pickup", "DK")
    ctx = make_ctx(
        demo_tenant,
        order_number=f"#{demo.order.order_number}",
        email=f"  {demo.email.upper()} ",
    )
    result = await tracking.track_order(ctx)
    assert result.outcome == "answered" and not result.offer_person
    intro, reply = result.replies
    assert demo.order.order_number in intro.text and intro.payload is None
    card = reply.payload
    assert card is not None and card["type"] == "tracking" and card["scope"] == "order"
    shipment = demo.shipments[0]
    assert card["tracking_number"] == shipment.tracking_number
    assert card["carrier"] == shipment.carrier and card["carrier_name"]
    assert card["status"] == "in_transit" and card["status_text"] == "På vej"
    assert card["order_number"] == demo.order.order_number
    assert shipment.pickup_point is not None
    assert card["pickup_point"]["name"] == shipment.pickup_point.name
    assert card["pickup_point"]["postal_code"] == shipment.pickup_point.postcode
    assert card["expected_delivery"] == shipment.expected_delivery.isoformat()  # type: ignore[union-attr]
    assert [e["code"] for e in card["events"]] == [e.code for e in shipment.timeline()]
    # The text says what the card shows.
    assert card["carrier_name"] in reply.text and "på vej" in reply.text
    assert card["expected_delivery_text"] in reply.text
    assert shipment.pickup_point.name in reply.text
    assert result.context["order_number"] == demo.order.order_number


async def test_a_miss_is_neutral(
    tracking: Tracking, demo_tenant: Tenant, make_ctx: CtxFactory
) -> None:
    demo = _order("delivered")
    other = _order("in_transit")
    attempts = [
        {"order_number": demo.order.order_number, "email": "someone.else@example.com"},
        {"order_number": "109999999", "email": demo.email},  # no such order
        {"order_number": demo.order.order_number, "email": other.email},  # another's e-mail
    ]
    answers = set()
    for slots in attempts:
        result = await tracking.track_order(make_ctx(demo_tenant, **slots))
        assert result.outcome == "not_found" and not result.offer_person
        assert all(r.payload is None for r in result.replies)
        answers.add(tuple(r.text for r in result.replies))
    assert len(answers) == 1


async def test_a_tracking_number_alone_reveals_nothing_personal(
    tracking: Tracking, demo_tenant: Tenant, make_ctx: CtxFactory
) -> None:
    for status in ("at_pickup_point", "delivered", "returned"):
        demo = _order(status, "pickup")
        shipment = demo.shipments[0]
        ctx = make_ctx(demo_tenant, tracking_number=shipment.tracking_number.lower())
        result = await tracking.track_shipment(ctx)
        assert result.outcome == "answered"
        (reply,) = result.replies
        card = reply.payload
        assert card is not None and card["scope"] == "shipment"
        assert card["status"] == status
        assert "order_number" not in card and card["pickup_point"] is None
        personal = [e for e in card["events"] if e["code"] in PERSONAL_EVENT_CODES]
        assert personal and all(e["location"] is None for e in personal)
        assert shipment.pickup_point is not None
        everything = reply.text + repr(card)
        for secret in (
            demo.order.order_number,
            demo.email,
            shipment.pickup_point.name,
            shipment.pickup_point.address or "",
            shipment.pickup_point.postcode or "",
        ):
            assert secret not in everything
        for line in demo.order.lines:
            assert line.name not in everything


async def test_an_unknown_tracking_number_is_a_neutral_miss(
    tracking: Tracking, demo_tenant: Tenant, make_ctx: CtxFactory
) -> None:
    result = await tracking.track_shipment(make_ctx(demo_tenant, tracking_number="RB000000000DK"))
    assert result.outcome == "not_found" and result.replies[0].payload is None


async def test_an_order_not_sent_yet_says_so(
    tracking: Tracking, demo_tenant: Tenant, make_ctx: CtxFactory
) -> None:
    demo = next(o for o in ORDERS if not o.shipments)
    result = await tracking.track_order(
        make_ctx(demo_tenant, language="en", order_number=demo.order.order_number, email=demo.email)
    )
    (reply,) = result.replies
    assert "hasn't been sent yet" in reply.text and reply.payload is None


async def test_failed_lookups_are_limited_per_conversation(
    tracking: Tracking, demo_tenant: Tenant, make_ctx: CtxFactory, clock: ManualClock
) -> None:
    demo = _order("in_transit")
    conversation = uuid.uuid4()

    def attempt(email: str, conv: uuid.UUID = conversation, number: str = "") -> ActionContext:
        return make_ctx(
            demo_tenant,
            conversation_id=conv,
            client_key=None,
            order_number=number or demo.order.order_number,
            email=email,
        )

    for i in range(CONVERSATION_FAILURES):  # a different number each time: the conversation
        wrong = attempt("wrong@example.com", number=f"1099{i:05d}")
        assert (await tracking.track_order(wrong)).outcome == "not_found"
    with capture_logs() as logs:
        refused = await tracking.track_order(attempt(demo.email))  # even the right one
        refused_shipment = await tracking.track_shipment(
            make_ctx(
                demo_tenant,
                conversation_id=conversation,
                client_key=None,
                tracking_number=demo.shipments[0].tracking_number,
            )
        )
    assert refused.outcome == "rate_limited" and refused.offer_person
    assert refused_shipment.outcome == "rate_limited"
    events = [e for e in logs if e.get("event") == "security_event"]
    assert events and events[0]["scope"] == "conversation"
    assert events[0]["log_level"] == "warning"
    logged = repr(logs)
    assert demo.order.order_number not in logged and demo.email not in logged
    # Another conversation is not affected, and the window passes.
    assert (await tracking.track_order(attempt(demo.email, uuid.uuid4()))).outcome == "answered"
    clock.advance(minutes=16)
    assert (await tracking.track_order(attempt(demo.email))).outcome == "answered"


async def test_failed_lookups_are_limited_per_client(
    tracking: Tracking, demo_tenant: Tenant, make_ctx: CtxFactory
) -> None:
    demo = _order("in_transit")
    client = f"client-{uuid.uuid4().hex}"
    for i in range(FREE_FAILURES["client"]):
        ctx = make_ctx(demo_tenant, client_key=client, tracking_number=f"RB{i:09d}DK")
        assert (await tracking.track_shipment(ctx)).outcome == "not_found"
    with capture_logs() as logs:
        result = await tracking.track_order(
            make_ctx(
                demo_tenant,
                client_key=client,
                order_number=demo.order.order_number,
                email=demo.email,
            )
        )
    assert result.outcome == "rate_limited"
    assert [e["scope"] for e in logs if e.get("event") == "security_event"] == ["client"]


async def test_card_dates_are_localized_in_the_tenants_time_zone(
    db: Database, clock: ManualClock, limiter: MemoryRateLimiter, make_ctx: CtxFactory
) -> None:
    demo = _order("in_transit")
    shipment = demo.shipments[0]
    cards = {}
    for zone in ("Europe/Copenhagen", "Europe/Helsinki"):
        tenant = await new_tenant(db, clock, time_zone=zone)
        async with db.transaction() as session:
            await ensure_demo_shop(session, tenant.id, clock)
        service = ShopService(db, clock, semantic=False, builtin=DemoConnector)
        tracking = Tracking(service, limiter)
        for lang in ("da", "sv", "nb", "fi", "en"):
            ctx = make_ctx(tenant, language=lang, tracking_number=shipment.tracking_number)
            (reply,) = (await tracking.track_shipment(ctx)).replies
            cards[(zone, lang)] = reply.payload
        await service.close()
    newest = shipment.timeline()[0].at
    for zone in ("Europe/Copenhagen", "Europe/Helsinki"):
        local = newest.astimezone(ZoneInfo(zone))
        assert cards[(zone, "en")]["events"][0]["time_text"].endswith(local.strftime("%H:%M"))  # type: ignore[index]
        assert cards[(zone, "en")]["time_zone"] == zone  # type: ignore[index]
    fi = cards[("Europe/Helsinki", "fi")]
    da = cards[("Europe/Copenhagen", "da")]
    assert fi is not None and da is not None
    assert fi["events"][0]["time_text"] != da["events"][0]["time_text"]
    assert shipment.expected_delivery is not None
    assert fi["expected_delivery_text"].endswith(_finnish_month(shipment.expected_delivery))
    assert len({cards[("Europe/Copenhagen", lang)]["status_text"] for lang in  # type: ignore[index]
                ("da", "sv", "fi", "en")}) == 4  # fmt: skip


def _finnish_month(day: date) -> str:
    months = ("tammikuuta", "helmikuuta", "maaliskuuta", "huhtikuuta", "toukokuuta", "kesäkuuta",
              "heinäkuuta", "elokuuta", "syyskuuta", "lokakuuta", "marraskuuta", "joulukuuta")  # fmt: skip
    return months[day.month - 1]


async def test_the_demo_timeline_follows_the_clock(
    tracking: Tracking, demo_tenant: Tenant, make_ctx: CtxFactory, clock: ManualClock
) -> None:
    demo = _order("in_transit")
    shipment = demo.shipments[0]
    clock.advance(days=40)
    ctx = make_ctx(demo_tenant, tracking_number=shipment.tracking_number)
    (reply,) = (await tracking.track_shipment(ctx)).replies
    card = reply.payload
    assert card is not None and shipment.expected_delivery is not None
    assert (
        card["expected_delivery"] == (shipment.expected_delivery + timedelta(days=40)).isoformat()
    )
    newest = datetime.fromisoformat(card["events"][0]["at"])
    assert newest == shipment.timeline()[0].at + timedelta(days=40)
    assert newest <= clock.now()


async def test_a_shop_without_a_connector_is_unavailable_and_offers_a_person(
    db: Database, clock: ManualClock, tracking: Tracking, make_ctx: CtxFactory
) -> None:
    tenant = await new_tenant(db, clock)
    result = await tracking.track_order(
        make_ctx(tenant, language="sv", order_number="104827361", email="a@example.com")
    )
    assert result.outcome == "unavailable" and result.offer_person
    assert "system" in result.replies[0].text


async def test_a_customer_with_a_few_typos_gets_through(
    tracking: Tracking, demo_tenant: Tenant, make_ctx: CtxFactory
) -> None:
    demo = _order("in_transit")
    conversation = uuid.uuid4()
    for typo in ("jens@exmaple.dk", "jens@example.dj", "jns@example.dk"):
        ctx = make_ctx(
            demo_tenant, conversation_id=conversation, order_number=demo.order.order_number,
            email=typo, client_key="client-typo",
        )  # fmt: skip
        assert (await tracking.track_order(ctx)).outcome == "not_found"
    ctx = make_ctx(
        demo_tenant, conversation_id=conversation, order_number=demo.order.order_number,
        email=demo.email, client_key="client-typo",
    )  # fmt: skip
    assert (await tracking.track_order(ctx)).outcome == "answered"


async def test_many_emails_for_one_order_are_stopped_across_conversations_and_addresses(
    tracking: Tracking, demo_tenant: Tenant, make_ctx: CtxFactory, clock: ManualClock
) -> None:
    """The known attack: wrong e-mails for one order from fresh conversations (and fresh
    addresses); the order number's own count stops it, with growing waits."""
    demo = _order("in_transit")
    now = clock.now().timestamp()
    clock.advance(seconds=3600 - now % 3600 + 1)  # at the start of a count window
    outcomes = []
    for i in range(40):
        ctx = make_ctx(
            demo_tenant, order_number=demo.order.order_number, email=f"guess{i}@example.com",
            client_key=f"client-{i}",
        )  # fmt: skip
        outcomes.append((await tracking.track_order(ctx)).outcome)
        clock.advance(seconds=BACKOFF_BASE_SECONDS + 1)
    tried = outcomes.count("not_found")
    assert FREE_FAILURES["number"] < tried <= NUMBER_FAILURES
    assert outcomes[: FREE_FAILURES["number"]] == ["not_found"] * FREE_FAILURES["number"]
    assert outcomes.count("rate_limited") >= 30  # 40 tries in 20 minutes: most of them wait
    # Even the right e-mail from a fresh conversation and address waits now.
    fresh = make_ctx(
        demo_tenant, order_number=demo.order.order_number, email=demo.email, client_key="new"
    )
    with capture_logs() as logs:
        assert (await tracking.track_order(fresh)).outcome == "rate_limited"
    assert [e["scope"] for e in logs if e.get("event") == "security_event"] == ["number"]
    # Another order is not affected.
    other = _order("delivered")
    ctx = make_ctx(demo_tenant, order_number=other.order.order_number, email=other.email)
    assert (await tracking.track_order(ctx)).outcome == "answered"
    clock.advance(minutes=61)
    assert (await tracking.track_order(fresh)).outcome == "answered"
