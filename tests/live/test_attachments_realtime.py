"""A message carries its files through the realtime hub and the history resend: a photo sent
through one instance arrives live on a websocket connected to the other, and again after
reconnecting; with the database storage, either instance serves the file. Two instances on one
database and one Redis, as in production."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from websockets.asyncio.client import connect

from samtale.app.container import Container
from tests.conftest import new_tenant, requires_redis, start_conversation
from tests.files import photo

pytestmark = [requires_redis()]


async def recv(ws: Any, kind: str, timeout: float = 5) -> dict[str, Any]:
    async with asyncio.timeout(timeout):
        while True:
            frame = json.loads(await ws.recv())
            if frame["type"] == kind:
                return frame


async def test_files_arrive_live_and_after_a_reconnect_on_another_instance(
    make_runtime: Any, serve: Any, database_url: str, tmp_path: Path
) -> None:
    one: Container = await make_runtime(
        database_url, redis=True, folder=tmp_path / "one", attachment_storage="database"
    )
    two: Container = await make_runtime(
        database_url, redis=True, folder=tmp_path / "two", attachment_storage="database"
    )
    a, b = await serve(one), await serve(two)
    tenant = await new_tenant(one.db, one.clock)
    async with a.client() as http_a, b.client() as http_b:
        conv = await start_conversation(http_a, tenant.widget_key, language="da")
        cid = conv["conversation_id"]
        url = f"{b.ws_url}/api/v1/conversations/{cid}/ws"
        async with connect(url) as ws:
            await ws.send(json.dumps({"type": "auth", "token": conv["token"], "after": 0}))
            await recv(ws, "ready")
            # The customer's photo, uploaded and sent through instance one.
            r = await http_a.post(
                f"/api/v1/conversations/{cid}/attachments",
                params={"name": "vase.jpg"},
                content=photo(),
                headers=conv["headers"],
            )
            assert r.status_code == 201, r.text
            sent = r.json()["attachment"]
            r = await http_a.post(
                f"/api/v1/conversations/{cid}/messages",
                json={"text": "", "attachments": [sent["id"]]},
                headers=conv["headers"],
            )
            assert r.status_code == 201, r.text
            frame = await recv(ws, "message")
            assert frame["message"]["payload"]["attachments"] == [sent]
            cursor = frame["message"]["cursor"]
        # A reconnect to instance two resends it from the cursor before.
        async with connect(url) as ws:
            await ws.send(json.dumps({"type": "auth", "token": conv["token"], "after": cursor - 1}))
            frame = await recv(ws, "message")
            assert frame["message"]["payload"]["attachments"] == [sent]
        # Either instance serves the bytes: they are in the database.
        for http in (http_a, http_b):
            r = await http.get(
                f"/api/v1/conversations/{cid}/attachments/{sent['id']}", headers=conv["headers"]
            )
            assert r.status_code == 200 and r.content[:2] == b"\xff\xd8"
        assert not (tmp_path / "one" / "attachments").exists()
