"""`samtale serve --workers N`: bot turns per second and latency with one worker process and
with more, and the resident memory of each process.

One run, one fresh PostgreSQL database with the demo shop and its bot, Redis with a key prefix
of its own; the server is started with `--workers 1` (the baseline: one process, as `samtale
serve` runs by default) and then with each larger count, on the same database and the same
trained models. Each waits until every process has loaded its bots and embedded the demo
shop's catalogue, gets a warm-up that is not reported, then the loads of `bench/api.py`'s
closed loop: N clients sending new customer text back to back (a bot turn each), and the GET
floor (token check and one read). The generator is `bench/load/client.py` in worker processes
on the same cores; 'server cores' sums every serving process. Memory is read from /proc after
the loads: each worker holds its own container and bots; the supervisor holds none.

    PYTHONPATH=src:. .venv/bin/python -m bench.workers [--workers 1,2] [--clients 16]
        [--seconds 10] [--postgres URL] [--redis URL]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path
from typing import Any

from bench.api import HEADERS, Load, Row
from bench.common import (
    REPO,
    add_service_arguments,
    cpu_seconds,
    machine,
    machine_busy_seconds,
    postgres_database,
    resident_mb,
    server,
    settle,
    table,
)
from bench.load import client
from bench.load.texts import Conversation, CustomerText


def workers_of(pid: int) -> list[int]:
    """The worker processes of a supervisor (its children that run a worker, not the helper
    that multiprocessing keeps for its semaphores)."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            ppid = int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1])
            cmd = (proc / "cmdline").read_bytes()
        except (OSError, ValueError, IndexError):
            continue
        if ppid == pid and b"spawn_main" in cmd:
            found.append(int(proc.name))
    return sorted(found)


def prepare(db_url: str, data_dir: str) -> None:
    """The schema and the demo shop (tenant, content, shop data), as `samtale demo` makes them."""
    env = {**os.environ, "SAMTALE_DATABASE_URL": db_url, "SAMTALE_DATA_DIR": data_dir}
    subprocess.run([sys.executable, "-m", "samtale", "migrate"], env=env, check=True,
                   stdout=subprocess.DEVNULL)  # fmt: skip

    async def demo() -> None:
        from samtale.demo.tenant import ensure_demo
        from samtale.infra.database import Database
        from samtale.kernel.clock import SystemClock
        from samtale.kernel.config import async_database_url

        db = Database(async_database_url(db_url))
        try:
            async with db.transaction() as session:
                await ensure_demo(session, SystemClock(), Path(data_dir), [])
        finally:
            await db.dispose()

    asyncio.run(demo())


