"""'New conversation' in the widget: the customer ends the current conversation politely — out of
the queue, or a live chat closed with a line for the agent — and the conversation is kept."""

from __future__ import annotations

import httpx

from samtale.model import Tenant
from tests.conftest import start_conversation
from tests.live.conftest import queued_customer


async def messages(api: httpx.AsyncClient, conv: dict) -> list[dict]:
    r = await api.get(
        f"/api/v1/conversations/{conv['conversation_id']}/messages", headers=conv["headers"]
    )
    assert r.status_code == 200
    return list(r.json()["messages"])


async def test_ending_a_queued_request_leaves_the_queue(
    api: httpx.AsyncClient, shop: Tenant, login
) -> None:
    sofie = await login(shop)
    await sofie.post("/presence", {"status": "online"})
    conv = await queued_customer(api, shop)
    base = f"/api/v1/conversations/{conv['conversation_id']}"
    r = await api.post(base + "/end", headers=conv["headers"])
    assert r.status_code == 204
    status = (await api.get(base + "/handoff", headers=conv["headers"])).json()
    assert (status["state"], status["status"]) == ("bot", "left")
    # Kept: the customer's token still opens it (download, delete).
    assert (
        await api.get(base + "/transcript?format=txt", headers=conv["headers"])
    ).status_code == 200


async def test_ending_a_live_chat_closes_it_and_tells_the_agent(
    api: httpx.AsyncClient, shop: Tenant, login
) -> None:
    sofie = await login(shop)
    await sofie.post("/presence", {"status": "online"})
    conv = await queued_customer(api, shop)
    await sofie.post(f"/handoffs/{conv['handoff']['handoff_id']}/claim")
    base = f"/api/v1/conversations/{conv['conversation_id']}"
    assert (await api.post(base + "/end", headers=conv["headers"])).status_code == 204
    view = (await sofie.get(f"/conversations/{conv['id']}")).json()
    assert view["state"] == "closed"
    assert view["handoffs"][-1]["outcome"] == "no_response"
    assert view["messages"][-1]["text"] == "Kunden har startet en ny samtale."
    # Ending again, or a bot-only conversation: nothing to do, no error.
    assert (await api.post(base + "/end", headers=conv["headers"])).status_code == 204
    plain = await start_conversation(api, shop.widget_key, language="da")
    r = await api.post(
        f"/api/v1/conversations/{plain['conversation_id']}/end", headers=plain["headers"]
    )
    assert r.status_code == 204
    assert [m["author"] for m in await messages(api, plain)] == []


async def test_ending_needs_the_conversations_token(api: httpx.AsyncClient, shop: Tenant) -> None:
    conv = await start_conversation(api, shop.widget_key, language="da")
    r = await api.post(
        f"/api/v1/conversations/{conv['conversation_id']}/end",
        headers={"authorization": "Bearer wrong"},
    )
    assert r.status_code == 404
