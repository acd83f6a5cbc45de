"""Faults under load: Redis and PostgreSQL stopped and started again while customers chat.

The benchmark starts its own PostgreSQL cluster and its own Redis on free ports (the shared
servers are never touched) and two `samtale demo` instances on them, as a scaled-out deployment
runs. Then, phase by phase:

    steady → Redis stopped → Redis back → PostgreSQL stopped → PostgreSQL back

Customers post turns to both instances all the time, with the widget's retry policy (the same
`client_id` again after `Retry-After`, or after a short backoff on a broken connection). A
watcher holds a websocket on instance B for a conversation a probe writes to on instance A every
0.2 s — the path a message takes to another instance's subscriber through Redis — and reconnects
with backoff and catches up over HTTP on a `resync` frame, as the widget and the console do.

Reported per phase: answers by status (503 counted with and without `Retry-After`), 500s and
broken connections. Then the promises: acknowledged messages lost, stored twice, and whether the
watcher's view is complete without a reload; and the recovery times: the first 201 on each
instance after PostgreSQL returns, and the first message delivered live to the other instance after
Redis returns. The run is bounded: the phases have fixed lengths.

    .venv/bin/python -m bench.faults [--customers 40] [--phase-seconds 10]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import random
import signal
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from tests.faults.processes import OwnPostgres, OwnRedis
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from bench.common import REPO, machine, server, settle, table
from bench.soak import LANGUAGES, customer_text, stored_client_ids

PROBE_EVERY = 0.2


@dataclass
class Phase:
    name: str
    seconds: float
    action: Callable[[], None] | None
    started: float = 0.0
    answers: Counter[str] = field(default_factory=Counter)


class Faults:
    def __init__(
        self, urls: list[str], pg: OwnPostgres, redis: OwnRedis, args: argparse.Namespace
    ) -> None:
        self.urls = urls
        self.args = args
        s = args.phase_seconds
        self.phases = [
            Phase("steady", s, None),
            Phase("Redis stopped", s, redis.stop),
            Phase("Redis back", 1.5 * s, redis.start),
            Phase("PostgreSQL stopped", s, pg.stop),
            Phase("PostgreSQL back", 1.5 * s, pg.start),
        ]
        self.phase = self.phases[0]
        self.finished = False
        self.acked: dict[tuple[str, str], float] = {}
        self.conversations: dict[str, dict[str, Any]] = {}
        self.first_ok: dict[tuple[str, int], float] = {}  # (phase, instance) -> seconds in
        self.probe_sent: dict[str, float] = {}  # client_id -> monotonic time acknowledged
        self.seen_live: dict[str, float] = {}
        self.seen_resync: set[str] = set()
        self.ws_closes: Counter[str] = Counter()

    # -- load ---------------------------------------------------------------------------------

    async def post(
        self, http: httpx.AsyncClient, instance: int, path: str, body: dict[str, Any],
        headers: dict[str, str],
    ) -> httpx.Response | None:  # fmt: skip
        for attempt in range(self.args.attempts):
            phase = self.phase
            try:
                r = await http.post(path, json=body, headers=headers)
            except httpx.HTTPError as exc:
                phase.answers[f"broken: {type(exc).__name__}"] += 1
                await asyncio.sleep(min(0.1 * 2**attempt, 2))
                continue
            code = r.status_code
            label = str(code)
            if code == 503:
                label += (
                    " with Retry-After" if "retry-after" in r.headers else " without Retry-After"
                )
            phase.answers[label] += 1
            if code in (200, 201):
                key = (phase.name, instance)
                self.first_ok.setdefault(key, time.monotonic() - phase.started)
                return r
            if code in (429, 503):
                await asyncio.sleep(min(float(r.headers.get("retry-after", "1")), 2))
                continue
            return r
        return None

    async def customer(self, n: int, clients: list[httpx.AsyncClient]) -> None:
        rng = random.Random(n)
        instance = n % len(clients)
        http = clients[instance]
        while not self.finished:
            r = await self.post(
                http, instance, "/api/v1/widget/demo/conversations",
                {"language": rng.choice(LANGUAGES)}, {},
            )  # fmt: skip
            if r is None or r.status_code != 201:
                await asyncio.sleep(0.5)
                continue
            conv = r.json()
            self.conversations[conv["conversation_id"]] = conv
            headers = {"authorization": f"Bearer {conv['token']}"}
            path = f"/api/v1/conversations/{conv['conversation_id']}/messages"
            for i in range(rng.randint(3, 10)):
                if self.finished:
                    return
                client_id = f"f{n}-{i}-{rng.getrandbits(32):x}"
                body = {"text": customer_text(rng, conv["language"]), "client_id": client_id}
                r = await self.post(http, instance, path, body, headers)
                if r is not None and r.status_code in (200, 201):
                    self.acked[(conv["conversation_id"], client_id)] = time.monotonic()
                await asyncio.sleep(rng.expovariate(1 / self.args.think))

    # -- the cross-instance probe and its watcher ------------------------------------------------

    async def probe(self, http: httpx.AsyncClient, conv: dict[str, Any]) -> None:
        headers = {"authorization": f"Bearer {conv['token']}"}
        path = f"/api/v1/conversations/{conv['conversation_id']}/messages"
        k = 0
        while not self.finished:
            k += 1
            client_id = f"probe-{k}"
            t0 = time.monotonic()
            r = await self.post(http, 0, path, {"text": f"probe {k}", "client_id": client_id},
                                headers)  # fmt: skip
            if self.args.verbose:
                print(f"probe {k}: {r.status_code if r else None} in {time.monotonic() - t0:.2f} s"
                      f" ({self.phase.name})", flush=True)  # fmt: skip
            if r is not None and r.status_code in (200, 201):
                self.probe_sent[client_id] = time.monotonic()
                self.acked[(conv["conversation_id"], client_id)] = time.monotonic()
            await asyncio.sleep(PROBE_EVERY)

    async def watch(self, ws_url: str, http: httpx.AsyncClient, conv: dict[str, Any]) -> None:
        cursor = 0
        backoff = 0.2
        headers = {"authorization": f"Bearer {conv['token']}"}

        async def catch_up() -> None:
            nonlocal cursor
            r = await http.get(
                f"/api/v1/conversations/{conv['conversation_id']}/messages",
                params={"after": cursor, "limit": 500}, headers=headers,
            )  # fmt: skip
            if r.status_code != 200:
                return
            for m in r.json()["messages"]:
                cursor = max(cursor, m["cursor"])
                if m.get("client_id") and m["client_id"] not in self.seen_live:
                    self.seen_resync.add(m["client_id"])

        while not self.finished:
            try:
                async with connect(ws_url, open_timeout=5) as ws:
                    await ws.send(json.dumps({"type": "auth", "token": conv["token"],
                                              "after": cursor}))  # fmt: skip
                    backoff = 0.2
                    async for raw in ws:
                        frame = json.loads(raw)
                        kind = frame.get("type")
                        if kind == "message":
                            m = frame["message"]
                            cursor = max(cursor, m["cursor"])
                            if m.get("client_id"):
                                self.seen_live.setdefault(m["client_id"], time.monotonic())
                        elif kind in ("resync", "ready"):
                            with contextlib.suppress(httpx.HTTPError):
                                await catch_up()
                        elif kind == "ping":
                            await ws.send(json.dumps({"type": "pong"}))
            except ConnectionClosed as exc:
                code = exc.rcvd.code if exc.rcvd is not None else "no close frame"
                self.ws_closes[f"closed {code}"] += 1
            except (OSError, InvalidStatus, TimeoutError) as exc:
                self.ws_closes[type(exc).__name__] += 1
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, 3)
        with contextlib.suppress(httpx.HTTPError):
            await catch_up()

    # -- the run ------------------------------------------------------------------------------------

    async def run(self) -> dict[str, Any]:
        limits = httpx.Limits(max_connections=200)
        clients = [httpx.AsyncClient(base_url=u, timeout=30, limits=limits) for u in self.urls]
        try:
            await self.warm_up(clients)
            r = await clients[0].post("/api/v1/widget/demo/conversations", json={"language": "da"})
            watched = r.json()
            self.conversations[watched["conversation_id"]] = watched
            ws_url = self.urls[1].replace("http", "ws", 1)
            ws_url += f"/api/v1/conversations/{watched['conversation_id']}/ws"
            tasks = [asyncio.create_task(self.customer(n, clients))
                     for n in range(self.args.customers)]  # fmt: skip
            tasks.append(asyncio.create_task(self.probe(clients[0], watched)))
            tasks.append(asyncio.create_task(self.watch(ws_url, clients[1], watched)))
            for phase in self.phases:
                if phase.action is not None:
                    await asyncio.to_thread(phase.action)
                phase.started = time.monotonic()
                self.phase = phase
                await asyncio.sleep(phase.seconds)
            self.finished = True
            await asyncio.wait(tasks, timeout=30)
            for t in tasks:
                if t.done() and not t.cancelled() and t.exception() is not None:
                    raise RuntimeError("a load task failed") from t.exception()
                t.cancel()
            return await self.verify(clients[0])
        finally:
            for c in clients:
                await c.aclose()

    async def warm_up(self, clients: list[httpx.AsyncClient]) -> None:
        """A turn in each language on each instance before the clock starts: the first question
        a new process answers loads models lazily, which is start-up, not the fault under test."""
        rng = random.Random(0)
        for http in clients:
            for language in LANGUAGES:
                r = await http.post(
                    "/api/v1/widget/demo/conversations", json={"language": language}
                )
                conv = r.json()
                for _ in range(3):
                    await http.post(
                        f"/api/v1/conversations/{conv['conversation_id']}/messages",
                        json={"text": customer_text(rng, language)},
                        headers={"authorization": f"Bearer {conv['token']}"},
                    )

    async def verify(self, http: httpx.AsyncClient) -> dict[str, Any]:
        stored = await stored_client_ids(http, self.conversations)
        redis_back = self.phases[2].started
        after_redis = [t for cid, t in self.seen_live.items()
                       if cid in self.probe_sent and self.probe_sent[cid] >= redis_back]  # fmt: skip
        probes = set(self.probe_sent)
        return {
            "acknowledged": len(self.acked),
            "lost": sum(1 for key in self.acked if stored[key] == 0),
            "duplicated": sum(1 for n in stored.values() if n > 1),
            "watcher_missing": len(probes - set(self.seen_live) - self.seen_resync),
            "probes": len(probes),
            "probes_live": len(probes & set(self.seen_live)),
            "probes_resync": len(probes & (self.seen_resync - set(self.seen_live))),
            "live_after_redis": (min(after_redis) - redis_back) if after_redis else None,
        }

    def report(self, result: dict[str, Any]) -> None:
        a = self.args
        print(
            f"bench/faults.py — two `samtale demo` instances on a PostgreSQL and a Redis of the "
            f"benchmark's own; {a.customers} customers (think time {a.think} s) plus a probe "
            f"every {PROBE_EVERY} s watched over a websocket on the other instance; phases of "
            f"{a.phase_seconds:.0f}–{1.5 * a.phase_seconds:.0f} s"
        )
        print(f"machine: {machine()}")
        print()
        labels = sorted({k for p in self.phases for k in p.answers})
        rows = [[p.name, *(p.answers.get(k, 0) for k in labels)] for p in self.phases]
        print(table(["phase", *labels], rows))
        print()
        by_phase: dict[str, dict[int, float]] = defaultdict(dict)
        for (name, instance), t in self.first_ok.items():
            by_phase[name][instance] = t
        live = result["live_after_redis"]
        print(
            table(
                ["recovery", "seconds"],
                [
                    ["first 201 on instance A after PostgreSQL is back",
                     _s(by_phase["PostgreSQL back"].get(0))],
                    ["first 201 on instance B after PostgreSQL is back",
                     _s(by_phase["PostgreSQL back"].get(1))],
                    ["first message delivered live A → B after Redis is back", _s(live)],
                ],
            )
        )  # fmt: skip
        print()
        print(
            table(
                ["acknowledged", "lost", "stored twice", "probes", "seen live", "seen on resync",
                 "missing in the watcher's view", "websocket closes"],
                [[result["acknowledged"], result["lost"], result["duplicated"], result["probes"],
                  result["probes_live"], result["probes_resync"], result["watcher_missing"],
                  ", ".join(f"{k}: {v}" for k, v in sorted(self.ws_closes.items())) or "none"]],
            )
        )  # fmt: skip


def _s(value: float | None) -> str:
    return "never" if value is None else f"{value:.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--customers", type=int, default=40)
    parser.add_argument("--phase-seconds", type=float, default=10)
    parser.add_argument("--think", type=float, default=0.5, help="mean seconds between turns")
    parser.add_argument("--attempts", type=int, default=20)
    parser.add_argument("--data", default="", help="the servers' data folder (their models)")
    parser.add_argument("--verbose", action="store_true", help="print every probe")
    parser.add_argument("--logs", default="", help="a folder for the servers' logs")
    args = parser.parse_args()
    # Stopped from outside, still stop the PostgreSQL and Redis started here.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    pg, redis = OwnPostgres(), OwnRedis()
    try:
        pg.start()
        redis.start()
        env = {"SAMTALE_REDIS_URL": redis.url}
        logs = [f"{args.logs}/{name}.log" if args.logs else None for name in ("a", "b")]
        # The trained demo bot is kept between runs (the database is new every run).
        data = args.data or str(REPO / ".cache" / "bench-demo")
        Path(data).mkdir(parents=True, exist_ok=True)
        with (
            server(pg.url, env, data_dir=data, log_path=logs[0]) as a,
            server(pg.url, env, data_dir=data, log_path=logs[1]) as b,
        ):
            settle(a.pid), settle(b.pid)
            bench = Faults([a.url, b.url], pg, redis, args)
            result = asyncio.run(bench.run())
        bench.report(result)
    finally:
        redis.stop()
        pg.remove()


if __name__ == "__main__":
    main()
