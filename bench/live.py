"""Customer-to-agent message latency across two instances through Redis.

Two server instances (each its own process: the app of `samtale serve` under uvicorn) share one
PostgreSQL database and one Redis; the schema, the shop, its agents and their log-ins are made
by this script first. 200 customers (by
default) talk to instance A: each starts a conversation, fills in the pre-chat form, and keeps a
websocket open on A; 10 agents keep the console's websocket open on instance B and claim 20
chats each, so 200 live conversations run at once. Then every customer writes a message every
`--interval` seconds (with jitter; 10 s by default) and every agent answers each of their chats now and then.

Measured from the moment the HTTP request leaves this process:
- customer → agent: `POST /messages` on A until the agent's websocket on B has the message
  (stored in PostgreSQL, published through Redis);
- the peer in the same run: the same message until the customer's own websocket on A has it
  (same instance: stored and published, without the hop to the other instance);
- agent → customer: the agent's `POST` on B until the customer's websocket on A has it;
- and the plain `POST /messages` round trip on A.

The load generator is this Python process on the same machine (its own overhead is in the
figures).

    .venv/bin/python -m bench.live [--conversations 200] [--agents 10] [--messages 6]
        [--interval 10] [--postgres URL] [--redis URL]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
from websockets.asyncio.client import connect

from bench.common import (
    add_service_arguments,
    free_port,
    machine,
    percentile,
    postgres_database,
    table,
)

ANSWERS = {"name": "Bench Kunde", "email": "bench@kunde.example"}


@dataclass
class AgentLogin:
    user_id: str
    token: str
    csrf: str


@dataclass
class Timings:
    to_agent: list[float] = field(default_factory=list)
    own_socket: list[float] = field(default_factory=list)
    to_customer: list[float] = field(default_factory=list)
    post: list[float] = field(default_factory=list)
    seconds: float = 0.0  # how long the customers talked
    load: float = 0.0  # the machine's load average meanwhile (other work on it shows here)


async def prepare(database_url: str, agents: int, capacity: int) -> tuple[str, list[AgentLogin]]:
    """The schema, a shop open around the clock (so the run does not depend on the time of day)
    with the default pre-chat form, and its agents with their log-in sessions. Returns the
    shop's widget key and the log-ins."""
    from samtale.accounts.sessions import create_session
    from samtale.infra.database import Database
    from samtale.infra.migrate import upgrade
    from samtale.kernel.clock import SystemClock
    from samtale.kernel.config import async_database_url
    from samtale.tenants.service import TenantCreate, UserCreate, create_tenant, create_user

    db = Database(async_database_url(database_url))
    clock = SystemClock()
    logins = []
    key = f"bench-{uuid.uuid4().hex[:8]}"
    try:
        await upgrade(db)
        async with db.transaction() as session:
            tenant = await create_tenant(
                session, TenantCreate(name="Bench", slug=key, widget_key=key), clock
            )
            tenant.settings = {"live": {"opening_hours": None, "auto_assign": False}}
            for i in range(agents):
                user = await create_user(
                    session,
                    tenant,
                    UserCreate(
                        email=f"bench-agent-{i}-{uuid.uuid4().hex[:6]}@demo.local",
                        password="bench-password-123",
                        role="agent",
                        display_name=f"Agent {i}",
                        languages=["da"],
                        capacity=capacity,
                    ),
                    clock,
                )
                token, sess = await create_session(session, user, clock)
                logins.append(AgentLogin(str(user.id), token, sess.csrf_token))
    finally:
        await db.dispose()
    return key, logins


async def pump(ws: Any, on_frame: Callable[[dict[str, Any]], None], ping: bool) -> None:
    """Read frames until the socket closes; keep it (and the agent's presence) alive."""

    async def beat() -> None:
        while True:
            await asyncio.sleep(15)
            await ws.send(json.dumps({"type": "ping"}))

    beater = asyncio.create_task(beat()) if ping else None
    try:
        async for raw in ws:
            on_frame(json.loads(raw))
    except Exception:
        pass
    finally:
        if beater:
            beater.cancel()


