"""Every row belongs to a tenant: a token, widget key or scoped repository of tenant A can never
read or write tenant B's data."""

from __future__ import annotations

import uuid

import httpx

from samtale.app.container import Container
from samtale.conversations.repository import Conversations
from tests.conftest import start_conversation


async def test_tenant_isolation_through_the_api(
    client: httpx.AsyncClient, runtime: Container, tenant_factory
) -> None:
    a = await tenant_factory()
    b = await tenant_factory(allowed_origins=["https://b.example"])
    conv_a = await start_conversation(client, a.widget_key)
    conv_b = (
        await client.post(
            f"/api/v1/widget/{b.widget_key}/conversations", headers={"origin": "https://b.example"}
        )
    ).json()
    await client.post(
        f"/api/v1/conversations/{conv_b['conversation_id']}/messages",
        json={"text": "b's secret"},
        headers={"authorization": f"Bearer {conv_b['token']}"},
    )

    # A's token cannot read or write B's conversation.
    b_url = f"/api/v1/conversations/{conv_b['conversation_id']}"
    assert (await client.get(b_url + "/messages", headers=conv_a["headers"])).status_code == 404
    assert (
        await client.post(b_url + "/messages", json={"text": "x"}, headers=conv_a["headers"])
    ).status_code == 404
    assert (await client.get(b_url, headers=conv_a["headers"])).status_code == 404
    # A's allowed origin cannot open conversations with B's widget key.
    r = await client.post(
        f"/api/v1/widget/{b.widget_key}/conversations", headers={"origin": "https://shop.example"}
    )
    assert r.status_code == 403

    async with runtime.db.session() as s:
        repo_a = Conversations(s, a.id)
        b_id = uuid.UUID(conv_b["conversation_id"])
        assert await repo_a.get(b_id) is None
        assert list(await repo_a.messages(b_id)) == []
        assert await repo_a.by_client_id(b_id, "x") is None
        assert await repo_a.count() == 1
        assert await Conversations(s, b.id).count() == 1


async def test_a_scoped_write_cannot_touch_another_tenant(
    runtime: Container, tenant_factory
) -> None:
    a = await tenant_factory()
    b = await tenant_factory()
    conv_b, _ = await runtime.conversations.start(b.id, "da")
    async with runtime.db.transaction() as s:
        try:
            await Conversations(s, a.id).next_seqs(conv_b.id, 1, runtime.clock.now())
        except LookupError:
            pass
        else:
            raise AssertionError("tenant A reserved a cursor in tenant B's conversation")
    try:
        await runtime.conversations.post_visitor_message(a.id, conv_b.id, "hej")
    except LookupError:
        pass
    else:
        raise AssertionError("tenant A wrote into tenant B's conversation")
    assert list(await runtime.conversations.messages(b.id, conv_b.id)) == []