def wait_warm(log: Path, processes: int, timeout: float = 1800) -> None:
    """Until every serving process has loaded its bots and embedded the demo shop's catalogue
    (its start-up work; measuring before would measure that)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done: dict[str, set[Any]] = {"bots_ready": set(), "shop_semantic_index_ready": set()}
        for line in log.read_text(errors="replace").splitlines():
            if line.startswith("{"):
                with contextlib.suppress(ValueError):
                    event = json.loads(line)
                    if event.get("event") in done:
                        done[event["event"]].add(event.get("pid"))
        if all(len(pids) >= processes for pids in done.values()):
            return
        time.sleep(1)
    raise RuntimeError("the server did not finish starting")


def measure(
    url: str, pids: list[int], load: Load, texts: CustomerText, args: argparse.Namespace, name: str
) -> Row:
    """One closed-loop load against the server, as a row; the CPU of every serving process and
    of the machine is counted over the window."""
    p = args.processes
    convs = texts.conversations(load.prepared + load.spare) if load.kind == "turns" else []
    plans = []
    for i in range(p):
        clients = int(load.value) // p + (1 if i < int(load.value) % p else 0)
        mine = convs[i::p] if convs else [Conversation("da", (), ())] * max(clients, 1)
        plans.append(
            client.Plan(
                url=url,
                kind=load.kind,
                mode="closed",
                seconds=args.seconds,
                clients=clients,
                conversations=mine,
                prepare=len(mine) if load.kind == "turns" else clients,
                address=(i + 1) * 2_000_000 + int(time.time() * 1000) % 1_000_000,
                seed=zlib.crc32(f"{load.label} {name} {i}".encode()),
                timeout=args.timeout,
            )
        )
    for pid in pids:
        settle(pid, busy=0.3, window=1.0, timeout=60)

    def sample() -> tuple[float, ...]:
        return time.time(), sum(cpu_seconds(pid) for pid in pids), machine_busy_seconds()

    outcome, (t0, c0, b0), (t1, c1, b1) = client.run(plans, sample)
    row = Row(name, "PostgreSQL", load.label, None, outcome, c1 - c0, b1 - b0, max(t1 - t0, 1e-9))
    print("  " + " | ".join(str(c) for c in row.cells()), flush=True)
    return row


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--workers", default="1,2", help="worker counts to compare, in order")
    parser.add_argument("--clients", type=int, default=16, help="closed loop's concurrency")
    parser.add_argument("--seconds", type=float, default=10, help="per row")
    parser.add_argument("--processes", type=int, default=2, help="load generator processes")
    parser.add_argument("--timeout", type=float, default=20, help="per request, seconds")
    parser.add_argument("--seed", type=int, default=1, help="of the customer texts")
    add_service_arguments(parser)
    parser.add_argument("--data", default="", help="the servers' data folder (their models)")
    args = parser.parse_args()
    counts = [int(n) for n in args.workers.split(",")]
    # The trained demo bot is kept between runs (the database is new every run).
    data = args.data or str(REPO / ".cache" / "bench-demo")
    Path(data).mkdir(parents=True, exist_ok=True)
    n = args.clients
    per_client = max(2, int(args.seconds))  # conversations; more are opened if needed
    loads = [
        Load("turns", "closed", n, f"new text, {n} clients", n * per_client, n * per_client),
        Load("get", "closed", n, f"GET floor, {n} clients"),
    ]

    load_start = os.getloadavg()
    rows: list[Row] = []
    memory: list[list[Any]] = []
    with postgres_database(args.postgres) as db_url, tempfile.TemporaryDirectory() as tmp:
        prepare(db_url, data)
        for count in counts:
            name = f"{count} worker" + ("s" if count > 1 else "")
            env = {
                # Info: the start-up's events tell when it is done (every request is logged too,
                # in every row alike, as a server at its default level does).
                "SAMTALE_LOG_LEVEL": "info",
                "SAMTALE_WORKERS": str(count),
                "SAMTALE_REDIS_URL": args.redis,
                "SAMTALE_REDIS_PREFIX": f"samtale-bench-workers-{os.getpid()}:",
                # Each simulated customer from an address of its own, as behind a proxy.
                "SAMTALE_TRUSTED_PROXIES": "127.0.0.1",
            }
            log = Path(tmp) / f"server-{count}.log"
            print(f"{name}: starting `samtale serve`…", flush=True)
            with server(db_url, env, demo=False, data_dir=data, log_path=str(log)) as running:
                pids = workers_of(running.pid) if count > 1 else [running.pid]
                wait_warm(log, count)
                texts = CustomerText(seed=args.seed)
                warm = Load("turns", "closed", n, "warm-up", n * 2, n * 2)
                measure(running.url, pids, warm, texts, args, name)  # not reported
                rows += [measure(running.url, pids, load, texts, args, name) for load in loads]
                for i, pid in enumerate(pids):
                    process = "the server" if count == 1 else f"worker {i}"
                    memory.append([name, process, f"{resident_mb(pid):.0f}"])
                if count > 1:
                    memory.append([name, "supervisor", f"{resident_mb(running.pid):.0f}"])

    print()
    print(
        "bench/workers.py — `samtale serve` on PostgreSQL and Redis with the demo shop's bot;"
        f" closed loop of bench/load/client.py in {args.processes} processes, {args.seconds:g} s"
        " per row; 'server cores' sums every serving process"
    )
    print(f"machine: {machine()}")
    print(
        "load average at start {:.1f} {:.1f} {:.1f}, at end {:.1f} {:.1f} {:.1f}".format(
            *load_start, *os.getloadavg()
        )
    )
    print(table(["server", *HEADERS[1:]], [r.cells() for r in rows]))
    print()
    print(table(["server", "process", "resident MB"], memory))


if __name__ == "__main__":
    main()
