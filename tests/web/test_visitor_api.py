"""The visitor API end to end through FastAPI's app, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import uuid

import httpx
from sqlalchemy import func, select

from samtale.app.container import Container
from samtale.model import Conversation, Message
from tests.conftest import start_conversation


async def count_messages(runtime: Container, conversation_id: str | None = None) -> int:
    async with runtime.db.session() as s:
        q = select(func.count()).select_from(Message)
        if conversation_id:
            q = q.where(Message.conversation_id == uuid.UUID(conversation_id))
        return int(await s.scalar(q) or 0)


async def test_start_post_and_read(client: httpx.AsyncClient, tenant_factory) -> None:
    tenant = await tenant_factory()
    conv = await start_conversation(
        client,
        tenant.widget_key,
        language="sv-SE",
        page_url="https://shop.example/p/1?email=a@b.dk#x",
    )
    assert conv["language"] == "sv"
    assert len(conv["token"]) >= 40

    r = await client.post(
        f"/api/v1/conversations/{conv['conversation_id']}/messages",
        json={"text": "  hej  "},
        headers=conv["headers"],
    )
    assert r.status_code == 201
    turn = r.json()
    assert turn["message"] == {**turn["message"], "author": "visitor", "text": "hej", "cursor": 1}
    assert [m["text"] for m in turn["replies"]] == ["echo: hej"]
    assert turn["replies"][0]["cursor"] == 2 and turn["replies"][0]["payload"] == {"turn": 1}
    assert turn["state"] == "bot" and turn["duplicate"] is False

    await client.post(
        f"/api/v1/conversations/{conv['conversation_id']}/messages",
        json={"text": "igen"},
        headers=conv["headers"],
    )
    r = await client.get(
        f"/api/v1/conversations/{conv['conversation_id']}/messages", headers=conv["headers"]
    )
    data = r.json()
    assert [m["cursor"] for m in data["messages"]] == [1, 2, 3, 4]
    assert data["messages"][3]["payload"] == {"turn": 2}  # the dialogue state was kept
    assert data["cursor"] == 4 and data["more"] is False

    r = await client.get(
        f"/api/v1/conversations/{conv['conversation_id']}/messages?after=2&limit=1",
        headers=conv["headers"],
    )
    assert [m["text"] for m in r.json()["messages"]] == ["igen"] and r.json()["more"] is True

    r = await client.get(
        f"/api/v1/conversations/{conv['conversation_id']}", headers=conv["headers"]
    )
    assert r.json()["cursor"] == 4 and r.json()["state"] == "bot"


async def test_page_url_keeps_only_the_path(
    client: httpx.AsyncClient, runtime: Container, tenant_factory
) -> None:
    tenant = await tenant_factory()
    conv = await start_conversation(
        client, tenant.widget_key, page_url="https://shop.example/kurv?email=anna@example.com"
    )
    async with runtime.db.session() as s:
        row = await s.get(Conversation, uuid.UUID(conv["conversation_id"]))
    assert row is not None and row.page_path == "/kurv"


async def test_language_normalisation_and_fallback(
    client: httpx.AsyncClient, tenant_factory
) -> None:
    tenant = await tenant_factory(languages=["da", "nb", "en"], default_language="en")
    assert (await start_conversation(client, tenant.widget_key, language="no"))["language"] == "nb"
    assert (await start_conversation(client, tenant.widget_key, language="de-DE"))[
        "language"
    ] == "en"
    assert (await start_conversation(client, tenant.widget_key, language="sv"))["language"] == "en"
    assert (await start_conversation(client, tenant.widget_key))["language"] == "en"


async def test_origin_check(client: httpx.AsyncClient, tenant_factory) -> None:
    tenant = await tenant_factory(allowed_origins=["https://shop.example", "http://localhost:8000"])
    url = f"/api/v1/widget/{tenant.widget_key}/conversations"
    r = await client.post(url, headers={"origin": "https://evil.example"})
    assert r.status_code == 403 and r.json()["error"]["code"] == "origin_not_allowed"
    assert "access-control-allow-origin" not in r.headers
    r = await client.post(url, headers={"origin": "http://localhost:8000"})
    assert (
        r.status_code == 201 and r.headers["access-control-allow-origin"] == "http://localhost:8000"
    )
    # Preflight: allowed origin gets CORS headers, another gets none.
    r = await client.options(
        url, headers={"origin": "https://shop.example", "access-control-request-method": "POST"}
    )
    assert (
        r.status_code == 204 and r.headers["access-control-allow-origin"] == "https://shop.example"
    )
    r = await client.options(
        url, headers={"origin": "https://evil.example", "access-control-request-method": "POST"}
    )
    assert "access-control-allow-origin" not in r.headers
    # Non-browser clients send no Origin.
    assert (await client.post(url)).status_code == 201


async def test_token_calls_allow_any_origin(client: httpx.AsyncClient, tenant_factory) -> None:
    tenant = await tenant_factory()
    conv = await start_conversation(client, tenant.widget_key)
    url = f"/api/v1/conversations/{conv['conversation_id']}/messages"
    r = await client.options(
        url,
        headers={
            "origin": "https://other.example",
            "access-control-request-method": "POST",
            "access-control-request-headers": "authorization,content-type",
        },
    )
    assert r.status_code == 204 and r.headers["access-control-allow-origin"] == "*"
    assert "authorization" in r.headers["access-control-allow-headers"]


async def test_client_id_makes_retries_idempotent(
    client: httpx.AsyncClient, runtime: Container, tenant_factory
) -> None:
    tenant = await tenant_factory()
    conv = await start_conversation(client, tenant.widget_key)
    url = f"/api/v1/conversations/{conv['conversation_id']}/messages"
    first = await client.post(
        url, json={"text": "hvor er min pakke", "client_id": "c-1"}, headers=conv["headers"]
    )
    again = await client.post(
        url, json={"text": "hvor er min pakke", "client_id": "c-1"}, headers=conv["headers"]
    )
    assert first.status_code == 201 and again.status_code == 200
    assert again.json()["duplicate"] is True
    assert again.json()["message"]["id"] == first.json()["message"]["id"]
    assert [r["id"] for r in again.json()["replies"]] == [r["id"] for r in first.json()["replies"]]
    assert await count_messages(runtime, conv["conversation_id"]) == 2


async def test_concurrent_retries_store_once(
    client: httpx.AsyncClient, runtime: Container, tenant_factory
) -> None:
    tenant = await tenant_factory()
    conv = await start_conversation(client, tenant.widget_key)
    url = f"/api/v1/conversations/{conv['conversation_id']}/messages"
    results = await asyncio.gather(
        *[
            client.post(url, json={"text": "x", "client_id": "same"}, headers=conv["headers"])
            for _ in range(5)
        ]
    )
    assert len({r.json()["message"]["id"] for r in results}) == 1
    assert await count_messages(runtime, conv["conversation_id"]) == 2


async def test_concurrent_messages_get_gap_free_cursors(
    client: httpx.AsyncClient, tenant_factory
) -> None:
    tenant = await tenant_factory()
    conv = await start_conversation(client, tenant.widget_key)
    url = f"/api/v1/conversations/{conv['conversation_id']}/messages"
    await asyncio.gather(
        *[client.post(url, json={"text": f"m{i}"}, headers=conv["headers"]) for i in range(8)]
    )
    r = await client.get(url, headers=conv["headers"])
    assert [m["cursor"] for m in r.json()["messages"]] == list(range(1, 17))
    # every reply directly follows its own message
    msgs = r.json()["messages"]
    for visitor, reply in zip(msgs[::2], msgs[1::2], strict=True):
        assert reply["text"] == f"echo: {visitor['text']}"


async def test_a_crashing_responder_keeps_the_message(
    client: httpx.AsyncClient, tenant_factory
) -> None:
    tenant = await tenant_factory()
    conv = await start_conversation(client, tenant.widget_key, language="da")
    r = await client.post(
        f"/api/v1/conversations/{conv['conversation_id']}/messages",
        json={"text": "boom"},
        headers=conv["headers"],
    )
    assert r.status_code == 201
    assert r.json()["message"]["text"] == "boom"
    assert r.json()["replies"][0]["author"] == "system"
    assert r.json()["replies"][0]["text"].startswith("Beklager")


async def test_state_change_requested_by_responder(
    client: httpx.AsyncClient, tenant_factory
) -> None:
    tenant = await tenant_factory()
    conv = await start_conversation(client, tenant.widget_key)
    url = f"/api/v1/conversations/{conv['conversation_id']}/messages"
    r = await client.post(url, json={"text": "state:queued"}, headers=conv["headers"])
    assert r.json()["state"] == "queued" and r.json()["replies"] == []
    # While a person is expected, the bot stays quiet.
    r = await client.post(url, json={"text": "hallo?"}, headers=conv["headers"])
    assert r.json()["replies"] == [] and r.json()["state"] == "queued"


async def test_wrong_or_missing_token_is_404_and_changes_nothing(
    client: httpx.AsyncClient, runtime: Container, tenant_factory
) -> None:
    tenant = await tenant_factory()
    conv = await start_conversation(client, tenant.widget_key)
    other = await start_conversation(client, tenant.widget_key)
    url = f"/api/v1/conversations/{conv['conversation_id']}/messages"
    before = await count_messages(runtime)
    for headers in (
        {},
        {"authorization": "Bearer nope"},
        {"authorization": conv["token"]},
        other["headers"],
    ):
        r = await client.post(url, json={"text": "hej"}, headers=headers)
        assert r.status_code == 404, headers
        assert r.json() == {
            "error": {"code": "conversation_not_found", "message": "No such conversation."}
        }
        assert (await client.get(url, headers=headers)).status_code == 404
    unknown = f"/api/v1/conversations/{uuid.uuid4()}/messages"
    r = await client.post(unknown, json={"text": "hej"}, headers=conv["headers"])
    assert r.status_code == 404 and r.json()["error"]["code"] == "conversation_not_found"
    assert await count_messages(runtime) == before


async def test_bad_input_gets_the_documented_error(
    client: httpx.AsyncClient, runtime: Container, tenant_factory
) -> None:
    tenant = await tenant_factory()
    conv = await start_conversation(client, tenant.widget_key)
    url = f"/api/v1/conversations/{conv['conversation_id']}/messages"
    h = conv["headers"]
    before = await count_messages(runtime)

    r = await client.post(
        url, content=b'{"text": "hej"', headers={**h, "content-type": "application/json"}
    )
    assert r.status_code == 400 and r.json()["error"]["code"] == "malformed_json"
    r = await client.post(
        url, content=b"text=hej", headers={**h, "content-type": "application/x-www-form-urlencoded"}
    )
    assert r.status_code == 415 and r.json()["error"]["code"] == "unsupported_media_type"
    r = await client.post(url, json={"text": 42}, headers=h)
    assert r.status_code == 422 and r.json()["error"]["fields"][0]["field"] == "text"
    r = await client.post(url, json={"text": "   "}, headers=h)
    assert r.status_code == 422
    r = await client.post(url, json={"text": "x" * 4001}, headers=h)
    assert r.status_code == 422 and r.json()["error"]["fields"][0]["code"] == "string_too_long"
    r = await client.post(url, json={"text": "hej", "extra": 1}, headers=h)
    assert r.status_code == 422
    r = await client.post(url, json={"text": "hej", "client_id": "with space"}, headers=h)
    assert r.status_code == 422
    r = await client.post(url, json=["hej"], headers=h)
    assert r.status_code == 422
    r = await client.post(
        url,
        content=b'{"text": "' + b"a" * 70_000 + b'"}',
        headers={**h, "content-type": "application/json"},
    )
    assert r.status_code == 413 and r.json()["error"]["code"] == "payload_too_large"
    # Only the upload routes read past the general limit: a form whose path merely ends the
    # same way (the admin's settings page for files) does not.
    r = await client.post("/admin/settings/attachments", content=b"a" * 2_000_000)
    assert r.status_code == 413 and r.json()["error"]["code"] == "payload_too_large"
    r = await client.get(url + "?after=-1", headers=h)
    assert r.status_code == 422
    r = await client.get("/api/v1/conversations/not-a-uuid/messages", headers=h)
    assert r.status_code == 404 and r.json()["error"]["code"] == "conversation_not_found"
    r = await client.get("/api/v1/nothing-here")
    assert r.status_code == 404 and set(r.json()["error"]) == {"code", "message"}
    r = await client.put(url, headers=h)
    assert r.status_code == 405 and r.json()["error"]["code"] == "method_not_allowed"
    r = await client.post("/api/v1/widget/no-such-key/conversations")
    assert r.status_code == 404 and r.json()["error"]["code"] == "widget_not_found"
    r = await client.post(
        f"/api/v1/widget/{tenant.widget_key}/conversations", json={"language": "<script>"}
    )
    assert r.status_code == 422
    # Validation messages never repeat the rejected value.
    r = await client.post(
        url, json={"text": "anna@example.com", "client_id": "anna@example.com"}, headers=h
    )
    assert "anna@example.com" not in r.text
    assert await count_messages(runtime) == before


async def test_control_characters_and_surrogates_are_cleaned(
    client: httpx.AsyncClient, tenant_factory
) -> None:
    tenant = await tenant_factory()
    conv = await start_conversation(client, tenant.widget_key)
    url = f"/api/v1/conversations/{conv['conversation_id']}/messages"
    r = await client.post(
        url,
        content=b'{"text": "a\\u0000b\\u0007c"}',
        headers={**conv["headers"], "content-type": "application/json"},
    )
    assert r.status_code == 201 and r.json()["message"]["text"] == "abc"
    # A lone surrogate is not text: refused with a clear error rather than stored.
    r = await client.post(
        url,
        content=b'{"text": "a\\ud800c"}',
        headers={**conv["headers"], "content-type": "application/json"},
    )
    assert r.status_code in (400, 422) and "error" in r.json()


async def test_rate_limits(make_runtime, database_url: str) -> None:
    from samtale.kernel.clock import ManualClock
    from samtale.web.app import create_app
    from tests.conftest import new_tenant

    clock = ManualClock()
    rt = await make_runtime(
        database_url, clock=clock, messages_per_minute=3, conversations_per_minute_per_ip=2
    )
    tenant = await new_tenant(rt.db, clock)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=create_app(rt, manage_runtime=False)), base_url="http://t"
    ) as c:
        conv = await start_conversation(c, tenant.widget_key)
        await start_conversation(c, tenant.widget_key)
        r = await c.post(f"/api/v1/widget/{tenant.widget_key}/conversations")
        assert r.status_code == 429 and int(r.headers["retry-after"]) > 0
        assert r.json()["error"]["code"] == "rate_limited"
        url = f"/api/v1/conversations/{conv['conversation_id']}/messages"
        for i in range(3):
            assert (
                await c.post(
                    url, json={"text": f"m{i}", "client_id": f"m{i}"}, headers=conv["headers"]
                )
            ).status_code == 201
        r = await c.post(url, json={"text": "one too many"}, headers=conv["headers"])
        assert r.status_code == 429 and 1 <= int(r.headers["retry-after"]) <= 60
        # Over the limit, retries of a stored message still get the first result, from the
        # store (the echo's turn counter in its payload stays where it was).
        for _ in range(5):
            r = await c.post(url, json={"text": "m2", "client_id": "m2"}, headers=conv["headers"])
            assert r.status_code == 200 and r.json()["duplicate"] is True
            assert r.json()["replies"][0]["payload"] == {"turn": 3}
        assert await count_messages(rt, conv["conversation_id"]) == 6
        clock.advance(seconds=61)
        assert (
            await c.post(url, json={"text": "later"}, headers=conv["headers"])
        ).status_code == 201


async def test_the_responder_gets_a_keyed_client_key_not_the_address(
    make_runtime, database_url: str
) -> None:
    from samtale.conversations.responder import Reply
    from samtale.web.app import create_app
    from tests.conftest import new_tenant

    seen: list[str | None] = []

    class Spy:
        async def respond(self, conversation, message):  # type: ignore[no-untyped-def]
            seen.append(conversation.notes.client_key)
            return [Reply("ok")]

    rt = await make_runtime(database_url, responder=Spy())
    tenant = await new_tenant(rt.db, rt.clock)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(
            app=create_app(rt, manage_runtime=False), client=("203.0.113.9", 1234)
        ),
        base_url="http://t",
    ) as c:
        conv = await start_conversation(c, tenant.widget_key)
        url = f"/api/v1/conversations/{conv['conversation_id']}/messages"
        await c.post(url, json={"text": "a"}, headers=conv["headers"])
        await c.post(url, json={"text": "b"}, headers=conv["headers"])
    assert seen[0] and seen[0] == seen[1] and "203.0.113.9" not in seen[0] and len(seen[0]) == 32