async def run(
    a: str,
    b: str,
    key: str,
    logins: list[AgentLogin],
    conversations: int,
    messages: int,
    interval: float,
) -> Timings:
    timings = Timings()
    sent: dict[str, float] = {}  # marker → when the request left
    errors: list[str] = []
    limits = httpx.Limits(max_connections=400, max_keepalive_connections=400)
    http_a = httpx.AsyncClient(base_url=a, timeout=60, limits=limits)
    agent_http = [
        httpx.AsyncClient(
            base_url=b,
            timeout=60,
            cookies={"samtale_session": login.token},
            headers={"x-csrf-token": login.csrf},
        )
        for login in logins
    ]
    tasks: list[asyncio.Task[None]] = []
    sockets: list[Any] = []

    def agent_frame(frame: dict[str, Any]) -> None:
        if frame.get("type") == "message" and frame["message"]["author"] == "visitor":
            t0 = sent.get("a:" + frame["message"]["text"])
            if t0 is not None:
                timings.to_agent.append(time.perf_counter() - t0)

    def customer_frame(frame: dict[str, Any]) -> None:
        if frame.get("type") != "message":
            return
        now = time.perf_counter()
        text = frame["message"]["text"]
        if frame["message"]["author"] == "visitor" and ("o:" + text) in sent:
            timings.own_socket.append(now - sent.pop("o:" + text))
        elif frame["message"]["author"] == "agent" and ("c:" + text) in sent:
            timings.to_customer.append(now - sent.pop("c:" + text))

    try:
        # Agents on B: the console's websocket, online.
        b_ws = b.replace("http://", "ws://") + "/api/v1/agent/ws"
        for login in logins:
            ws = await connect(
                b_ws, additional_headers={"cookie": f"samtale_session={login.token}"}
            )
            sockets.append(ws)
            await ws.send(json.dumps({"type": "presence", "status": "online"}))
            tasks.append(asyncio.create_task(pump(ws, agent_frame, ping=True)))
        await asyncio.sleep(0.5)

        # Customers on A: a conversation, the pre-chat form, a websocket.
        async def customer(i: int) -> dict[str, Any]:
            r = await http_a.post(f"/api/v1/widget/{key}/conversations", json={"language": "da"})
            r.raise_for_status()
            conv: dict[str, Any] = r.json()
            headers = {"authorization": f"Bearer {conv['token']}"}
            r = await http_a.post(
                f"/api/v1/conversations/{conv['conversation_id']}/handoff",
                json={"answers": ANSWERS},
                headers=headers,
            )
            if r.status_code not in (200, 201):
                raise RuntimeError(f"handoff refused: {r.status_code} {r.text}")
            conv["handoff_id"] = r.json()["handoff_id"]
            ws = await connect(
                a.replace("http://", "ws://")
                + f"/api/v1/conversations/{conv['conversation_id']}/ws"
            )
            await ws.send(json.dumps({"type": "auth", "token": conv["token"], "after": 0}))
            sockets.append(ws)
            tasks.append(asyncio.create_task(pump(ws, customer_frame, ping=True)))
            conv["headers"] = headers
            return conv

        convs = []
        for start in range(0, conversations, 25):
            convs += await asyncio.gather(
                *(customer(i) for i in range(start, min(conversations, start + 25)))
            )
        owner: dict[str, int] = {}
        for i, conv in enumerate(convs):
            k = i % len(logins)
            r = await agent_http[k].post(f"/api/v1/agent/handoffs/{conv['handoff_id']}/claim")
            if r.status_code != 200:
                raise RuntimeError(f"claim refused: {r.status_code} {r.text}")
            owner[conv["conversation_id"]] = k
        await asyncio.sleep(2)  # the "joined" lines and states settle

        async def talk(conv: dict[str, Any], n: int) -> None:
            cid = conv["conversation_id"]
            await asyncio.sleep(random.uniform(0, interval))
            for i in range(n):
                text = f"kunde {cid[:8]} {i}"
                t0 = time.perf_counter()
                sent["a:" + text] = sent["o:" + text] = t0
                for attempt in range(3):
                    try:
                        r = await http_a.post(
                            f"/api/v1/conversations/{cid}/messages",
                            json={"text": text, "client_id": f"b{i}"},
                            headers=conv["headers"],
                        )
                        break
                    except httpx.TransportError:
                        # A keep-alive connection the server closed as we reused it: the same
                        # client_id again (stored once either way).
                        if attempt == 2:
                            raise
                timings.post.append(time.perf_counter() - t0)
                r.raise_for_status()
                if i % 3 == 1:  # the agent answers now and then
                    answer = f"agent {cid[:8]} {i}"
                    sent["c:" + answer] = time.perf_counter()
                    try:
                        r = await agent_http[owner[cid]].post(
                            f"/api/v1/agent/conversations/{cid}/messages", json={"text": answer}
                        )
                        r.raise_for_status()
                    except httpx.TransportError:
                        sent.pop("c:" + answer, None)
                        errors.append("agent post")
                await asyncio.sleep(interval * random.uniform(0.5, 1.5))

        talk_started = time.perf_counter()
        load_before = os.getloadavg()[0]
        await asyncio.gather(*(talk(c, messages) for c in convs))
        timings.seconds = time.perf_counter() - talk_started
        timings.load = (load_before + os.getloadavg()[0]) / 2
        await asyncio.sleep(3)  # the last deliveries
    finally:
        for ws in sockets:
            await ws.close()
        for task in tasks:
            task.cancel()
        await http_a.aclose()
        for client in agent_http:
            await client.aclose()
    return timings


