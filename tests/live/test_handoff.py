"""The customer's side: the widget config's form and availability, the pre-chat form's
validation, the queue with positions and waits, leaving it, the bot's answer when nobody is
there, rating after an agent closes."""

from __future__ import annotations

import uuid
from datetime import timedelta

import httpx
from prometheus_client import generate_latest

from samtale.app.container import Container
from samtale.conversations.responder import ConversationContext
from samtale.infra.hub import conversation_channel
from samtale.kernel.clock import ManualClock
from samtale.live.service import LiveService
from samtale.model import Tenant
from tests.conftest import start_conversation
from tests.live.conftest import ANSWERS, queued_customer


async def config(api: httpx.AsyncClient, tenant: Tenant) -> dict:
    r = await api.get(f"/api/v1/widget/{tenant.widget_key}/config")
    assert r.status_code == 200
    return r.json()["handoff"]


async def test_the_widget_config_has_the_form_and_whether_someone_is_there(
    rt: Container, api: httpx.AsyncClient, shop: Tenant, login, clock: ManualClock
) -> None:
    handoff = await config(api, shop)
    assert [f["name"] for f in handoff["prechat_fields"]] == [
        "name",
        "email",
        "phone",
        "order",
        "topic",
        "description",
    ]
    email = handoff["prechat_fields"][1]
    assert email["required"] and email["kind"] == "email" and email["label"]["da"] == "E-mail"
    topic = handoff["prechat_fields"][4]
    assert topic["options"][0] == {"value": "delivery", "label": {**topic["options"][0]["label"]}}
    assert topic["options"][0]["label"]["da"] == "Levering"
    # Open, but nobody online.
    assert (handoff["available"], handoff["reason"]) == (False, "no_agents")
    sofie = await login(shop)
    assert (await sofie.post("/presence", {"status": "online"})).status_code == 204
    handoff = await config(api, shop)
    assert (handoff["available"], handoff["reason"], handoff["next_open"]) == (True, None, None)
    # Away is not available; an online agent whose console went quiet is not either.
    await sofie.post("/presence", {"status": "away"})
    assert (await config(api, shop))["available"] is False
    await sofie.post("/presence", {"status": "online"})
    clock.advance(seconds=61)
    assert (await config(api, shop))["reason"] == "no_agents"
    # After hours: when the team is back, in the shop's time zone (Copenhagen, UTC+1).
    clock.set(clock.now().replace(hour=17, minute=30))  # 18:30 local on Monday
    handoff = await config(api, shop)
    assert handoff["reason"] == "closed"
    assert handoff["next_open"].startswith("2026-01-06T08:00:00")
    assert handoff["time_zone"] == "Europe/Copenhagen"


async def test_the_form_says_what_is_wrong_per_field(
    api: httpx.AsyncClient, shop: Tenant, login
) -> None:
    sofie = await login(shop)
    await sofie.post("/presence", {"status": "online"})
    conv = await start_conversation(api, shop.widget_key, language="da")
    url = f"/api/v1/conversations/{conv['conversation_id']}/handoff"
    bad = {
        "email": "not an address",
        "phone": "12",
        "topic": "weather",
        "description": "x" * 1001,
        "colour": "blue",
    }
    r = await api.post(url, json={"answers": bad}, headers=conv["headers"])
    assert r.status_code == 422
    body = r.json()["error"]
    assert body["code"] == "validation_error"
    fields = {f["field"]: f["code"] for f in body["fields"]}
    assert fields == {
        "answers.name": "required",
        "answers.email": "invalid_email",
        "answers.phone": "invalid_phone",
        "answers.topic": "invalid_choice",
        "answers.description": "too_long",
        "answers.colour": "unknown_field",
    }
    # No value is echoed back.
    assert "not an address" not in r.text
    # Nothing was stored: still talking to the bot.
    r = await api.get(url, headers=conv["headers"])
    assert r.json() == {
        "handoff_id": None,
        "state": "bot",
        "status": None,
        "position": None,
        "wait_seconds": None,
        "agent_name": None,
        "can_rate": False,
    }
    # Optional fields may stay empty; required ones are enough.
    ok = {"name": "Ingeborg", "email": "ingeborg@kundepost.dk", "topic": "returns"}
    r = await api.post(url, json={"answers": ok}, headers=conv["headers"])
    assert r.status_code == 201 and r.json()["state"] == "queued"


