"""Nobody is left waiting: when the last agent leaves, the waiting customers are told at once
and offered the offline form; a customer who is gone (no connection, no poll) longer than the
shop's grace period leaves the queue, and one back within it keeps their place."""

from __future__ import annotations

import uuid
from datetime import timedelta

import httpx
from prometheus_client import generate_latest
from sqlalchemy import update

from samtale.app.container import Container
from samtale.conversations.responder import ConversationContext
from samtale.infra.hub import conversation_channel
from samtale.kernel.clock import ManualClock
from samtale.live.service import LiveService
from samtale.model import OfflineMessage, Tenant
from tests.conftest import start_conversation
from tests.live.conftest import make_shop, queued_customer


async def _messages(api: httpx.AsyncClient, conv: dict) -> dict:
    r = await api.get(
        f"/api/v1/conversations/{conv['conversation_id']}/messages", headers=conv["headers"]
    )
    assert r.status_code == 200
    return r.json()


async def test_the_last_agent_going_offline_tells_the_queue_at_once(
    rt: Container, api: httpx.AsyncClient, shop: Tenant, login, live: LiveService
) -> None:
    sofie = await login(shop)
    mads = await login(shop, name="Mads")
    await sofie.post("/presence", {"status": "online"})
    await mads.post("/presence", {"status": "online"})
    first = await queued_customer(api, shop)
    second = await queued_customer(api, shop, language="en")
    # One of two leaving changes nothing for the queue.
    await mads.post("/presence", {"status": "offline"})
    assert (await _messages(api, first))["state"] == "queued"
    async with rt.hub.subscribe(conversation_channel(first["id"])) as sub:
        await sofie.post("/presence", {"status": "away"})
        events = [await sub.get(), await sub.get()]
    assert [e["type"] for e in events] == ["message", "state"]
    line = events[0]["message"]
    assert line["author"] == "system"
    assert line["text"].startswith("Der er desværre ingen fra kundeservice ledige længere")
    assert line["payload"]["type"] == "offline_form"
    assert line["payload"]["reason"] == "no_agents"
    # No history of answers by e-mail yet: no estimate, rather than a made-up one.
    assert "plejer" not in line["text"] and line["payload"]["reply_within_seconds"] is None
    assert events[1]["state"] == "bot"
    # Each in their own language; nobody is counted as waiting any more.
    english = await _messages(api, second)
    assert english["state"] == "bot"
    assert english["messages"][-1]["text"].startswith("Sorry, nobody from customer service")
    assert (
        f'samtale_queue_length{{tenant="{shop.id}"}} 0.0'
        in generate_latest(rt.metrics.registry).decode()
    )
    r = await api.get(
        f"/api/v1/conversations/{first['conversation_id']}/handoff", headers=first["headers"]
    )
    assert r.json()["status"] == "left" and r.json()["position"] is None
    # Nothing more on the next sweep.
    report = await live.sweep(shop.id)
    assert (report.released, report.left_away) == (0, 0)


async def test_a_console_gone_past_the_grace_and_closing_time_release_the_queue(
    rt: Container, api: httpx.AsyncClient, login, live: LiveService, clock: ManualClock
) -> None:
    shop = await make_shop(rt, customer_grace_seconds=3600)
    sofie = await login(shop)
    await sofie.post("/presence", {"status": "online"})
    conv = await queued_customer(api, shop)
    # Her console goes quiet: the queue waits for her within the grace period...
    clock.advance(seconds=90)
    assert (await live.sweep(shop.id)).released == 0
    await sofie.post("/heartbeat")
    clock.advance(seconds=100)
    assert (await live.sweep(shop.id)).released == 0
    # ... and lets go once she is gone longer (outside it: at closing time, the same).
    clock.advance(seconds=130)
    assert (await live.sweep(shop.id)).released == 1
    data = await _messages(api, conv)
    assert data["state"] == "bot" and data["messages"][-1]["payload"]["type"] == "offline_form"

    other = await make_shop(rt, customer_grace_seconds=3600)
    clock.advance(hours=6, minutes=40)  # 16:45 in Copenhagen
    mads = await login(other, name="Mads")
    await mads.post("/presence", {"status": "online"})
    late = await queued_customer(api, other)
    clock.advance(minutes=20)  # 17:05: closed
    await mads.post("/heartbeat", None)
    assert (await live.sweep(other.id)).released == 1
    last = (await _messages(api, late))["messages"][-1]
    assert last["text"].startswith("Kundeservice har lukket nu")
    assert "tirsdag 6. januar kl. 09.00" in last["text"]
    assert last["payload"]["next_open"]