def serve_instance(port: int) -> None:
    """One instance (run in its own process): the app on uvicorn, from the SAMTALE_* settings."""
    import uvicorn

    from samtale.app.container import Container
    from samtale.cli.server import uvicorn_config
    from samtale.conversations.responder import StaticRegistry
    from samtale.kernel.config import Settings
    from samtale.web.app import create_app

    settings = Settings(host="127.0.0.1", port=port)
    runtime = Container.build(settings, responders=StaticRegistry())
    # The product's own uvicorn settings (websocket compression and frame limits included).
    uvicorn.Server(uvicorn_config(create_app(runtime), settings)).run()


@contextlib.contextmanager
def instance(database_url: str, env: dict[str, str], timeout: float = 900) -> Iterator[str]:
    """Start an instance in its own process; yields its URL once `/healthz` answers 200."""
    port = free_port()
    with tempfile.TemporaryDirectory() as data_dir:
        proc_env = {
            **os.environ,
            **env,
            "SAMTALE_DATA_DIR": data_dir,
            "SAMTALE_DATABASE_URL": database_url,
            "SAMTALE_LOG_LEVEL": "warning",
            "SAMTALE_SECRET_KEY": "bench-secret",
            "SAMTALE_MESSAGES_PER_MINUTE": "1000000",
            "SAMTALE_CONVERSATIONS_PER_MINUTE_PER_IP": "1000000",
        }
        cmd = [sys.executable, "-m", "bench.live", "--serve-instance", str(port)]
        proc = subprocess.Popen(
            cmd, env=proc_env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
        )
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.time() + timeout
            while True:
                if proc.poll() is not None:
                    raise RuntimeError(
                        f"instance exited: {proc.stderr.read() if proc.stderr else ''}"
                    )
                with contextlib.suppress(httpx.HTTPError):
                    if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                        break
                if time.time() > deadline:
                    raise RuntimeError("instance did not become ready")
                time.sleep(0.5)
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--serve-instance":
        serve_instance(int(sys.argv[2]))
        return
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--conversations", type=int, default=200)
    parser.add_argument("--agents", type=int, default=10)
    parser.add_argument("--messages", type=int, default=6, help="per customer")
    parser.add_argument(
        "--interval",
        type=float,
        default=10.0,
        help="seconds between a customer's messages (a brisk chat; 200 customers at 10 s are "
        "20 messages a second)",
    )
    add_service_arguments(parser)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON too")
    args = parser.parse_args()
    capacity = min(50, -(-args.conversations // args.agents))
    prefix = f"samtale-bench-{uuid.uuid4().hex[:6]}:"
    env = {"SAMTALE_REDIS_URL": args.redis, "SAMTALE_REDIS_PREFIX": prefix}
    with postgres_database(args.postgres) as db_url:
        key, logins = asyncio.run(prepare(db_url, args.agents, capacity))
        with (
            instance(db_url, env) as a,
            instance(db_url, env) as b,
        ):
            timings = asyncio.run(
                run(a, b, key, logins, args.conversations, args.messages, args.interval)
            )
    rows = []
    figures = []
    for label, path, values in (
        (
            "customer → agent",
            "POST on A → PostgreSQL → Redis → agent websocket on B",
            timings.to_agent,
        ),
        ("customer → own socket (peer)", "POST on A → customer websocket on A", timings.own_socket),
        (
            "agent → customer",
            "POST on B → PostgreSQL → Redis → customer websocket on A",
            timings.to_customer,
        ),
        ("POST /messages round trip", "customer's request on A", timings.post),
    ):
        p50, p99 = percentile(values, 0.5) * 1000, percentile(values, 0.99) * 1000
        rows.append([label, path, f"{p50:.1f}", f"{p99:.1f}", len(values)])
        figures.append({"measure": label, "p50_ms": p50, "p99_ms": p99, "n": len(values)})
    print(
        f"bench/live.py — {args.conversations} live conversations ({args.agents} agents on instance B, "
        f"customers on instance A), a customer message every ~{args.interval:g} s each, "
        f"{args.messages} per customer; two server instances (processes) on one PostgreSQL and Redis, "
        "load from one Python process, all on loopback"
    )
    rate = len(timings.post) / timings.seconds if timings.seconds else 0.0
    print(
        f"machine: {machine()}; load average during the run {timings.load:.1f}; "
        f"{rate:.0f} customer messages/s for {timings.seconds:.0f} s"
    )
    print(table(["measure", "path", "p50 ms", "p99 ms", "messages"], rows))
    if args.json:
        print(json.dumps(figures))


if __name__ == "__main__":
    main()