async def test_the_queue_gives_positions_and_waits_live_and_can_be_left(
    rt: Container, api: httpx.AsyncClient, shop: Tenant, login, live: LiveService
) -> None:
    sofie = await login(shop)
    await sofie.post("/presence", {"status": "online"})
    first = await queued_customer(api, shop)
    second = await queued_customer(api, shop)
    third = await queued_customer(api, shop)
    assert [c["handoff"]["position"] for c in (first, second, third)] == [1, 2, 3]
    # No waiting history yet: two minutes per customer ahead, shared by the one agent.
    assert [c["handoff"]["wait_seconds"] for c in (first, second, third)] == [120, 240, 360]
    assert first["handoff"]["status"] == "queued"
    # Asking again while queued answers with the current place (200, not a second entry).
    r = await api.post(
        f"/api/v1/conversations/{first['conversation_id']}/handoff",
        json={"answers": ANSWERS},
        headers=first["headers"],
    )
    assert r.status_code == 200 and r.json()["position"] == 1
    gauge = f'samtale_queue_length{{tenant="{shop.id}"}} '
    assert gauge + "3.0" in generate_latest(rt.metrics.registry).decode()

    async with rt.hub.subscribe(conversation_channel(third["id"])) as sub:
        r = await api.delete(
            f"/api/v1/conversations/{second['conversation_id']}/handoff", headers=second["headers"]
        )
        assert r.status_code == 200 and r.json()["state"] == "bot" and r.json()["status"] == "left"
        event = await sub.get()
    assert event["type"] == "queue" and event["position"] == 2 and event["wait_seconds"] == 240
    assert gauge + "2.0" in generate_latest(rt.metrics.registry).decode()
    # Back with the bot: its answers come again.
    r = await api.post(
        f"/api/v1/conversations/{second['conversation_id']}/messages",
        json={"text": "hej"},
        headers=second["headers"],
    )
    assert r.json()["replies"][0]["text"] == "echo: hej"
    # Leaving twice is a clear conflict.
    r = await api.delete(
        f"/api/v1/conversations/{second['conversation_id']}/handoff", headers=second["headers"]
    )
    assert r.status_code == 409 and r.json()["error"]["code"] == "wrong_state"
    # The system lines in the conversation say what happened.
    r = await api.get(
        f"/api/v1/conversations/{second['conversation_id']}/messages", headers=second["headers"]
    )
    system = [m["text"] for m in r.json()["messages"] if m["author"] == "system"]
    assert system == [
        "Du er i kø hos kundeservice.",
        "Du har forladt køen. Du kan skrive til mig igen.",
    ]


async def test_waits_come_from_the_shop_s_recent_waiting_times(
    rt: Container, api: httpx.AsyncClient, shop: Tenant, login, clock: ManualClock
) -> None:
    sofie = await login(shop, capacity=10)
    await sofie.post("/presence", {"status": "online"})
    for _ in range(2):
        conv = await queued_customer(api, shop)
        clock.advance(seconds=30)
        r = await sofie.post(f"/handoffs/{conv['handoff']['handoff_id']}/claim")
        assert r.status_code == 200
    waiting = await queued_customer(api, shop)
    # The last waits were 30 s each: the estimate is half a minute (the floor), not two.
    assert waiting["handoff"]["wait_seconds"] == 30
    second = await queued_customer(api, shop)
    assert second["handoff"]["wait_seconds"] == 60


