"""The agent's side through the console's API: the queue with answers, claims (one winner),
capacity, the live chat, transfer, close, presence and the requeue of a lost agent's chats,
automatic assignment, the history, offline messages answered by e-mail, deletion on request,
the audit of every view — and that one shop's agents never reach another shop's customers."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta
from email import message_from_bytes
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from samtale.app.container import Container
from samtale.infra.mail import SmtpMailer
from samtale.kernel.clock import ManualClock
from samtale.live.errors import AlreadyClaimed
from samtale.live.service import LiveService
from samtale.model import AuditEntry, Conversation, Handoff, Tenant
from samtale.privacy import audit
from tests.live.conftest import ANSWERS, make_shop, queued_customer


async def test_claim_chat_both_ways_and_close(
    rt: Container, api: httpx.AsyncClient, shop: Tenant, login
) -> None:
    sofie = await login(shop)
    await sofie.post("/presence", {"status": "online"})
    # The customer talked to the bot first, which found their parcel.
    conv = await queued_customer(api, shop)
    async with rt.db.transaction() as s:
        row = await s.get(Conversation, conv["id"])
        assert row is not None
        row.bot_state = {
            "context": {"tracking": {"tracking_number": "RB123", "status": "in_transit"}}
        }
    r = await sofie.get("/queue")
    [item] = r.json()["queue"]
    assert item["position"] == 1 and item["language"] == "da" and item["fits_me"] is True
    answers = {a["name"]: a["value"] for a in item["answers"]}
    assert answers["email"] == ANSWERS["email"] and answers["topic"] == "Levering"
    r = await sofie.post(f"/handoffs/{item['handoff_id']}/claim")
    assert r.status_code == 200 and r.json()["conversation_id"] == conv["conversation_id"]
    assert (await sofie.get("/queue")).json()["queue"] == []

    view = (await sofie.get(f"/conversations/{conv['conversation_id']}")).json()
    assert view["state"] == "live" and view["mine"] is True
    assert view["context"] == {"tracking": {"tracking_number": "RB123", "status": "in_transit"}}
    assert [a["label"] for a in view["handoffs"][0]["answers"]][:2] == ["Navn", "E-mail"]
    assert view["messages"][-1]["author"] == "system"
    assert view["messages"][-1]["text"] == "Sofie fra kundeservice er med i samtalen nu."

    r = await sofie.post(
        f"/conversations/{conv['conversation_id']}/messages", {"text": "Hej Ingeborg!"}
    )
    assert r.status_code == 201
    r = await api.post(
        f"/api/v1/conversations/{conv['conversation_id']}/messages",
        json={"text": "Hej, hvor er min pakke?"},
        headers=conv["headers"],
    )
    assert r.status_code == 201 and r.json()["replies"] == [] and r.json()["state"] == "live"
    r = await api.get(
        f"/api/v1/conversations/{conv['conversation_id']}/messages", headers=conv["headers"]
    )
    tail = [(m["author"], m["agent_name"], m["text"]) for m in r.json()["messages"][-2:]]
    assert tail == [
        ("agent", "Sofie", "Hej Ingeborg!"),
        ("visitor", None, "Hej, hvor er min pakke?"),
    ]

    r = await sofie.post(f"/conversations/{conv['conversation_id']}/close", {"outcome": "great"})
    assert r.status_code == 422
    r = await sofie.post(f"/conversations/{conv['conversation_id']}/close", {"outcome": "resolved"})
    assert r.status_code == 204
    r = await sofie.post(f"/conversations/{conv['conversation_id']}/messages", {"text": "x"})
    assert r.status_code == 409 and r.json()["error"]["code"] == "wrong_state"
    async with rt.db.session() as s:
        h = await s.scalar(select(Handoff).where(Handoff.conversation_id == conv["id"]))
        c = await s.get(Conversation, conv["id"])
    assert h is not None and c is not None
    assert (h.status, h.outcome, c.state, c.person_involved) == (
        "closed",
        "resolved",
        "closed",
        True,
    )


@pytest.mark.parametrize("agents", [20])
async def test_twenty_agents_claiming_at_once_one_wins(
    rt: Container, api: httpx.AsyncClient, shop: Tenant, login, live: LiveService, agents: int
) -> None:
    logins = [await login(shop, name=f"Agent{i}") for i in range(agents)]
    for a in logins:
        await live.set_presence(a.agent, "online")
    conv = await queued_customer(api, shop)
    handoff_id = uuid.UUID(conv["handoff"]["handoff_id"])
    results = await asyncio.gather(
        *(live.claim(a.agent, handoff_id) for a in logins), return_exceptions=True
    )
    winners = [r for r in results if not isinstance(r, BaseException)]
    losers = [r for r in results if isinstance(r, BaseException)]
    assert winners == [conv["id"]]
    assert all(isinstance(e, AlreadyClaimed) for e in losers), losers
    # Through the API, the loser hears who won.
    r = await logins[0].post(f"/handoffs/{handoff_id}/claim")
    async with rt.db.session() as s:
        h = await s.get(Handoff, handoff_id)
    assert h is not None and h.status == "live"
    if h.agent_id == logins[0].user.id:
        r = await logins[1].post(f"/handoffs/{handoff_id}/claim")
    assert r.status_code == 409 and r.json()["error"]["code"] == "already_claimed"
    assert "took this conversation" in r.json()["error"]["message"]
    # Exactly one "joined" line.
    messages = await rt.conversations.messages(shop.id, conv["id"])
    assert sum(1 for m in messages if (m.payload or {}).get("event") == "joined") == 1


async def test_capacity_holds(api: httpx.AsyncClient, shop: Tenant, login) -> None:
    sofie = await login(shop, capacity=1)
    await sofie.post("/presence", {"status": "online"})
    one = await queued_customer(api, shop)
    two = await queued_customer(api, shop)
    assert (await sofie.post(f"/handoffs/{one['handoff']['handoff_id']}/claim")).status_code == 200
    r = await sofie.post(f"/handoffs/{two['handoff']['handoff_id']}/claim")
    assert r.status_code == 409 and r.json()["error"]["code"] == "at_capacity"


async def test_an_agent_of_one_shop_never_reaches_another_shop(
    rt: Container, api: httpx.AsyncClient, login
) -> None:
    a = await make_shop(rt)
    b = await make_shop(rt)
    anna = await login(a, name="Anna")
    bo = await login(b, name="Bo")
    for x in (anna, bo):
        await x.post("/presence", {"status": "online"})
    conv = await queued_customer(api, a)
    hid = conv["handoff"]["handoff_id"]
    cid = conv["conversation_id"]
    assert (await bo.get("/queue")).json()["queue"] == []
    assert (await bo.post(f"/handoffs/{hid}/claim")).status_code == 404
    assert (await bo.get(f"/conversations/{cid}")).status_code == 404
    assert (await bo.post(f"/conversations/{cid}/messages", {"text": "hej"})).status_code == 404
    assert (await bo.post(f"/conversations/{cid}/close", {"outcome": "spam"})).status_code == 404
    assert (await bo.delete(f"/conversations/{cid}")).status_code == 404
    assert (await bo.get("/history")).json()["conversations"] == []
    r = await bo.post("/privacy/find", {"by": "email", "value": ANSWERS["email"]})
    assert r.json()["conversations"] == []
    r = await bo.post("/privacy/find", {"by": "conversation", "value": cid})
    assert r.json()["conversations"] == []
    assert [x["id"] for x in (await bo.get("/agents")).json()["agents"]] == [str(bo.user.id)]
    # Anna can; then Bo still cannot transfer to himself into A's chat, nor be transferred to.
    assert (await anna.post(f"/handoffs/{hid}/claim")).status_code == 200
    r = await anna.post(f"/conversations/{cid}/transfer", {"agent_id": str(bo.user.id)})
    assert r.status_code == 404
    # And the console itself needs a login of an agent or admin.
    anonymous = httpx.AsyncClient(transport=anna.client._transport, base_url="http://testserver")
    assert (await anonymous.get("/api/v1/agent/queue")).status_code == 401
    assert (await anonymous.get("/console", follow_redirects=False)).status_code == 303
    # Unsafe methods need the CSRF header.
    r = await anna.client.post(f"/api/v1/agent/conversations/{cid}/messages", json={"text": "x"})
    assert r.status_code == 403 and r.json()["error"]["code"] == "csrf_failed"


async def test_transfer_to_an_online_colleague(
    rt: Container, api: httpx.AsyncClient, shop: Tenant, login
) -> None:
    sofie = await login(shop, name="Sofie")
    mads = await login(shop, name="Mads", capacity=1)
    await sofie.post("/presence", {"status": "online"})
    conv = await queued_customer(api, shop)
    cid = conv["conversation_id"]
    await sofie.post(f"/handoffs/{conv['handoff']['handoff_id']}/claim")
    # Mads is offline: no.
    r = await sofie.post(f"/conversations/{cid}/transfer", {"agent_id": str(mads.user.id)})
    assert r.status_code == 409 and r.json()["error"]["code"] == "agent_unavailable"
    await mads.post("/presence", {"status": "online"})
    r = await sofie.post(f"/conversations/{cid}/transfer", {"agent_id": str(mads.user.id)})
    assert r.status_code == 204
    assert (await sofie.post(f"/conversations/{cid}/messages", {"text": "x"})).status_code == 403
    assert (
        await mads.post(f"/conversations/{cid}/messages", {"text": "Hej, Mads her"})
    ).status_code == 201
    r = await api.get(f"/api/v1/conversations/{cid}/handoff", headers=conv["headers"])
    assert r.json()["agent_name"] == "Mads"
    messages = await rt.conversations.messages(shop.id, conv["id"])
    assert [m.text for m in messages if m.author == "system"][-1] == "Mads har overtaget samtalen."


async def test_a_lost_agent_s_chats_go_back_to_the_front_of_the_queue(
    rt: Container,
    api: httpx.AsyncClient,
    shop: Tenant,
    login,
    live: LiveService,
    clock: ManualClock,
) -> None:
    sofie = await login(shop)
    mads = await login(shop, name="Mads")
    await sofie.post("/presence", {"status": "online"})
    await mads.post("/presence", {"status": "online"})  # else the queue is let go (nobody)
    conv = await queued_customer(api, shop)
    await sofie.post(f"/handoffs/{conv['handoff']['handoff_id']}/claim")
    clock.advance(seconds=30)
    waiting = await queued_customer(api, shop)  # came later, waits meanwhile
    # Within the grace period (two minutes), nothing happens.
    clock.advance(seconds=60)
    await mads.post("/heartbeat")
    assert (await live.sweep(shop.id)).requeued == 0
    clock.advance(seconds=40)
    await mads.post("/heartbeat")
    report = await live.sweep(shop.id)
    assert report.requeued == 1
    queue = (await mads.get("/queue")).json()["queue"]
    assert [q["conversation_id"] for q in queue] == [
        conv["conversation_id"],
        waiting["conversation_id"],
    ]
    assert queue[0]["requeued"] is True
    r = await api.get(
        f"/api/v1/conversations/{conv['conversation_id']}/handoff", headers=conv["headers"]
    )
    assert r.json()["state"] == "queued" and r.json()["position"] == 1
    messages = await rt.conversations.messages(shop.id, conv["id"])
    assert messages[-1].text == "Forbindelsen til Sofie blev afbrudt. Du er forrest i køen igen."
    # A second sweep does nothing more; Mads takes it over.
    assert (await live.sweep(shop.id)).requeued == 0
    assert (await mads.post(f"/handoffs/{queue[0]['handoff_id']}/claim")).status_code == 200
    async with rt.db.session() as s:
        h = await s.get(Handoff, uuid.UUID(queue[0]["handoff_id"]))
    # The wait that counts for the estimates is the first one.
    assert h is not None and h.requeues == 1 and h.wait_seconds == 0


async def test_automatic_assignment_to_the_least_busy_agent_speaking_the_language(
    rt: Container, api: httpx.AsyncClient, login, live: LiveService
) -> None:
    shop = await make_shop(rt, auto_assign=True)
    erik = await login(shop, name="Erik", languages=["sv"], capacity=2)
    dorte = await login(shop, name="Dorte", languages=["da"], capacity=2)
    nils = await login(shop, name="Nils", languages=["da"], capacity=2)
    for a in (erik, dorte, nils):
        await a.post("/presence", {"status": "online"})
    convs = [await queued_customer(api, shop) for _ in range(4)]
    async with rt.db.session() as s:
        owners = [
            (await s.scalar(select(Handoff.agent_id).where(Handoff.conversation_id == c["id"])))
            for c in convs
        ]
    # Danish customers go to Danish speakers, alternating by load; then to the Swede.
    assert owners[:2] in ([dorte.user.id, nils.user.id], [nils.user.id, dorte.user.id])
    assert owners[2] in (dorte.user.id, nils.user.id) and owners[3] in (dorte.user.id, nils.user.id)
    fifth = await queued_customer(api, shop)
    async with rt.db.session() as s:
        owner = await s.scalar(
            select(Handoff.agent_id).where(Handoff.conversation_id == fifth["id"])
        )
    assert owner == erik.user.id
    assert fifth["handoff"]["state"] == "live" and fifth["handoff"]["agent_name"] == "Erik"


async def test_history_by_agent_date_and_state(
    rt: Container, api: httpx.AsyncClient, shop: Tenant, login, clock: ManualClock
) -> None:
    sofie = await login(shop)
    mads = await login(shop, name="Mads")
    for a in (sofie, mads):
        await a.post("/presence", {"status": "online"})
    one = await queued_customer(api, shop)
    await sofie.post(f"/handoffs/{one['handoff']['handoff_id']}/claim")
    await sofie.post(f"/conversations/{one['conversation_id']}/close", {"outcome": "resolved"})
    clock.advance(days=2)
    for a in (sofie, mads):
        await a.renew(rt)  # the sessions expired meanwhile
        await a.post("/presence", {"status": "online"})
    two = await queued_customer(api, shop)
    await mads.post(f"/handoffs/{two['handoff']['handoff_id']}/claim")
    three = await queued_customer(api, shop)

    async def ids(**params: Any) -> list[str]:
        r = await sofie.get("/history", **params)
        assert r.status_code == 200
        return [c["conversation_id"] for c in r.json()["conversations"]]

    assert set(await ids()) == {
        one["conversation_id"],
        two["conversation_id"],
        three["conversation_id"],
    }
    assert await ids(agent=str(sofie.user.id)) == [one["conversation_id"]]
    assert await ids(state="live") == [two["conversation_id"]]
    assert await ids(state="queued") == [three["conversation_id"]]
    assert await ids(until="2026-01-05") == [one["conversation_id"]]
    assert set(await ids(since="2026-01-07")) == {two["conversation_id"], three["conversation_id"]}
    r = await sofie.get("/history", since="yesterday")
    assert r.status_code == 422
    item = (await sofie.get("/history", agent=str(sofie.user.id))).json()["conversations"][0]
    assert item["agents"] == ["Sofie"] and item["outcome"] == "resolved"
    assert "answers" not in item and "text" not in item


async def test_opening_a_conversation_is_audited_and_previews_are_not(
    rt: Container, api: httpx.AsyncClient, shop: Tenant, login, clock: ManualClock
) -> None:
    sofie = await login(shop)
    await sofie.post("/presence", {"status": "online"})
    conv = await queued_customer(api, shop)
    receipt = rt.privacy.receipt(shop.id, conv["id"])
    for _ in range(3):  # the console refreshes its queue and offline messages by itself
        assert (await sofie.get("/queue")).json()["queue"]
        await sofie.get("/offline-messages")
    for _ in range(3):  # the console re-reads the open conversation (reconnects, transfers)
        await sofie.get(f"/conversations/{conv['conversation_id']}")
    clock.advance(timedelta(minutes=11))
    await sofie.get(f"/conversations/{conv['conversation_id']}")  # opened again, later
    async with rt.db.session() as s:
        entries = (
            await s.scalars(
                select(AuditEntry)
                .where(
                    AuditEntry.tenant_id == shop.id, AuditEntry.action == audit.CONVERSATION_OPENED
                )
                .order_by(AuditEntry.created_at)
            )
        ).all()
    assert [(e.actor, e.subject_hash, e.details) for e in entries] == [
        (f"user:{sofie.user.id}", receipt, {"role": "agent"}),
        (f"user:{sofie.user.id}", receipt, {"role": "agent"}),
    ]


async def test_delete_on_the_customer_s_request_finds_them_by_their_form_answers(
    rt: Container, api: httpx.AsyncClient, shop: Tenant, login
) -> None:
    sofie = await login(shop)
    await sofie.post("/presence", {"status": "online"})
    conv = await queued_customer(api, shop)
    other = await queued_customer(
        api, shop, answers={**ANSWERS, "email": "someone@else.dk", "phone": "", "order": ""}
    )
    for by, value in (
        ("email", ANSWERS["email"]),
        ("phone", "+45 22334455"),
        ("order_number", "#1004711"),
    ):
        r = await sofie.post("/privacy/find", {"by": by, "value": value})
        assert [c["conversation_id"] for c in r.json()["conversations"]] == [
            conv["conversation_id"]
        ], by
    r = await sofie.post("/privacy/delete", {"by": "email", "value": ANSWERS["email"]})
    assert r.status_code == 200 and r.json()["deleted"] == 1
    assert r.json()["receipts"] == [rt.privacy.receipt(shop.id, conv["id"])]
    r = await api.get(f"/api/v1/conversations/{conv['conversation_id']}", headers=conv["headers"])
    assert r.status_code == 404
    async with rt.db.session() as s:
        assert await s.scalar(select(Handoff).where(Handoff.conversation_id == conv["id"])) is None
        deleted = (
            await s.scalars(
                select(AuditEntry).where(
                    AuditEntry.tenant_id == shop.id, AuditEntry.action == audit.CONVERSATION_DELETED
                )
            )
        ).all()
    assert [(e.actor, e.details["reason"]) for e in deleted] == [
        (f"user:{sofie.user.id}", "request")
    ]
    # The queue moved up for the other customer.
    assert [q["conversation_id"] for q in (await sofie.get("/queue")).json()["queue"]] == [
        other["conversation_id"]
    ]
    # One conversation by id, from the console.
    r = await sofie.delete(f"/conversations/{other['conversation_id']}")
    assert r.status_code == 200 and r.json()["deleted"] == 1
    assert (await sofie.delete(f"/conversations/{other['conversation_id']}")).status_code == 404


async def test_the_transcript_holds_the_pre_chat_answers(
    rt: Container, api: httpx.AsyncClient, shop: Tenant, login
) -> None:
    sofie = await login(shop)
    await sofie.post("/presence", {"status": "online"})
    conv = await queued_customer(api, shop)
    r = await api.get(
        f"/api/v1/conversations/{conv['conversation_id']}/transcript",
        params={"format": "json"},
        headers=conv["headers"],
    )
    assert r.status_code == 200
    sections = r.json()["sections"]
    assert sections[0]["title"] == "Dine svar før samtalen"
    items = {i["label"]: i["value"] for i in sections[0]["items"]}
    assert items["E-mail"] == ANSWERS["email"] and items["Emne"] == "Levering"


@pytest.fixture
def smtp_server() -> Any:
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Message

    received: list[Any] = []

    class Keep(Message):
        def handle_message(self, message: Any) -> None:
            received.append(message)

    from tests.conftest import free_port

    controller = Controller(Keep(), hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, received
    controller.stop()


async def test_offline_messages_are_answered_by_e_mail(
    rt: Container, api: httpx.AsyncClient, shop: Tenant, login, live: LiveService, smtp_server: Any
) -> None:
    controller, received = smtp_server
    r = await api.post(
        f"/api/v1/widget/{shop.widget_key}/offline-messages",
        json={
            "email": "ingeborg@kundepost.dk",
            "text": "Hvornår åbner I?\nMvh Ingeborg",
            "name": "Ingeborg",
        },
        headers={"origin": "https://shop.example"},
    )
    assert r.status_code == 201
    offline_id = r.json()["id"]
    sofie = await login(shop)
    [item] = (await sofie.get("/offline-messages")).json()["offline_messages"]
    assert (item["email"], item["status"], item["name"]) == (
        "ingeborg@kundepost.dk",
        "open",
        "Ingeborg",
    )
    # Without a mail server configured, the console says so and nothing changes.
    live.mailer = None
    r = await sofie.post(f"/offline-messages/{offline_id}/reply", {"text": "Vi åbner kl. 9."})
    assert r.status_code == 503 and r.json()["error"]["code"] == "mail_not_configured"
    live.mailer = SmtpMailer.from_url(
        f"smtp://{controller.hostname}:{controller.port}?starttls=0", "kundeservice@shop.example"
    )
    r = await sofie.post(f"/offline-messages/{offline_id}/reply", {"text": "Vi åbner kl. 9."})
    assert r.status_code == 204
    [mail] = received
    assert mail["To"] == "ingeborg@kundepost.dk"
    assert mail["Subject"] == f"Svar fra {shop.name}"
    body = message_from_bytes(mail.as_bytes()).get_payload(decode=True).decode()
    assert body.startswith("Vi åbner kl. 9.") and "> Hvornår åbner I?" in body
    [item] = (await sofie.get("/offline-messages")).json()["offline_messages"]
    assert item["status"] == "answered" and item["answered_by"] == "Sofie"
    view = (await sofie.get(f"/conversations/{item['conversation_id']}")).json()
    assert view["offline_message"]["text"] == "Hvornår åbner I?\nMvh Ingeborg"
    assert [(m["author"], m["text"]) for m in view["messages"]] == [("agent", "Vi åbner kl. 9.")]
    assert (await sofie.get("/history", state="offline")).json()["conversations"][0][
        "offline_status"
    ] == "answered"
    # A refused mail server: a clear error, nothing recorded as answered.
    from tests.conftest import free_port

    live.mailer = SmtpMailer.from_url(f"smtp://127.0.0.1:{free_port()}?starttls=0")
    r2 = await api.post(
        f"/api/v1/widget/{shop.widget_key}/offline-messages",
        json={"email": "b@kundepost.dk", "text": "hej"},
        headers={"origin": "https://shop.example"},
    )
    r = await sofie.post(f"/offline-messages/{r2.json()['id']}/reply", {"text": "svar"})
    assert r.status_code == 502 and r.json()["error"]["code"] == "mail_failed"
    assert (await sofie.get("/offline-messages", status="open")).json()["offline_messages"][0][
        "status"
    ] == "open"


async def test_presence_expires_without_a_heartbeat(
    api: httpx.AsyncClient, shop: Tenant, login, clock: ManualClock
) -> None:
    sofie = await login(shop)
    await sofie.post("/presence", {"status": "online"})

    async def status() -> str:
        [me] = (await sofie.get("/agents")).json()["agents"]
        return str(me["status"])

    assert await status() == "online"
    clock.advance(seconds=50)
    await sofie.post("/heartbeat")
    clock.advance(seconds=50)
    assert await status() == "online"
    clock.advance(timedelta(seconds=11))
    assert await status() == "offline"
    me = (await sofie.get("/me")).json()
    assert me["agent"]["status"] == "online"  # what she chose; the heartbeat decides the rest


async def test_agent_message_retry_is_stored_once(
    rt: Container, api: httpx.AsyncClient, shop: Tenant, login
) -> None:
    """An agent's retry (the first answer was lost) carries the same client id: the first
    result again, one copy stored — also when the retries race."""
    sofie = await login(shop)
    await sofie.post("/presence", {"status": "online"})
    conv = await queued_customer(api, shop)
    [item] = (await sofie.get("/queue")).json()["queue"]
    await sofie.post(f"/handoffs/{item['handoff_id']}/claim")
    path = f"/conversations/{conv['conversation_id']}/messages"
    first = await sofie.post(path, {"text": "Et øjeblik", "client_id": "msg-1"})
    again = await sofie.post(path, {"text": "Et øjeblik", "client_id": "msg-1"})
    assert first.status_code == again.status_code == 201
    assert first.json()["duplicate"] is False and again.json()["duplicate"] is True
    assert again.json()["id"] == first.json()["id"]
    raced = await asyncio.gather(
        *(sofie.post(path, {"text": "Så er jeg her", "client_id": "msg-2"}) for _ in range(4))
    )
    assert {r.status_code for r in raced} == {201}
    assert len({r.json()["id"] for r in raced}) == 1
    r = await api.get(
        f"/api/v1/conversations/{conv['conversation_id']}/messages", headers=conv["headers"]
    )
    texts = [m["text"] for m in r.json()["messages"] if m["author"] == "agent"]
    assert texts.count("Et øjeblik") == 1 and texts.count("Så er jeg her") == 1
    bad = await sofie.post(path, {"text": "x", "client_id": "not ok!"})
    assert bad.status_code == 422
