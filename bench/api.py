"""What customers meet at `POST /api/v1/conversations/{id}/messages`, and what it costs.

`samtale demo` runs in its own process (the demo shop's trained bot answers: the whole model,
e5 part included), on SQLite and on PostgreSQL (a database made for the run and dropped). The
customers' turns are new text every time — made from templates in five languages
(`bench/load/texts.py`, `bench/data/api/customers.yaml`), never one of the bot's training
examples — in conversations of a few turns, each customer from an address of its own.

Per database the run reports:

- **open loop** at fixed offered rates (default 50, 100, 200, 400 turns/s): Poisson arrivals
  scheduled by the clock, latency from the scheduled time (coordinated omission counted);
  achieved rate, p50/p90/p99 of answered turns, and the statuses (503 apart: the server sheds
  turns beyond its `max_pending_turns` with 503 and Retry-After);
- **closed loop**: N concurrent clients (default 50) sending turns back to back: the most the
  server does at that concurrency;
- the **cached sentence**: the same training example ("hvor er min pakke") over and over, as
  this benchmark measured before (the bot's embedding cache answers it), at N clients;
- the **GET floor**: `GET /api/v1/conversations/{id}` (token check and one read), at N clients;
- the **write floor**: a bare Starlette app (`bench/load/floor.py`, its own uvicorn process,
  the same settings and database layer) storing two rows per request, at N clients, with the
  ratio of the new-text turn rate (closed loop) to it.

`--baseline REV` measures another git revision the same way in the same run, served from a
temporary worktree with the same virtualenv; the table shows both. The load comes from
`bench/load/client.py` in worker processes on the same machine (see its docstring for why not
wrk); each row says how much CPU the generator and the server used and how busy the whole
machine was, since on a small machine the generator and other work share the cores.

    PYTHONPATH=src:. .venv/bin/python -m bench.api [--quick] [--baseline main]
        [--rates 50,100,200,400] [--seconds 10] [--clients 50] [--processes 2]
        [--postgres URL | --postgres ''] [--cache .cache/bench-api] [--json]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import subprocess
import sys
import tempfile
import time
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from bench.common import (
    REPO,
    add_service_arguments,
    cpu_seconds,
    free_port,
    machine,
    machine_busy_seconds,
    percentile,
    postgres_database,
    settle,
    table,
)
from bench.load import client
from bench.load.revisions import Tree, checkout, demo_server, this_tree
from bench.load.texts import Conversation, CustomerText

# The server trusts X-Forwarded-For from loopback for the run, so each simulated customer has an
# address of its own (per-address limits then count per customer, as behind a proxy).
SERVER_ENV = {"SAMTALE_TRUSTED_PROXIES": "127.0.0.1"}


@dataclass
class Row:
    tree: str
    database: str
    load: str
    offered: float | None  # requests/s (open loop), None for closed
    outcome: client.Outcome
    server_cpu: float  # CPU seconds of the server process over the window
    busy: float  # CPU seconds of the whole machine over the window
    wall: float
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> int:
        return len(self.outcome.latencies)

    @property
    def rate(self) -> float:
        span = self.outcome.finished - self.outcome.started
        return self.ok / span if span > 0 else 0.0

    def figures(self) -> dict[str, Any]:
        lat = self.outcome.latencies
        return {
            "tree": self.tree,
            "database": self.database,
            "load": self.load,
            "offered": self.offered,
            "achieved": round(self.rate, 1),
            "p50_ms": round(percentile(lat, 0.5) * 1000, 1) if lat else None,
            "p90_ms": round(percentile(lat, 0.9) * 1000, 1) if lat else None,
            "p99_ms": round(percentile(lat, 0.99) * 1000, 1) if lat else None,
            "statuses": dict(self.outcome.statuses),
            "server_cores": round(self.server_cpu / self.wall, 2),
            "generator_cores": round(self.outcome.cpu / self.wall, 2),
            "machine_cores_busy": round(self.busy / self.wall, 2),
            "generator_lag_p99_ms": round(percentile(self.outcome.lags, 0.99) * 1000, 1)
            if self.outcome.lags
            else None,
            "opened_in_window": self.outcome.created_inline,
            "reply_authors_sampled": dict(self.outcome.replies),
            **self.extra,
        }

    def cells(self) -> list[object]:
        f = self.figures()
        st = self.outcome.statuses
        ok = sum(v for k, v in st.items() if k.isdigit() and 200 <= int(k) < 300)
        other = {k: v for k, v in st.items() if not (k.isdigit() and 200 <= int(k) < 300)}
        other.pop("503", None)
        return [
            self.tree,
            self.database,
            self.load,
            f"{self.offered:.0f}" if self.offered else "-",
            f"{self.rate:.0f}",
            _ms(f["p50_ms"]),
            _ms(f["p90_ms"]),
            _ms(f["p99_ms"]),
            ok,
            st.get("503", 0),
            ", ".join(f"{k}: {v}" for k, v in sorted(other.items())) or "0",
            f"{f['server_cores']:.2f}",
            f"{f['generator_cores']:.2f}",
            f"{f['machine_cores_busy']:.2f}",
        ]


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}" if value >= 100 else f"{value:.1f}"


HEADERS = [
    "code",
    "database",
    "load",
    "offered/s",
    "done/s",
    "p50 ms",
    "p90 ms",
    "p99 ms",
    "2xx",
    "503",
    "other errors",
    "server cores",
    "load-gen cores",
    "machine busy",
]


def _split(items: Sequence[Conversation], parts: int) -> list[list[Conversation]]:
    return [list(items[i::parts]) for i in range(parts)]


@dataclass(frozen=True)
class Load:
    kind: str  # turns, cached, get, floor (bench/load/client.py)
    mode: str  # open or closed
    value: float  # offered rate (open) or clients (closed)
    label: str
    prepared: int = 0  # conversations opened before the window (turns, floor)
    spare: int = 0  # more that may be opened in it


def measure(
    url: str,
    pid: int,
    load: Load,
    texts: CustomerText | None,
    args: argparse.Namespace,
    tree: str,
    database: str,
    seconds: float | None = None,
) -> Row:
    """One load against one server, as a row; what the server and the machine used is counted
    over the window (and the time to answer what arrived in it) only."""
    p = args.processes
    convs = texts.conversations(load.prepared + load.spare) if texts else []
    ready, extra = _split(convs[: load.prepared], p), _split(convs[load.prepared :], p)
    with_turns = load.kind in ("turns", "floor")
    plans = []
    for i in range(p):
        clients = int(load.value) // p + (1 if i < int(load.value) % p else 0)
        plans.append(
            client.Plan(
                url=url,
                kind=load.kind,
                mode=load.mode,
                seconds=seconds or args.seconds,
                rate=load.value / p if load.mode == "open" else 0.0,
                clients=clients if load.mode == "closed" else 0,
                # Reads and the cached sentence need a conversation per client, not texts.
                conversations=ready[i] + extra[i]
                if with_turns
                else [Conversation("da", (), ())] * max(clients, 1),
                prepare=len(ready[i]) if with_turns else clients,
                address=(i + 1) * 2_000_000 + int(time.time() * 1000) % 1_000_000,
                seed=zlib.crc32(f"{load.label} {load.value} {i}".encode()),
                timeout=args.timeout,
            )
        )
    with contextlib.suppress(ProcessLookupError, FileNotFoundError):
        settle(pid, busy=0.3, window=1.0, timeout=60)

    def sample() -> tuple[float, ...]:
        return time.time(), cpu_seconds(pid), machine_busy_seconds()

    outcome, (t0, c0, b0), (t1, c1, b1) = client.run(plans, sample)
    row = Row(
        tree,
        database,
        load.label,
        load.value if load.mode == "open" else None,
        outcome,
        c1 - c0,
        b1 - b0,
        max(t1 - t0, 1e-9),
    )
    print("  " + " | ".join(str(c) for c in row.cells()), flush=True)
    return row


def prepared_for(rate: float, seconds: float) -> tuple[int, int]:
    """Conversations to open before an open-loop window: one per expected arrival (and some),
    since when the server falls behind every conversation has a turn waiting and each arrival is
    a conversation's first turn. Opening them in the window instead would mix conversation starts
    into what is measured; spares (few) are opened in the window only if the arrivals outrun
    even these."""
    arrivals = math.ceil(rate * seconds * 1.1) + 10
    return arrivals, math.ceil(rate * seconds * 0.1) + 10


def demo_loads(args: argparse.Namespace) -> list[Load]:
    n = args.clients
    loads = [Load("turns", "open", rate, "new text, open loop", *prepared_for(rate, args.seconds))
             for rate in args.rates]  # fmt: skip
    per_client = max(2, math.ceil(args.seconds))  # conversations; more are opened if needed
    loads += [
        Load("turns", "closed", n, f"new text, {n} clients", n * per_client, n * per_client),
        Load("cached", "closed", n, f"cached sentence, {n} clients"),
        Load("get", "closed", n, f"GET floor, {n} clients"),
    ]
    return loads


def measure_demo(
    tree: Tree, database: str, db_url: str | None, args: argparse.Namespace, cache: Path
) -> list[Row]:
    print(f"{tree.label} on {database}: starting `samtale demo`…", flush=True)
    with demo_server(tree, db_url, cache, SERVER_ENV) as srv:
        # The same texts for every tree (a new generator with the run's seed), all different.
        texts = CustomerText(seed=args.seed)
        if args.warmup:
            # Not reported: the first turns of a new server fill its caches and lazy indexes.
            clients = max(2, args.clients // 5)
            warm = Load("turns", "closed", clients, "warm-up", clients * 4, clients * 4)
            measure(srv.url, srv.pid, warm, texts, args, tree.label, database, args.warmup)
        return [
            measure(srv.url, srv.pid, load, texts, args, tree.label, database)
            for load in demo_loads(args)
        ]


@contextlib.contextmanager
def floor_server(database_url: str, tree: Tree) -> Iterator[tuple[str, int]]:
    port = free_port()
    with tempfile.TemporaryFile("w+") as log:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "bench.load.floor",
                "--port",
                str(port),
                "--database-url",
                database_url,
            ],
            env={**os.environ, "PYTHONPATH": f"{tree.root / 'src'}:{REPO}"},
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.time() + 60
            while True:
                if proc.poll() is not None:
                    log.seek(0)
                    raise RuntimeError(f"the write floor exited: {log.read()[-2000:]}")
                with contextlib.suppress(httpx.HTTPError):
                    if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                        break
                if time.time() > deadline:
                    raise RuntimeError("the write floor did not start")
                time.sleep(0.2)
            yield url, proc.pid
        finally:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()


def measure_floor(database: str, db_url: str, args: argparse.Namespace, tree: Tree) -> Row:
    n = args.clients
    per_client = max(4, math.ceil(args.seconds * 4))
    load = Load("floor", "closed", n, f"write floor, {n} clients", n * per_client, n * per_client)
    with floor_server(db_url, tree) as (url, pid):
        texts = CustomerText(seed=args.seed + 1)
        return measure(url, pid, load, texts, args, "bare Starlette", database)


def run(args: argparse.Namespace) -> list[Row]:
    """Every tree on every database, then the write floor; rows of the same load side by side."""
    cache = Path(args.cache)
    rows: list[Row] = []
    current = this_tree()
    dbs: list[tuple[str, str | None]] = [("SQLite", None)]
    if args.postgres:
        dbs.append(("PostgreSQL", args.postgres))
    with contextlib.ExitStack() as stack:
        trees = [current]
        if args.baseline:
            trees.insert(0, stack.enter_context(checkout(args.baseline)))
        for database, base in dbs:
            per_tree = []
            for tree in trees:
                with postgres_database(base) if base else contextlib.nullcontext() as db_url:
                    per_tree.append(measure_demo(tree, database, db_url, args, cache))
            rows += [row for same_load in zip(*per_tree, strict=True) for row in same_load]
            with contextlib.ExitStack() as floor:
                if base:
                    url = floor.enter_context(postgres_database(base))
                else:
                    url = f"sqlite:///{floor.enter_context(tempfile.TemporaryDirectory())}/floor.db"
                rows.append(measure_floor(database, url, args, current))
    return rows


def report(rows: list[Row], args: argparse.Namespace, load_start: tuple[float, ...]) -> None:
    print()
    print(
        "bench/api.py — POST /api/v1/conversations/{id}/messages against `samtale demo` in its own"
        " process (the demo shop's bot, whole model loaded), new customer text every turn"
        f" (five languages, {args.seconds:g} s per row)."
    )
    print(
        f"load: bench/load/client.py in {args.processes} worker processes (asyncio + uvloop,"
        " raw HTTP/1.1 keep-alive; open loop = Poisson arrivals at the offered rate, latency from"
        " the scheduled time; closed loop = clients back to back, latency from the send)."
        f" The generator runs on the same {os.cpu_count()} cores as the server and the database:"
        " 'load-gen cores' is its share, 'machine busy' all processes' (other users' included)."
    )
    print(f"machine: {machine()}")
    print(
        "load average at start {:.1f} {:.1f} {:.1f}, at end {:.1f} {:.1f} {:.1f}".format(
            *load_start, *os.getloadavg()
        )
    )
    print(
        "latencies are of answered (2xx) requests; done/s = answered / (window + the time to"
        " answer what arrived in it); 503 = turns shed by the server\n"
    )
    print(table(HEADERS, [r.cells() for r in rows]))
    print()
    for database in dict.fromkeys(r.database for r in rows):
        floor = next(
            (r for r in rows if r.database == database and r.load.startswith("write floor")), None
        )
        if floor is None or floor.rate == 0:
            continue
        for r in rows:
            if r.database == database and r.load.startswith("new text, ") and "clients" in r.load:
                print(
                    f"{database}: {r.tree}: new-text turns {r.rate:.0f}/s = "
                    f"{r.rate / floor.rate:.0%} of the write floor's {floor.rate:.0f}/s"
                )
    starting = sum(r.outcome.replies.get("system", 0) for r in rows)
    if starting:
        print(
            f"note: {starting} sampled replies were system messages (e.g. 'starting'), not the bot's"
        )
    lags = [percentile(r.outcome.lags, 0.99) for r in rows if r.outcome.lags]
    if lags and max(lags) > 0.01:
        print(
            f"note: the generator dispatched open-loop arrivals late by up to {max(lags) * 1000:.0f}"
            " ms (p99 of a row), counted in those rows' latency"
        )
    if args.json:
        print(json.dumps([r.figures() for r in rows]))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rates", default="50,100,200,400", help="offered turns/s, open loop")
    parser.add_argument("--seconds", type=float, default=8, help="per row")
    parser.add_argument("--clients", type=int, default=50, help="closed loop's concurrency")
    parser.add_argument("--processes", type=int, default=2, help="load generator processes")
    parser.add_argument("--timeout", type=float, default=20, help="per request, seconds")
    parser.add_argument("--warmup", type=float, default=5, help="seconds of turns, not reported")
    add_service_arguments(
        parser,
        redis=False,
        postgres_help="server to make the run's database on; empty to skip PostgreSQL",
    )
    parser.add_argument("--baseline", help="git revision to measure too, from a worktree")
    parser.add_argument(
        "--cache",
        default=str(REPO / ".cache" / "bench-api"),
        help="where each revision's trained demo model is kept",
    )
    parser.add_argument("--seed", type=int, default=1, help="of the customer texts")
    parser.add_argument("--quick", action="store_true", help="a smoke run: 2 rates, 3 s rows")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON too")
    args = parser.parse_args()
    if args.quick:
        args.rates, args.seconds, args.clients = (
            "20,40",
            min(args.seconds, 3),
            min(args.clients, 10),
        )
    args.rates = [float(r) for r in args.rates.split(",") if r.strip()]
    load_start = os.getloadavg()
    rows = run(args)
    report(rows, args, load_start)


if __name__ == "__main__":
    main()
