"""Why `samtale serve --workers N` refuses SQLite: transactions of several processes interleave.

The server queues its SQLite writes behind one lock per process (`infra/database.py`), and that
lock is what keeps a transaction that reads and then writes from acting on a row another writer
is changing (SQLite has no `SELECT … FOR UPDATE`). Here P processes each run T transactions
through `Database.transaction()` on one SQLite file, each reading how many rows there are and
inserting that number. Were the transactions isolated, every inserted number would be distinct;
each repeated number is a transaction that acted on a count another one had changed meanwhile.
One process is the baseline, in the same run.

    .venv/bin/python -m bench.sqlite_processes [--processes 3] [--transactions 400]
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import machine, table


async def _work(path: str, transactions: int) -> None:
    from sqlalchemy import text

    from samtale.infra.database import Database

    db = Database(f"sqlite+aiosqlite:///{path}")

    async def one() -> None:
        async with db.transaction() as session:
            count = await session.scalar(text("SELECT count(*) FROM t"))
            await asyncio.sleep(0.001)  # the turn's work between its read and its write
            await session.execute(text("INSERT INTO t (v) VALUES (:v)"), {"v": count})

    await asyncio.gather(*(one() for _ in range(transactions)))
    await db.dispose()


def run(processes: int, transactions: int) -> tuple[int, int, float]:
    with tempfile.TemporaryDirectory() as tmp:
        path = str(Path(tmp) / "bench.db")
        with sqlite3.connect(path) as conn:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER)")
        started = time.perf_counter()
        child = [sys.executable, "-m", "bench.sqlite_processes", "--child", path]
        child += ["--transactions", str(transactions)]
        procs = [subprocess.Popen(child) for _ in range(processes)]
        for p in procs:
            if p.wait() != 0:
                raise RuntimeError("a process failed")
        seconds = time.perf_counter() - started
        with sqlite3.connect(path) as conn:
            total, distinct = conn.execute("SELECT count(*), count(DISTINCT v) FROM t").fetchone()
    return total, total - distinct, seconds


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--processes", type=int, default=3)
    parser.add_argument("--transactions", type=int, default=400)
    parser.add_argument("--child", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        asyncio.run(_work(args.child, args.transactions))
        return
    rows = []
    for processes in (1, args.processes):
        total, interleaved, seconds = run(processes, args.transactions)
        rows.append([processes, total, interleaved, f"{seconds:.1f}"])
    print(
        f"bench/sqlite_processes.py — {args.transactions} read-then-insert transactions per "
        "process through Database.transaction() on one SQLite file (WAL)"
    )
    print(f"machine: {machine()}")
    print(table(["processes", "transactions", "acted on a changed count", "seconds"], rows))


if __name__ == "__main__":
    main()
