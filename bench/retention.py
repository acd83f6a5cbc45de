"""The retention purge on PostgreSQL: throughput, the longest transaction, and what customers feel.

A fresh database gets N expired bot-only conversations (200 days old) with 10 messages and one
identifier-index row each, generated in bulk in SQL (`generate_series`). `samtale serve` runs in
its own process (its own purge schedule off). A client sends messages to live conversations at
a steady pace — first with no purge running (the baseline), then while `samtale purge` (the cron
form, its own process) deletes every expired conversation in batches. The table gives the purge's
throughput, its longest transaction (as the purge timed it, and the oldest open transaction seen
in `pg_stat_activity` while it ran), and the client's latency of `POST …/messages` with and
without the purge.

    .venv/bin/python -m bench.retention [--conversations 1000000] [--messages-per-conversation 10]
        [--batch-size 500] [--baseline-seconds 30] [--workers 4] [--rate 10] [--postgres URL]

Nothing is written into the repository: the database is created and dropped, the server's data
folder is a temporary directory.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import subprocess
import sys
import tempfile
import time
from typing import Any

import asyncpg
import httpx

from bench.common import (
    add_service_arguments,
    machine,
    percentile,
    postgres_database,
    server_process,
    table,
)

SECRET = "bench-retention-secret-key"

TENANT_SQL = """
INSERT INTO tenants (id, name, slug, widget_key, allowed_origins, languages, default_language,
                     default_country, time_zone, retention_bot_days, retention_agent_days, active,
                     settings, created_at)
VALUES (gen_random_uuid(), 'Bench shop', 'bench', 'bench', '[]', '["da"]', 'da', 'DK',
        'Europe/Copenhagen', 90, NULL, true, '{}', now())
RETURNING id
"""

CONVERSATIONS_SQL = """
INSERT INTO conversations (id, tenant_id, token_hash, language, state, person_involved, page_path,
                           last_seq, bot_state, created_at, last_activity_at)
SELECT gen_random_uuid(), $1, md5(g::text) || md5((-g)::text), 'da', 'bot', false, '/',
       $4, '{}'::jsonb,
       now() - interval '200 days' - (g % 86400) * interval '1 second',
       now() - interval '200 days' - (g % 86400) * interval '1 second' + interval '3 minutes'
FROM generate_series($2::bigint, $3::bigint) AS g
"""

MESSAGES_SQL = """
INSERT INTO messages (id, tenant_id, conversation_id, seq, author, agent_id, text, payload,
                      client_id, reply_to, created_at)
SELECT gen_random_uuid(), c.tenant_id, c.id, s,
       CASE WHEN s % 2 = 1 THEN 'visitor' ELSE 'bot' END, NULL,
       CASE WHEN s % 2 = 1 THEN 'Hej, hvor er min pakke? Ordre 10' || lpad((s * 7919)::text, 7, '0')
            ELSE 'Din pakke er på vej og kommer i morgen mellem 9 og 16.' END,
       NULL, CASE WHEN s % 2 = 1 THEN 'c' || s ELSE NULL END, NULL,
       c.created_at + s * interval '10 seconds'
FROM (SELECT id, tenant_id, created_at FROM conversations
      WHERE tenant_id = $1 AND token_hash >= $2 AND token_hash < $3) AS c
