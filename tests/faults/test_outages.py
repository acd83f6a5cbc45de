"""Outages of PostgreSQL and Redis under a small load, on processes the tests start and stop
themselves: 503 with Retry-After during the gap (never a 500 or a reset), nothing acknowledged
lost, recovery without a restart, live delivery resumed after Redis returns."""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from samtale.kernel.config import async_database_url
from tests.conftest import new_tenant, start_conversation
from tests.faults.processes import OwnPostgres, OwnRedis
from tests.web.test_realtime import auth, recv


class Load:
    """Visitor messages with client ids, counted by answer; a 503 must carry Retry-After."""

    def __init__(self, http: httpx.AsyncClient, conv: dict[str, Any]) -> None:
        self.http = http
        self.conv = conv
        self.acked: list[str] = []
        self.statuses: Counter[int] = Counter()
        self.n = 0

    async def post(self) -> int:
        self.n += 1
        text = f"message {self.n}"
        r = await self.http.post(
            f"/api/v1/conversations/{self.conv['conversation_id']}/messages",
            json={"text": text, "client_id": f"c-{self.n}"},
            headers=self.conv["headers"],
        )
        self.statuses[r.status_code] += 1
        if r.status_code == 201:
            self.acked.append(text)
        elif r.status_code == 503:
            assert int(r.headers["retry-after"]) > 0
            assert r.json()["error"]["code"] == "unavailable"
        else:
            raise AssertionError(f"{r.status_code}: {r.text}")
        return r.status_code

    async def stored(self) -> list[str]:
        r = await self.http.get(
            f"/api/v1/conversations/{self.conv['conversation_id']}/messages",
            headers=self.conv["headers"],
        )
        assert r.status_code == 200
        return [m["text"] for m in r.json()["messages"] if m["author"] == "visitor"]


async def until_ok(load: Load, seconds: float) -> float:
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        if await load.post() == 201:
            return time.monotonic() - started
        await asyncio.sleep(0.05)
    raise AssertionError("no recovery")


async def test_postgres_outage_answers_503_and_recovers_without_restart(
    own_postgres: OwnPostgres, make_runtime: Any, serve: Any
) -> None:
    rt = await make_runtime(async_database_url(own_postgres.url))
    server = await serve(rt)
    tenant = await new_tenant(rt.db, rt.clock)
    # One keep-alive connection throughout: a reset would raise here.
    async with server.client() as http:
        conv = await start_conversation(http, tenant.widget_key)
        load = Load(http, conv)
        for _ in range(5):
            assert await load.post() == 201
        own_postgres.stop()
        for _ in range(10):
            assert await load.post() == 503
        r = await http.get("/healthz")
        assert r.status_code == 503
        r = await http.post(
            f"/api/v1/widget/{tenant.widget_key}/conversations",
            headers={"origin": "https://shop.example"},
        )
        assert r.status_code == 503 and "retry-after" in r.headers
        own_postgres.start()
        recovery = await until_ok(load, 10)
        for _ in range(5):
            assert await load.post() == 201
        stored = await load.stored()
    assert recovery < 3
    assert load.statuses[500] == 0 and load.statuses[503] >= 10
    assert set(load.acked) <= set(stored)  # nothing acknowledged is lost
    assert len(stored) == len(set(stored))  # nothing stored twice


async def test_redis_outage_keeps_messages_flowing_and_live_delivery_resumes(
    own_redis: OwnRedis, make_runtime: Any, serve: Any, database_url: str
) -> None:
    """Two instances on the test's own Redis: messages posted on one reach a websocket on the
    other; with Redis away posting still works (the limiter counts locally), a new websocket is
    closed with 1013, and after Redis returns the open websocket catches up (resync) within
    2 s without a reload."""
    a = await make_runtime(database_url, redis_url=own_redis.url)
    b = await make_runtime(database_url, redis_url=own_redis.url)
    server_a, server_b = await serve(a), await serve(b)
    tenant = await new_tenant(a.db, a.clock)
    async with server_a.client() as http:
        conv = await start_conversation(http, tenant.widget_key)
        load = Load(http, conv)
        url = f"{server_b.ws_url}/api/v1/conversations/{conv['conversation_id']}/ws"
        async with connect(url) as ws:
            await auth(ws, conv["token"])
            assert await load.post() == 201
            seen: set[str] = set()

            async def drain(until: set[str], timeout: float) -> None:
                async with asyncio.timeout(timeout):
                    while not until <= seen:
                        frame = await recv(ws, "message")
                        if frame["message"]["author"] == "visitor":
                            seen.add(frame["message"]["text"])

            await drain(set(load.acked), 5)
            own_redis.stop()
            for _ in range(10):
                assert await load.post() == 201  # the database is up: nothing needs Redis
            # A new websocket (of a new conversation: nobody on this instance subscribes to
            # it yet) while Redis is away gets a close frame asking to come back.
            second = await start_conversation(http, tenant.widget_key)
            other_url = f"{server_b.ws_url}/api/v1/conversations/{second['conversation_id']}/ws"
            async with connect(other_url) as other:
                await other.send(json.dumps({"type": "auth", "token": second["token"]}))
                with pytest.raises(ConnectionClosed) as closed:
                    async with asyncio.timeout(10):
                        while True:
                            await other.recv()
                assert closed.value.rcvd is not None and closed.value.rcvd.code == 1013
            own_redis.start()
            returned = time.monotonic()
            await drain(set(load.acked), 8)
            caught_up = time.monotonic() - returned
            # Live delivery again, on the next message.
            assert await load.post() == 201
            await drain(set(load.acked), 2)
        stored = await load.stored()
    assert caught_up < 2 + 1.5  # reconnect (the hub retries every 0.2 s) plus the catch-up
    assert set(load.acked) <= set(stored) and len(stored) == len(set(stored))
    assert load.statuses[500] == 0
