"""`samtale serve --workers 2` for real: a subprocess on a fresh PostgreSQL database of its own
and the test Redis (a key prefix of its own). Requests are answered by both worker processes
(told apart by the `pid` of their log lines) and `/metrics` counts them all whichever worker
answers; a message posted through one worker reaches a visitor's websocket held by the other; a
worker killed outright is started again; SIGTERM stops every worker cleanly and the server
exits 0. (The bots train once per model into `.cache/`: later runs load them.)"""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from samtale.infra.database import Database
from samtale.infra.migrate import upgrade
from tests.conftest import (
    POSTGRES_URL,
    REDIS_URL,
    RUN_ID,
    _create_pg_database,
    _drop_pg_database,
    free_port,
    new_tenant,
)

pytestmark = [
    pytest.mark.skipif(not POSTGRES_URL, reason="SAMTALE_TEST_POSTGRES_URL is not set"),
    pytest.mark.skipif(not REDIS_URL, reason="SAMTALE_TEST_REDIS_URL is not set"),
]

REPO = Path(__file__).resolve().parents[2]
METRICS_TOKEN = "workers-test-metrics"
ORIGIN = {"origin": "https://shop.example"}
CONFIG_ROUTE = "/api/v1/widget/{widget_key}/config"
POST_ROUTE = "/api/v1/conversations/{conversation_id}/messages"


@dataclass
class Served:
    proc: subprocess.Popen[bytes]
    url: str
    log: Path
    widget_key: str

    @property
    def ws_url(self) -> str:
        return self.url.replace("http://", "ws://")

    def lines(self) -> list[dict[str, Any]]:
        out = []
        for line in self.log.read_text(errors="replace").splitlines():
            if line.startswith("{"):
                try:
                    out.append(json.loads(line))
                except ValueError:
                    continue
        return out

    def events(self, name: str, **fields: Any) -> list[dict[str, Any]]:
        return [
            e
            for e in self.lines()
            if e.get("event") == name and all(e.get(k) == v for k, v in fields.items())
        ]

    def workers(self) -> dict[int, int]:
        """The current worker of each number: {worker: pid}."""
        return {e["worker"]: e["worker_pid"] for e in self.events("worker_started")}

    def served_by(self, route: str) -> Counter[int]:
        """Requests to `route` per worker pid, from the workers' request log lines."""
        return Counter(e["pid"] for e in self.events("request", route=route))

    async def wait_until_ready(self, timeout: float = 900) -> None:
        """Every current worker has loaded its bots."""
        deadline = time.monotonic() + timeout
        while True:
            assert self.proc.poll() is None, self.log.read_text()[-4000:]
            workers = set(self.workers().values())
            ready = {e["pid"] for e in self.events("bots_ready")}
            if len(workers) == 2 and workers <= ready:
                return
            assert time.monotonic() < deadline, "the workers did not get ready"
            await asyncio.sleep(0.25)


@pytest.fixture(scope="module")
async def served(
    tmp_path_factory: pytest.TempPathFactory, bot_data_dir: Path
) -> AsyncIterator[Served]:
    assert POSTGRES_URL and REDIS_URL
    name = f"samtale_workers_{RUN_ID}"
    url = await _create_pg_database(POSTGRES_URL, name)
    db = Database(url)
    await upgrade(db)
    tenant = await new_tenant(db)
    await db.dispose()
    log = tmp_path_factory.mktemp("workers") / "server.log"
    port = free_port()
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(REPO / "src"), str(REPO)]),
        "SAMTALE_DATABASE_URL": url,
        "SAMTALE_REDIS_URL": REDIS_URL,
        "SAMTALE_REDIS_PREFIX": f"samtale-test-{RUN_ID}-workers:",
        # The trained models are kept between runs, like the other bot tests' (by content).
        "SAMTALE_DATA_DIR": str(bot_data_dir),
        "SAMTALE_SECRET_KEY": "workers-test-secret",
        "SAMTALE_METRICS_TOKEN": METRICS_TOKEN,
        "SAMTALE_LOG_LEVEL": "info",
        "SAMTALE_MESSAGES_PER_MINUTE": "10000",
        "SAMTALE_CONVERSATIONS_PER_MINUTE_PER_IP": "10000",
        "SAMTALE_BOT_FAST_START": "false",
    }
    proc = _start(["serve", "--workers", "2", "--port", str(port)], env, log)
    server = Served(proc, f"http://127.0.0.1:{port}", log, tenant.widget_key)
    try:
        await server.wait_until_ready()
        yield server
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(60)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        await _drop_pg_database(POSTGRES_URL, name)


def _start(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with open(log, "wb") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "samtale", *args],
            cwd=REPO,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=out,
        )


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


async def _get(served: Served, path: str, **kwargs: Any) -> httpx.Response:
    """One request on a connection of its own (so that either worker may take it)."""
    async with httpx.AsyncClient(base_url=served.url, timeout=30) as client:
        return await client.get(path, **kwargs)


def _metric(text: str, route: str, status: str = "200") -> float:
    pattern = (
        r'^samtale_http_requests_total\{method="GET",route="' + re.escape(route)
        + r'",status="' + status + r'"\} ([0-9.e+]+)$'
    )  # fmt: skip
    found = re.search(pattern, text, re.MULTILINE)
    return float(found.group(1)) if found else 0.0


