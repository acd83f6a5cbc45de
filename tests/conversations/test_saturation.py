"""Saturation is honest: with `max_pending_turns` bot turns in flight on an instance, the next
visitor message is answered 503 with Retry-After at once, and is taken again (exactly once)
when sent again later; shop calls count their deadline from when the call starts."""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any

import httpx

from samtale.conversations.responder import ConversationContext, IncomingMessage, Reply
from samtale.web.app import create_app
from tests.conftest import new_tenant, start_conversation


class SlowResponder:
    """Answers once `release` is set."""

    def __init__(self) -> None:
        self.release = asyncio.Event()
        self.started = 0

    async def respond(self, conv: ConversationContext, message: IncomingMessage) -> list[Reply]:
        self.started += 1
        await self.release.wait()
        return [Reply(f"svar: {message.text}")]


async def test_turns_beyond_the_bound_are_refused_at_once(
    make_runtime: Any, database_url: str
) -> None:
    bot = SlowResponder()
    rt = await make_runtime(database_url, responder=bot, max_pending_turns=2)
    tenant = await new_tenant(rt.db, rt.clock)
    app = create_app(rt, manage_runtime=False)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as http:
        convs = [await start_conversation(http, tenant.widget_key) for _ in range(3)]

        async def post(conv: dict[str, Any], client_id: str) -> httpx.Response:
            return await http.post(
                f"/api/v1/conversations/{conv['conversation_id']}/messages",
                json={"text": "hej", "client_id": client_id},
                headers=conv["headers"],
            )

        busy = [asyncio.create_task(post(c, f"c{i}")) for i, c in enumerate(convs[:2])]
        while bot.started < 2:
            await asyncio.sleep(0.01)
        started = time.monotonic()
        refused = await post(convs[2], "c2")
        assert time.monotonic() - started < 1
        assert refused.status_code == 503
        assert refused.headers["retry-after"] == "2"
        assert refused.json()["error"]["code"] == "unavailable"
        assert rt.conversations.shed == 1
        bot.release.set()
        assert [(await t).status_code for t in busy] == [201, 201]
        # Sent again with the same client id once there is room: stored once.
        again = await post(convs[2], "c2")
        assert again.status_code == 201
        assert again.json()["replies"][0]["text"] == "svar: hej"
        assert (await post(convs[2], "c2")).status_code == 200
    assert rt.conversations.pending == 0
    stored = await rt.conversations.messages(tenant.id, uuid.UUID(convs[2]["conversation_id"]))
    assert [m.text for m in stored if m.author == "visitor"] == ["hej"]