CROSS JOIN generate_series(1, $4) AS s
"""

IDENTIFIERS_SQL = """
INSERT INTO conversation_identifiers (conversation_id, kind, value_hash, tenant_id, created_at)
SELECT id, 'order_number', md5(id::text) || md5(token_hash), tenant_id, created_at
FROM conversations WHERE tenant_id = $1 AND token_hash >= $2 AND token_hash < $3
"""


def env_for(database_url: str, data_dir: str) -> dict[str, str]:
    return {
        **os.environ,
        "SAMTALE_DATABASE_URL": database_url,
        "SAMTALE_DATA_DIR": data_dir,
        "SAMTALE_SECRET_KEY": SECRET,
        "SAMTALE_LOG_LEVEL": "warning",
        "SAMTALE_PURGE_INTERVAL_SECONDS": "0",
    }


async def generate(dsn: str, conversations: int, per_conversation: int) -> tuple[str, float]:
    """The bench tenant and its expired conversations; returns (tenant id, seconds)."""
    started = time.perf_counter()
    conn = await asyncpg.connect(dsn)
    try:
        tenant = await conn.fetchval(TENANT_SQL)
        chunk = 100_000
        for first in range(1, conversations + 1, chunk):
            last = min(first + chunk - 1, conversations)
            await conn.execute(CONVERSATIONS_SQL, tenant, first, last, per_conversation)
            print(f"  conversations {last:>9,}", file=sys.stderr, flush=True)
        # Messages and identifiers in 16 slices of the token-hash space (hex digits).
        bounds = [*"0123456789abcdef", "g"]
        for lo, hi in itertools.pairwise(bounds):
            await conn.execute(MESSAGES_SQL, tenant, lo, hi, per_conversation)
            await conn.execute(IDENTIFIERS_SQL, tenant, lo, hi)
            print(f"  messages slice {lo} done", file=sys.stderr, flush=True)
        await conn.execute("VACUUM ANALYZE")
    finally:
        await conn.close()
    return str(tenant), time.perf_counter() - started


async def counts(dsn: str) -> dict[str, int]:
    conn = await asyncpg.connect(dsn)
    try:
        return {
            name: int(await conn.fetchval(f"SELECT count(*) FROM {name}"))
            for name in ("conversations", "messages", "conversation_identifiers")
        }
    finally:
        await conn.close()


class Client:
    """Sends messages to live conversations at a steady pace and records the latencies."""

    def __init__(self, url: str, workers: int, rate: float) -> None:
        self.url = url
        self.workers = workers
        self.interval = 1.0 / rate
        self.latencies: list[float] = []
        self.errors = 0
        self._stop = asyncio.Event()
        self._convs: list[dict[str, str]] = []

    async def prepare(self, http: httpx.AsyncClient) -> None:
        for _ in range(self.workers):
            r = await http.post("/api/v1/widget/bench/conversations", json={"language": "da"})
            r.raise_for_status()
            self._convs.append(r.json())

    async def _worker(self, http: httpx.AsyncClient, conv: dict[str, str]) -> None:
        headers = {"authorization": f"Bearer {conv['token']}"}
        path = f"/api/v1/conversations/{conv['conversation_id']}/messages"
        i = 0
        next_at = time.perf_counter()
        while not self._stop.is_set():
            i += 1
            start = time.perf_counter()
            try:
                r = await http.post(
                    path, json={"text": "hvor er min pakke?", "client_id": f"b{i}"}, headers=headers
                )
                if r.status_code >= 300:
                    self.errors += 1
            except httpx.HTTPError:
                self.errors += 1
            self.latencies.append(time.perf_counter() - start)
            next_at += self.interval
            await asyncio.sleep(max(0.0, next_at - time.perf_counter()))

    async def run_until(self, http: httpx.AsyncClient, done: asyncio.Future[Any]) -> None:
        self.latencies, self.errors = [], 0
        self._stop.clear()
        tasks = [asyncio.create_task(self._worker(http, c)) for c in self._convs]
        await done
        self._stop.set()
        await asyncio.gather(*tasks)

    def figures(self) -> dict[str, float]:
        return {
            "requests": len(self.latencies),
            "errors": self.errors,
            "p50_ms": percentile(self.latencies, 0.5) * 1000,
            "p99_ms": percentile(self.latencies, 0.99) * 1000,
            "max_ms": max(self.latencies, default=float("nan")) * 1000,
        }


async def oldest_transaction(dsn: str, done: asyncio.Future[Any]) -> float:
    """The oldest open transaction (seconds) seen in pg_stat_activity until `done`."""
    conn = await asyncpg.connect(dsn)
    longest = 0.0
    try:
        while not done.done():
            age = await conn.fetchval(
                "SELECT coalesce(max(extract(epoch FROM clock_timestamp() - xact_start)), 0) "
                "FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid() AND xact_start IS NOT NULL "
                "AND backend_type = 'client backend'"
            )
            longest = max(longest, float(age or 0))
            await asyncio.sleep(0.05)
    finally:
        await conn.close()
    return longest


async def run_purge(database_url: str, data_dir: str, batch_size: int) -> dict[str, Any]:
    env = env_for(database_url, data_dir) | {"SAMTALE_PURGE_BATCH_SIZE": str(batch_size)}
    started = time.perf_counter()
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "samtale",
        "purge",
        "--tenant",
        "bench",
        "--json",
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    out, err = await proc.communicate()
    if proc.returncode != 0:
        raise RuntimeError(f"samtale purge failed: {err.decode()[-2000:]}")
    report: dict[str, Any] = json.loads(out.decode().strip().splitlines()[-1])
    report["wall_seconds"] = time.perf_counter() - started
    return report


async def measure(
    url: str, database_url: str, data_dir: str, args: argparse.Namespace
) -> dict[str, Any]:
    dsn = database_url
    client = Client(url, args.workers, args.rate)
    async with httpx.AsyncClient(base_url=url, timeout=60) as http:
        await client.prepare(http)
        loop = asyncio.get_running_loop()
        # Warm-up, then the baseline: no purge running.
        warm = loop.create_task(asyncio.sleep(3))
        await client.run_until(http, warm)
        baseline_done = loop.create_task(asyncio.sleep(args.baseline_seconds))
        await client.run_until(http, baseline_done)
        baseline = client.figures()
        # The purge, with the same client running.
        purge = loop.create_task(run_purge(database_url, data_dir, args.batch_size))
        sampler = loop.create_task(oldest_transaction(dsn, purge))
        await client.run_until(http, purge)
        during = client.figures()
        report = purge.result()
        oldest = await sampler
    return {
        "baseline": baseline,
        "during": during,
        "purge": report,
        "oldest_xact": oldest,
        "load": os.getloadavg(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--conversations", type=int, default=1_000_000)
    parser.add_argument("--messages-per-conversation", type=int, default=10)
    parser.add_argument("--batch-size", type=int, default=500)
    parser.add_argument("--baseline-seconds", type=float, default=30)
    parser.add_argument("--workers", type=int, default=4, help="live conversations of the client")
    parser.add_argument("--rate", type=float, default=10, help="messages per second per worker")
    add_service_arguments(parser, redis=False)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON too")
    args = parser.parse_args()

    with postgres_database(args.postgres) as database_url, tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [sys.executable, "-m", "samtale", "migrate"],
            env=env_for(database_url, tmp),
            check=True,
            stdout=subprocess.DEVNULL,
        )
        print(
            f"generating {args.conversations:,} conversations × {args.messages_per_conversation} messages …",
            file=sys.stderr,
            flush=True,
        )
        _tenant, gen_seconds = asyncio.run(
            generate(database_url, args.conversations, args.messages_per_conversation)
        )
        before = asyncio.run(counts(database_url))
        with server_process(
            database_url,
            extra_env=env_for(database_url, tmp) | {"SAMTALE_DATA_DIR": tmp},
            demo=False,
        ) as url:
            result = asyncio.run(measure(url, database_url, tmp, args))
        after = asyncio.run(counts(database_url))

    purge = result["purge"]
    base, during = result["baseline"], result["during"]
    seconds = purge["seconds"]
    deleted_msgs = purge["messages"]
    print(
        f"bench/retention.py — PostgreSQL; {before['conversations']:,} expired bot-only conversations, "
        f"{before['messages']:,} messages, {before['conversation_identifiers']:,} index rows "
        f"(generated in SQL in {gen_seconds:.0f} s); purge: `samtale purge` in its own process, "
        f"batches of {args.batch_size}; client: {args.workers} conversations × {args.rate:g} msg/s "
        f"against `samtale serve` in its own process"
    )
    load = " / ".join(f"{x:.1f}" for x in result["load"])
    print(f"machine: {machine()}; load average during the run (1, 5, 15 min): {load}")
    print(
        table(
            ["purge", "value"],
            [
                ["conversations deleted", f"{purge['conversations']:,}"],
                ["messages deleted (cascade)", f"{deleted_msgs:,}"],
                ["batches (transactions)", f"{purge['batches']:,}"],
                ["purge time", f"{seconds:.1f} s (process: {purge['wall_seconds']:.1f} s)"],
                [
                    "throughput",
                    f"{purge['conversations'] / seconds:,.0f} conversations/s, "
                    f"{deleted_msgs / seconds:,.0f} messages/s",
                ],
                [
                    "longest batch transaction (purge's timing)",
                    f"{purge['longest_batch_seconds'] * 1000:.0f} ms",
                ],
                [
                    "oldest open transaction seen (pg_stat_activity)",
                    f"{result['oldest_xact'] * 1000:.0f} ms",
                ],
                [
                    "left after the purge",
                    f"{after['conversations']:,} conversations (the client's), {after['messages']:,} messages",
                ],
            ],
        )
    )
    print()
    print(
        table(
            ["POST …/messages", "requests", "errors", "p50 ms", "p99 ms", "max ms"],
            [
                [
                    "no purge running (baseline)",
                    base["requests"],
                    base["errors"],
                    base["p50_ms"],
                    base["p99_ms"],
                    base["max_ms"],
                ],
                [
                    "during the purge",
                    during["requests"],
                    during["errors"],
                    during["p50_ms"],
                    during["p99_ms"],
                    during["max_ms"],
                ],
            ],
        )
    )
    if args.json:
        print(
            json.dumps(
                {"before": before, "after": after, "generate_seconds": gen_seconds, **result}
            )
        )


if __name__ == "__main__":
    main()