async def _until(check: Any, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.1)


async def test_requests_are_answered_by_both_workers_and_counted_once(served: Served) -> None:
    workers = set(served.workers().values())
    path = f"/api/v1/widget/{served.widget_key}/config"
    sent = 0
    # Until each worker has answered a few (the kernel hands each new connection to one).
    while sent < 600:
        r = await _get(served, path)
        assert r.status_code == 200, r.text
        sent += 1
        if sent % 20 == 0:
            await asyncio.sleep(0.2)  # the log lines of the last ones
            by_pid = served.served_by(CONFIG_ROUTE)
            if set(by_pid) == workers and min(by_pid.values()) >= 3:
                break
    await _until(lambda: sum(served.served_by(CONFIG_ROUTE).values()) == sent)
    by_pid = served.served_by(CONFIG_ROUTE)
    assert set(by_pid) == workers, (by_pid, workers)
    # /metrics answers from whichever worker takes the scrape, always with every worker's count.
    auth = {"authorization": f"Bearer {METRICS_TOKEN}"}
    for _ in range(6):
        r = await _get(served, "/metrics", headers=auth)
        assert r.status_code == 200
        assert _metric(r.text, CONFIG_ROUTE) == sent, (by_pid, sent)


async def test_a_message_posted_through_one_worker_reaches_a_websocket_on_the_other(
    served: Served,
) -> None:
    workers = set(served.workers().values())
    async with httpx.AsyncClient(base_url=served.url, timeout=60) as http:
        r = await http.post(f"/api/v1/widget/{served.widget_key}/conversations", headers=ORIGIN)
        assert r.status_code == 201, r.text
        conv = r.json()
    cid, token = conv["conversation_id"], conv["token"]
    before = served.served_by(POST_ROUTE)
    async with connect(f"{served.ws_url}/api/v1/conversations/{cid}/ws") as ws:
        await ws.send(json.dumps({"type": "auth", "token": token, "after": 0}))
        seen: list[str] = []

        async def read() -> None:
            while True:
                frame = json.loads(await ws.recv())
                if frame["type"] == "message" and frame["message"]["author"] == "visitor":
                    seen.append(frame["message"]["text"])

        reader = asyncio.create_task(read())
        sent: list[str] = []
        try:
            # Post on connections of their own until both workers have taken some: the
            # websocket is held by one of them, so the other's messages reached it through Redis.
            while len(sent) < 80:
                text = f"hej nummer {len(sent) + 1}"
                async with httpx.AsyncClient(base_url=served.url, timeout=60) as http:
                    r = await http.post(
                        f"/api/v1/conversations/{cid}/messages",
                        json={"text": text},
                        headers={"authorization": f"Bearer {token}"},
                    )
                assert r.status_code == 201, r.text
                sent.append(text)
                await asyncio.sleep(0.1)
                posts = served.served_by(POST_ROUTE) - before
                if set(posts) == workers:
                    break
            await _until(lambda: len(seen) >= len(sent))
        finally:
            reader.cancel()
    posts = served.served_by(POST_ROUTE) - before
    assert set(posts) == workers, posts
    assert seen == sent  # every one, live, in order


async def test_a_worker_that_dies_is_started_again(served: Served) -> None:
    before = served.workers()
    victim = before[0]
    os.kill(victim, signal.SIGKILL)
    await _until(lambda: served.events("worker_died", worker_pid=victim), timeout=30)
    (died,) = served.events("worker_died", worker_pid=victim)
    assert died["exit_code"] == -signal.SIGKILL and died["worker"] == 0
    await _until(lambda: served.workers()[0] != victim, timeout=30)
    await served.wait_until_ready()
    after = served.workers()
    assert after[1] == before[1] and after[0] != victim
    # The new worker answers too.
    path = f"/api/v1/widget/{served.widget_key}/config"
    for _ in range(600):
        assert (await _get(served, path)).status_code == 200
        if after[0] in served.served_by(CONFIG_ROUTE):
            break
    assert after[0] in served.served_by(CONFIG_ROUTE)


async def test_sigterm_stops_every_worker_cleanly(served: Served) -> None:
    workers = set(served.workers().values())
    async with httpx.AsyncClient(base_url=served.url, timeout=60) as http:
        r = await http.post(f"/api/v1/widget/{served.widget_key}/conversations", headers=ORIGIN)
        conv = r.json()
    async with connect(f"{served.ws_url}/api/v1/conversations/{conv['conversation_id']}/ws") as ws:
        await ws.send(json.dumps({"type": "auth", "token": conv["token"], "after": 0}))
        assert json.loads(await ws.recv())["type"] == "ready"
        served.proc.send_signal(signal.SIGTERM)
        with pytest.raises(ConnectionClosed):  # the worker holding it closes it as it stops
            async with asyncio.timeout(30):
                while True:
                    await ws.recv()
    assert await asyncio.to_thread(served.proc.wait, 60) == 0
    assert all(_gone(pid) for pid in workers), workers
    assert {e["pid"] for e in served.events("Application shutdown complete.")} == workers
    (stopped,) = served.events("supervisor_stopped")
    assert stopped["killed"] == 0