async def test_a_customer_gone_past_the_grace_leaves_the_queue(
    rt: Container, api: httpx.AsyncClient, shop: Tenant, login, live: LiveService, clock
) -> None:
    sofie = await login(shop)
    await sofie.post("/presence", {"status": "online"})
    gone = await queued_customer(api, shop)
    polling = await queued_customer(api, shop)
    back = await queued_customer(api, shop)
    for step in range(3):
        clock.advance(seconds=50)
        await sofie.post("/heartbeat")
        await _messages(api, polling)  # a poll is a sign of presence
        if step == 1:
            await _messages(api, back)  # the third comes back after 100 s
        assert (await live.sweep(shop.id)).left_away == (1 if step == 2 else 0)
    # 150 s: the first customer, never heard of since joining, has left; the one who polls
    # has not; the third, back within the grace, keeps their place.
    r = await api.get(
        f"/api/v1/conversations/{gone['conversation_id']}/handoff", headers=gone["headers"]
    )
    assert r.json()["state"] == "bot" and r.json()["status"] == "left"
    assert (await _messages(api, gone))["messages"][-1]["text"].startswith(
        "Du var væk et stykke tid"
    )
    r = await api.get(
        f"/api/v1/conversations/{polling['conversation_id']}/handoff", headers=polling["headers"]
    )
    assert r.json()["position"] == 1
    queue = (await sofie.get("/queue")).json()["queue"]
    assert [q["conversation_id"] for q in queue] == [
        polling["conversation_id"],
        back["conversation_id"],
    ]


async def test_within_opening_hours_the_queue_gets_an_honest_estimate_of_the_answer(
    rt: Container, api: httpx.AsyncClient, shop: Tenant, login, clock: ManualClock
) -> None:
    """The estimate comes from how long the team took to answer messages left while nobody was
    there: three in four of the last 30 days' answers came within it, rounded up."""
    spans = [20, 40, 70, 90, 180]  # minutes (five: the least the estimate is made from)
    for i, minutes in enumerate(spans):
        r = await api.post(
            f"/api/v1/widget/{shop.widget_key}/offline-messages",
            json={"email": f"kunde{i}@kundepost.dk", "text": "Hvornår kommer min pakke?"},
            headers={"origin": "https://shop.example"},
        )
        assert r.status_code == 201
        created = clock.now() - timedelta(days=2)
        async with rt.db.transaction() as session:
            await session.execute(
                update(OfflineMessage)
                .where(OfflineMessage.id == uuid.UUID(r.json()["id"]))
                .values(
                    created_at=created,
                    answered_at=created + timedelta(minutes=minutes),
                    status="answered",
                )
            )
    sofie = await login(shop)
    await sofie.post("/presence", {"status": "online"})
    waiting = await queued_customer(api, shop)
    english = await queued_customer(api, shop, language="en")
    await sofie.post("/presence", {"status": "offline"})
    line = (await _messages(api, waiting))["messages"][-1]
    assert line["text"].endswith("Vi plejer at svare inden for 2 timer.")
    assert line["payload"]["reply_within_seconds"] == 90 * 60
    assert (await _messages(api, english))["messages"][-1]["text"].endswith(
        "We usually answer within 2 hours."
    )
    # The bot says the same to the next customer who asks for a person.
    conv = await start_conversation(api, shop.widget_key, language="sv")
    ctx = ConversationContext(
        uuid.UUID(conv["conversation_id"]), shop.id, "sv", "bot", False, {}, clock.now()
    )
    [reply] = await rt.live.offer(ctx)
    assert reply.text.endswith("Vi brukar svara inom 2 timmar.")
    # Outside opening hours the customer is told when the team is back instead.
    clock.advance(timedelta(hours=12))
    [reply] = await rt.live.offer(ctx)
    assert reply.payload["reason"] == "closed" and "brukar svara" not in reply.text