async def test_nobody_there_the_bot_says_when_and_offers_a_message(
    rt: Container, api: httpx.AsyncClient, shop: Tenant, live: LiveService, clock: ManualClock
) -> None:
    conv = await start_conversation(api, shop.widget_key, language="da")
    ctx = ConversationContext(
        uuid.UUID(conv["conversation_id"]), shop.id, "da", "bot", False, {}, clock.now()
    )
    [reply] = await live.offer(ctx)
    assert reply.payload == {
        "type": "offline_form",
        "reason": "no_agents",
        "next_open": None,
        "reply_within_seconds": None,
    }
    assert "ingen fra kundeservice" in reply.text.lower()
    # Asking anyway: 409 unavailable, nothing queued.
    r = await api.post(
        f"/api/v1/conversations/{conv['conversation_id']}/handoff",
        json={"answers": ANSWERS},
        headers=conv["headers"],
    )
    assert r.status_code == 409 and r.json()["error"]["code"] == "unavailable"
    # On a holiday: closed, back the next working day at 09:00 local.
    clock.set(clock.now().replace(month=12, day=24, hour=10))
    [reply] = await live.offer(ctx)
    assert reply.payload is not None and reply.payload["reason"] == "closed"
    assert reply.payload["next_open"].startswith("2026-12-25T08:00:00")
    assert reply.text.startswith(
        "Kundeservice har lukket lige nu. Vi er tilbage fredag 25. december kl. 09.00."
    )
    # English customers hear it in English.
    ctx.language = "en"
    [reply] = await live.offer(ctx)
    assert "We're back on Friday 25 December at 09:00" in reply.text


async def test_with_someone_there_the_bot_shows_the_form(
    rt: Container,
    api: httpx.AsyncClient,
    shop: Tenant,
    live: LiveService,
    login,
    clock: ManualClock,
) -> None:
    sofie = await login(shop)
    await sofie.post("/presence", {"status": "online"})
    ctx = ConversationContext(uuid.uuid4(), shop.id, "sv", "bot", False, {}, clock.now())
    [reply] = await live.offer(ctx)
    assert reply.payload == {"type": "handoff_form"}
    assert reply.text.startswith("Jag hittar en person")


async def test_rating_after_an_agent_closed(
    rt: Container, api: httpx.AsyncClient, shop: Tenant, login
) -> None:
    sofie = await login(shop)
    await sofie.post("/presence", {"status": "online"})
    conv = await queued_customer(api, shop)
    base = f"/api/v1/conversations/{conv['conversation_id']}"
    # Nothing to rate yet.
    r = await api.post(base + "/rating", json={"rating": 5}, headers=conv["headers"])
    assert r.status_code == 409
    await sofie.post(f"/handoffs/{conv['handoff']['handoff_id']}/claim")
    r = await api.get(base + "/handoff", headers=conv["headers"])
    assert r.json()["state"] == "live" and r.json()["agent_name"] == "Sofie"
    assert (
        await sofie.post(f"/conversations/{conv['id']}/close", {"outcome": "resolved"})
    ).status_code == 204
    r = await api.get(base + "/handoff", headers=conv["headers"])
    assert r.json()["state"] == "closed" and r.json()["can_rate"] is True
    for bad in ({"rating": 0}, {"rating": 6}, {"rating": 3, "comment": "x" * 1001}):
        r = await api.post(base + "/rating", json=bad, headers=conv["headers"])
        assert r.status_code == 422
    r = await api.post(
        base + "/rating",
        json={"rating": 4, "comment": "Hurtig hjælp, tak. Skriv gerne til rate-me@kundepost.dk"},
        headers=conv["headers"],
    )
    assert r.status_code == 204
    r = await api.post(base + "/rating", json={"rating": 1}, headers=conv["headers"])
    assert r.status_code == 409
    r = await api.get(base + "/messages", headers=conv["headers"])
    messages = r.json()["messages"]
    closed = next(m for m in messages if m["author"] == "system" and "afsluttet" in m["text"])
    assert closed["payload"] == {"type": "handoff", "event": "closed", "rate": True}
    # The comment is kept with the rating, not as a chat message; the agent sees it there.
    assert all("Hurtig hjælp" not in m["text"] for m in messages)
    view = (await sofie.get(f"/conversations/{conv['id']}")).json()
    assert view["handoffs"][-1]["rating"] == 4
    assert view["handoffs"][-1]["rating_comment"].startswith("Hurtig hjælp, tak.")
    # The customer's copy of the conversation has it, with the rating.
    r = await api.get(base + "/transcript?format=json", headers=conv["headers"])
    [section] = [x for x in r.json()["sections"] if x["key"] == "rating"]
    assert section["items"][0]["value"] == "4/5"
    assert "rate-me@kundepost.dk" in section["items"][1]["value"]
    # An e-mail address in the comment finds the conversation on request, like one in a message.
    r = await sofie.post("/privacy/find", {"by": "email", "value": "rate-me@kundepost.dk"})
    assert [c["conversation_id"] for c in r.json()["conversations"]] == [conv["conversation_id"]]
    assert (await api.get(base + "/handoff", headers=conv["headers"])).json()["can_rate"] is False
    # Writing again: the bot answers.
    r = await api.post(base + "/messages", json={"text": "tak"}, headers=conv["headers"])
    assert r.json()["state"] == "bot" and r.json()["replies"][0]["text"] == "echo: tak"


