"""`samtale serve --workers N`: messages per second and latency with one worker process and with
more, and the resident memory of each process.

One run, one fresh PostgreSQL database with the demo shop and its bot, Redis with a key prefix
of its own; the server is started with `--workers 1` (the baseline: one process, as
`samtale serve` runs by default) and then with each larger count, on the same database and the
same trained models. Each gets a short warm-up, then the load: concurrent conversations posting
visitor messages (a bot turn each), and the cheapest authenticated read as the HTTP floor, from
`wrk` when installed (a C load generator; else httpx in this process, which takes a core's
share itself: the table says which). Memory is read from /proc after the load: each worker
holds its own container and bots; the supervisor holds none.

    .venv/bin/python -m bench.workers [--workers 1,2] [--conversations 16] [--seconds 15]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.api import run_httpx, run_wrk, start_conversations
from bench.common import REPO, machine, postgres_database, resident_mb, server, settle, table


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


def measure(url: str, convs: list[dict[str, str]], kind: str, seconds: int) -> dict[str, float]:
    if shutil.which("wrk"):
        return run_wrk(url, convs, kind, seconds)
    return asyncio.run(run_httpx(url, convs, kind, seconds))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--workers", default="1,2", help="worker counts to compare, in order")
    parser.add_argument("--conversations", type=int, default=16)
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument(
        "--postgres",
        default=os.environ.get(
            "SAMTALE_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
        ),
    )
    parser.add_argument(
        "--redis", default=os.environ.get("SAMTALE_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
    )
    parser.add_argument("--data", default="", help="the servers' data folder (their models)")
    args = parser.parse_args()
    counts = [int(n) for n in args.workers.split(",")]
    # The trained demo bot is kept between runs (the database is new every run).
    data = args.data or str(REPO / ".cache" / "bench-demo")
    Path(data).mkdir(parents=True, exist_ok=True)

    rows: list[list[Any]] = []
    memory: list[list[Any]] = []
    with postgres_database(args.postgres) as db_url, tempfile.TemporaryDirectory() as tmp:
        prepare(db_url, data)
        for count in counts:
            env = {
                # Info: the start-up's events tell when it is done (every request is logged too,
                # in every row alike, as a server at its default level does).
                "SAMTALE_LOG_LEVEL": "info",
                "SAMTALE_WORKERS": str(count),
                "SAMTALE_REDIS_URL": args.redis,
                "SAMTALE_REDIS_PREFIX": f"samtale-bench-workers-{os.getpid()}:",
            }
            log = Path(tmp) / f"server-{count}.log"
            with server(db_url, env, demo=False, data_dir=data, log_path=str(log)) as running:
                pids = workers_of(running.pid) if count > 1 else [running.pid]
                wait_warm(log, count)
                for pid in pids:
                    settle(pid)
                convs = start_conversations(running.url, args.conversations)
                measure(running.url, convs, "post", 3)  # warm-up: every worker answers once
                for kind, label in (("get", "GET conversation (floor)"), ("post", "POST message")):
                    res = measure(running.url, convs, kind, args.seconds)
                    rows.append([count, label, f"{res['rps']:.0f}", f"{res['p50']:.1f}",
                                 f"{res['p99']:.1f}", int(res["n"])])  # fmt: skip
                for i, pid in enumerate(pids):
                    name = "the server" if count == 1 else f"worker {i}"
                    memory.append([count, name, f"{resident_mb(pid):.0f}"])
                if count > 1:
                    memory.append([count, "supervisor", f"{resident_mb(running.pid):.0f}"])

    load = "wrk" if shutil.which("wrk") else "httpx in this process (wrk not installed)"
    print(
        f"bench/workers.py — `samtale serve` on PostgreSQL and Redis with the demo shop's bot; "
        f"{args.conversations} concurrent conversations on loopback for {args.seconds} s per "
        f"row; load: {load}"
    )
    print(f"machine: {machine()}")
    print(table(["workers", "request", "req/s", "p50 ms", "p99 ms", "requests"], rows))
    print()
    print(table(["workers", "process", "resident MB"], memory))


if __name__ == "__main__":
    main()
