"""Idle visitor websockets against the server's resident memory, and live delivery beside them.

A shop's widget keeps a websocket open for every customer with the chat open, most of them idle
most of the time: an instance's memory per idle socket decides how many customers one box
carries. This benchmark starts `samtale serve` (the product's own command and uvicorn settings)
in its own process, on PostgreSQL with Redis for the hub (every watched conversation is one
subscription on the instance's pub/sub connection) or, with `--sqlite`, on the embedded default
(SQLite, in-process hub).

Customers each start a conversation over HTTP and open its websocket the way the widget does
(offering permessage-deflate like a browser, an `auth` frame, waiting for `ready`, answering
the server's pings), then stay idle. At each mark (default 0, 1,000, 2,500, 5,000, 10,000
sockets) the server's resident memory (VmRSS) is read after a pause, and the memory per socket
above the 0 mark.

Beside the idle crowd, one conversation is handed to an agent whose console websocket is open on
the same instance: the customer posts, and the time until the customer's own socket and the
agent's socket have the message is taken; the agent posts, and the time until the customer's
socket has it. Measured with no idle sockets and again with all of them, in the same run.

The load generator is this Python process on the same machine.

`--baseline REV` measures another git revision the same way in the same run (served from a
temporary worktree with the same virtualenv); the tables show both.

    PYTHONPATH=src:. .venv/bin/python -m bench.ws [--sockets 1000,2500,5000,10000]
        [--baseline REV] [--sqlite] [--probes 40] [--postgres URL] [--redis URL] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import resource
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
from websockets.asyncio.client import ClientConnection, connect

from bench.common import (
    add_service_arguments,
    machine,
    percentile,
    postgres_database,
    resident_mb,
    server,
    settle,
    table,
)
from bench.live import ANSWERS, AgentLogin, prepare
from bench.load.revisions import Tree, checkout, this_tree


@dataclass
class Mark:
    sockets: int
    rss_mb: float
    opened_seconds: float


@dataclass
class Delivery:
    to_own: list[float] = field(default_factory=list)
    to_agent: list[float] = field(default_factory=list)
    to_customer: list[float] = field(default_factory=list)


class Crowd:
    """Idle customers, each with a conversation and its websocket, answering pings."""

    def __init__(self, url: str, key: str) -> None:
        self.url = url
        self.key = key
        self.http = httpx.AsyncClient(
            base_url=url,
            timeout=60,
            limits=httpx.Limits(max_connections=100, max_keepalive_connections=100),
        )
        self.sockets: list[ClientConnection] = []
        self.tasks: list[asyncio.Task[None]] = []
        self.closed_by_server = 0

    async def _one(self, i: int) -> None:
        # Each customer from an address of its own (the server trusts loopback as its proxy).
        headers = {"x-forwarded-for": f"10.{i // 65536 % 256}.{i // 256 % 256}.{i % 256}"}
        for attempt in range(5):
            try:
                r = await self.http.post(
                    f"/api/v1/widget/{self.key}/conversations",
                    json={"language": "da"},
                    headers=headers,
                )
                if r.status_code == 503:
                    await asyncio.sleep(float(r.headers.get("retry-after", "1")))
                    continue
                r.raise_for_status()
                break
            except httpx.TransportError:
                if attempt == 4:
                    raise
        conv = r.json()
        ws = await connect(
            self.url.replace("http://", "ws://")
            + f"/api/v1/conversations/{conv['conversation_id']}/ws",
            max_queue=4,
            open_timeout=60,
        )
        await ws.send(json.dumps({"type": "auth", "token": conv["token"], "after": 0}))
        while True:
            frame = json.loads(await ws.recv())
            if frame.get("type") == "ready":
                break
            if frame.get("type") == "error":
                raise RuntimeError(f"socket refused: {frame}")
        self.sockets.append(ws)
        self.tasks.append(asyncio.create_task(self._hold(ws)))

    async def _hold(self, ws: ClientConnection) -> None:
        try:
            async for raw in ws:
                if json.loads(raw).get("type") == "ping":
                    await ws.send('{"type": "pong"}')
        except Exception:
            pass
        self.closed_by_server += 1

    async def grow(self, to: int, batch: int = 100) -> None:
        while len(self.sockets) < to:
            n = min(batch, to - len(self.sockets))
            start = len(self.sockets)
            await asyncio.gather(*(self._one(start + j) for j in range(n)))

    async def close(self) -> None:
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*(ws.close() for ws in self.sockets), return_exceptions=True)
        await self.http.aclose()


class LiveChat:
    """One conversation handed to an agent; both websockets open on the same instance."""

    def __init__(self, url: str, key: str, login: AgentLogin) -> None:
        self.url = url
        self.key = key
        self.login = login
        self.waiting: dict[str, asyncio.Future[float]] = {}
        self.tasks: list[asyncio.Task[None]] = []
        self.sockets: list[ClientConnection] = []

    async def open(self) -> None:
        self.http = httpx.AsyncClient(base_url=self.url, timeout=60)
        self.agent = httpx.AsyncClient(
            base_url=self.url,
            timeout=60,
            cookies={"samtale_session": self.login.token},
            headers={"x-csrf-token": self.login.csrf},
        )
        ws_base = self.url.replace("http://", "ws://")
        agent_ws = await connect(
            ws_base + "/api/v1/agent/ws",
            additional_headers={"cookie": f"samtale_session={self.login.token}"},
        )
        await agent_ws.send(json.dumps({"type": "presence", "status": "online"}))
        self._watch(agent_ws, "agent")
        r = await self.http.post(
            f"/api/v1/widget/{self.key}/conversations", json={"language": "da"}
        )
        r.raise_for_status()
        conv = r.json()
        self.cid = conv["conversation_id"]
        self.headers = {"authorization": f"Bearer {conv['token']}"}
        r = await self.http.post(
            f"/api/v1/conversations/{self.cid}/handoff",
            json={"answers": ANSWERS},
            headers=self.headers,
        )
        r.raise_for_status()
        r = await self.agent.post(f"/api/v1/agent/handoffs/{r.json()['handoff_id']}/claim")
        r.raise_for_status()
        visitor_ws = await connect(ws_base + f"/api/v1/conversations/{self.cid}/ws")
        await visitor_ws.send(json.dumps({"type": "auth", "token": conv["token"], "after": 0}))
        self._watch(visitor_ws, "visitor")
        await asyncio.sleep(1)  # the "joined" lines settle

    def _watch(self, ws: ClientConnection, who: str) -> None:
        self.sockets.append(ws)

        async def read() -> None:
            with contextlib.suppress(Exception):
                async for raw in ws:
                    frame = json.loads(raw)
                    if frame.get("type") == "ping":
                        await ws.send('{"type": "pong"}')
                    elif frame.get("type") == "message":
                        future = self.waiting.pop(f"{who}:{frame['message']['text']}", None)
                        if future is not None and not future.done():
                            future.set_result(time.perf_counter())

        self.tasks.append(asyncio.create_task(read()))

    def _expect(self, who: str, text: str) -> asyncio.Future[float]:
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self.waiting[f"{who}:{text}"] = future
        return future

    async def probe(self, n: int, into: Delivery) -> None:
        for i in range(n):
            text = f"kunde {uuid.uuid4().hex[:8]} {i}"
            own, agent = self._expect("visitor", text), self._expect("agent", text)
            t0 = time.perf_counter()
            r = await self.http.post(
                f"/api/v1/conversations/{self.cid}/messages",
                json={"text": text, "client_id": uuid.uuid4().hex},
                headers=self.headers,
            )
            r.raise_for_status()
            into.to_own.append(await asyncio.wait_for(own, 30) - t0)
            into.to_agent.append(await asyncio.wait_for(agent, 30) - t0)
            answer = f"agent {uuid.uuid4().hex[:8]} {i}"
            back = self._expect("visitor", answer)
            t0 = time.perf_counter()
            r = await self.agent.post(
                f"/api/v1/agent/conversations/{self.cid}/messages", json={"text": answer}
            )
            r.raise_for_status()
            into.to_customer.append(await asyncio.wait_for(back, 30) - t0)
            await asyncio.sleep(0.05)

    async def close(self) -> None:
        for task in self.tasks:
            task.cancel()
        for ws in self.sockets:
            with contextlib.suppress(Exception):
                await ws.close()
        await self.http.aclose()
        await self.agent.aclose()


async def measure(
    url: str, pid: int, key: str, login: AgentLogin, marks: list[int], probes: int
) -> tuple[list[Mark], Delivery, Delivery, int]:
    crowd = Crowd(url, key)
    chat = LiveChat(url, key, login)
    quiet, busy = Delivery(), Delivery()
    result: list[Mark] = []
    try:
        await chat.open()
        await chat.probe(5, Delivery())  # warm up the paths
        await crowd.grow(20)  # and the customers' path, then back to none
        await crowd.close()
        crowd = Crowd(url, key)
        await chat.probe(probes, quiet)
        await asyncio.sleep(3)
        result.append(Mark(0, resident_mb(pid), 0.0))
        for mark in marks:
            started = time.perf_counter()
            await crowd.grow(mark)
            opened = time.perf_counter() - started
            await asyncio.sleep(3)
            result.append(Mark(mark, resident_mb(pid), opened))
        await chat.probe(probes, busy)
        still_open = len(crowd.sockets) - crowd.closed_by_server
    finally:
        await chat.close()
        await crowd.close()
    return result, quiet, busy, still_open


@contextlib.contextmanager
def database(sqlite: bool, postgres: str) -> Iterator[str]:
    if sqlite:
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite:///{folder}/bench.db"
    else:
        with postgres_database(postgres) as url:
            yield url


def run_tree(
    tree: Tree, args: argparse.Namespace, marks: list[int], env: dict[str, str]
) -> tuple[list[Mark], Delivery, Delivery, int]:
    with database(args.sqlite, args.postgres) as db_url:
        key, logins = asyncio.run(prepare(db_url, 1, 5))
        print(f"{tree.label}: {max(marks):,} sockets…", file=sys.stderr, flush=True)
        with server(db_url, env | tree.env, demo=False) as running:
            settle(running.pid)
            return asyncio.run(
                measure(running.url, running.pid, key, logins[0], marks, args.probes)
            )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sockets", default="1000,2500,5000,10000", help="marks, ascending")
    parser.add_argument("--sqlite", action="store_true", help="the embedded default instead")
    parser.add_argument("--probes", type=int, default=40, help="live messages per measurement")
    parser.add_argument("--baseline", help="git revision to measure too, from a worktree")
    add_service_arguments(parser)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON too")
    args = parser.parse_args()
    marks = [int(x) for x in args.sockets.split(",")]
    # Each socket is a file descriptor here and in the server (which inherits this limit).
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    need = max(marks) + 1000
    if soft < need:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, need), hard))
    env = {
        "SAMTALE_SECRET_KEY": "bench-secret",
        "SAMTALE_TRUSTED_PROXIES": "127.0.0.1",
    }
    if not args.sqlite:
        env |= {
            "SAMTALE_REDIS_URL": args.redis,
            "SAMTALE_REDIS_PREFIX": f"samtale-bench-{uuid.uuid4().hex[:6]}:",
        }
    setup = "SQLite, in-process hub" if args.sqlite else "PostgreSQL, Redis hub"
    results: list[tuple[str, tuple[list[Mark], Delivery, Delivery, int]]] = []
    with contextlib.ExitStack() as stack:
        trees = [this_tree()]
        if args.baseline:
            trees.insert(0, stack.enter_context(checkout(args.baseline)))
        for tree in trees:
            results.append((tree.label, run_tree(tree, args, marks, env)))
    print(
        f"bench/ws.py — idle visitor websockets on one `samtale serve` instance ({setup}); "
        "the customers and the probe from one Python process on the same machine"
    )
    print(f"machine: {machine()}; load average now {os.getloadavg()[0]:.1f}")
    rows = []
    figures: list[dict[str, Any]] = []
    for label, (marks_out, _, _, still_open) in results:
        base = marks_out[0].rss_mb
        for m in marks_out:
            rows.append(
                [
                    label,
                    f"{m.sockets:,}",
                    f"{m.rss_mb:,.0f}",
                    f"{m.rss_mb - base:,.0f}",
                    f"{(m.rss_mb - base) * 1024 / m.sockets:.1f}" if m.sockets else "",
                    f"{m.opened_seconds:.1f}" if m.sockets else "",
                ]
            )
        rows.append(
            [label, "still open at the end", f"{still_open:,} of {marks[-1]:,}", "", "", ""]
        )
    print(
        table(
            [
                "tree",
                "idle sockets",
                "server RSS MB",
                "above 0 sockets MB",
                "KB per socket",
                "opened in s",
            ],
            rows,
        )
    )
    delivery_rows = []
    for label, (marks_out, quiet, busy, still_open) in results:
        tree_figures: dict[str, Any] = {
            "tree": label,
            "setup": setup,
            "marks": [m.__dict__ for m in marks_out],
            "still_open": still_open,
        }
        for what, attr in (
            ("customer → own socket", "to_own"),
            ("customer → agent's socket", "to_agent"),
            ("agent → customer's socket", "to_customer"),
        ):
            row: list[object] = [label, what]
            for name, d in (("idle_0", quiet), ("idle_all", busy)):
                values = getattr(d, attr)
                p50, p99 = percentile(values, 0.5) * 1000, percentile(values, 0.99) * 1000
                row += [f"{p50:.1f}", f"{p99:.1f}"]
                tree_figures[f"{attr}_{name}"] = {"p50_ms": p50, "p99_ms": p99}
            delivery_rows.append(row)
        figures.append(tree_figures)
    print(
        table(
            [
                "tree",
                "live message",
                "p50 ms, 0 idle",
                "p99 ms, 0 idle",
                f"p50 ms, {marks[-1]:,} idle",
                f"p99 ms, {marks[-1]:,} idle",
            ],
            delivery_rows,
        )
    )
    if args.json:
        print(json.dumps(figures))


if __name__ == "__main__":
    main()