async def test_an_offline_message_is_kept_like_a_chat_with_a_person(
    rt: Container, api: httpx.AsyncClient, shop: Tenant, login
) -> None:
    url = f"/api/v1/widget/{shop.widget_key}/offline-messages"
    origin = {"origin": "https://shop.example"}
    r = await api.post(url, json={"email": "nope", "text": "hej"}, headers=origin)
    assert r.status_code == 422
    r = await api.post(
        url,
        json={"email": "ingeborg@kundepost.dk", "text": "Ring på 22 33 44 55", "language": "da"},
        headers={"origin": "https://evil.example"},
    )
    assert r.status_code == 403
    r = await api.post(
        url,
        json={"email": "ingeborg@kundepost.dk", "text": "Ring på 22 33 44 55", "name": "Ingeborg"},
        headers=origin,
    )
    assert r.status_code == 201 and r.json()["status"] == "open"
    sofie = await login(shop)
    # Found by the e-mail and by the phone number in the text (the identifier index).
    for by, value in (("email", "INGEBORG@kundepost.dk"), ("phone", "+4522334455")):
        r = await sofie.post("/privacy/find", {"by": by, "value": value})
        assert len(r.json()["conversations"]) == 1, by
    found = r.json()["conversations"][0]
    assert found["person_involved"] is True and found["state"] == "closed"
    assert (await rt.privacy.retention.policies(shop.id))[0][1].agent_days is None


async def test_the_idle_clock_advances_with_the_customer_s_messages(
    rt: Container,
    api: httpx.AsyncClient,
    shop: Tenant,
    login,
    live: LiveService,
    clock: ManualClock,
) -> None:
    sofie = await login(shop)
    await sofie.post("/presence", {"status": "online"})
    conv = await queued_customer(api, shop)
    await sofie.post(f"/handoffs/{conv['handoff']['handoff_id']}/claim")
    for _ in range(3):
        clock.advance(minutes=20)
        await sofie.post("/heartbeat")
        await live.heartbeat(sofie.agent, force=True)
        r = await api.post(
            f"/api/v1/conversations/{conv['conversation_id']}/messages",
            json={"text": "stadig her"},
            headers=conv["headers"],
        )
        assert r.json()["replies"] == []  # the bot stays out of a live chat
        assert (await live.sweep(shop.id)).closed_idle == 0
    clock.advance(timedelta(minutes=29))
    await live.heartbeat(sofie.agent, force=True)
    assert (await live.sweep(shop.id)).closed_idle == 0
    clock.advance(timedelta(minutes=2))
    await live.heartbeat(sofie.agent, force=True)
    assert (await live.sweep(shop.id)).closed_idle == 1
    r = await api.get(
        f"/api/v1/conversations/{conv['conversation_id']}/messages", headers=conv["headers"]
    )
    last = r.json()["messages"][-1]
    assert last["author"] == "system" and "30 minutter" in last["text"]
    assert r.json()["state"] == "closed"
